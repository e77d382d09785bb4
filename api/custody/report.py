"""A chain-of-custody report (保管链报告) for one evidence item or a whole case.

Each row is one audit entry about the items (their own entries, and the create/update entries of
the records that declared them), in chain order, one to one: the person by name, role in Chinese,
执法证号 and device, the time in China time (Asia/Shanghai), and the SHA-256 the server held for the
item at that moment (the declared hash, or what the stored bytes hashed to at the latest check
before the entry). Before them, for each item, the device's own capture event, marked as reported
by the device: it is in the record's declaration, not an audit entry of its own.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import asyncpg
import msgspec

from api.cases.clock import CHINA
from api.documents.content import EVIDENCE_KIND_ZH
from mobile_contract.auth import Role

ROLE_ZH = {
    Role.INSPECTOR: "执法人员", Role.MONITORING_OPERATOR: "监控中心值班员", Role.LEGAL_REVIEWER: "法制审核人员",
    Role.SUPERVISOR: "监管负责人", Role.ADMIN: "系统管理员", Role.VISION_NODE: "视频分析节点",
    Role.APPROVAL_BUREAU: "行政审批服务局", Role.COMPLAINT_OFFICER: "投诉举报受理员",
    "cli": "本机管理员（命令行）", "share_recipient": "共享接收方", "system": "系统",
}  # fmt: skip
EVENT_ZH = {
    "record.create": "登记（随记录提交）", "record.update": "记录修改", "evidence.upload_ticket": "申请上传",
    "evidence.part_urls": "分片上传", "evidence.upload_progress": "查询上传进度", "evidence.finalize": "上传完成并核验",
    "evidence.verify": "复核", "evidence.read": "查看", "evidence.access": "查看", "evidence.download": "下载",
    "evidence.export": "导出证据包", "evidence.shared": "共享给检察院/法院", "evidence.share_access": "共享接收方取用",
    "evidence.custody_report": "生成保管链报告", "evidence.withheld": "标记不予披露",
    "evidence.disclosed": "取消不予披露", "evidence.publication_image": "公示照片脱敏（读取原件）",
}  # fmt: skip
CAPTURED = "采集（设备记录）"
STATUS_ZH = {"declared": "已登记，未上传", "uploading": "上传中", "verified": "已核验", "failed": "核验失败"}
NOTE_ZH = {"outcome": "结果", "reason": "理由", "case_id": "案件", "recipient": "接收人", "expires_at": "有效期至"}
OUTCOME_ZH = {"ok": "一致", "mismatch": "不一致", "missing": "对象缺失", "unreadable": "无法读取",
              "already-verified": "此前已核验"}  # fmt: skip


class CustodyEvent(msgspec.Struct, frozen=True, kw_only=True):
    """保管链中的一个事件 / one event; ``seq`` is the audit entry's number (None: the device's capture)."""

    seq: int | None
    event: str
    action: str
    at: str
    items: list[str]
    person: str
    role: str
    certificate_no: str
    device: str
    sha256: str
    note: str


class CustodyItem(msgspec.Struct, frozen=True, kw_only=True):
    label: str
    evidence_id: uuid.UUID
    kind: str
    description: str
    declared_sha256: str
    status: str


class CustodyReport(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    organ: str
    subject: str
    generated_at: str
    items: list[CustodyItem]
    events: list[CustodyEvent]


def local_time(at: dt.datetime) -> str:
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def build(
    *, organ: str, subject: str, items: list[asyncpg.Record], events: list[asyncpg.Record], checks: list[asyncpg.Record]
) -> CustodyReport:
    labels = {i["id"]: f"证据{n}" for n, i in enumerate(items, start=1)}
    by_record: dict[uuid.UUID, list[asyncpg.Record]] = {}
    for item in items:
        by_record.setdefault(item["record_id"], []).append(item)
    rows = [_captured(i, labels[i["id"]]) for i in items]
    rows += [_event(e, _items_of(e, by_record), labels, checks) for e in events]
    return CustodyReport(
        title="证据保管链报告",
        organ=organ,
        subject=subject,
        generated_at=local_time(dt.datetime.now(dt.UTC)),
        items=[_item(i, labels[i["id"]]) for i in items],
        events=rows,
    )


def _item(item: asyncpg.Record, label: str) -> CustodyItem:
    return CustodyItem(
        label=label,
        evidence_id=item["id"],
        kind=EVIDENCE_KIND_ZH.get(item["kind"], item["kind"]),
        description=item["description"],
        declared_sha256=item["sha256"],
        status=STATUS_ZH.get(item["status"], item["status"]),
    )


def _captured(item: asyncpg.Record, label: str) -> CustodyEvent:
    return CustodyEvent(
        seq=None,
        event=CAPTURED,
        action="captured",
        at=local_time(item["captured_at"]),
        items=[label],
        person="—",
        role="—",
        certificate_no="—",
        device=item["device_id"],
        sha256=item["sha256"],
        note="设备端拍摄时间与哈希，见登记记录",
    )


def _items_of(entry: asyncpg.Record, by_record: dict[uuid.UUID, list[asyncpg.Record]]) -> list[asyncpg.Record]:
    entity = uuid.UUID(entry["entity_id"])
    if entry["entity_type"] == "record":
        return by_record.get(entity, [])
    return [next(i for items in by_record.values() for i in items if i["id"] == entity)]


def _event(
    entry: asyncpg.Record, items: list[asyncpg.Record], labels: dict[uuid.UUID, str], checks: list[asyncpg.Record]
) -> CustodyEvent:
    detail = json.loads(entry["detail"] or "{}")
    return CustodyEvent(
        seq=entry["seq"],
        event=_event_name(entry["action"], detail),
        action=entry["action"],
        at=local_time(entry["occurred_at"]),
        items=[labels[i["id"]] for i in items],
        person=_person(entry, detail),
        role=ROLE_ZH.get(entry["actor_role"], entry["actor_role"]),
        certificate_no=entry["certificate_no"] or "—",
        device=_device(entry),
        sha256="；".join(_hash_at(i, entry["occurred_at"], checks) for i in items),
        note=_note(detail),
    )


def _event_name(action: str, detail: dict) -> str:
    if action == "evidence.legal_hold":
        return "设置法律保全" if detail.get("enabled") else "解除法律保全"
    return EVENT_ZH.get(action, action)


def _person(entry: asyncpg.Record, detail: dict) -> str:
    if entry["display_name"]:
        return entry["display_name"]
    if detail.get("recipient"):
        return f"{detail['recipient']}（{detail.get('recipient_organ', '')}）"
    return f"本机账户 {detail['os_user']}" if detail.get("os_user") else "系统"


def _device(entry: asyncpg.Record) -> str:
    if not entry["device_id"]:
        return "—"
    return f"{entry['device_id']}（{entry['device_label']}）" if entry["device_label"] else entry["device_id"]


def _hash_at(item: asyncpg.Record, at: dt.datetime, checks: list[asyncpg.Record]) -> str:
    """The declared hash, unless a check at or before ``at`` found the stored bytes hash otherwise."""
    earlier = [c for c in checks if c["evidence_id"] == item["id"] and c["checked_at"] <= at]
    found = earlier[-1]["actual_sha256"] if earlier and earlier[-1]["outcome"] != "ok" else None
    return found or item["sha256"]


def _note(detail: dict) -> str:
    shown = {k: OUTCOME_ZH.get(detail[k], detail[k]) if k == "outcome" else detail[k] for k in NOTE_ZH if detail.get(k)}
    return "；".join(f"{NOTE_ZH[k]}：{v}" for k, v in shown.items())
