"""deploy/compose.yaml, rendered with a sample deploy/.env as ``docker compose config`` would, checked
for what a deployment must have (no Docker needed): every image pinned, TLS in front with the
evidence store published through the public endpoint, a vision node, the API's PostgreSQL role
neither superuser nor owner of ``audit_log`` (tried on the real PostgreSQL), MinIO keys limited to
the bucket, the complaint key, and what ``chart.png`` needs.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.parse
from pathlib import Path

import asyncpg
import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings
from storage.migrate import apply_migrations
from vision.config import load_node_config
from vision.fleet import node_name

DEPLOY = Path(__file__).parents[2] / "deploy"
ENV = {
    "ENFORCE_HOST": "enforce.example.cn",
    "POSTGRES_PASSWORD": "pg-root",
    "OWNER_DB_PASSWORD": "pg-owner",
    "API_DB_PASSWORD": "pg-api",
    "MINIO_ROOT_USER": "root",
    "MINIO_ROOT_PASSWORD": "minio-root",
    "API_S3_ACCESS_KEY": "enforcement-api",
    "API_S3_SECRET_KEY": "api-secret",
    "NODE_S3_ACCESS_KEY": "vision-node-1",
    "NODE_S3_SECRET_KEY": "node-secret",
    "JWT_SECRET": "j" * 64,
    "AUDIT_SIGNING_KEY": "a" * 43,
    "COMPLAINT_IDENTITY_KEY": "c" * 43,
    "VISION_API_USERNAME": "node-1",
    "VISION_API_PASSWORD": "node passphrase",
}
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?::\?(?P<required>[^}]*))?\}")


def render(text: str, env: dict[str, str]) -> dict:
    """The compose file with ``${VAR}`` and ``${VAR:?message}`` filled in; a missing required one is an error."""

    def fill(found: re.Match) -> str:
        if found["name"] not in env and found["required"] is not None:
            raise KeyError(f"{found['name']}: {found['required']}")
        return env.get(found["name"], "")

    return yaml.safe_load(VARIABLE.sub(fill, text))


@pytest.fixture(scope="module")
def compose() -> dict:
    return render((DEPLOY / "compose.yaml").read_text(), ENV)


def test_every_secret_must_be_given(compose: dict) -> None:
    for name in ("COMPLAINT_IDENTITY_KEY", "AUDIT_SIGNING_KEY", "JWT_SECRET", "API_DB_PASSWORD", "API_S3_SECRET_KEY"):
        with pytest.raises(KeyError, match=name):
            render((DEPLOY / "compose.yaml").read_text(), {k: v for k, v in ENV.items() if k != name})
    api = compose["services"]["api"]["environment"]
    assert api["COMPLAINT_IDENTITY_KEY"] == ENV["COMPLAINT_IDENTITY_KEY"]
    assert api["AUDIT_SIGNING_KEY"] == ENV["AUDIT_SIGNING_KEY"]


def test_every_image_is_pinned(compose: dict) -> None:
    for name, service in compose["services"].items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and tag != "latest" and re.search(r"\d", tag), f"{name}: {image} is not pinned"
    assert re.search(r"^FROM python:3\.11\.\d+-", (DEPLOY / "Dockerfile").read_text(), re.M)
    assert re.search(r'"uv==[\d.]+"', (DEPLOY / "Dockerfile").read_text())


def test_only_the_tls_proxy_is_published(compose: dict) -> None:
    published = {name: service.get("ports") for name, service in compose["services"].items() if service.get("ports")}
    assert published == {"proxy": ["443:443"]}
    assert "./certs:/certs:ro" in compose["services"]["proxy"]["volumes"]
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert "tls /certs/fullchain.pem /certs/privkey.pem" in caddyfile
    assert "reverse_proxy api:8000" in caddyfile


def test_devices_reach_the_store_through_the_public_endpoint(compose: dict) -> None:
    api = compose["services"]["api"]["environment"]
    public = urllib.parse.urlsplit(api["S3_PUBLIC_ENDPOINT"])
    assert (public.scheme, public.netloc) == ("https", ENV["ENFORCE_HOST"])
    route = re.search(
        r"handle_path (?P<path>\S+)/\* \{\s*reverse_proxy (?P<upstream>\S+)", (DEPLOY / "Caddyfile").read_text()
    )
    assert route and route["path"] == public.path and route["upstream"] == api["S3_ENDPOINT"]
    assert api["ENFORCE_PUBLIC_URL"] == f"https://{ENV['ENFORCE_HOST']}"


def test_minio_keys_are_limited_to_the_bucket(compose: dict) -> None:
    api = compose["services"]["api"]["environment"]
    assert api["S3_ACCESS_KEY"] not in (ENV["MINIO_ROOT_USER"], "") and api["S3_ACCESS_KEY"] == ENV["API_S3_ACCESS_KEY"]
    bucket = api["S3_BUCKET"]
    api_policy = json.loads((DEPLOY / "minio" / "api-policy.json").read_text())
    assert {r for s in api_policy["Statement"] for r in s["Resource"]} == {
        f"arn:aws:s3:::{bucket}",
        f"arn:aws:s3:::{bucket}/*",
    }
    node_policy = json.loads((DEPLOY / "minio" / "vision-node-policy.json").read_text())
    assert [(s["Action"], s["Resource"]) for s in node_policy["Statement"]] == [
        (["s3:PutObject"], [f"arn:aws:s3:::{bucket}/alerts/*"])
    ]
    keys = (DEPLOY / "minio" / "keys.sh").read_text()
    assert 'attach store enforcement-api --user "$API_S3_ACCESS_KEY"' in keys
    assert 'attach store enforcement-vision-node --user "$NODE_S3_ACCESS_KEY"' in keys
    assert f"mb --ignore-existing --with-lock store/{bucket}" in keys


def test_a_vision_node_runs_with_a_config_the_node_accepts(compose: dict) -> None:
    vision = compose["services"]["vision"]
    assert vision["command"][-4:] == ["vision", "run", "--config", "/etc/vision/node.yaml"]
    assert "./vision:/etc/vision:ro" in vision["volumes"]
    config = load_node_config(DEPLOY / "vision" / "node.yaml", vision["environment"])
    assert (config.api.url, config.api.username, config.api.password) == (
        "http://api:8000",
        ENV["VISION_API_USERNAME"],
        ENV["VISION_API_PASSWORD"],
    )
    assert (config.s3.endpoint, config.s3.access_key) == ("minio:9000", ENV["NODE_S3_ACCESS_KEY"])
    assert not config.sites and node_name(config, vision["environment"]) == "vision-1"  # by lease, one holder name


def test_the_image_has_what_the_chart_and_the_node_need() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev --extra vision" in dockerfile  # matplotlib (chart.png) and the pipeline
    lock = (DEPLOY.parent / "uv.lock").read_text()
    ultralytics = lock[lock.index('[[package]]\nname = "ultralytics"') :]
    assert '{ name = "matplotlib" }' in ultralytics[: ultralytics.index("[[package]]", 1)]
    assert "libgl1" in dockerfile  # OpenCV's shared library


def test_the_api_connects_as_its_own_role_and_the_schema_is_migrated_by_the_owner(compose: dict) -> None:
    services = compose["services"]
    assert urllib.parse.urlsplit(services["api"]["environment"]["DATABASE_URL"]).username == "enforcement_api"
    assert urllib.parse.urlsplit(services["migrate"]["environment"]["DATABASE_URL"]).username == "enforcement_owner"
    assert services["migrate"]["command"][-2:] == ["enforce", "migrate"]
    assert services["api"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def as_role(url: str, role: str | None, database: str) -> str:
    """``url`` on another database, as ``role`` (None: as the same user)."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc if role is None else f"{role}@{parts.netloc.rpartition('@')[2]}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc, path=f"/{database}"))


