"""``enforce admin …`` against the test database, and on a fresh embedded data folder."""

import asyncio
import os
import subprocess
import sys
import uuid

import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from tests.api.auth.support import entries_for, sign_in

PASSWORD = "first admin passphrase"


async def enforce(settings, *args: str, input: str | None = None, **env: str) -> Result:
    """Run the command in a thread: it runs its own event loop, as it does from a shell."""
    environment = {"DATABASE_URL": settings.database.url} | env
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), input=input, env=environment)


def create_user(role: str, department: str, *extra: str, username: str | None = None) -> list[str]:
    username = username or f"{role[:5]}-{uuid.uuid4().hex[:6]}"
    return ["admin", "create-user", "--username", username, "--display-name", "王执法", "--role", role,
            "--department", department, *extra]  # fmt: skip


async def new_department(settings) -> str:
    code = f"CLI-{uuid.uuid4().hex[:8]}"
    args = ["admin", "create-department", "--code", code, "--name", "某县执法大队", "--region-code", "360121"]
    result = await enforce(settings, *args)
    assert result.exit_code == 0, result.output
    return code


async def test_first_admin_and_an_inspector_with_a_device_from_the_command_line(client, pool, settings) -> None:
    code = await new_department(settings)
    admin, inspector, device = f"admin-{uuid.uuid4().hex[:6]}", f"ins-{uuid.uuid4().hex[:6]}", f"IMEI-{uuid.uuid4()}"

    made_admin = await enforce(
        settings, *create_user("admin", code, "--password-env", "FIRST_PW", username=admin), FIRST_PW=PASSWORD
    )
    made_inspector = await enforce(
        settings,
        *create_user("inspector", code, "--certificate-no", "JX0001234", username=inspector),
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    registered = await enforce(settings, "admin", "register-device", "--device-id", device, "--username", inspector)

    assert [r.exit_code for r in (made_admin, made_inspector, registered)] == [0, 0, 0], made_inspector.output
    assert PASSWORD not in made_inspector.output
    assert (await sign_in(client, admin, password=PASSWORD)).status_code == 200
    assert (await sign_in(client, inspector, password=PASSWORD, device_id=device)).status_code == 200
    (entry,) = await entries_for(pool, "device", device)
    assert (entry.actor_id, entry.actor_role, entry.action) == (None, "cli", "device.register")
    assert entry.detail["os_user"]


async def test_the_password_is_never_a_command_line_argument(settings) -> None:
    code = await new_department(settings)
    as_argument = await enforce(settings, *create_user("admin", code, "--password", PASSWORD))
    from_unset_variable = await enforce(settings, *create_user("admin", code, "--password-env", "NOT_SET_ANYWHERE"))
    assert (as_argument.exit_code, from_unset_variable.exit_code) == (2, 2)
    assert "NOT_SET_ANYWHERE" in from_unset_variable.output


async def test_refusals_are_reported_with_a_failing_exit_code(settings) -> None:
    code = await new_department(settings)
    no_certificate = await enforce(settings, *create_user("inspector", code, "--password-env", "PW"), PW=PASSWORD)
    no_department = await enforce(settings, *create_user("admin", "NO-SUCH", "--password-env", "PW"), PW=PASSWORD)
    short = await enforce(settings, *create_user("admin", code, "--password-env", "PW"), PW="short")
    assert (no_certificate.exit_code, no_department.exit_code, short.exit_code) == (1, 1, 2)
    assert "执法证号" in no_certificate.output
    assert "NO-SUCH" in no_department.output


@pytest.mark.slow
@pytest.mark.integration  # its process starts the embedded PostgreSQL, where the doors of tests/markers.py cannot see
def test_a_fresh_data_folder_gets_an_embedded_migrated_database(tmp_path) -> None:
    """A real process, as from a shell: it starts the embedded server and stops it on exit."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"ENFORCE_DATA_DIR": str(tmp_path / "var")}
    args = ["admin", "create-department", "--code", "FRESH", "--name", "新建机构", "--region-code", "360102"]
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "department FRESH created" in done.stdout
    assert (tmp_path / "var" / "postgres" / "PG_VERSION").exists()
