"""The upload protocol (证据上传): ticket, part URLs, part listing, finalise.

A small item gets one presigned PUT that binds its declared SHA-256. A large
one (or any item whose device asks) uses an S3 multipart upload the server
opens and remembers, so a device that lost its connection asks again and
resumes the same upload from the parts S3 already holds. Finalising is
verification: the item becomes ``verified`` only when the stored bytes have
the declared SHA-256 and size, else ``failed`` with the reason; an item not
yet uploaded is refused with ``evidence-not-uploaded`` and left as it was.
"""

from __future__ import annotations

import math
import uuid

import asyncpg

from api.audit.trail import Actor
from api.auth.principal import Principal
from api.evidence import integrity
from api.evidence.integrity import Check
from api.evidence.service import audit_access, get_item, read_item, signed_url
from mobile_contract.evidence import (
    MAX_PARTS,
    SINGLE_PUT_LIMIT,
    CheckTrigger,
    EvidenceRead,
    EvidenceStatus,
    IntegrityOutcome,
    PartUrl,
    PartUrlRequest,
    PartUrls,
    UploadedPart,
    UploadMode,
    UploadProgress,
    UploadRequest,
    UploadTicket,
)
from mobile_contract.problems import Conflict, InvalidInput, InvalidTransition, ObjectStoreError
from storage import evidence
from storage.db import Connection
from storage.objects import ObjectDigest, ObjectStore, StoredPart, UploadGone, UploadRejected

DEFAULT_PART_SIZE = 8 * 1024**2  # small enough that a dropped connection on a handheld costs little


def plan_upload(size: int, request: UploadRequest) -> tuple[UploadMode, int, int]:
    """(mode, part size, part count): one PUT for small items unless parts were asked for."""
    if not request.multipart and size <= SINGLE_PUT_LIMIT:
        return UploadMode.SINGLE, size, 1
    part_size = max(request.part_size or DEFAULT_PART_SIZE, math.ceil(size / MAX_PARTS))
    return UploadMode.MULTIPART, part_size, math.ceil(size / part_size)


async def request_upload(
    conn: Connection, store: ObjectStore, principal: Principal, id: uuid.UUID, request: UploadRequest
) -> UploadTicket:
    """An upload ticket; asking again returns the same open multipart upload, never a second one."""
    item = await get_item(conn, principal, id, lock=True)
    if item["status"] == EvidenceStatus.VERIFIED:
        raise InvalidTransition(
            "该证据已核验通过，无需再次上传", f"evidence {id} is already verified", code="evidence-already-verified"
        )
    upload = await _resumable_upload(conn, store, item)
    if upload is None and (plan := plan_upload(item["size"], request))[0] is UploadMode.MULTIPART:
        upload = await _start_multipart(conn, store, principal, item, part_size=plan[1], part_count=plan[2])
    status = EvidenceStatus.UPLOADING if upload else _not_uploading(item["status"])
    await evidence.set_status(conn, id=id, status=status, failure_reason=item["failure_reason"])
    ticket = _ticket(store, item, status, upload)
    detail = {"mode": ticket.mode.value, "upload_id": ticket.upload_id, "part_count": ticket.part_count}
    await audit_access(conn, principal, item, "upload_ticket", detail)
    return ticket


async def _resumable_upload(conn: Connection, store: ObjectStore, item: asyncpg.Record) -> asyncpg.Record | None:
    """The item's open multipart upload if S3 still has it; one S3 lost (expired) is closed."""
    upload = await evidence.get_open_upload(conn, evidence_id=item["id"])
    if upload is None:
        return None
    try:
        await store.list_parts(item["object_key"], upload["upload_id"])
    except UploadGone:
        await evidence.close_upload(conn, upload_id=upload["upload_id"], outcome="expired")
        return None
    return upload


async def _start_multipart(
    conn: Connection, store: ObjectStore, principal: Principal, item: asyncpg.Record, *, part_size: int, part_count: int
) -> asyncpg.Record:
    upload_id = await store.create_multipart(item["object_key"], content_type=item["media_type"])
    await evidence.open_upload(
        conn,
        upload_id=upload_id,
        evidence_id=item["id"],
        part_size=part_size,
        part_count=part_count,
        started_by=principal.user_id,
        device_id=principal.device_id,
    )
    opened = await evidence.get_open_upload(conn, evidence_id=item["id"])
    assert opened is not None  # opened just above, in this transaction
    return opened


