"""The operator's alert pages (预警值守台、预警详情): the same guards and service calls as ``routes.py``.

The wall lists the department's alerts newest first with filters and keyset paging, and follows the
live stream (``/alerts/stream``) from the event id read before the list, so nothing committed in
between is missed. Each handling step is a plain form (it works without scripts) posted to the same
flow functions the API calls; a refusal is shown on the page with the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect

from api.alerts import flows, service, statistics, views
from api.alerts.routes import HANDLERS, READERS, STATISTICS_READERS, AlertId, MediaId
from api.auth.guards import requires
from api.console.charts import Row, bar_chart
from api.console.labels import label
from api.console.page import PageController, local_path, menu
from api.console.period import period_of
from api.console.templating import LOCAL_ZONE, render
from api.deps import Caller, Db, Store
from api.sites import service as sites_service
from mobile_contract.alerts import (
    AlertAcknowledge,
    AlertClose,
    AlertDispatch,
    AlertKind,
    AlertOutcome,
    AlertState,
    Severity,
)
from mobile_contract.problems import ClientError, FieldError, InvalidInput

WALL_PAGE = 48
OPEN_CRITICAL_SHOWN = 1000
Form = Body(media_type=RequestEncodingType.URL_ENCODED)
Filter = Annotated[str, QueryParameter()]


class WallFilters(msgspec.Struct, kw_only=True):
    """The wall's filters as the form sends them (empty = any); times are local (Asia/Shanghai)."""

    site: str = ""
    camera: str = ""
    kind: str = ""
    severity: str = ""
    state: str = ""
    start: str = ""
    end: str = ""

    def query(self) -> str:
        """The filters as a query string, for paging links."""
        return urlencode({k: v for k, v in msgspec.structs.asdict(self).items() if v})

    def for_service(self) -> dict[str, Any]:
        return {
            "site_id": self.site or None,
            "camera_id": self.camera or None,
            "kind": _member(AlertKind, self.kind, "kind"),
            "severity": _member(Severity, self.severity, "severity"),
            "state": _member(AlertState, self.state, "state"),
            "started_from": _local_moment(self.start, "start"),
            "started_to": _local_moment(self.end, "end"),
        }


class HandlingForm(msgspec.Struct, kw_only=True):
    """Any of the three handling forms; each step reads the fields it needs."""

    note: str = ""
    inspector_id: str = ""
    outcome: str = ""
    feedback: str = ""
    back: str = ""
    csrf: str = msgspec.field(default="", name="_csrf")


class AlertPages(PageController):
    path = "/console/alerts"

    @get("/", guards=[requires(*READERS)], opt=menu("预警值守台", 10))
    async def wall(
        self,
        request: Request,
        db: Db,
        principal: Caller,
        cursor: Annotated[str | None, QueryParameter()] = None,
        site: Filter = "",
        camera: Filter = "",
        kind: Filter = "",
        severity: Filter = "",
        alert_state: Annotated[str, QueryParameter(name="state")] = "",
        start: Filter = "",
        end: Filter = "",
    ) -> Response:
        filters = WallFilters(
            site=site, camera=camera, kind=kind, severity=severity, state=alert_state, start=start, end=end
        )
        after = await service.last_event_id(db)  # read first: what commits after it arrives by the stream
        page = await service.list_page(db, principal, filters=filters.for_service(), cursor=cursor, limit=WALL_PAGE)
        sites = await sites_service.list_page(db, principal, active=None, cursor=None, limit=500)
        critical = await service.open_critical_ids(db, principal, limit=OPEN_CRITICAL_SHOWN)
        return render(
            request,
            "alerts/wall.html",
            cards=await views.cards(db, principal, page.items),
            filters=filters,
            filter_query=filters.query(),
            sites=sites.items,
            next_cursor=page.next_cursor,
            first_page=cursor is None,
            after_event=after,
            open_critical=[str(i) for i in critical],
            kinds=list(AlertKind),
            severities=list(Severity),
            states=list(AlertState),
            can_handle=principal.role in HANDLERS,
        )

    @get("/{alert_id:uuid}/card", guards=[requires(*READERS)])
    async def card(self, request: Request, db: Db, principal: Caller, alert_id: AlertId) -> Response:
        """One card, for the wall to insert or replace when the stream reports a change."""
        [card] = await views.cards(db, principal, [await service.get(db, principal, alert_id)])
        return render(request, "alerts/card.html", card=card, can_handle=principal.role in HANDLERS)

    @get("/{alert_id:uuid}", guards=[requires(*READERS)])
    async def detail(self, request: Request, db: Db, principal: Caller, alert_id: AlertId) -> Response:
        return await _detail_page(request, db, principal, alert_id)

    @get("/{alert_id:uuid}/media/{media_id:int}", guards=[requires(*READERS)])
    async def media(self, db: Db, store: Store, principal: Caller, alert_id: AlertId, media_id: MediaId) -> Redirect:
        """A snapshot or clip: audited like the API's link (证据查阅留痕), then fetched from the evidence store."""
        link = await service.media_link(db, store, principal, alert_id, media_id)
        return Redirect(link.url, status_code=303, headers={"Cache-Control": "no-store"})

    @post("/{alert_id:uuid}/acknowledge", guards=[requires(*HANDLERS)])
    async def acknowledge(
        self, request: Request, db: Db, principal: Caller, alert_id: AlertId, data: Annotated[HandlingForm, Form]
    ) -> Response:
        return await _handle(request, db, principal, alert_id, data, _acknowledge)

    @post("/{alert_id:uuid}/dispatch", guards=[requires(*HANDLERS)])
    async def dispatch(
        self, request: Request, db: Db, principal: Caller, alert_id: AlertId, data: Annotated[HandlingForm, Form]
    ) -> Response:
        return await _handle(request, db, principal, alert_id, data, _dispatch)

    @post("/{alert_id:uuid}/close", guards=[requires(*HANDLERS)])
    async def close(
        self, request: Request, db: Db, principal: Caller, alert_id: AlertId, data: Annotated[HandlingForm, Form]
    ) -> Response:
        return await _handle(request, db, principal, alert_id, data, _close)


