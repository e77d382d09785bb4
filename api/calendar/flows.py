"""What an import of a year's notice sets off: every open deadline recomputed on the new calendar, then audited."""

from __future__ import annotations

from api.audit.trail import Actor
from api.auth.principal import Principal
from api.calendar import service
from api.cases import workflow
from mobile_contract.calendar import CalendarImport, CalendarImportResult
from storage import audit
from storage.db import Connection


async def import_notice(conn: Connection, actor: Principal | Actor, data: CalendarImport) -> CalendarImportResult:
    """Store the notice as a new version, recompute open deadlines, report those that moved; audited last."""
    version = await service.add_notice(conn, actor, data)
    cases, changed = await workflow.refresh_deadlines(conn, await service.current(conn))
    await audit.append(conn, service.audit_entry(actor, version, len(changed)))
    return CalendarImportResult(version=version, cases_recomputed=cases, changed=changed)
