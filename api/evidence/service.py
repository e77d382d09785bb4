"""Rules for evidence (证据) reads, downloads and legal holds, and what every evidence call shares.

Who may do what:
- ask for upload URLs and finalise (uploads.py): inspectors of the item's department, and admins;
- read metadata and download: inspectors, legal reviewers, supervisors and admins of that department;
- place a legal hold: supervisors, legal reviewers, admins; lift one: supervisors and admins only;
- delete or overwrite: nobody. No route exists, and the bucket's COMPLIANCE lock refuses it anyway.
Another department's item reads as not found. Every call writes an audit entry, last.
"""

from __future__ import annotations

import base64
import mimetypes
import uuid
from typing import Any

import asyncpg
import msgspec

from api.audit import trail
from api.auth.principal import Principal
from api.evidence import playback, ranges
from api.evidence.ranges import ByteRange, entity_tag
from mobile_contract.auth import Role
from mobile_contract.evidence import (
    EvidenceDeclaration,
    EvidenceRead,
    EvidenceStatus,
    IntegrityCheckRead,
    LegalHoldRead,
    LegalHoldRequest,
    SignedUrl,
)
from mobile_contract.parties import GeoPoint
from mobile_contract.problems import Forbidden, InvalidTransition, NotFound, ObjectStoreError
from storage import evidence
from storage.db import Connection
from storage.objects import ObjectStore, SignedRequest, StoredBytes

ENTITY = "evidence"
HOLD_RELEASERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
MEDIA_TYPES = mimetypes.MimeTypes()  # Python's own table only, so a file name does not depend on the host
# Shown in the browser when asked (a document's preview); any other type, SVG and HTML among them, is only
# ever a download, so an uploaded file can never run as a page of this site.
PREVIEWABLE = frozenset({"application/pdf", "image/jpeg", "image/png", "image/webp", "image/gif"})


async def get_item(conn: Connection, principal: Principal, id: uuid.UUID, *, lock: bool = False) -> asyncpg.Record:
    item = await evidence.get_item(conn, id=id, department_id=principal.department_scope, lock=lock)
    if item is None:
        raise NotFound("证据不存在或不属于本单位", f"evidence {id} not found")
    return item


def signed_url(method: str, signed: SignedRequest) -> SignedUrl:
    return SignedUrl(url=signed.url, method=method, headers=signed.headers, expires_at=signed.expires_at)


async def read_item(conn: Connection, item: asyncpg.Record) -> EvidenceRead:
    checks = await evidence.list_checks(conn, evidence_id=item["id"])
    holds = await evidence.list_legal_holds(conn, evidence_id=item["id"])
    return EvidenceRead(
        declaration=_declaration(item),
        record_id=item["record_id"],
        department_id=item["department_id"],
        status=EvidenceStatus(item["status"]),
        declared_at=item["declared_at"],
        verified_at=item["verified_at"],
        version_id=item["version_id"],
        failure_reason=item["failure_reason"],
        legal_hold=bool(holds) and holds[0]["enabled"],
        integrity=[msgspec.convert(dict(c), IntegrityCheckRead) for c in checks],
        legal_holds=[msgspec.convert(dict(h), LegalHoldRead) for h in holds],
    )


def _declaration(item: asyncpg.Record) -> EvidenceDeclaration:
    gps = item["gps_lat"] is not None and GeoPoint(item["gps_lat"], item["gps_lon"], item["gps_accuracy_m"])
    return EvidenceDeclaration(
        id=item["id"],
        kind=item["kind"],
        media_type=item["media_type"],
        size=item["size"],
        sha256=item["sha256"],
        captured_at=item["captured_at"],
        gps=gps or None,
        device_id=item["device_id"],
        description=item["description"],
    )


async def read(conn: Connection, principal: Principal, id: uuid.UUID) -> EvidenceRead:
    item = await get_item(conn, principal, id)
    result = await read_item(conn, item)
    await audit_access(conn, principal, item, "read", {"status": item["status"]})
    return result


