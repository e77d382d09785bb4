"""What the reviewer's pages show (审核页面视图): the queue with names, and the dossier as a page.

The dossier is ``service.open_dossier`` itself (every stored object re-checked now, the opening
recorded and audited); this module adds how each item is shown and who touched it, by name. The
evidence's bytes are always fetched through ``/evidence/{id}/download``, the audited path (one entry
per view or download, one per playback of a video or audio), never through a store URL.
"""

from __future__ import annotations

import uuid

import msgspec
import uuid_utils

from api.auth.principal import Principal
from api.cases.views import TimelineEntry, timeline
from api.console.names import NameBook
from api.documents import service as documents
from api.evidence.service import PREVIEWABLE
from api.review import service
from mobile_contract.documents import DocumentKind, DocumentRead
from mobile_contract.evidence import EvidenceStatus
from mobile_contract.review import CheckOutcome, CustodyEntry, EvidenceCheck, ReviewDossier, ReviewQueueItem
from mobile_contract.workflow import PenaltyProposal, ReviewGround
from storage.db import Connection
from storage.objects import ObjectStore

PICTURES = PREVIEWABLE - {"application/pdf"}  # raster images only: an SVG can carry script


class QueueRow(msgspec.Struct, kw_only=True):
    item: ReviewQueueItem
    submitted_by: str


class CustodyLine(msgspec.Struct, kw_only=True):
    """One touch of an item or its record (保管链), as a person reads it."""

    entry: CustodyEntry
    who: str


class GalleryItem(msgspec.Struct, kw_only=True):
    """An item of the evidence gallery: how to show it, and what the re-check found."""

    check: EvidenceCheck
    show: str  # image, video, audio, pdf, file, or none (nothing verified to show)
    src: str
    intact: bool
    custody: list[CustodyLine]


class DossierView(msgspec.Struct, kw_only=True):
    dossier: ReviewDossier
    timeline: list[TimelineEntry]
    gallery: list[GalleryItem]
    grounds: list[tuple[ReviewGround, str]]
    draft: PenaltyProposal | None
    documents: list[DocumentRead]
    notice: DocumentRead | None
    event_id: uuid.UUID  # the conclusion form's step id: a form sent twice is one step


async def queue_rows(conn: Connection, principal: Principal) -> list[QueueRow]:
    names = NameBook(conn)
    items = await service.queue(conn, principal)
    return [QueueRow(item=i, submitted_by=await names.name(i.submitted_by)) for i in items]


async def dossier_view(conn: Connection, store: ObjectStore, principal: Principal, case_id: uuid.UUID) -> DossierView:
    """Open the dossier (re-checks and audits, as ``GET /reviews/{case_id}``) and lay it out."""
    dossier = await service.open_dossier(conn, store, principal, case_id)
    names = NameBook(conn)
    state = dossier.workflow.state
    issued = await documents.for_case(conn, principal, case_id)
    notices = [d for d in issued if d.kind is DocumentKind.NOTICE]
    return DossierView(
        dossier=dossier,
        timeline=await timeline(conn, dossier.history),
        gallery=[await _gallery_item(names, check) for check in dossier.evidence],
        grounds=list(state.review.grounds.items()),
        draft=state.notice.penalty if state.notice else None,
        documents=issued,
        notice=notices[-1] if notices else None,
        event_id=uuid.UUID(str(uuid_utils.uuid7())),
    )


async def _gallery_item(names: NameBook, check: EvidenceCheck) -> GalleryItem:
    custody = [CustodyLine(entry=e, who=await names.name(e.actor_id) if e.actor_id else "系统") for e in check.custody]
    declaration = check.declaration
    if check.status is not EvidenceStatus.VERIFIED:
        return GalleryItem(check=check, show="none", src="", intact=False, custody=custody)
    return GalleryItem(
        check=check,
        show=_how_to_show(declaration.media_type),
        src=f"/evidence/{declaration.id}/download",
        intact=check.outcome is CheckOutcome.OK,
        custody=custody,
    )


def _how_to_show(media_type: str) -> str:
    if media_type in PICTURES:
        return "image"
    if media_type.startswith(("video/", "audio/")):
        return media_type.partition("/")[0]
    return "pdf" if media_type == "application/pdf" else "file"
