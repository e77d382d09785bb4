"""Camera stream URLs in site configs (取流地址): no credentials stored in them, none shown.

An operator writes a camera's user name and password with ``PUT /cameras/{site}/{camera}/credentials``;
a config whose URL carries them is refused with the field named. A URL stored before credentials were
kept apart is shown redacted (``rtsp://***@host/…``); sending that redacted URL back unchanged (an editor
saving zones) keeps the stored one, so an edit never loses the password nor needs it retyped.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from mobile_contract.problems import FieldError, InvalidInput
from mobile_contract.sites import CameraConfig, SiteConfig
from mobile_contract.stream_urls import has_credentials, redacted

URL_FIELDS = ("url", "sub_url")


def public(config: SiteConfig) -> SiteConfig:
    """The config as anyone but a lease-holding node may see it: credentials in URLs hidden."""
    cameras = [msgspec.structs.replace(c, **_fields(c, redacted)) for c in config.cameras]
    return msgspec.structs.replace(config, cameras=cameras)


def without_credentials(config: SiteConfig, current: SiteConfig | None) -> SiteConfig:
    """The config to store: a redacted URL sent back keeps the stored one; any other credentials refused."""
    stored = {c.id: c for c in current.cameras} if current else {}
    cameras, errors = [], []
    for index, camera in enumerate(config.cameras):
        kept, refused = _kept(camera, stored.get(camera.id))
        errors += [FieldError(f"cameras[{index}].{field}", "contains a user name or password") for field in refused]
        cameras.append(kept)
    if errors:
        raise InvalidInput(
            "摄像头地址中不能包含用户名或密码：请从地址中删除，并在“设置取流凭据”中单独填写",
            "stream URLs must not carry credentials; set them with PUT /cameras/{site}/{camera}/credentials",
            errors=errors,
        )
    return msgspec.structs.replace(config, cameras=cameras)


def _kept(camera: CameraConfig, stored: CameraConfig | None) -> tuple[CameraConfig, list[str]]:
    """The camera with redacted copies of stored URLs put back, and the fields still carrying credentials."""
    keep, refused = {}, []
    for field in URL_FIELDS:
        sent = getattr(camera, field)
        if sent is None or not has_credentials(sent):
            continue
        if stored is not None and _is_redacted_copy(sent, getattr(stored, field)):
            keep[field] = getattr(stored, field)
        else:
            refused.append(field)
    return msgspec.structs.replace(camera, **keep), refused


def _is_redacted_copy(sent: str | None, stored: str | None) -> bool:
    return sent is not None and stored is not None and has_credentials(stored) and sent == redacted(stored)


def _fields(camera: CameraConfig, change: Callable[[str], str]) -> dict[str, str | None]:
    return {f: None if getattr(camera, f) is None else change(getattr(camera, f)) for f in URL_FIELDS}
