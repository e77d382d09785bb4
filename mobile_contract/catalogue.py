"""The supervision item catalogue (监管事项清单): what is supervised, by whom, how and on what basis.

Each item has a 14-digit code and a versioned content: a change keeps the
previous version with who changed it and when. Seeds 001 (10), 002 (一) and
003 (二) list the fields; seed 004 (一) asks for a responsible leader, unit
and person per item (事有人管、责有人负).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.types import ItemCode, Version

Text = Annotated[str, Meta(max_length=4000)]
Label = Annotated[str, Meta(max_length=200)]


class ItemKind(enum.StrEnum):
    """事项类型 / kind of administrative power."""

    LICENSING = "licensing"  # 行政许可
    PENALTY = "penalty"  # 行政处罚
    COERCION = "coercion"  # 行政强制
    INSPECTION = "inspection"  # 行政检查
    LEVY = "levy"  # 行政征收
    PAYMENT = "payment"  # 行政给付
    CONFIRMATION = "confirmation"  # 行政确认
    REWARD = "reward"  # 行政奖励
    RULING = "ruling"  # 行政裁决
    OTHER_POWER = "other_power"  # 其他行政权力
    PUBLIC_SERVICE = "public_service"  # 公共服务


ITEM_KIND_LABELS = {
    ItemKind.LICENSING: "行政许可",
    ItemKind.PENALTY: "行政处罚",
    ItemKind.COERCION: "行政强制",
    ItemKind.INSPECTION: "行政检查",
    ItemKind.LEVY: "行政征收",
    ItemKind.PAYMENT: "行政给付",
    ItemKind.CONFIRMATION: "行政确认",
    ItemKind.REWARD: "行政奖励",
    ItemKind.RULING: "行政裁决",
    ItemKind.OTHER_POWER: "其他行政权力",
    ItemKind.PUBLIC_SERVICE: "公共服务",
}


class ChangeType(enum.StrEnum):
    """变更类型: what the reform did to the approval, which decides how it is supervised (seed 004, 二)."""

    RETAINED = "retained"  # 保留
    CANCELLED = "cancelled"  # 取消
    ADJUSTED = "adjusted"  # 调整（权限）
    DELEGATED = "delegated"  # 下放、委托实施
    TAKEN_OVER = "taken_over"  # 承接
    FILING = "filing"  # 改为备案
    COMMITMENT = "commitment"  # 告知承诺


CHANGE_TYPE_LABELS = {
    ChangeType.RETAINED: "保留",
    ChangeType.CANCELLED: "取消",
    ChangeType.ADJUSTED: "调整",
    ChangeType.DELEGATED: "下放",
    ChangeType.TAKEN_OVER: "承接",
    ChangeType.FILING: "改为备案",
    ChangeType.COMMITMENT: "告知承诺",
}


class Level(enum.StrEnum):
    """监管层级 / administrative level of the item."""

    NATIONAL = "national"  # 国家级
    PROVINCIAL = "provincial"  # 省级
    CITY = "city"  # 市级
    COUNTY = "county"  # 县级


LEVEL_LABELS = {Level.NATIONAL: "国家级", Level.PROVINCIAL: "省级", Level.CITY: "市级", Level.COUNTY: "县级"}


class CatalogueItemContent(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One catalogue item's content; every change stores a new version of it."""

    name: Annotated[str, Meta(min_length=1, max_length=500, description="事项名称 / item name")]
    kind: Annotated[ItemKind, Meta(description="事项类型 / kind")]
    change_type: Annotated[ChangeType, Meta(description="变更类型 / what the reform changed")]
    supervising_subject: Annotated[Label, Meta(description="监管主体（实施部门）/ supervising department")] = ""
    supervised_object: Annotated[Text, Meta(description="监管对象 / who is supervised")] = ""
    measures_preamble: Annotated[Text, Meta(description="措施引言 / text before the numbered measures")] = ""
    measures: Annotated[
        list[Annotated[str, Meta(min_length=1, max_length=4000)]],
        Meta(min_length=1, max_length=50, description="监管措施，逐条 / supervision measures, one per entry"),
    ]
    legal_basis: Annotated[Text, Meta(description="设定依据 / legal basis")] = ""
    handling: Annotated[Text, Meta(description="处理方式 / how findings are handled")] = ""
    level: Annotated[Level | None, Meta(description="监管层级 / level")] = None
    feedback: Annotated[Text, Meta(description="反馈机制 / feedback mechanism")] = ""
    responsible_leader: Annotated[Label, Meta(description="分管负责人 / responsible leader")] = ""
    responsible_unit: Annotated[Label, Meta(description="承办机构 / responsible unit")] = ""
    responsible_person: Annotated[Label, Meta(description="承办人员 / responsible person")] = ""
    remark: Annotated[Text, Meta(description="备注说明 / remark")] = ""
    withdrawn_on: Annotated[dt.date | None, Meta(description="停止监管日期 / withdrawn from the catalogue")] = None


class CatalogueItemCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """新增监管事项 / add an item to the caller's department's catalogue."""

    code: ItemCode
    content: CatalogueItemContent


class CatalogueItemUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """修改监管事项 (names the version it is based on) / change an item."""

    base_version: Version
    content: CatalogueItemContent


class CatalogueItemRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    code: str
    department_id: uuid.UUID
    version: Version
    content: CatalogueItemContent
    content_sha256: str
    created_by: uuid.UUID
    created_at: dt.datetime
    updated_by: Annotated[uuid.UUID, Meta(description="最后修改人 / who made this version")]
    updated_at: dt.datetime


class CatalogueItemVersion(msgspec.Struct, kw_only=True):
    """历史版本 / one stored version with who made it."""

    version: Version
    content: CatalogueItemContent
    content_sha256: str
    changed_by: uuid.UUID
    changed_at: dt.datetime


class ImportFormat(enum.StrEnum):
    SEED_TABLE = "seed_table"  # 加强事中事后监管措施表（制表符分隔、合并单元格）
    CSV = "csv"  # 逗号分隔，表头见 docs/catalogue-and-credit.md


class CatalogueImport(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """导入监管事项清单 / import a catalogue table; all rows or none."""

    format: ImportFormat
    text: Annotated[str, Meta(min_length=1, max_length=5_000_000, description="表格全文 / the table's text")]
    code_prefix: (
        Annotated[
            str,
            Meta(
                pattern=r"^\d{8}$",
                description="编码前缀（8位，如行政区划码+清单号）；措施表无编码，按“前缀+6位序号”生成"
                " / 8-digit prefix: seed tables carry no codes, so code = prefix + 6-digit row number",
            ),
        ]
        | None
    ) = None


class ImportOutcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"  # a new version
    UNCHANGED = "unchanged"


class ImportedItem(msgspec.Struct, kw_only=True):
    code: str
    name: str
    outcome: ImportOutcome
    version: int


class ImportResult(msgspec.Struct, kw_only=True):
    """导入结果 / what the import did, and cells it filled from a merged cell above."""

    created: int
    updated: int
    unchanged: int
    items: list[ImportedItem]
    notes: Annotated[list[str], Meta(description="合并单元格等说明 / notes for a human to check")]


class CataloguePage(msgspec.Struct):
    items: list[CatalogueItemRead]
    next_cursor: str | None = None
