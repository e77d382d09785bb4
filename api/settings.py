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


class DatabaseSettings(msgspec.Struct, frozen=True):
    url: str | None = None  # None: start the embedded PostgreSQL
    pool_min: int = 2
    pool_max: int = 20


class ObjectStoreSettings(msgspec.Struct, frozen=True):
    endpoint: str | None = None  # host:port; None: start the embedded S3 (weed mini)
    access_key: str = ""
    secret_key: str = ""
    secure: bool = False
    region: str = "us-east-1"
    bucket: str = "enforcement-evidence"
    retention_days: int = 3650  # compliance retention of evidence objects
    presign_ttl_s: int = 3600
    # What devices reach (https://host[:port][/path behind a reverse proxy]); None: the endpoint itself.
    public_url: str | None = None


class AuthSettings(msgspec.Struct, frozen=True):
    jwt_secret: str = ""
    audit_signing_key: str = ""  # base64url Ed25519 seed for audit checkpoints (api/audit/checkpoints.py)
    complaint_identity_key: str = ""  # base64url AES-256 key for whistleblower identities (api/complaints/identity.py)
    access_ttl_s: int = 900
    refresh_ttl_s: int = 30 * 24 * 3600


Seconds = Annotated[float, msgspec.Meta(ge=1, le=3600)]


class ServingSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How the server treats connections (连接与安全头); bounded, read from ``ENFORCE_*`` variables."""

    header_timeout_s: Seconds = 10.0  # a request's headers must arrive within this (slowloris)
    body_timeout_s: Seconds = 120.0  # and its body within this after them (a 1 000-operation push on 2G)
    streams_per_user: Annotated[int, msgspec.Meta(ge=1, le=100)] = 4  # open alert streams (SSE) per user
    streams_per_process: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 500
    audit_checkpoint_s: Annotated[int, msgspec.Meta(ge=0, le=24 * 3600)] = 3600  # 0: only on demand
    hsts_max_age_s: Annotated[int, msgspec.Meta(ge=0, le=2 * 365 * 24 * 3600)] = 365 * 24 * 3600  # 0: no HSTS
    forwarded_allow_ips: str = "127.0.0.1"  # proxies whose X-Forwarded-Proto (https → HSTS) is believed


SERVING_VARIABLES = {
    "ENFORCE_HEADER_TIMEOUT_S": "header_timeout_s", "ENFORCE_BODY_TIMEOUT_S": "body_timeout_s",
    "ENFORCE_STREAMS_PER_USER": "streams_per_user", "ENFORCE_STREAMS_PER_PROCESS": "streams_per_process",
    "ENFORCE_HSTS_MAX_AGE_S": "hsts_max_age_s",
    "ENFORCE_AUDIT_CHECKPOINT_S": "audit_checkpoint_s", "ENFORCE_FORWARDED_ALLOW_IPS": "forwarded_allow_ips",
}  # fmt: skip


def load_serving(env: Mapping[str, str]) -> ServingSettings:
    return bounded(ServingSettings, env, SERVING_VARIABLES)


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


# THROTTLE_<FIELD IN CAPITALS>, e.g. THROTTLE_COMPLAINT_SUBMITS
THROTTLE_VARIABLES = {f"THROTTLE_{field.upper()}": field for field in ThrottleSettings.__struct_fields__}
S = TypeVar("S", bound=msgspec.Struct)


def bounded(kind: type[S], env: Mapping[str, str], variables: Mapping[str, str]) -> S:
    """The ``variables`` (name → field) that are set, checked against the bounds of ``kind``.

    A bad value stops the start with the variable's name and what is wrong.
    """
    given = {field: env[name] for name, field in variables.items() if name in env}
    try:
        return msgspec.convert(given, kind, strict=False)
    except msgspec.ValidationError as exc:
        message, _, path = str(exc).partition(" - at `$.")
        names = {field: name for name, field in variables.items()}
        field = path.rstrip("`")
        raise ValueError(
            f"{names[field]}: {message}" if field in names else f"{message} ({', '.join(variables)})"
        ) from exc


class FleetSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Camera leases and the unwatched-camera watchdog (视频分析集群), see ``api.cameras.leases``."""

    lease_s: Annotated[float, Meta(ge=3, le=600)] = 15.0  # a lease not renewed this long is free for another node
    watch_every_s: Annotated[float, Meta(ge=0, le=600)] = 5.0  # the watchdog's sweep (0: off)


# FLEET_<FIELD IN CAPITALS>, e.g. FLEET_LEASE_S
FLEET_VARIABLES = {f"FLEET_{field.upper()}": field for field in FleetSettings.__struct_fields__}