def _not_uploading(status: str) -> EvidenceStatus:
    """A failed item stays failed until a new upload verifies; otherwise it is declared."""
    return EvidenceStatus.FAILED if status == EvidenceStatus.FAILED else EvidenceStatus.DECLARED


def _ticket(
    store: ObjectStore, item: asyncpg.Record, status: EvidenceStatus, upload: asyncpg.Record | None
) -> UploadTicket:
    common = {"evidence_id": item["id"], "status": status, "size": item["size"], "sha256": item["sha256"]}
    if upload is None:
        put = signed_url("PUT", store.presign_put(item["object_key"], sha256_hex=item["sha256"]))
        return UploadTicket(mode=UploadMode.SINGLE, put=put, **common)
    return UploadTicket(
        mode=UploadMode.MULTIPART,
        upload_id=upload["upload_id"],
        part_size=upload["part_size"],
        part_count=upload["part_count"],
        **common,
    )


async def finalize(conn: Connection, store: ObjectStore, principal: Principal, id: uuid.UUID) -> EvidenceRead:
    """Confirm the stored object against the declaration: verified, or failed with the reason."""
    item = await get_item(conn, principal, id, lock=True)
    if item["status"] == EvidenceStatus.VERIFIED:  # a retry after a lost answer
        read = await read_item(conn, item)
        await audit_access(conn, principal, item, "finalize", {"outcome": "already-verified"})
        return read
    upload = await evidence.get_open_upload(conn, evidence_id=id)
    check = await _complete_and_check(conn, store, item, upload) if upload else None
    check = check or await _check_latest(store, item)
    verified = check.outcome is IntegrityOutcome.OK
    reason = None if verified else f"上传内容与登记不一致 / uploaded bytes differ from the declaration: {check.detail}"
    status = EvidenceStatus.VERIFIED if verified else EvidenceStatus.FAILED
    version_id = check.version_id if verified else None
    await evidence.set_status(conn, id=id, status=status, version_id=version_id, failure_reason=reason)
    await integrity.record_checks(conn, [(item, check)], trigger=CheckTrigger.FINALIZE, by=Actor.of(principal))
    return await read_item(conn, await get_item(conn, principal, id))


async def _complete_and_check(
    conn: Connection, store: ObjectStore, item: asyncpg.Record, upload: asyncpg.Record
) -> Check | None:
    """Complete the multipart upload and hash the whole object (S3's own checksum covers parts only).

    None when S3 no longer has the upload: a previous finalise completed it and lost its answer,
    so the caller checks the object as stored.
    """
    key, upload_id = item["object_key"], upload["upload_id"]
    try:
        checksums = await evidence.part_checksums(conn, upload_id=upload_id)
        parts = _complete_parts(item, upload, await store.list_parts(key, upload_id), checksums)
        version_id = await store.complete_multipart(key, upload_id, [(p, checksums[p.part_number]) for p in parts])
    except UploadGone:
        await evidence.close_upload(conn, upload_id=upload_id, outcome="completed")
        return None
    except UploadRejected as exc:
        raise Conflict(
            "分片无法合并（分片过小或与其校验值不符），请重新上传有问题的分片后再提交完成",
            f"S3 refused to complete upload {upload_id}: {exc}",
            code="upload-rejected",
        ) from exc
    await evidence.close_upload(conn, upload_id=upload_id, outcome="completed")
    return _confirmed(integrity.compare(item, version_id, await store.sha256_of(key, version_id)))


def _complete_parts(
    item: asyncpg.Record, upload: asyncpg.Record, parts: list[StoredPart], checksums: dict[int, str]
) -> list[StoredPart]:
    """Parts 1..N, each uploaded through a URL we signed, adding up to the declared size."""
    missing = _missing(upload, [p for p in parts if p.part_number in checksums])
    uploaded = sum(p.size for p in parts)
    if missing or uploaded != item["size"]:
        gap = (
            f"缺少第 {'、'.join(map(str, missing[:20]))} 片"
            if missing
            else f"已上传 {uploaded} 字节，应为 {item['size']} 字节"
        )
        raise Conflict(
            f"分片尚未上传完整（{gap}），请补传后再提交完成",
            f"upload incomplete: {len(missing)} parts missing, {uploaded} of {item['size']} bytes",
            code="upload-incomplete",
            extra={"missing": missing, "uploaded_bytes": uploaded},
        )
    return sorted(parts, key=lambda p: p.part_number)


