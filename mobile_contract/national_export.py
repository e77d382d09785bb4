"""Export of supervision actions in the national '互联网+监管' field set (行政检查 / 行政处罚 / 行政强制).

Each row is one inspection, penalty or coercive-measure record. Rows are
validated before export: a 14-digit supervision item code (监管事项编码), a
valid USCC or citizen ID number for the party (with check characters), the
report time (报送时间) after the action time, and every officer's
enforcement certificate number (执法证号). ``GET /exports/supervision-actions``
answers 422 naming every invalid row, or with ``skip_invalid=true`` exports
the valid rows and lists the rejected ones.

Field names follow the platform's data items as this project maps them
(English keys; the CSV header carries the Chinese names); check the province's
current interface specification before connecting.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.problems import FieldError


class ExportFormat(enum.StrEnum):
    JSON = "json"
    CSV = "csv"


class PartyCodeType(enum.StrEnum):
    USCC = "uscc"  # 统一社会信用代码
    ID_NUMBER = "id_number"  # 公民身份号码


class ActionRow(msgspec.Struct, kw_only=True):
    """一条监管行为 / one supervision action in the national field set."""

    action_id: Annotated[uuid.UUID, Meta(description="行为编号")]
    action_kind: Annotated[
        str, Meta(description="行为类别：inspection 行政检查 / penalty 行政处罚 / coercive_measure 行政强制")
    ]
    item_code: Annotated[str, Meta(description="监管事项编码（14位）")]
    organ_name: Annotated[str, Meta(description="实施机构名称")]
    organ_code: Annotated[str, Meta(description="实施机构编码")]
    region_code: Annotated[str, Meta(description="行政区划代码")]
    party_name: Annotated[str, Meta(description="监管对象名称")]
    party_code_type: Annotated[PartyCodeType, Meta(description="监管对象证件类型")]
    party_code: Annotated[str, Meta(description="统一社会信用代码或身份证号码")]
    action_time: Annotated[dt.datetime, Meta(description="行为时间")]
    place: Annotated[str, Meta(description="行为地点")]
    result: Annotated[str, Meta(description="行为结果")]
    officer_names: Annotated[list[str], Meta(description="执法人员姓名")]
    certificate_nos: Annotated[list[str], Meta(description="执法证号")]
    decision_no: Annotated[str, Meta(description="决定书文号（处罚）")] = ""
    penalty_kinds: Annotated[list[str], Meta(description="处罚种类")] = []
    fine_yuan: Annotated[str, Meta(description="罚款金额（元）")] = ""
    measure_kind: Annotated[str, Meta(description="强制措施种类")] = ""
    reported_at: Annotated[dt.datetime, Meta(description="报送时间")]


CSV_HEADERS = {
    "action_id": "行为编号", "action_kind": "行为类别", "item_code": "监管事项编码", "organ_name": "实施机构名称",
    "organ_code": "实施机构编码", "region_code": "行政区划代码", "party_name": "监管对象名称",
    "party_code_type": "证件类型", "party_code": "证件号码", "action_time": "行为时间", "place": "行为地点",
    "result": "行为结果", "officer_names": "执法人员", "certificate_nos": "执法证号", "decision_no": "决定书文号",
    "penalty_kinds": "处罚种类", "fine_yuan": "罚款金额（元）", "measure_kind": "强制措施种类",
    "reported_at": "报送时间",
}  # fmt: skip


class RejectedRow(msgspec.Struct, kw_only=True):
    action_id: uuid.UUID
    errors: list[FieldError]


class ActionExport(msgspec.Struct, kw_only=True):
    reported_at: dt.datetime
    rows: list[ActionRow]
    rejected: list[RejectedRow]