class DocumentSettings(msgspec.Struct, frozen=True):
    """Issued PDFs: where the public verification page is reached, and the departments' signing keys."""

    public_url: str = "http://127.0.0.1:8000"  # printed into every document's QR code
    signing_dir: Path | None = None  # <department code>.pem each; None: <data dir>/signing, generated
    signing_key_password: str = ""


class Settings(msgspec.Struct, frozen=True):
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 8000
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


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    """Build settings from ``ENFORCE_*``-style variables; unknown ones are ignored."""
    get = env.get
    return Settings(
        data_dir=Path(get("ENFORCE_DATA_DIR", "var")),
        host=get("ENFORCE_HOST", "127.0.0.1"),
        port=int(get("ENFORCE_PORT", "8000")),
        database=DatabaseSettings(
            url=get("DATABASE_URL"),
            pool_min=int(get("DATABASE_POOL_MIN", "2")),
            pool_max=int(get("DATABASE_POOL_MAX", "20")),
        ),
        object_store=ObjectStoreSettings(
            endpoint=get("S3_ENDPOINT"),
            access_key=get("S3_ACCESS_KEY", ""),
            secret_key=get("S3_SECRET_KEY", ""),
            secure=get("S3_SECURE", "false").lower() == "true",
            region=get("S3_REGION", "us-east-1"),
            bucket=get("S3_BUCKET", "enforcement-evidence"),
            retention_days=int(get("S3_RETENTION_DAYS", "3650")),
            public_url=get("S3_PUBLIC_ENDPOINT") or None,
        ),
        auth=AuthSettings(
            jwt_secret=get("JWT_SECRET", ""),
            audit_signing_key=get("AUDIT_SIGNING_KEY", ""),
            complaint_identity_key=get("COMPLAINT_IDENTITY_KEY", ""),
            access_ttl_s=int(get("ACCESS_TOKEN_TTL_S", "900")),
            refresh_ttl_s=int(get("REFRESH_TOKEN_TTL_S", str(30 * 24 * 3600))),
        ),
        serving=load_serving(env),
        throttle=bounded(ThrottleSettings, env, THROTTLE_VARIABLES),
        fleet=bounded(FleetSettings, env, FLEET_VARIABLES),
        documents=DocumentSettings(
            public_url=get("ENFORCE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            signing_dir=Path(folder) if (folder := get("DOCUMENT_SIGNING_DIR")) else None,
            signing_key_password=get("DOCUMENT_SIGNING_KEY_PASSWORD", ""),
        ),
    )


def settings_environment(settings: Settings) -> dict[str, str]:
    """The variables ``load_settings`` reads, for worker processes started after embedded servers."""
    db, s3, auth, docs = settings.database, settings.object_store, settings.auth, settings.documents
    return (
        {
            "ENFORCE_DATA_DIR": str(settings.data_dir),
            "DATABASE_URL": db.url or "",
            "DATABASE_POOL_MIN": str(db.pool_min),
            "DATABASE_POOL_MAX": str(db.pool_max),
            "S3_ENDPOINT": s3.endpoint or "",
            "S3_ACCESS_KEY": s3.access_key,
            "S3_SECRET_KEY": s3.secret_key,
            "S3_SECURE": str(s3.secure).lower(),
            "S3_REGION": s3.region,
            "S3_BUCKET": s3.bucket,
            "S3_RETENTION_DAYS": str(s3.retention_days),
            "S3_PUBLIC_ENDPOINT": s3.public_url or "",
            "JWT_SECRET": auth.jwt_secret,
            "AUDIT_SIGNING_KEY": auth.audit_signing_key,
            "COMPLAINT_IDENTITY_KEY": auth.complaint_identity_key,
            "ACCESS_TOKEN_TTL_S": str(auth.access_ttl_s),
            "REFRESH_TOKEN_TTL_S": str(auth.refresh_ttl_s),
            "ENFORCE_PUBLIC_URL": docs.public_url,
            "DOCUMENT_SIGNING_DIR": str(docs.signing_dir or ""),
            "DOCUMENT_SIGNING_KEY_PASSWORD": docs.signing_key_password,
        }
        | {name: str(getattr(settings.serving, field)) for name, field in SERVING_VARIABLES.items()}
        | {name: str(getattr(settings.throttle, field)) for name, field in THROTTLE_VARIABLES.items()}
        | {name: str(getattr(settings.fleet, field)) for name, field in FLEET_VARIABLES.items()}
    )


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
