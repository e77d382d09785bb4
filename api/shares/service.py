"""Sharing a case's evidence package with a procuratorate or court (案卷共享), read-only.

A supervisor names the recipient and how many days the link lasts; the link carries a token made
from the installation's secret and the share's id (HMAC-SHA256, 256 bits), so a retried request
gets the same link while the database keeps only the token's hash. Until it is revoked or expires
the link opens a page naming the recipient and downloads the package, built fresh at each use with
the items marked 不予披露 left out (listed, without their bytes); every use is audited under the
recipient's name (``case.share_access`` and ``evidence.share_access`` per item). After revocation or
expiry it answers 410.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import shutil
import tempfile
import uuid
from pathlib import Path

import asyncpg

from api.audit import trail
from api.audit.trail import Actor
from api.auth.principal import Principal
from api.cases import workflow
from api.packages.builder import Built, build
from mobile_contract.auth import Role
from mobile_contract.documents import ShareCreate, ShareRead, Withholding
from mobile_contract.problems import Conflict, Gone, NotFound
from storage import audit, custody, shares
from storage.db import Connection
from storage.objects import ObjectStore

RECIPIENT_ROLE = "share_recipient"


def token_for(secret: str, share_id: uuid.UUID) -> str:
    digest = hmac.new(secret.encode(), b"case-share:" + share_id.bytes, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def read(row: asyncpg.Record, url: str | None = None) -> ShareRead:
    fields = {k: row[k] for k in ShareRead.__struct_fields__ if k != "url"}
    return ShareRead(**fields, url=url)


async def create(
    conn: Connection, principal: Principal, case_id: uuid.UUID, data: ShareCreate, *, secret: str, public_url: str
) -> ShareRead:
    """Create the share (a retry with the same id returns it again, with the same link)."""
    case = await workflow.case_file(conn, principal, case_id)
    token = token_for(secret, data.id)
    row = {
        "id": data.id,
        "case_id": case_id,
        "department_id": case.department_id,
        "token_sha256": token_hash(token),
        "recipient_name": data.recipient_name,
        "recipient_organ": data.recipient_organ,
        "purpose": data.purpose,
        "expires_at": dt.datetime.now(dt.UTC) + dt.timedelta(days=data.days),
        "created_by": principal.user_id,
    }
    stored, created = await shares.insert(conn, row=row)
    if (stored["case_id"], stored["recipient_name"], stored["recipient_organ"]) != (
        case_id,
        data.recipient_name,
        data.recipient_organ,
    ):
        raise Conflict("该共享编号已用于其他共享", f"share {data.id} exists with other content", code="id-conflict")
    if created:
        await _audit_created(conn, principal, stored)
    return read(stored, f"{public_url}/shared/{token}")


async def _audit_created(conn: Connection, principal: Principal, share: asyncpg.Record) -> None:
    detail = {
        "share_id": str(share["id"]),
        "recipient": share["recipient_name"],
        "recipient_organ": share["recipient_organ"],
        "expires_at": share["expires_at"].isoformat(),
    }
    withheld = await shares.withheld(conn, case_id=share["case_id"])
    items = await custody.items(conn, case_id=share["case_id"], evidence_id=None, department_id=None)
    entries = [
        trail.entry(
            principal,
            action="case.share",
            entity_type="case",
            entity_id=str(share["case_id"]),
            department_id=share["department_id"],
            detail=detail,
        )
    ]
    entries += [
        trail.entry(
            principal,
            action="evidence.shared",
            entity_type="evidence",
            entity_id=str(i["id"]),
            department_id=share["department_id"],
            detail=detail,
        )
        for i in items
        if i["id"] not in withheld
    ]
    await audit.append_many(conn, entries)


async def for_case(conn: Connection, principal: Principal, case_id: uuid.UUID) -> list[ShareRead]:
    await workflow.case_file(conn, principal, case_id)
    return [read(r) for r in await shares.for_case(conn, case_id=case_id)]


async def revoke(conn: Connection, principal: Principal, share_id: uuid.UUID, reason: str) -> ShareRead:
    row = await shares.get(conn, id=share_id, department_id=principal.department_scope)
    if row is None:
        raise NotFound("共享不存在或不属于本单位", f"share {share_id} not found")
    if row["revoked_at"] is None:
        await shares.revoke(conn, id=share_id, by=principal.user_id, reason=reason)
        await trail.record(
            conn,
            principal,
            action="case.share_revoke",
            entity_type="case",
            entity_id=str(row["case_id"]),
            department_id=row["department_id"],
            detail={"share_id": str(share_id), "reason": reason},
        )
    revoked = await shares.get(conn, id=share_id, department_id=None)
    assert revoked is not None  # read above in this transaction
    return read(revoked)


async def open_share(conn: Connection, token: str) -> asyncpg.Record:
    """The live share behind ``token``: 404 if there is none, 410 once revoked or expired."""
    row = await shares.by_token(conn, token_sha256=token_hash(token))
    if row is None:
        raise NotFound("共享链接无效，请核对链接", "no share for this token")
    if row["revoked_at"] is not None:
        raise Gone(f"该共享已于{china_time(row['revoked_at'])}撤销，请联系签发机关", "share revoked")
    if row["expires_at"] <= dt.datetime.now(dt.UTC):
        raise Gone(f"该共享已于{china_time(row['expires_at'])}过期，请联系签发机关重新共享", "share expired")
    return row


def china_time(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y年%m月%d日%H:%M")


def recipient(share: asyncpg.Record) -> Actor:
    """The recipient as the audit log names them: no account, their name and organ in the detail."""
    detail = {
        "share_id": str(share["id"]),
        "recipient": share["recipient_name"],
        "recipient_organ": share["recipient_organ"],
    }
    return Actor(user_id=None, role=RECIPIENT_ROLE, detail=detail)


async def record_view(conn: Connection, share: asyncpg.Record) -> None:
    await audit.append(
        conn,
        trail.entry(
            recipient(share),
            action="case.share_access",
            entity_type="case",
            entity_id=str(share["case_id"]),
            department_id=share["department_id"],
            detail={"what": "page"},
        ),
    )


async def package(conn: Connection, store: ObjectStore, token: str) -> Built:
    """Build the shared package (without withheld items) and audit the download under the recipient."""
    share = await open_share(conn, token)
    scope = Principal(
        user_id=share["created_by"],
        username=f"share-{share['id']}",
        role=Role.SUPERVISOR,
        department_id=share["department_id"],
        region_code="000000",
    )
    withheld = frozenset(await shares.withheld(conn, case_id=share["case_id"]))
    workdir = Path(tempfile.mkdtemp(prefix="shared-package-"))
    try:
        built = await build(conn, store, scope, share["case_id"], workdir, withheld=withheld)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    await audit.append_many(conn, _package_access(share, built))
    return built


def _package_access(share: asyncpg.Record, built: Built) -> list[audit.AuditEntry]:
    """The recipient's download, audited on every item in it and on the case."""
    who, dept = recipient(share), share["department_id"]
    entries = [
        trail.entry(
            who,
            action="evidence.share_access",
            entity_type="evidence",
            entity_id=str(i),
            department_id=dept,
            detail={"what": "package"},
        )
        for i in built.evidence_ids
    ]
    entries.append(
        trail.entry(
            who,
            action="case.share_access",
            entity_type="case",
            entity_id=str(share["case_id"]),
            department_id=dept,
            after_hash=built.anchors_sha256,
            detail={"what": "package"},
        )
    )
    return entries


async def set_withheld(conn: Connection, principal: Principal, evidence_id: uuid.UUID, data: Withholding) -> None:
    """Mark an item 不予披露 (or clear the mark), audited on the item."""
    found = await custody.items(conn, case_id=None, evidence_id=evidence_id, department_id=principal.department_scope)
    if not found:
        raise NotFound("证据不存在或不属于本单位", f"evidence {evidence_id} not found")
    await shares.set_withheld(
        conn, evidence_id=evidence_id, withheld=data.withheld, reason=data.reason, by=principal.user_id
    )
    await trail.record(
        conn,
        principal,
        action="evidence.withheld" if data.withheld else "evidence.disclosed",
        entity_type="evidence",
        entity_id=str(evidence_id),
        department_id=found[0]["department_id"],
        detail={"reason": data.reason},
    )
