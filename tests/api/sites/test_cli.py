"""``enforce sites register`` and ``enforce sites enrol-node`` against the test database."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from api.settings import settings_environment
from mobile_contract.auth import Role
from tests.api.sites.factories import site_config
from vision.config import load_node_config

pytestmark = pytest.mark.integration


async def enforce(settings, *args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=settings_environment(settings))


async def test_register_stores_the_file_then_its_next_version_and_nothing_for_the_same_file(
    settings, make_user, department, tmp_path: Path
) -> None:
    operator = await make_user(Role.MONITORING_OPERATOR, department)
    config = site_config()
    path = tmp_path / "site.yaml"
    path.write_bytes(msgspec.yaml.encode(config))
    by = ("--by", operator.principal.username)

    outputs = [(await enforce(settings, "sites", "register", str(path), *by)).stdout.splitlines()[-1]]
    outputs.append((await enforce(settings, "sites", "register", str(path), *by)).stdout.splitlines()[-1])
    path.write_bytes(msgspec.yaml.encode(config | {"name": "青山塘口（北）"}))
    outputs.append((await enforce(settings, "sites", "register", str(path), *by)).stdout.splitlines()[-1])
    assert outputs == [
        f"site {config['id']} registered: version 1, 1 cameras",
        f"site {config['id']} unchanged: version 1, 1 cameras",
        f"site {config['id']} updated: version 2, 1 cameras",
    ]


async def test_only_those_who_edit_sites_may_register_one(settings, inspector, tmp_path: Path) -> None:
    path = tmp_path / "site.json"
    path.write_bytes(msgspec.json.encode(site_config()))
    refused = await enforce(settings, "sites", "register", str(path), "--by", inspector.principal.username)
    assert refused.exit_code == 1 and "登记点位须由监控中心值班员、监管负责人或系统管理员进行" in refused.output


async def test_a_bad_site_file_is_one_line_naming_the_file_and_field(settings, tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_bytes(msgspec.yaml.encode(site_config() | {"kind": "mine"}))
    refused = await enforce(settings, "sites", "register", str(path), "--by", "anyone")
    assert refused.exit_code == 2
    assert refused.stderr.splitlines()[-1].startswith(f"enforce: {path}: Invalid enum value 'mine' - at `$.kind`")


async def test_enrol_node_writes_a_config_the_node_accepts_owner_only(settings, department, tmp_path: Path) -> None:
    """With S3_ENDPOINT set the node gets the endpoint only (its own keys come from its store's admin);
    embedded mode's keys are written by the README's first run (tests/api/acceptance/test_first_run.py)."""
    out, username = tmp_path / "node.yaml", f"node-{uuid.uuid4().hex[:8]}"
    made = await enforce(
        settings, "sites", "enrol-node", "--department", department.code, "--username", username, "--out", str(out)
    )
    assert made.exit_code == 0, made.output
    assert out.stat().st_mode & 0o777 == 0o600
    node = load_node_config(out, env={})
    assert (node.api.username, node.s3.endpoint, node.s3.access_key) == (
        username,
        settings.object_store.endpoint,
        "",
    )