class Download(msgspec.Struct, frozen=True, kw_only=True):
    """One download of the verified version, whole or one range: what it is, and its bytes as they arrive from S3."""

    id: uuid.UUID
    version_id: str
    sha256: str
    size: int
    media_type: str
    part: ByteRange | None
    body: StoredBytes

    @property
    def status_code(self) -> int:
        return 200 if self.part is None else 206

    def headers(self, *, inline: bool = False) -> dict[str, str]:
        """Length (and range), a file name, the SHA-256 of the whole item to check after download (RFC 9530
        ``Repr-Digest``), the ``ETag`` a player's ``If-Range`` names, never cached."""
        digest = base64.b64encode(bytes.fromhex(self.sha256)).decode()
        name = f"{self.id}{MEDIA_TYPES.guess_extension(self.media_type) or ''}"
        disposition = "inline" if inline and self.media_type in PREVIEWABLE else "attachment"
        headers = {
            "Content-Length": str(self.size if self.part is None else self.part.length),
            "Content-Disposition": f'{disposition}; filename="{name}"',
            "Accept-Ranges": "bytes",
            "ETag": entity_tag(self.sha256),
            "Repr-Digest": f"sha-256=:{digest}:",
            "X-Evidence-Version-Id": self.version_id,
            "Cache-Control": "no-store",
        }
        if self.part is not None:
            headers["Content-Range"] = self.part.content_range(self.size)
        return headers


async def download(
    conn: Connection,
    store: ObjectStore,
    principal: Principal,
    id: uuid.UUID,
    *,
    range_header: str | None = None,
    if_range: str | None = None,
) -> Download:
    """The verified version's bytes (never a later version written behind our back), whole or the one range
    asked for, audited per download and per playback (``api.evidence.playback``).

    The bytes pass through the API so that each download, not each URL, is an audit entry; the entry
    is committed with the request's transaction, before the first byte is sent.
    """
    item = _require_verified(await get_item(conn, principal, id))
    part = ranges.requested(range_header, if_range, size=item["size"], etag=entity_tag(item["sha256"]))
    span = None if part is None else (part.first, part.last)
    body = await store.open_read(item["object_key"], item["version_id"], byte_range=span)
    if body is None:
        raise ObjectStoreError(
            "证据存储中找不到已核验的版本，请联系管理员核查存储", f"verified version of evidence {id} is missing"
        )
    try:
        if (detail := await playback.entry_detail(conn, principal, item, part)) is not None:
            await audit_access(conn, principal, item, "download", detail)
    except BaseException:
        await body.aclose()
        raise
    return Download(
        id=id,
        version_id=item["version_id"],
        sha256=item["sha256"],
        size=item["size"],
        media_type=item["media_type"],
        part=part,
        body=body,
    )


async def set_legal_hold(
    conn: Connection, store: ObjectStore, principal: Principal, id: uuid.UUID, request: LegalHoldRequest
) -> EvidenceRead:
    """Place or lift S3 legal hold on the verified version (法律保全) and keep it in history."""
    if not request.enabled and principal.role not in HOLD_RELEASERS:
        raise Forbidden(
            "只有监管负责人或系统管理员可以解除法律保全", f"role {principal.role} may not lift a legal hold"
        )
    item = _require_verified(await get_item(conn, principal, id, lock=True))
    await evidence.add_legal_hold(
        conn,
        evidence_id=id,
        enabled=request.enabled,
        reason=request.reason,
        version_id=item["version_id"],
        set_by=principal.user_id,
        device_id=principal.device_id,
    )
    # The store is changed last before the audit entry, so a refused S3 call rolls the history back.
    await store.set_legal_hold(item["object_key"], item["version_id"], enabled=request.enabled)
    result = await read_item(conn, item)
    detail = {"enabled": request.enabled, "reason": request.reason, "version_id": item["version_id"]}
    await audit_access(conn, principal, item, "legal_hold", detail)
    return result


def _require_verified(item: asyncpg.Record) -> asyncpg.Record:
    if item["status"] != EvidenceStatus.VERIFIED:
        raise InvalidTransition(
            "证据尚未核验通过，暂不能进行此操作",
            f"evidence {item['id']} is {item['status']}",
            code="evidence-not-verified",
        )
    return item


async def audit_access(
    conn: Connection, principal: Principal, item: asyncpg.Record, action: str, detail: dict[str, Any]
) -> None:
    """The audit entry every evidence call ends with (the item's department, so its trail is found there)."""
    await trail.record(
        conn,
        principal,
        action=f"evidence.{action}",
        entity_type=ENTITY,
        entity_id=str(item["id"]),
        department_id=item["department_id"],
        detail=detail,
    )
