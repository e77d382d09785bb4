"""The department's document settings (文书设置): what decisions must state that no case holds.

Admins set any department's; a supervisor (负责人) sets their own. Every change is audited with
the hashes of the settings before and after.
"""

from __future__ import annotations

import uuid

import msgspec

from api.audit import trail
from api.auth.principal import Principal
from mobile_contract.documents import DocumentSettings
from mobile_contract.problems import FieldError, InvalidInput, NotFound
from storage import numbered_documents, users
from storage.db import Connection

TEXT_LIMITS = {
    "review_body": ("行政复议机关", 4, 100), "court": ("人民法院", 4, 100), "payment_bank": ("代收银行", 4, 100),
    "payment_account_name": ("收款户名", 2, 100), "address": ("机关地址", 0, 200),
}  # fmt: skip
ACCOUNT_DIGITS = (8, 32)
PHONE_DIGITS = (7, 20)


def problems(data: DocumentSettings) -> list[FieldError]:
    """What is wrong with ``data``, in words a clerk can act on; empty when it is valid."""
    errors = [
        FieldError(field, f"{name}应为{low}至{high}个字")
        for field, (name, low, high) in TEXT_LIMITS.items()
        if not low <= len(getattr(data, field).strip()) <= high
    ]
    if data.court.strip() and not data.court.strip().endswith("人民法院"):
        errors.append(FieldError("court", "请填写人民法院的全称，如：某区人民法院"))
    account = data.payment_account_no.replace(" ", "")
    if not (account.isdigit() and ACCOUNT_DIGITS[0] <= len(account) <= ACCOUNT_DIGITS[1]):
        errors.append(FieldError("payment_account_no", "收款账号应为8至32位数字（可含空格）"))
    phone = data.phone.replace("-", "").replace(" ", "")
    if phone and not (phone.isdigit() and PHONE_DIGITS[0] <= len(phone) <= PHONE_DIGITS[1]):
        errors.append(FieldError("phone", "联系电话应为7至20位数字，可含“-”"))
    return errors


async def read(conn: Connection, principal: Principal, department_id: uuid.UUID) -> DocumentSettings:
    _require_scope(principal, department_id)
    row = await numbered_documents.document_settings(conn, department_id=department_id)
    if row is None:
        raise NotFound("本单位尚未填写文书设置", f"no document settings for department {department_id}")
    return msgspec.convert(dict(row), DocumentSettings)


async def save(
    conn: Connection, principal: Principal, department_id: uuid.UUID, data: DocumentSettings
) -> DocumentSettings:
    _require_scope(principal, department_id)
    if await users.get_department(conn, id=department_id) is None:
        raise NotFound("实施机构不存在", f"department {department_id} not found")
    if errors := problems(data):
        raise InvalidInput("文书设置有误，请按字段提示修改", "document settings invalid", errors=errors)
    values = {k: v.strip() for k, v in msgspec.structs.asdict(data).items()}
    before = await numbered_documents.save_document_settings(
        conn, department_id=department_id, values=values, by=principal.user_id
    )
    await trail.record(
        conn,
        principal,
        action="department.document_settings",
        entity_type="department",
        entity_id=str(department_id),
        department_id=department_id,
        before=dict(before) if before else None,
        after=values,
    )
    return msgspec.convert(values, DocumentSettings)


def _require_scope(principal: Principal, department_id: uuid.UUID) -> None:
    if not principal.can_see_department(department_id):
        raise NotFound("实施机构不存在或不属于本单位", f"department {department_id} not in scope")
