"""Request bodies of the campaigns API's writes (JSON, or a form when evidence files come along)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field
from pydantic import BaseModel, ConfigDict

DECIMAL = {"ge": 0, "le": Decimal("9999999999"), "max_digits": 12, "decimal_places": 2}


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CampaignBody(Body):
    code: str = Field(..., max_length=32, description="编号（同一年内唯一）")
    year: int = Field(..., ge=2000, le=2100)
    name: str = Field(..., max_length=100)
    district_code: str = Field(..., max_length=12, description="所属区县代码")
    starts_on: date
    ends_on: date
    goal: str = Field("", max_length=20_000)
    scope_text: str = Field("", max_length=20_000, description="整治范围与对象（三公开）")
    result_text: str = Field("", max_length=20_000, description="整治结果（三公开）")
    lead_units: list[str] = Field(default_factory=list, max_length=50, description="牵头单位简码")
    partner_units: list[str] = Field(default_factory=list, max_length=200, description="配合单位简码")
    members: list[str] = Field(default_factory=list, max_length=200, description="专班成员账号")
    public: bool = False
    status: str = Field("active", description="draft | active | ended")


class PhaseBody(Body):
    name: str = Field(..., max_length=50)
    starts_on: date
    ends_on: date
    plan_percent: Decimal = Field(Decimal(100), ge=0, le=100, decimal_places=1)


class TaskBody(Body):
    code: str = Field(..., max_length=20, description="序号，如 2.3")
    name: str = Field(..., max_length=200)
    description: str = Field("", max_length=20_000)
    parent_code: str = Field("", max_length=20, description="上级任务序号")
    responsible_unit: str = Field("", max_length=32, description="责任单位简码")
    subdistrict_code: str = Field("", max_length=12, description="街镇区划代码")
    due_on: date | None = None
    weight: Decimal = Field(Decimal(1), ge=0, le=9999, decimal_places=2)


class RuleBody(Body):
    class_codes: list[str] = Field(default_factory=list, max_length=200, description="小类代码或大类代码")
    division_codes: list[str] = Field(default_factory=list, max_length=200)
    grid_codes: list[str] = Field(default_factory=list, max_length=2000)
    area_geojson: str = Field("", max_length=1_000_000, description="手绘范围（GeoJSON 多边形）")
    sources: list[str] = Field(default_factory=list, max_length=50, description="来源渠道")
    counts: str = Field("closed", description="计数口径：reported | registered | dispatched | closed …")
    out_of: str = Field("", description="比率的分母口径（计数类留空）")
    tagged: str = Field("also", description="手工关联案卷：also | only | ignore")


class TargetBody(Body):
    name: str = Field(..., max_length=200)
    measure: str = Field(..., description="case_count | case_rate | case_trend | list_rate | recurrence | …")
    goal: Decimal = Field(..., **DECIMAL)
    comparator: str = Field("gte", description="gte 不少于 | lte 不超过")
    unit_label: str = Field("", max_length=10)
    baseline: Decimal | None = Field(None, **DECIMAL)
    baseline_from: date | None = None
    baseline_to: date | None = None
    starts_on: date | None = None
    due_on: date
    plan_curve: str = Field("linear", description="linear | phases")
    weight: Decimal = Field(Decimal(1), ge=0, le=9999, decimal_places=2)
    frequency: str = Field("", description="week | month | quarter | year（定期开展的目标）")
    per_period: int | None = Field(None, ge=1, le=1000)
    rule: RuleBody | None = Field(None, description="按案件测量的目标必填")


class TagBody(Body):
    case: str = Field(..., max_length=20, description="案卷号")
    note: str = Field("", max_length=200)


class LinkBody(Body):
    case: str = Field("", max_length=20, description="关联案卷号")
    work_order: str = Field("", max_length=64, description="关联工单号（热线）")


class NoteBody(Body):
    note: str = Field("", max_length=20_000)


class RecordBody(Body):
    held_on: date
    title: str = Field(..., max_length=200)
    unit_codes: list[str] = Field(default_factory=list, max_length=100, description="参加单位简码")
    people: int = Field(0, ge=0, le=1_000_000, description="人次")
    findings: str = Field("", max_length=20_000)


class EntryBody(Body):
    value: Decimal = Field(..., **DECIMAL)
    occurred_on: date
    note: str = Field("", max_length=20_000)
    points_geojson: str = Field("", max_length=1_000_000)


class ReviewBody(Body):
    accept: bool = Field(..., description="true 通过，false 退回（须说明理由）")
    note: str = Field("", max_length=2000)
