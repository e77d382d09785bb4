"""Site registry rules (点位登记): versioned config documents, department scope, soft deactivation.

A site's config is replaced only by the next version (``version`` = current + 1, else 409
``stale-version``, so two operators editing at once cannot overwrite each other), every
version is kept, and deactivation only stops vision nodes from running it.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from api.audit.trail import entry as audit_entry
from api.auth.principal import Principal
from api.sites import streams
from mobile_contract.auth import Role
from mobile_contract.problems import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from mobile_contract.sites import SiteConfig, SitePage, SiteRead, SiteVersionRead
from storage import audit, sites
from storage.canonical import canonical_sha256
from storage.db import Connection


def scope(principal: Principal) -> uuid.UUID | None:
    """The department to filter on: None (all) for admins, else the caller's own (实施机构)."""
    return None if principal.role is Role.ADMIN else principal.department_id


def to_read(row: Any) -> SiteRead:
    """A stored site as answered: stream credentials in URLs hidden (api.sites.streams)."""
    return SiteRead(**{**dict(row), "config": streams.public(msgspec.convert(row["config"], SiteConfig))})


def state_hash(site: SiteRead) -> str:
    """What an audit entry's before/after hash covers: the config document and whether it runs."""
    return canonical_sha256({"active": site.active, "config": site.config})


async def get(db: Connection, principal: Principal, site_id: str, *, for_update: bool = False) -> SiteRead:
    return to_read(await _row(db, principal, site_id, for_update=for_update))


async def _row(db: Connection, principal: Principal, site_id: str, *, for_update: bool = False) -> Any:
    row = await sites.get(db, id=site_id, department_id=scope(principal), for_update=for_update)
    if row is None:
        raise NotFound("未找到该点位", f"site {site_id} not found in this department")
    return row


async def list_page(
    db: Connection, principal: Principal, *, active: bool | None, cursor: str | None, limit: int
) -> SitePage:
    rows = await sites.list_page(db, department_id=scope(principal), active=active, after_id=cursor, limit=limit)
    items = [to_read(r) for r in rows]
    return SitePage(items=items, next_cursor=items[-1].id if len(items) == limit else None)


async def versions(db: Connection, principal: Principal, site_id: str) -> list[SiteVersionRead]:
    await get(db, principal, site_id)
    rows = await sites.list_versions(db, site_id=site_id)
    return [
        SiteVersionRead(**{**dict(r), "config": streams.public(msgspec.convert(r["config"], SiteConfig))}) for r in rows
    ]


async def create(db: Connection, principal: Principal, config: SiteConfig) -> SiteRead:
    if config.version != 1:
        raise InvalidInput(
            "新建点位的配置版本应为 1", "a new site starts at version 1", errors=[FieldError("version", "must be 1")]
        )
    department_id = await _owning_department(db, principal, config)
    stored = msgspec.structs.replace(streams.without_credentials(config, None), department_id=department_id)
    digest = canonical_sha256(stored)
    row = await sites.insert(
        db,
        id=config.id,
        department_id=department_id,
        config=stored,
        config_sha256=digest,
        user_id=principal.user_id,
    )
    if row is None:
        raise Conflict("点位编号已被使用，请换一个编号", f"site id {config.id} is taken", code="site-id-taken")
    await _keep_version(db, principal, config.id, 1, stored, digest)
    site = to_read(row)
    await audit.append(db, _site_entry(principal, "site.create", site, before=None))
    return site


async def update(db: Connection, principal: Principal, site_id: str, config: SiteConfig) -> SiteRead:
    if config.id != site_id:
        raise InvalidInput(
            "配置中的点位编号与地址不一致", "config id differs from the path", errors=[FieldError("id", "")]
        )
    row = await _row(db, principal, site_id, for_update=True)
    current = to_read(row)
    if config.department_id not in (None, current.department_id):
        raise InvalidInput("点位不能转移到其他机构", "a site cannot move to another department")
    if config.version != current.version + 1:
        raise Conflict(
            f"配置已被他人修改（当前版本 {current.version}），请刷新后基于最新版本修改",
            f"version must be {current.version + 1}",
            code="stale-version",
            extra={"current_version": current.version},
        )
    kept = streams.without_credentials(config, msgspec.convert(row["config"], SiteConfig))
    stored = msgspec.structs.replace(kept, department_id=current.department_id)
    digest = canonical_sha256(stored)
    row = await sites.update_config(
        db, id=site_id, version=config.version, config=stored, config_sha256=digest, user_id=principal.user_id
    )
    await _keep_version(db, principal, site_id, config.version, stored, digest)
    site = to_read(row)
    await audit.append(db, _site_entry(principal, "site.update", site, before=current))
    return site


async def set_active(db: Connection, principal: Principal, site_id: str, *, active: bool) -> SiteRead:
    """Deactivate (停用) or reactivate; asking for the state it is already in changes nothing."""
    current = await get(db, principal, site_id, for_update=True)
    if current.active is active:
        return current
    site = to_read(await sites.set_active(db, id=site_id, active=active, user_id=principal.user_id))
    action = "site.activate" if active else "site.deactivate"
    await audit.append(db, _site_entry(principal, action, site, before=current))
    return site


async def _owning_department(db: Connection, principal: Principal, config: SiteConfig) -> uuid.UUID:
    """The caller's department, or for an admin the one the config names (which must exist)."""
    wanted = config.department_id or principal.department_id
    if wanted != principal.department_id and principal.role is not Role.ADMIN:
        raise Forbidden("只能为本机构登记点位", "only admins register sites for another department")
    if not await sites.department_exists(db, id=wanted):
        raise InvalidInput("所属机构不存在", "department does not exist", errors=[FieldError("department_id", "")])
    return wanted


async def _keep_version(
    db: Connection, principal: Principal, site_id: str, version: int, config: SiteConfig, digest: str
) -> None:
    await sites.insert_version(
        db,
        site_id=site_id,
        version=version,
        config=config,
        config_sha256=digest,
        user_id=principal.user_id,
        device_id=principal.device_id,
    )


def _site_entry(principal: Principal, action: str, site: SiteRead, *, before: SiteRead | None) -> audit.AuditEntry:
    return audit_entry(
        principal,
        action=action,
        entity_type="site",
        entity_id=site.id,
        department_id=site.department_id,
        before_hash=state_hash(before) if before else None,
        after_hash=state_hash(site),
        detail={"version": site.version, "config_sha256": site.config_sha256, "active": site.active},
    )
