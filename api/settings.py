"""Settings, read from the environment once at start; one Struct per concern.

Secrets (database password, S3 keys, JWT secret) come only from the
environment. In embedded mode (no ``DATABASE_URL``) the servers are started
locally and a JWT secret is generated into the data folder.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, TypeVar

import msgspec
from msgspec import Meta

from storage import embedded

Seconds = Annotated[float, Meta(ge=1, le=3600)]
Port = Annotated[int, Meta(ge=1, le=65_535)]


class DatabaseSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    url: str | None = None  # None: start the embedded PostgreSQL
    pool_min: Annotated[int, Meta(ge=1, le=100)] = 2
    pool_max: Annotated[int, Meta(ge=1, le=1000)] = 20

    def __post_init__(self) -> None:
        if self.pool_min > self.pool_max:
            raise ValueError("DATABASE_POOL_MIN must not exceed DATABASE_POOL_MAX")


class ObjectStoreSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    endpoint: str | None = None  # host:port; None: start the embedded S3 (weed mini)
    access_key: str = ""
    secret_key: str = ""
    secure: bool = False
    region: str = "us-east-1"
    bucket: str = "enforcement-evidence"
    retention_days: Annotated[int, Meta(ge=1, le=36_500)] = 3650  # compliance retention of evidence objects
    presign_ttl_s: Annotated[int, Meta(ge=60, le=7 * 86_400)] = 3600  # SigV4 allows a week at most
    # What devices reach (https://host[:port][/path behind a reverse proxy]); None: the endpoint itself.
    public_url: str | None = None


class AuthSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    jwt_secret: str = ""
    audit_signing_key: str = ""  # base64url Ed25519 seed for audit checkpoints (api/audit/checkpoints.py)
    complaint_identity_key: str = ""  # base64url AES-256 key for whistleblower identities (api/complaints/identity.py)
    access_ttl_s: Annotated[int, Meta(ge=60, le=86_400)] = 900
    refresh_ttl_s: Annotated[int, Meta(ge=3600, le=365 * 86_400)] = 30 * 86_400


class ServingSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How the server treats connections (连接与安全头)."""

    header_timeout_s: Seconds = 10.0  # a request's headers must arrive within this (slowloris)
    body_timeout_s: Seconds = 120.0  # and its body within this after them (a 1 000-operation push on 2G)
    streams_per_user: Annotated[int, Meta(ge=1, le=100)] = 4  # open alert streams (SSE) per user
    streams_per_process: Annotated[int, Meta(ge=1, le=10_000)] = 500
    audit_checkpoint_s: Annotated[int, Meta(ge=0, le=24 * 3600)] = 3600  # 0: only on demand
    hsts_max_age_s: Annotated[int, Meta(ge=0, le=2 * 365 * 24 * 3600)] = 365 * 24 * 3600  # 0: no HSTS
    forwarded_allow_ips: str = "127.0.0.1"  # proxies whose X-Forwarded-Proto (https → HSTS) is believed
    trust_request_id: bool = False  # keep the caller's X-Request-Id: only behind a proxy that always sets it


class ThrottleSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Sign-in and public-entrance throttling (登录与公开入口限流); the rules in ``api.throttling.policy``."""

    sign_in_address_free: Annotated[int, Meta(ge=3, le=1000)] = 10  # failed sign-ins per address and hour
    sign_in_account_free: Annotated[int, Meta(ge=3, le=1000)] = 20  # failed sign-ins per username and day
    account_lock_after: Annotated[int, Meta(ge=0, le=100_000)] = 100  # failures per day that lock (0: never)
    account_lock_s: Annotated[int, Meta(ge=60, le=7 * 86_400)] = 3600
    lookup_address_free: Annotated[int, Meta(ge=3, le=1000)] = 10  # unknown lookup tokens per address and hour
    complaint_submits: Annotated[int, Meta(ge=1, le=1000)] = 5  # complaints per address and window
    complaint_window_s: Annotated[int, Meta(ge=60, le=86_400)] = 3600

    def __post_init__(self) -> None:
        if 0 < self.account_lock_after <= self.sign_in_account_free:
            raise ValueError("THROTTLE_ACCOUNT_LOCK_AFTER must exceed THROTTLE_SIGN_IN_ACCOUNT_FREE (or be 0)")


class FleetSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Camera leases and the unwatched-camera watchdog (视频分析集群), see ``api.cameras.leases``."""

    lease_s: Annotated[float, Meta(ge=3, le=600)] = 15.0  # a lease not renewed this long is free for another node
    watch_every_s: Annotated[float, Meta(ge=0, le=600)] = 5.0  # the watchdog's sweep (0: off)


class DocumentSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Issued PDFs: where the public verification page is reached, and the departments' signing keys."""

    public_url: str = "http://127.0.0.1:8000"  # printed into every document's QR code (no trailing slash)
    signing_dir: Path | None = None  # <department code>.pem each; None: <data dir>/signing, generated
    signing_key_password: str = ""


