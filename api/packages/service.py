"""Exporting a case's evidence package, audited as an access to every item in it."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from api.audit import trail
from api.auth.principal import Principal
from api.packages.builder import Built, build
from storage import audit
from storage.db import Connection
from storage.objects import ObjectStore


async def export(conn: Connection, store: ObjectStore, principal: Principal, case_id: uuid.UUID) -> Built:
    """Build the archive in a fresh temporary folder (the caller removes ``archive.parent``)."""
    workdir = Path(tempfile.mkdtemp(prefix="evidence-package-"))
    try:
        built = await build(conn, store, principal, case_id, workdir)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    entries = [
        trail.change(principal, "evidence.export", "evidence", i, detail={"case_id": str(case_id)})
        for i in built.evidence_ids
    ]
    detail = {"files": built.files, "evidence": len(built.evidence_ids)}
    entries.append(
        trail.change(principal, "case.package_export", "case", case_id, after=built.anchors_sha256, detail=detail)
    )
    await audit.append_many(conn, entries)
    return built
