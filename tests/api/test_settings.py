"""Settings (api/settings.py): every variable read in one place, bounded, defaults written once."""

from __future__ import annotations

import msgspec
import pytest

from api.settings import CONCERNS, TOP_VARIABLES, Settings, load_settings, settings_environment

# A value for every variable other than its default, inside the bounds.
CHANGED = {
    "ENFORCE_DATA_DIR": "/srv/enforce", "ENFORCE_HOST": "0.0.0.0", "ENFORCE_PORT": "8443",
    "DATABASE_URL": "postgresql://db.example/enforce", "DATABASE_POOL_MIN": "4", "DATABASE_POOL_MAX": "40",
    "S3_ENDPOINT": "minio.example:9000", "S3_ACCESS_KEY": "ak", "S3_SECRET_KEY": "sk", "S3_SECURE": "true",
    "S3_REGION": "cn-east-1", "S3_BUCKET": "evidence", "S3_RETENTION_DAYS": "7300", "S3_PRESIGN_TTL_S": "600",
    "S3_PUBLIC_ENDPOINT": "https://s3.example", "JWT_SECRET": "j", "AUDIT_SIGNING_KEY": "a",
    "COMPLAINT_IDENTITY_KEY": "c", "ACCESS_TOKEN_TTL_S": "600", "REFRESH_TOKEN_TTL_S": "86400",
    "ENFORCE_HEADER_TIMEOUT_S": "5.0", "ENFORCE_BODY_TIMEOUT_S": "60.0", "ENFORCE_STREAMS_PER_USER": "2",
    "ENFORCE_STREAMS_PER_PROCESS": "100", "ENFORCE_AUDIT_CHECKPOINT_S": "600", "ENFORCE_HSTS_MAX_AGE_S": "0",
    "ENFORCE_FORWARDED_ALLOW_IPS": "10.0.0.1", "ENFORCE_TRUST_REQUEST_ID": "true", "THROTTLE_SIGN_IN_ADDRESS_FREE": "5",
    "THROTTLE_SIGN_IN_ACCOUNT_FREE": "6", "THROTTLE_ACCOUNT_LOCK_AFTER": "50", "THROTTLE_ACCOUNT_LOCK_S": "600",
    "THROTTLE_LOOKUP_ADDRESS_FREE": "5", "THROTTLE_COMPLAINT_SUBMITS": "3", "THROTTLE_COMPLAINT_WINDOW_S": "600",
    "FLEET_LEASE_S": "30.0", "FLEET_WATCH_EVERY_S": "0.0", "ENFORCE_PUBLIC_URL": "https://enforce.example",
    "DOCUMENT_SIGNING_DIR": "/srv/keys", "DOCUMENT_SIGNING_KEY_PASSWORD": "p",
}  # fmt: skip


def every_variable() -> dict[str, str]:
    found = dict(TOP_VARIABLES)
    for _, variables in CONCERNS.values():
        found |= variables
    return found


def test_every_variable_is_read_and_handed_on_to_workers() -> None:
    assert set(CHANGED) == set(every_variable())
    settings = load_settings(CHANGED)
    assert settings_environment(settings) == CHANGED
    assert settings.object_store.presign_ttl_s == 600
    assert load_settings(settings_environment(settings)) == settings


def test_the_defaults_are_the_structs_own() -> None:
    assert load_settings({}) == Settings()
    assert load_settings(dict.fromkeys(CHANGED, "")) == Settings()  # an empty variable is unset


def numbers() -> list[tuple[str, float | None]]:
    """Every numeric variable with its lower bound, from the Structs' own annotations."""
    found = []
    for kind, variables in [(Settings, TOP_VARIABLES), *CONCERNS.values()]:
        fields = {f.name: f for f in msgspec.inspect.type_info(kind).fields}
        for name, field in variables.items():
            info = fields[field].type
            if isinstance(info, msgspec.inspect.IntType | msgspec.inspect.FloatType):
                found.append((name, info.ge))
    return found


@pytest.mark.parametrize(("name", "lowest"), numbers())
def test_every_number_is_bounded_and_a_bad_one_names_its_variable(name: str, lowest: float | None) -> None:
    assert lowest is not None, f"{name} has no lower bound"
    with pytest.raises(ValueError, match=name):
        load_settings({name: str(lowest - 1)})


def test_a_value_of_the_wrong_kind_names_its_variable() -> None:
    with pytest.raises(ValueError, match="S3_SECURE"):
        load_settings({"S3_SECURE": "maybe"})
    with pytest.raises(ValueError, match="DATABASE_POOL_MIN must not exceed DATABASE_POOL_MAX"):
        load_settings({"DATABASE_POOL_MIN": "30", "DATABASE_POOL_MAX": "20"})
