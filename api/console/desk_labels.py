"""Chinese names (中文名称) of the codes the desk pages show: case stages, procedure steps, review grounds …

Looked up per kind of code, ``{{ case.stage | zh("stage") }}``, not in the one table ``labels.label``
reads: codes of different kinds share values ("closed" is a case stage and an alert state) and a
StrEnum member equals its value, so one table would mix them up. Tables other modules already keep
for their documents and reports are reused here, not copied.
"""

from __future__ import annotations

from api.cases.deadlines import SPECS
from api.cases.machine import STAGE_ZH
from api.custody.report import EVENT_ZH, OUTCOME_ZH, ROLE_ZH, STATUS_ZH
from api.discretion.benchmark import CIRCUMSTANCE_ZH
from api.documents.content import EVIDENCE_KIND_ZH, NO_PENALTY_ZH, RECORD_KIND_ZH, SERVICE_ZH, SOURCE_ZH
from api.documents.render import PENALTY_ZH, TITLES

STEPS = {
    "file": "立案", "refuse_filing": "不予立案", "revoke_filing": "撤销立案", "notify": "告知拟处罚",
    "record_statement": "记录陈述申辩", "request_hearing": "申请听证", "schedule_hearing": "安排听证",
    "conclude_hearing": "听证结束", "set_review_grounds": "确定法制审核事由", "require_discussion": "提请集体讨论",
    "submit_review": "提交法制审核", "hold_discussion": "集体讨论", "reinvestigate": "补充调查",
    "decide": "作出处罚决定", "not_penalise": "不予行政处罚", "serve": "送达", "start_execution": "开始执行",
    "close": "结案", "transfer": "移送", "suspend": "中止", "resume": "恢复", "start_appraisal": "开始鉴定",
    "end_appraisal": "鉴定结束", "extend_deadline": "延长期限", "apply_measure": "采取强制措施",
    "extend_measure": "延长强制措施", "release_measure": "解除强制措施", "annul": "撤销决定",
    "pass_review": "法制审核通过", "return_review": "法制审核退回", "publish": "公示",
    "withdraw_publication": "撤回公示",
}  # fmt: skip
REVIEW_GROUNDS = {
    "public_interest": "涉及重大公共利益", "hearing_held": "经过听证程序",
    "complex": "案件情况疑难复杂、涉及多个法律关系", "required_by_rule": "法律、法规规定应当审核",
    "discretion_deviation": "处罚超出裁量基准",
}  # fmt: skip
DEADLINE_STATUS = {
    "running": "进行中", "paused": "暂停计算", "met": "按期完成", "late": "超期完成", "ended": "已届满",
    "cancelled": "不再适用", "incalculable": "无法计算", "overdue": "已逾期", "due_soon": "即将到期",
}  # fmt: skip
COMPLAINT_STATUS = {
    "received": "已登记，待受理", "accepted": "已受理", "rejected": "不予受理", "transferred": "已转办",
    "handled": "已办结", "closed": "已反馈",
}  # fmt: skip
CHANNELS = {
    "web": "网上", "phone": "电话", "letter": "来信", "visit": "来访", "hotline_12345": "12345 热线",
    "platform": "互联网+监管系统",
}  # fmt: skip
TABLES: dict[str, dict] = {
    "stage": STAGE_ZH, "step": STEPS, "role": ROLE_ZH, "audit": EVENT_ZH, "review_ground": REVIEW_GROUNDS,
    "penalty": PENALTY_ZH, "circumstance": CIRCUMSTANCE_ZH, "no_penalty": NO_PENALTY_ZH, "service": SERVICE_ZH,
    "source": SOURCE_ZH, "evidence_kind": EVIDENCE_KIND_ZH, "evidence_status": STATUS_ZH,
    "check": OUTCOME_ZH | {"not_uploaded": "尚未上传"},
    "record_kind": RECORD_KIND_ZH, "document": TITLES, "deadline_status": DEADLINE_STATUS,
    "deadline": {rule: spec.title for rule, spec in SPECS.items()},
    "complaint_status": COMPLAINT_STATUS, "channel": CHANNELS,
    "complaint_kind": {"complaint": "投诉", "report": "举报"},
}  # fmt: skip


def zh(code: object, kind: str) -> str:
    """The Chinese name of ``code`` in the table of ``kind``; an unknown code is shown as it is."""
    if code is None:
        return ""
    return TABLES[kind].get(code, str(code))
