"""``enforce``: run the API and administer it.

Each domain may add a command group in ``api/<domain>/cli.py`` exposing
``cli = typer.Typer(name=...)``; it is found and added here automatically.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
import signal
import sys
from pathlib import Path
from typing import Annotated, Any

import msgspec
import typer

import api
from api.http_protocol import TimedHttpToolsProtocol
from api.observability import logs
from api.settings import ServingSettings, load_settings, settings_environment

GRACEFUL_SHUTDOWN_S = 10
# How long uvicorn's supervisor waits for a worker's answer before it kills it as hung. Its default, 5 s,
# counts a new worker's start-up too (a spawned process imports the whole app before it can answer):
# on a loaded 2-core machine that took longer, and `serve --workers 2` killed and restarted its workers
# in a loop, never serving (tests/api/test_cli_serve.py).
WORKER_HEALTHCHECK_S = 60
app = typer.Typer(help="移动执法后端 / field enforcement backend", no_args_is_help=True)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="listen address (default ENFORCE_HOST or 127.0.0.1)"),
    port: int | None = typer.Option(None, help="listen port (default ENFORCE_PORT or 8000)"),
    workers: int = typer.Option(1, min=1, help="uvicorn worker processes"),
    keep_alive: int = typer.Option(75, min=1, help="idle keep-alive seconds (proxies and handhelds reuse connections)"),
) -> None:
    """Run the API; without DATABASE_URL / S3_ENDPOINT it starts embedded PostgreSQL and S3."""
    import uvicorn

    from api.runtime import resolved

    logs.configure()
    exit_on_sigterm()
    settings = load_settings()
    with resolved(settings) as ready:
        typer.echo(f"s3: {ready.object_store.endpoint}")
        typer.echo(next_steps(f"http://{host or ready.host}:{port or ready.port}", embedded=settings.embedded))
        os.environ.update(settings_environment(ready))
        uvicorn.run(
            "api.asgi:create",
            factory=True,
            host=host or ready.host,
            port=port or ready.port,
            workers=workers,
            log_config=logs.config(),
            access_log=False,
            **server_options(ready.serving, keep_alive),
        )


def next_steps(url: str, *, embedded: bool) -> str:
    """What to do once the server is up (下一步), printed by ``enforce serve`` (and so ``scripts/serve``)."""
    steps = [
        f"控制台 / console: {url}/   接口文档 / API docs: {url}/schema",
        "下一步 / next (in a second terminal, same folder; README, First users):",
        '  uv run enforce admin create-department --code ZRZY-360102 --name "某区自然资源局" --region-code 360102',
        "  uv run enforce admin create-user --username admin --display-name 管理员 --role admin "
        "--department ZRZY-360102",
    ]
    if embedded:
        steps.append("  a vision node for this server: uv run enforce sites enrol-node --department ZRZY-360102")
    return "\n".join(steps)


def server_options(serving: ServingSettings, keep_alive_s: int) -> dict[str, Any]:
    """uvicorn's options: read time-outs, the proxies believed about https, a bounded graceful shutdown."""
    protocol = functools.partial(
        TimedHttpToolsProtocol, header_timeout_s=serving.header_timeout_s, body_timeout_s=serving.body_timeout_s
    )
    return {
        "http": protocol,
        "timeout_keep_alive": keep_alive_s,
        "forwarded_allow_ips": serving.forwarded_allow_ips,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S,  # open requests get this long once a stop is asked
        "timeout_worker_healthcheck": WORKER_HEALTHCHECK_S,
    }


def exit_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so the embedded servers are stopped on the way out.

    uvicorn handles SIGTERM while it serves, then raises it again once it has shut down; with the
    default action that ends the process on the spot, skipping every ``finally`` and ``atexit``.
    """
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))


@app.command()
def migrate() -> None:
    """应用数据库迁移 / apply the schema migrations, as the schema's owner (deploy/compose.yaml's migrate step)."""
    from api.runtime import database_url, where
    from storage.migrate import apply_migrations

    settings = load_settings()
    typer.echo(where(settings), err=True)
    applied = apply_migrations(database_url(settings))
    typer.echo(f"applied {len(applied)} migrations" + (f": {', '.join(applied)}" if applied else ""))


@app.command("s3-credentials")
def s3_credentials() -> None:
    """内嵌对象存储的地址和密钥 / the embedded S3's endpoint and keys, for a vision node (embedded mode only)."""
    from storage.embedded import credentials

    settings = load_settings()
    if settings.object_store.endpoint:
        raise typer.BadParameter("S3_ENDPOINT is set: the keys are that server's, not kept here")
    keys = credentials(settings.data_dir.resolve() / "s3")
    typer.echo(f"S3_ENDPOINT=127.0.0.1:{keys.port}\nS3_ACCESS_KEY={keys.access_key}\nS3_SECRET_KEY={keys.secret_key}")


@app.command()
def openapi(out: Annotated[Path, typer.Option(help="where to write")] = Path("mobile_contract/openapi.json")) -> None:
    """Write the OpenAPI document generated from the mobile contract."""
    out.write_bytes(openapi_document())
    typer.echo(f"wrote {out}")


def openapi_document() -> bytes:
    from api.app import create_app

    schema = create_app(load_settings({})).openapi_schema.to_schema()
    return msgspec.json.format(msgspec.json.encode(schema, order="sorted"), indent=2) + b"\n"


def _add_domain_commands() -> None:
    for module_info in sorted(pkgutil.iter_modules(api.__path__), key=lambda m: m.name):
        if module_info.ispkg and (Path(api.__path__[0]) / module_info.name / "cli.py").exists():
            module = importlib.import_module(f"api.{module_info.name}.cli")
            app.add_typer(module.cli)


_add_domain_commands()

if __name__ == "__main__":
    app()
