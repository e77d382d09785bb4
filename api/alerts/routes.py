"""Alert endpoints (预警): delivery by vision nodes, reading, handling by the monitoring centre, live stream."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from litestar import Controller, Response, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromQuery, HeaderParameter, JSONBody, PathParameter, QueryParameter
from litestar.response import ServerSentEvent, Stream

from api.alerts import delivery, flows, service, statistics, stream
from api.auth.guards import requires
from api.auth.principal import Principal
from api.sites.service import scope
from mobile_contract.alert_statistics import AlertStatistics
from mobile_contract.alerts import (
    AlertAcknowledge,
    AlertClose,
    AlertDetail,
    AlertDispatch,
    AlertKind,
    AlertPage,
    AlertRead,
    AlertReceipt,
    AlertState,
    AlertUpsert,
    DeliveryOutcome,
    InspectorChoice,
    MediaLink,
    Severity,
)
from mobile_contract.auth import Role
from mobile_contract.problems import FieldError, InvalidInput
from storage.db import Connection, acquired
from storage.objects import ObjectStore

HANDLERS = (Role.MONITORING_OPERATOR, Role.SUPERVISOR)
READERS = (*HANDLERS, Role.ADMIN, Role.INSPECTOR)
Db = NamedDependency[Connection]
Caller = NamedDependency[Principal]
Store = NamedDependency[ObjectStore]
AlertId = Annotated[uuid.UUID, PathParameter(description="事件ID / alert id")]
MediaId = Annotated[int, PathParameter(description="媒体编号 / media number")]
StartedFrom = Annotated[dt.datetime | None, QueryParameter(name="from", description="发生时间起 / started at or after")]
StartedTo = Annotated[dt.datetime | None, QueryParameter(name="to", description="发生时间止 / started before")]


class AlertController(Controller):
    path = "/alerts"
    tags = ("alerts",)

    @put("/{alert_id:uuid}", guards=[requires(Role.VISION_NODE)], summary="上报预警 / deliver an alert revision")
    async def deliver(
        self, db: Db, store: Store, principal: Caller, alert_id: AlertId, data: JSONBody[AlertUpsert]
    ) -> Response[AlertReceipt]:
        if data.id != alert_id:
            raise InvalidInput("事件ID与地址不一致", "body id differs from the path", errors=[FieldError("id", "")])
        receipt = await delivery.deliver(db, store, principal, data)
        return Response(receipt, status_code=201 if receipt.outcome is DeliveryOutcome.CREATED else 200)

    @get("/", guards=[requires(*READERS)], summary="预警列表（新的在前）/ list alerts, newest first")
    async def list_alerts(
        self,
        db: Db,
        principal: Caller,
        alert_state: Annotated[AlertState | None, QueryParameter(name="state", description="处置状态 / state")] = None,
        kind: Annotated[AlertKind | None, QueryParameter(description="预警类型 / kind")] = None,
        severity: Annotated[Severity | None, QueryParameter(description="严重程度 / severity")] = None,
        site: Annotated[str | None, QueryParameter(description="点位编号 / site id")] = None,
        camera: Annotated[str | None, QueryParameter(description="摄像头编号 / camera id")] = None,
        since: Annotated[dt.datetime | None, QueryParameter(description="此后有变化的 / changed since")] = None,
        started_from: StartedFrom = None,
        started_to: StartedTo = None,
        cursor: Annotated[str | None, QueryParameter(description="上一页的 next_cursor / from the last page")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> AlertPage:
        filters = {
            "state": alert_state,
            "kind": kind,
            "severity": severity,
            "site_id": site,
            "camera_id": camera,
            "since": since,
            "started_from": started_from,
            "started_to": started_to,
        }
        return await service.list_page(db, principal, filters=filters, cursor=cursor, limit=limit)

    @get(
        "/stream",
        guards=[requires(*READERS)],
        media_type="text/event-stream",
        summary="实时预警推送（SSE，可凭 Last-Event-ID 续传）/ live alert events, resumable",
    )
    async def live(
        self,
        state: State,
        principal: Caller,
        last_event_id: Annotated[int | None, HeaderParameter(name="Last-Event-ID", ge=0)] = None,
        after: Annotated[int | None, QueryParameter(ge=0, description="从此事件号之后 / resume after")] = None,
    ) -> ServerSentEvent:
        start = last_event_id if last_event_id is not None else after
        if start is None:  # a fresh subscriber gets live events only
            async with acquired(state.pool) as conn:
                start = await service.last_event_id(conn)
        return ServerSentEvent(stream.open_stream(state.alert_hub, principal.user_id, scope(principal), start))

    @get("/{alert_id:uuid}", guards=[requires(*READERS)], summary="预警详情 / one alert with media and revisions")
    async def read(self, db: Db, principal: Caller, alert_id: AlertId) -> AlertDetail:
        return await service.detail(db, principal, alert_id)

    @get(
        "/{alert_id:uuid}/media/{media_id:int}/link",
        guards=[requires(*READERS)],
        summary="查看预警证据（限时链接，留痕）/ short-lived download link, audited",
    )
    async def media_link(
        self, db: Db, store: Store, principal: Caller, alert_id: AlertId, media_id: MediaId
    ) -> MediaLink:
        return await service.media_link(db, store, principal, alert_id, media_id)

    @get(
        "/{alert_id:uuid}/inspectors",
        guards=[requires(*HANDLERS)],
        summary="派遣候选执法人员 / inspectors the alert can be dispatched to",
    )
    async def inspectors(self, db: Db, principal: Caller, alert_id: AlertId) -> list[InspectorChoice]:
        return await service.dispatch_candidates(db, principal, alert_id)

    @get(
        "/{alert_id:uuid}/media/{media_id:int}/content",
        guards=[requires(*READERS)],
        summary="读取预警截图或视频（经 API，每次留痕）/ the verified bytes through the API, each read audited",
        responses={
            200: ResponseSpec(bytes, media_type="application/octet-stream", description="原件", generate_examples=False)
        },
    )
    async def media_content(
        self, db: Db, store: Store, principal: Caller, alert_id: AlertId, media_id: MediaId
    ) -> Stream:
        found = await service.media_content(db, store, principal, alert_id, media_id)
        return Stream(found.body.chunks(), media_type=found.item.media_type, headers=found.headers())

    @post("/{alert_id:uuid}/acknowledge", guards=[requires(*HANDLERS)], status_code=200, summary="确认 / acknowledge")
    async def acknowledge(
        self, db: Db, principal: Caller, alert_id: AlertId, data: JSONBody[AlertAcknowledge | None] = None
    ) -> AlertRead:
        return await flows.acknowledge(db, principal, alert_id, data or AlertAcknowledge())

    @post("/{alert_id:uuid}/dispatch", guards=[requires(*HANDLERS)], status_code=200, summary="派遣 / dispatch")
    async def dispatch(self, db: Db, principal: Caller, alert_id: AlertId, data: JSONBody[AlertDispatch]) -> AlertRead:
        return await flows.dispatch(db, principal, alert_id, data)

    @post("/{alert_id:uuid}/close", guards=[requires(*HANDLERS)], status_code=200, summary="反馈办结 / close")
    async def close(self, db: Db, principal: Caller, alert_id: AlertId, data: JSONBody[AlertClose]) -> AlertRead:
        return await flows.close(db, principal, alert_id, data)


STATISTICS_READERS = (Role.SUPERVISOR, Role.MONITORING_OPERATOR, Role.ADMIN)


class AlertStatisticsController(Controller):
    path = "/alerts/statistics"
    tags = ("alerts 预警",)

    @get(
        "/",
        guards=[requires(*STATISTICS_READERS)],
        summary="预警统计：按点位、摄像头的数量、处置结果与误报率 / per site and camera: count, outcome, false alarms",
    )
    async def per_site_and_camera(
        self, db: Db, principal: Caller, period_from: FromQuery[dt.date], period_to: FromQuery[dt.date]
    ) -> AlertStatistics:
        return await statistics.per_site_and_camera(db, principal, period_from=period_from, period_to=period_to)