def _missing(upload: asyncpg.Record, parts: list[StoredPart]) -> list[int]:
    have = {p.part_number for p in parts}
    return [n for n in range(1, upload["part_count"] + 1) if n not in have]


async def _check_latest(store: ObjectStore, item: asyncpg.Record) -> Check:
    """The latest stored version: S3's whole-object SHA-256 if it has one, else the bytes hashed here."""
    stored = await store.stat(item["object_key"])
    if stored is None:
        raise InvalidTransition(
            "尚未收到该证据文件，请先按上传凭证上传后再提交完成",
            f"evidence {item['id']} has not been uploaded",
            code="evidence-not-uploaded",
        )
    found: ObjectDigest | None
    if stored.sha256_b64 is not None:
        found = ObjectDigest(integrity.b64_to_hex(stored.sha256_b64), stored.size)
    else:
        found = await store.sha256_of(item["object_key"], stored.version_id)
    return _confirmed(integrity.compare(item, stored.version_id, found))


def _confirmed(check: Check) -> Check:
    """Finalising decides verified or failed only on bytes actually read; anything else is retried."""
    if check.outcome is IntegrityOutcome.MISSING:
        raise ObjectStoreError("证据存储暂时无法读取该文件，请稍后重试", f"object vanished while checking: {check}")
    return check


async def sign_parts(
    conn: Connection, store: ObjectStore, principal: Principal, id: uuid.UUID, request: PartUrlRequest
) -> PartUrls:
    """Presigned part URLs, each accepting only the bytes whose SHA-256 the device computed."""
    item = await get_item(conn, principal, id, lock=True)
    upload = await _open_upload(conn, item)
    beyond = [p.part_number for p in request.parts if p.part_number > upload["part_count"]]
    if beyond:
        raise InvalidInput(
            f"分片序号超出范围（共 {upload['part_count']} 片）：{beyond}",
            f"part numbers beyond {upload['part_count']}: {beyond}",
        )
    parts = {p.part_number: p.sha256 for p in request.parts}
    await evidence.save_part_checksums(conn, upload_id=upload["upload_id"], parts=sorted(parts.items()))
    urls = [
        PartUrl(
            part_number=n,
            put=signed_url(
                "PUT",
                store.presign_part(item["object_key"], upload_id=upload["upload_id"], part_number=n, sha256_hex=sha),
            ),
        )
        for n, sha in sorted(parts.items())
    ]
    detail = {"upload_id": upload["upload_id"], "parts": sorted(parts)}
    await audit_access(conn, principal, item, "part_urls", detail)
    return PartUrls(upload_id=upload["upload_id"], parts=urls)


async def upload_progress(conn: Connection, store: ObjectStore, principal: Principal, id: uuid.UUID) -> UploadProgress:
    """The parts S3 already holds (ListParts), so an interrupted device resumes where it stopped."""
    item = await get_item(conn, principal, id)
    upload = await _open_upload(conn, item)
    try:
        parts = await store.list_parts(item["object_key"], upload["upload_id"])
    except UploadGone as exc:
        raise _upload_gone(upload) from exc
    progress = UploadProgress(
        evidence_id=id,
        upload_id=upload["upload_id"],
        part_size=upload["part_size"],
        part_count=upload["part_count"],
        uploaded=[UploadedPart(part_number=p.part_number, size=p.size, etag=p.etag) for p in parts],
        missing=_missing(upload, parts),
    )
    await audit_access(conn, principal, item, "upload_progress", {"upload_id": upload["upload_id"]})
    return progress


async def _open_upload(conn: Connection, item: asyncpg.Record) -> asyncpg.Record:
    upload = await evidence.get_open_upload(conn, evidence_id=item["id"])
    if upload is None:
        raise InvalidTransition(
            "该证据没有进行中的分片上传，请先申请上传凭证（分片模式）",
            f"evidence {item['id']} has no open multipart upload",
            code="no-open-upload",
        )
    return upload


def _upload_gone(upload: asyncpg.Record) -> Conflict:
    return Conflict(
        "分片上传已失效，请重新申请上传凭证",
        f"multipart upload {upload['upload_id']} no longer exists",
        code="upload-expired",
    )
