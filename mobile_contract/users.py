"""Departments (实施机构), user accounts and handheld devices (执法终端), as administrators manage them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from mobile_contract.auth import DeviceId, Password, Role, Username
from mobile_contract.types import CertificateNo, RegionCode, ShortText

DepartmentCode = Annotated[
    str,
    Meta(
        min_length=2,
        max_length=32,
        pattern=r"^[A-Za-z0-9_\-]+$",
        description="实施机构编码 / department code, unique",
        examples=["JX-NR-0102"],
    ),
]


class DepartmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    """新建实施机构 / create a department."""

    code: DepartmentCode
    name: Annotated[str, Meta(min_length=1, max_length=200, description="机构名称 / department name")]
    region_code: RegionCode


class DepartmentUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """修改实施机构 / change a department; omitted fields stay as they are."""

    name: Annotated[str, Meta(min_length=1, max_length=200, description="机构名称 / department name")] | UnsetType = (
        UNSET
    )
    region_code: RegionCode | UnsetType = UNSET


class DepartmentRead(msgspec.Struct):
    id: uuid.UUID
    code: str
    name: str
    region_code: RegionCode
    created_at: dt.datetime


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    """新建用户 / create a user account; inspectors need their enforcement certificate number."""

    username: Username
    display_name: Annotated[ShortText, Meta(description="姓名 / name shown in records")]
    password: Password
    role: Role
    department_id: Annotated[uuid.UUID, Meta(description="所属实施机构 / department the user belongs to")]
    region_code: Annotated[
        RegionCode | None, Meta(description="行政区划代码，缺省取所属机构的 / region code, default the department's")
    ] = None
    certificate_no: Annotated[
        CertificateNo | None, Meta(description="执法证号，执法人员必填 / enforcement certificate, inspectors only")
    ] = None


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """修改用户 / change a user account; omitted fields stay as they are."""

    display_name: ShortText | UnsetType = UNSET
    password: Password | UnsetType = UNSET
    role: Role | UnsetType = UNSET
    department_id: uuid.UUID | UnsetType = UNSET
    region_code: RegionCode | UnsetType = UNSET
    certificate_no: CertificateNo | UnsetType | None = UNSET
    active: Annotated[bool, Meta(description="停用后不能登录 / false: the user can no longer sign in")] | UnsetType = (
        UNSET
    )


class DeviceRegister(msgspec.Struct, forbid_unknown_fields=True):
    """登记执法终端并绑定到执法人员 / register a handheld and bind it to an inspector."""

    id: DeviceId
    user_id: Annotated[uuid.UUID, Meta(description="绑定的执法人员 / the inspector it is bound to")]
    label: Annotated[str, Meta(max_length=200, description="备注，如型号 / free label, e.g. the model")] = ""


class DeviceBind(msgspec.Struct, forbid_unknown_fields=True):
    """改绑执法终端 / bind a handheld to another inspector."""

    user_id: uuid.UUID


class DeviceRead(msgspec.Struct):
    id: str
    user_id: uuid.UUID
    department_id: uuid.UUID
    label: str
    registered_at: dt.datetime
    revoked_at: dt.datetime | None = None
