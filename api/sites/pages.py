"""Sites and the zone editor (点位与区域绘制): the same guards and service calls as ``routes.py``.

The editor page carries the site's current config; ``site_editor.js`` lets an operator click zones
and the count line onto the camera's latest snapshot and saves the whole config as the next version
through the API itself (``PUT /sites/{id}``, with the session's CSRF token), so the registry's own
validation and versioning decide, and a refusal is drawn on the zone it names.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect

from api.alerts import service as alert_service
from api.auth.guards import requires
from api.console.names import NameBook
from api.console.page import PageController, menu
from api.console.templating import render
from api.deps import Caller, Db
from api.sites import service
from api.sites.routes import EDITORS, READERS, SiteId


class SitePages(PageController):
    path = "/console/sites"

    @get("/", guards=[requires(*READERS)], opt=menu("点位与区域", 30))
    async def sites(self, request: Request, db: Db, principal: Caller) -> Response:
        page = await service.list_page(db, principal, active=None, cursor=None, limit=500)
        return render(request, "sites/list.html", sites=page.items, can_edit=principal.role in EDITORS)

    @get("/{site_id:str}", guards=[requires(*READERS)])
    async def editor(
        self,
        request: Request,
        db: Db,
        principal: Caller,
        site_id: SiteId,
        camera: Annotated[str, QueryParameter()] = "",
    ) -> Response:
        site = await service.get(db, principal, site_id)
        chosen = next((c for c in site.config.cameras if c.id == camera), site.config.cameras[0])
        shot = await alert_service.latest_camera_snapshot(db, principal, site_id=site.id, camera_id=chosen.id)
        history = await service.versions(db, principal, site_id)
        names = NameBook(db)
        return render(
            request,
            "sites/editor.html",
            site=site,
            camera=chosen,
            history=[(v, await names.name(v.changed_by)) for v in reversed(history)],
            version_configs={str(v.version): v.config for v in history},
            snapshot=f"/console/alerts/{shot['alert_id']}/media/{shot['id']}" if shot else "",
            can_edit=principal.role in EDITORS,
        )

    @post("/{site_id:str}/activate", guards=[requires(*EDITORS)])
    async def activate(self, db: Db, principal: Caller, site_id: SiteId) -> Redirect:
        await service.set_active(db, principal, site_id, active=True)
        return Redirect(f"/console/sites/{site_id}", status_code=303)

    @post("/{site_id:str}/deactivate", guards=[requires(*EDITORS)])
    async def deactivate(self, db: Db, principal: Caller, site_id: SiteId) -> Redirect:
        await service.set_active(db, principal, site_id, active=False)
        return Redirect(f"/console/sites/{site_id}", status_code=303)
