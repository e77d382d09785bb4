"""``enforce discretion import`` and ``enforce cases refresh-deadlines`` against the test database."""

import asyncio

from typer.testing import CliRunner

from api.cli import app as enforce
from tests.api.discretion.test_benchmark import CSV


async def run_enforce(settings, *args: str):
    """Run the command as an operator would (in a thread: it runs its own event loop)."""
    env = {"DATABASE_URL": settings.database.url, "JWT_SECRET": settings.auth.jwt_secret, "COLUMNS": "250"}
    return await asyncio.to_thread(CliRunner().invoke, enforce, list(args), env=env)


async def test_import_and_publish_from_a_file(settings, pool, department, tmp_path) -> None:
    path = tmp_path / "benchmark.csv"
    path.write_text("\ufeff" + CSV, encoding="utf-8")
    done = await run_enforce(
        settings, "discretion", "import", str(path), "--department", department.code, "--title", "省基准", "--publish"
    )
    assert done.exit_code == 0, done.output
    assert "version 1 (published): 3 rows" in done.output
    row = await pool.fetchrow(
        "SELECT published_at, imported_by FROM discretion_tables WHERE department_id = $1", department.id
    )
    assert row["published_at"] is not None and row["imported_by"] is None
    actor = await pool.fetchval(
        "SELECT actor_role FROM audit_log WHERE entity_type = 'discretion_table' AND action = 'discretion.publish'"
        " AND department_id = $1",
        department.id,
    )
    assert actor == "cli"


async def test_a_bad_file_is_refused_with_line_numbers(settings, department, tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(CSV + "KC-9,x,y,extreme,fine,1,2,\n", encoding="utf-8")
    done = await run_enforce(
        settings, "discretion", "import", str(path), "--department", department.code, "--title", "坏"
    )
    assert done.exit_code == 1 and "line 5.circumstance" in done.output


async def test_refresh_deadlines_reports_the_calendar_and_count(settings) -> None:
    done = await run_enforce(settings, "cases", "refresh-deadlines")
    assert done.exit_code == 0, done.output
    assert "holiday data covers 2004–" in done.output and "recomputed the deadlines of" in done.output
