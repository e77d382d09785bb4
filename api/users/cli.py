"""``enforce admin``: create the first departments, users and devices from the command line.

Works on the embedded database under ``var/`` when ``DATABASE_URL`` is unset,
applying migrations first, so a fresh installation needs nothing else. The
audit log names the operating-system account that ran the command.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import msgspec
import typer

from api.audit.trail import Actor
from api.runtime import run_in_transaction
from api.settings import load_settings
from api.users import devices, service
from mobile_contract.auth import Role
from mobile_contract.problems import AppError, NotFound
from mobile_contract.users import DepartmentCreate, DeviceRegister, UserCreate
from storage import users
from storage.db import Connection

cli = typer.Typer(name="admin", help="管理员命令 / create departments, users and devices", no_args_is_help=True)
S = TypeVar("S", bound=msgspec.Struct)
T = TypeVar("T")


def parsed(kind: type[S], **fields: Any) -> S:
    """Validate command-line values with the same rules as the API."""
    try:
        return msgspec.convert({k: v for k, v in fields.items() if v is not None}, kind)
    except msgspec.ValidationError as exc:
        raise typer.BadParameter(str(exc)) from exc


def run(work: Callable[[Connection], Awaitable[T]]) -> T:
    try:
        return run_in_transaction(load_settings(), work)
    except AppError as exc:
        typer.echo(f"{exc.detail} ({exc.detail_en})", err=True)
        raise typer.Exit(1) from exc


def read_password(env_name: str | None) -> str:
    """From the named environment variable, else a hidden prompt: never a command-line argument (shell history)."""
    if env_name is None:
        return typer.prompt("密码 / password", hide_input=True, confirmation_prompt=True)
    if not (value := os.environ.get(env_name)):
        raise typer.BadParameter(f"environment variable {env_name} is unset or empty", param_hint="--password-env")
    return value


async def department_id_of(conn: Connection, code: str) -> Any:
    department = await users.get_department_by_code(conn, code=code)
    if department is None:
        raise NotFound(f"实施机构 {code} 不存在", f"no department with code {code}")
    return department["id"]


@cli.command("create-department")
def create_department(
    code: Annotated[str, typer.Option(help="实施机构编码 / department code")],
    name: Annotated[str, typer.Option(help="机构名称 / department name")],
    region_code: Annotated[str, typer.Option(help="行政区划代码，6位 / region code")],
) -> None:
    """新建实施机构 / create a department."""
    data = parsed(DepartmentCreate, code=code, name=name, region_code=region_code)
    department = run(lambda conn: service.create_department(conn, Actor.command_line(), data))
    typer.echo(f"department {department.code} created: {department.id}")


@cli.command("create-user")
def create_user(
    username: Annotated[str, typer.Option()],
    display_name: Annotated[str, typer.Option(help="姓名 / name")],
    role: Annotated[Role, typer.Option()],
    department: Annotated[str, typer.Option(help="实施机构编码 / department code")],
    certificate_no: Annotated[str | None, typer.Option(help="执法证号，执法人员必填 / inspectors only")] = None,
    region_code: Annotated[str | None, typer.Option(help="缺省取机构的 / default: the department's")] = None,
    password_env: Annotated[
        str | None, typer.Option(help="从该环境变量读密码，缺省则提示输入 / env variable holding it")
    ] = None,
) -> None:
    """新建用户 / create a user (the first admin, too)."""
    password = read_password(password_env)

    async def work(conn: Connection) -> Any:
        data = parsed(
            UserCreate,
            username=username,
            display_name=display_name,
            password=password,
            role=role,
            department_id=await department_id_of(conn, department),
            certificate_no=certificate_no,
            region_code=region_code,
        )
        return await service.create_user(conn, Actor.command_line(), data)

    user = run(work)
    typer.echo(f"user {user.username} ({user.role.value}) created: {user.id}")


@cli.command("register-device")
def register_device(
    device_id: Annotated[str, typer.Option(help="终端编号 / serial or IMEI")],
    username: Annotated[str, typer.Option(help="绑定的执法人员 / the inspector it is bound to")],
    label: Annotated[str, typer.Option(help="备注 / free label")] = "",
) -> None:
    """登记执法终端并绑定执法人员 / register a handheld and bind it to an inspector."""

    async def work(conn: Connection) -> Any:
        user = await users.get_user_by_username(conn, username=username)
        if user is None:
            raise NotFound(f"用户 {username} 不存在", f"no user {username}")
        data = parsed(DeviceRegister, id=device_id, user_id=user["id"], label=label)
        return await devices.register(conn, Actor.command_line(), data)

    device = run(work)
    typer.echo(f"device {device.id} registered to {username}")