class Settings(msgspec.Struct, frozen=True):
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: Port = 8000
    database: DatabaseSettings = DatabaseSettings()
    object_store: ObjectStoreSettings = ObjectStoreSettings()
    auth: AuthSettings = AuthSettings()
    serving: ServingSettings = ServingSettings()
    throttle: ThrottleSettings = ThrottleSettings()
    documents: DocumentSettings = DocumentSettings()
    fleet: FleetSettings = FleetSettings()

    @property
    def embedded(self) -> bool:
        return self.database.url is None or self.object_store.endpoint is None


def _prefixed(prefix: str, kind: type[msgspec.Struct], *, but: frozenset[str] = frozenset()) -> dict[str, str]:
    """<PREFIX>_<FIELD IN CAPITALS> for every field (``but`` those), e.g. THROTTLE_COMPLAINT_SUBMITS."""
    return {f"{prefix}_{field.upper()}": field for field in kind.__struct_fields__ if field not in but}


# Every variable read (name → field), per concern; the defaults and bounds are the Structs' own.
TOP_VARIABLES = {"ENFORCE_DATA_DIR": "data_dir", "ENFORCE_HOST": "host", "ENFORCE_PORT": "port"}
CONCERNS: dict[str, tuple[type[msgspec.Struct], dict[str, str]]] = {
    "database": (
        DatabaseSettings,
        {"DATABASE_URL": "url", "DATABASE_POOL_MIN": "pool_min", "DATABASE_POOL_MAX": "pool_max"},
    ),
    "object_store": (
        ObjectStoreSettings,
        _prefixed("S3", ObjectStoreSettings, but=frozenset({"public_url"})) | {"S3_PUBLIC_ENDPOINT": "public_url"},
    ),
    "auth": (
        AuthSettings,
        {"JWT_SECRET": "jwt_secret", "AUDIT_SIGNING_KEY": "audit_signing_key"}
        | {"COMPLAINT_IDENTITY_KEY": "complaint_identity_key"}
        | {"ACCESS_TOKEN_TTL_S": "access_ttl_s", "REFRESH_TOKEN_TTL_S": "refresh_ttl_s"},
    ),
    "serving": (ServingSettings, _prefixed("ENFORCE", ServingSettings)),
    "throttle": (ThrottleSettings, _prefixed("THROTTLE", ThrottleSettings)),
    "fleet": (FleetSettings, _prefixed("FLEET", FleetSettings)),
    "documents": (
        DocumentSettings,
        {"ENFORCE_PUBLIC_URL": "public_url", "DOCUMENT_SIGNING_DIR": "signing_dir"}
        | {"DOCUMENT_SIGNING_KEY_PASSWORD": "signing_key_password"},
    ),
}
S = TypeVar("S", bound=msgspec.Struct)


def bounded(kind: type[S], env: Mapping[str, str], variables: Mapping[str, str]) -> S:
    """The ``variables`` (name → field) set to something, checked against the bounds of ``kind``.

    An empty variable counts as unset. A bad value stops the start with the variable's name and what is wrong.
    """
    given = {field: env[name] for name, field in variables.items() if env.get(name)}
    try:
        return msgspec.convert(given, kind, strict=False, dec_hook=_decode)
    except msgspec.ValidationError as exc:
        message, _, path = str(exc).partition(" - at `$.")
        names = {field: name for name, field in variables.items()}
        field = path.rstrip("`")
        raise ValueError(
            f"{names[field]}: {message}" if field in names else f"{message} ({', '.join(variables)})"
        ) from exc


def _decode(kind: type, value: object) -> object:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError(kind)


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    """Every setting from the environment (the variables in ``CONCERNS``), bounded; unknown variables are ignored."""
    concerns = {name: bounded(kind, env, variables) for name, (kind, variables) in CONCERNS.items()}
    documents = concerns["documents"]
    assert isinstance(documents, DocumentSettings)
    concerns["documents"] = msgspec.structs.replace(documents, public_url=documents.public_url.rstrip("/"))
    return msgspec.structs.replace(bounded(Settings, env, TOP_VARIABLES), **concerns)


def settings_environment(settings: Settings) -> dict[str, str]:
    """The variables ``load_settings`` reads, for worker processes started after embedded servers."""
    found = {name: _text(getattr(settings, field)) for name, field in TOP_VARIABLES.items()}
    for concern, (_, variables) in CONCERNS.items():
        part = getattr(settings, concern)
        found |= {name: _text(getattr(part, field)) for name, field in variables.items()}
    return found


def _text(value: object) -> str:
    """A setting as its variable holds it: None as empty (unset), booleans as true/false."""
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def local_audit_signing_key(data_dir: Path) -> str:
    """Embedded mode's audit checkpoint key (an Ed25519 seed), created once, readable by owner only."""
    return embedded.secret(
        data_dir / "audit_signing_key", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    )


def local_complaint_identity_key(data_dir: Path) -> str:
    """Embedded mode's whistleblower-identity key (32 bytes, base64url), created once, readable by owner only."""
    return embedded.secret(
        data_dir / "complaint_identity_key", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    )


def local_jwt_secret(data_dir: Path) -> str:
    """A per-installation secret for embedded mode, created once, readable by owner only."""
    return embedded.secret(data_dir / "jwt_secret", lambda: secrets.token_urlsafe(48))
