"""Camera stream credentials (取流凭据): write-only for operators, handed only to the lease holder.

Setting them is audited without the secret (the entry says who set credentials for which camera,
not what they are); only ``api.cameras.leases`` reads them, into the URLs of a node's grant.
"""

from __future__ import annotations

from api.audit.trail import entry as audit_entry
from api.auth.principal import Principal
from api.sites import service as sites_service
from mobile_contract.cameras import CameraCredentials, CredentialsReceipt
from mobile_contract.problems import NotFound
from storage import audit, camera_credentials
from storage.db import Connection


async def put(
    db: Connection, principal: Principal, site_id: str, camera_id: str, body: CameraCredentials
) -> CredentialsReceipt:
    site = await sites_service.get(db, principal, site_id)
    if not any(c.id == camera_id for c in site.config.cameras):
        raise NotFound(
            f"点位「{site.config.name}」没有编号为 {camera_id} 的摄像头", f"camera {camera_id} not in site {site_id}"
        )
    set_at = await camera_credentials.put(
        db,
        site_id=site_id,
        camera_id=camera_id,
        department_id=site.department_id,
        username=body.username,
        password=body.password,
        user_id=principal.user_id,
    )
    entry = audit_entry(
        principal,
        action="camera.credentials_set",
        entity_type="camera",
        entity_id=f"{site_id}/{camera_id}",
        department_id=site.department_id,
        detail={"set_at": set_at.isoformat()},
    )
    await audit.append(db, entry)
    return CredentialsReceipt(site_id=site_id, camera_id=camera_id, set_at=set_at)