@pytest.mark.integration
async def test_the_roles_script_gives_the_api_rows_but_not_the_audit_triggers(settings: Settings) -> None:
    """roles.psql on the real PostgreSQL: the owner migrates, the API role starts, writes rows and cannot
    disable the audit triggers."""
    admin = await asyncpg.connect(settings.database.url)
    try:
        await admin.execute("CREATE DATABASE enforcement")
        script = (DEPLOY / "postgres" / "roles.psql").read_text()
        script = script.replace(":'owner_password'", "'pg-owner'").replace(":'api_password'", "'pg-api'")
        deploy_db = await asyncpg.connect(settings.database.url, database="enforcement")  # as the superuser
        await deploy_db.execute(script)
        await deploy_db.close()
        owner = as_role(settings.database.url, "enforcement_owner", "enforcement")
        assert apply_migrations(owner), "the owner applies every migration"
        api_url = as_role(settings.database.url, "enforcement_api", "enforcement")
        assert apply_migrations(api_url) == [], "the API's own start finds nothing to apply, and does not fail"
        api = await asyncpg.connect(api_url)
        try:
            role = await api.fetchrow("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            assert tuple(role) == (False, False)
            assert await api.fetchval("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'") == (
                "enforcement_owner"
            )
            await api.execute("INSERT INTO departments (id, code, name, region_code) "
                              "VALUES (gen_random_uuid(), 'D-1', '某局', '360102')")  # fmt: skip
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await api.execute("ALTER TABLE audit_log DISABLE TRIGGER ALL")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await api.execute("SET session_replication_role = replica")
        finally:
            await api.close()
    finally:
        await admin.close()


@pytest.mark.integration
async def test_enforce_migrate_applies_what_is_pending_and_says_where(settings: Settings) -> None:
    """The compose ``migrate`` step: every migration on a new database, none the second time."""
    admin = await asyncpg.connect(settings.database.url)
    try:
        await admin.execute("CREATE DATABASE migrate_check")
    finally:
        await admin.close()
    env = {"DATABASE_URL": as_role(settings.database.url, None, "migrate_check")}
    first = await asyncio.to_thread(CliRunner().invoke, app, ["migrate"], env=env)
    assert first.exit_code == 0, first.output
    assert re.fullmatch(r"applied \d+ migrations: 0001_core, .*\n", first.stdout) and "(DATABASE_URL)" in first.stderr
    again = await asyncio.to_thread(CliRunner().invoke, app, ["migrate"], env=env)
    assert again.stdout == "applied 0 migrations\n"
