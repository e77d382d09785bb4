"""``enforce sites``: register a site from its config file, and enrol a vision node (点位登记、视频节点开户).

``register`` stores a site config (YAML or JSON, as ``vision analyze`` reads it) as an existing
operator, supervisor or admin would through ``POST /sites`` — or, when the site exists, as its
next version if the file changed. ``enrol-node`` creates a ``vision_node`` account with a generated
password and writes a node config that delivers to this server: the API address, the account, and
in embedded mode the embedded S3's kept endpoint and keys (0600, like the data folder's secrets).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any

import msgspec
import typer

from api.audit.trail import Actor
from api.auth.principal import Principal
from api.sites import service
from api.users import service as users_service
from api.users.cli import department_id_of, parsed, run
from mobile_contract.auth import Role
from mobile_contract.problems import Forbidden, NotFound
from mobile_contract.sites import SiteConfig, load_site_config
from mobile_contract.users import UserCreate
from storage import embedded, sites, users
from storage.db import Connection

cli = typer.Typer(name="sites", help="点位登记与视频分析节点开户 / sites and vision nodes", no_args_is_help=True)
EDITORS = frozenset({Role.MONITORING_OPERATOR, Role.SUPERVISOR, Role.ADMIN})


def read_site_file(path: Path) -> SiteConfig:
    """The site config, or one line naming the file and the field."""
    try:
        return load_site_config(path.read_bytes(), format="yaml" if path.suffix in {".yaml", ".yml"} else "json")
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        typer.echo(f"enforce: {path}: {exc}", err=True)  # one line: the file, the field, what is wrong
        raise typer.Exit(2) from exc


@cli.command("register")
def register(
    config: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="点位配置 YAML/JSON / site config")],
    by: Annotated[str, typer.Option(help="以该用户名义登记（值班员、负责人或管理员）/ acting user")],
) -> None:
    """登记点位，已登记则存为下一版本 / register a site, or store its next version if the file changed."""
    site = read_site_file(config)

    async def work(conn: Connection) -> tuple[str, Any]:
        principal = await _acting_as(conn, by)
        current = await sites.get(conn, id=site.id, department_id=None)
        if current is None:
            return "registered", await service.create(conn, principal, msgspec.structs.replace(site, version=1))
        stored = service.to_read(current)
        same = msgspec.structs.replace(site, version=stored.version, department_id=stored.department_id)
        if same == stored.config:
            return "unchanged", stored
        return "updated", await service.update(conn, principal, site.id, _next_version(site, stored.version))

    what, stored = run(work)
    typer.echo(f"site {stored.id} {what}: version {stored.version}, {len(stored.config.cameras)} cameras")


def _next_version(site: SiteConfig, current: int) -> SiteConfig:
    return msgspec.structs.replace(site, version=current + 1, department_id=None)


async def _acting_as(conn: Connection, username: str) -> Principal:
    user = await users.get_user_by_username(conn, username=username)
    if user is None or not user["active"]:
        raise NotFound(f"用户 {username} 不存在或已停用", f"no active user {username}")
    if Role(user["role"]) not in EDITORS:
        raise Forbidden("登记点位须由监控中心值班员、监管负责人或系统管理员进行", f"role {user['role']} edits no sites")
    return Principal(
        user_id=user["id"],
        username=username,
        role=Role(user["role"]),
        department_id=user["department_id"],
        region_code=user["region_code"],
    )


@cli.command("enrol-node")
def enrol_node(
    department: Annotated[str, typer.Option(help="实施机构编码 / department code")],
    username: Annotated[str, typer.Option(help="节点账号 / the node's user name")] = "vision-node-1",
    out: Annotated[Path, typer.Option(help="写出的节点配置 / node config to write")] = Path("var/vision/node.yaml"),
    api_url: Annotated[str | None, typer.Option(help="节点访问 API 的地址 / API address for the node")] = None,
) -> None:
    """为视频分析节点开户并写出其配置 / create a vision_node account and write a node config for this server."""
    from api.settings import load_settings

    settings = load_settings()
    password = secrets.token_urlsafe(24)

    async def work(conn: Connection) -> Any:
        data = parsed(
            UserCreate,
            username=username,
            display_name=f"视频分析节点 {username}",
            password=password,
            role=Role.VISION_NODE,
            department_id=await department_id_of(conn, department),
        )
        return await users_service.create_user(conn, Actor.command_line(), data)

    run(work)
    url = api_url or f"http://{settings.host}:{settings.port}"
    node = {"api": {"url": url, "username": username, "password": password}, "s3": _node_store(settings)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.touch(mode=0o600)
    out.write_bytes(NODE_HEADER.encode() + msgspec.yaml.encode(node))
    typer.echo(f"vision node {username} created; its config (with its password) is in {out}")


NODE_HEADER = """\
# 视频分析节点配置，由 `enforce sites enrol-node` 写出 / vision node config written by `enforce sites enrol-node`.
# Holds the node's password (and, in embedded mode, the S3 keys): keep it owner-only.
# Every other field has a default (the detector is the shipped model): see examples/node.yaml.
"""


def _node_store(settings: Any) -> dict[str, Any]:
    """Embedded: the kept endpoint and keys. Otherwise the endpoint only: the node gets keys of its own."""
    store = settings.object_store
    if store.endpoint is None:
        keys = embedded.credentials(settings.data_dir.resolve() / "s3")
        return {
            "endpoint": f"127.0.0.1:{keys.port}",
            "secure": False,
            "bucket": store.bucket,
            "access_key": keys.access_key,
            "secret_key": keys.secret_key,
        }
    return {"endpoint": store.endpoint, "secure": store.secure, "bucket": store.bucket}