async def _detail_page(
    request: Request, db: Db, principal: Caller, alert_id: AlertId, *, error: ClientError | None = None
) -> Response:
    view = await views.detail_view(db, principal, alert_id)
    status = error.status if error else 200
    return render(
        request,
        "alerts/detail.html",
        status=status,
        view=view,
        error=error,
        can_handle=principal.role in HANDLERS,
        outcomes=list(AlertOutcome),
    )


async def _handle(request: Request, db: Db, principal: Caller, alert_id: AlertId, form: HandlingForm, step) -> Response:
    """Run one handling step; back to where the form was (303), or the detail page with the refusal."""
    try:
        await step(db, principal, alert_id, form)
    except ClientError as error:  # refused before anything was written: the transaction holds nothing
        if "json" in request.headers.get("accept", ""):
            raise
        return await _detail_page(request, db, principal, alert_id, error=error)
    return Redirect(local_path(form.back, f"/console/alerts/{alert_id}"), status_code=303)


async def _acknowledge(db: Db, principal: Caller, alert_id: AlertId, form: HandlingForm) -> None:
    await flows.acknowledge(db, principal, alert_id, _convert({"note": form.note}, AlertAcknowledge))


async def _dispatch(db: Db, principal: Caller, alert_id: AlertId, form: HandlingForm) -> None:
    if not form.inspector_id:
        raise InvalidInput("请选择派遣的执法人员", "inspector_id missing", errors=[FieldError("inspector_id", "")])
    body = _convert({"inspector_id": form.inspector_id, "note": form.note}, AlertDispatch)
    await flows.dispatch(db, principal, alert_id, body)


async def _close(db: Db, principal: Caller, alert_id: AlertId, form: HandlingForm) -> None:
    if not form.outcome or not form.feedback.strip():
        raise InvalidInput(
            "办结需选择处置结果并填写处置反馈",
            "outcome and feedback are required",
            errors=[FieldError(f, "") for f in ("outcome", "feedback") if not getattr(form, f).strip()],
        )
    await flows.close(
        db, principal, alert_id, _convert({"outcome": form.outcome, "feedback": form.feedback}, AlertClose)
    )


def _convert(fields: dict[str, Any], kind: type) -> Any:
    try:
        return msgspec.convert(fields, kind)
    except msgspec.ValidationError as exc:
        raise InvalidInput("填写的内容不符合要求，请检查后重新提交", str(exc)) from exc


def _member(enum: type, value: str, field: str) -> Any:
    if not value:
        return None
    try:
        return enum(value)
    except ValueError as exc:
        raise InvalidInput("筛选条件无效", f"unknown {field}", errors=[FieldError(field, "")]) from exc


def _local_moment(value: str, field: str) -> dt.datetime | None:
    """A date-and-time field (``2026-12-06 08:30``, no zone) read as China Standard Time."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=LOCAL_ZONE)
    except ValueError as exc:
        raise InvalidInput(
            "时间格式无效，请按“2026-12-06 08:30”的格式填写", f"bad {field}", errors=[FieldError(field, "")]
        ) from exc


class AlertStatisticsPages(PageController):
    """预警统计: the same guard and service as ``GET /alerts/statistics``, with a chart per camera."""

    path = "/console/alert-statistics"

    @get("/", guards=[requires(*STATISTICS_READERS)], opt=menu("预警统计", 25))
    async def per_site_and_camera(
        self, request: Request, db: Db, principal: Caller, period_from: Filter = "", period_to: Filter = ""
    ) -> Response:
        first, last = period_of(period_from, period_to)
        found = await statistics.per_site_and_camera(db, principal, period_from=first, period_to=last)
        rows = [
            Row(f"{site.site_name} · {camera.camera_name}", (*camera.outcomes.values(), camera.open))
            for site in found.sites
            for camera in site.cameras
        ]
        series = [*(label(o) for o in AlertOutcome), "未办结"]
        chart = bar_chart("各摄像头预警数及处置结果", series, rows, stacked=True)
        return render(request, "alerts/statistics.html", found=found, chart=chart, outcomes=list(AlertOutcome))
