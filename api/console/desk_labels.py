"""Chinese names (中文名称) of the codes the desk pages show: case stages, procedure steps, review grounds …

Looked up per kind of code, ``{{ case.stage | zh("stage") }}``, not in the one table ``labels.label``
reads: codes of different kinds share values ("closed" is a case stage and an alert state) and a
StrEnum member equals its value, so one table would mix them up. Tables other modules already keep
for their documents and reports are reused here, not copied.
"""

from __future__ import annotations

from api.cases.deadlines import SPECS
from api.cases.machine import STAGE_ZH, STEP_ZH
from api.complaints.service import STATUS_NAMES
from api.custody.report import EVENT_ZH, OUTCOME_ZH, ROLE_ZH, STATUS_ZH
from api.discretion.benchmark import CIRCUMSTANCE_ZH
from api.documents.content import EVIDENCE_KIND_ZH, NO_PENALTY_ZH, RECORD_KIND_ZH, SERVICE_ZH, SOURCE_ZH
from api.documents.render import PENALTY_ZH, TITLES

REVIEW_GROUNDS = {
    "public_interest": "涉及重大公共利益", "hearing_held": "经过听证程序",
    "complex": "案件情况疑难复杂、涉及多个法律关系", "required_by_rule": "法律、法规规定应当审核",
    "discretion_deviation": "处罚超出裁量基准",
}  # fmt: skip
DEADLINE_STATUS = {
    "running": "进行中", "paused": "暂停计算", "met": "按期完成", "late": "超期完成", "ended": "已届满",
    "cancelled": "不再适用", "incalculable": "无法计算", "overdue": "已逾期", "due_soon": "即将到期",
}  # fmt: skip
CHANNELS = {
    "web": "网上", "phone": "电话", "letter": "来信", "visit": "来访", "hotline_12345": "12345 热线",
    "platform": "互联网+监管系统",
}  # fmt: skip
TABLES: dict[str, dict] = {
    "stage": STAGE_ZH, "step": STEP_ZH, "role": ROLE_ZH, "audit": EVENT_ZH, "review_ground": REVIEW_GROUNDS,
    "penalty": PENALTY_ZH, "circumstance": CIRCUMSTANCE_ZH, "no_penalty": NO_PENALTY_ZH, "service": SERVICE_ZH,
    "source": SOURCE_ZH, "evidence_kind": EVIDENCE_KIND_ZH, "evidence_status": STATUS_ZH,
    "check": OUTCOME_ZH | {"not_uploaded": "尚未上传"},
    "record_kind": RECORD_KIND_ZH, "document": TITLES, "deadline_status": DEADLINE_STATUS,
    "deadline": {rule: spec.title for rule, spec in SPECS.items()},
    "complaint_status": STATUS_NAMES, "channel": CHANNELS,
    "complaint_kind": {"complaint": "投诉", "report": "举报"},
}  # fmt: skip


def zh(code: object, kind: str) -> str:
    """The Chinese name of ``code`` in the table of ``kind``; an unknown code is shown as it is."""
    if code is None:
        return ""
    return TABLES[kind].get(code, str(code))
