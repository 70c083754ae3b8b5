"""Read API of the catalogue: case classes with register conditions, and the component inventory."""

from datetime import date
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from xiuhua.accounts.models import Department
from xiuhua.catalog import queries
from xiuhua.catalog.models import CaseClass, Component, RegisterCondition
from xiuhua.core.api_schemas import ERRORS
from xiuhua.territory.queries import parse_bbox

router = Router(tags=["catalog"])

KindParam = Literal["component", "event"]
StateParam = Literal["intact", "damaged", "lost", "discarded", "removed"]


class DepartmentRef(Schema):
    short_name: str
    name: str


def _department_ref(department: Department | None) -> dict[str, str] | None:
    if department is None:
        return None
    return {"short_name": department.short_name, "name": department.name}


# --- classes ------------------------------------------------------------------------------------------


class ClassFilters(Schema):
    kind: KindParam | None = Field(None, description="component 部件 或 event 事件")
    major: str | None = Field(None, description="大类代码（2 位）")
    q: str | None = Field(None, description="按小类代码开头、名称或大类名称查找")
    active: bool | None = Field(True, description="true 只列启用的分类（默认），false 只列停用的")


class ClassKindQuery(Schema):
    kind: KindParam | None = Field(None, description="component 或 event；代码两类都有时必填")


class HandlingLimit(Schema):
    value: int
    unit: str = Field(..., description="working_hours、working_days、urgent_hours 或 natural_days")
    label: str = Field(..., description="如「2 工作日」")


class RegisterConditionOut(Schema):
    id: int
    description: str = Field(..., description="立案条件")
    urgency: str
    urgency_label: str
    handling_limit: HandlingLimit
    close_condition: str = Field(..., description="结案条件")
    default_department: DepartmentRef | None


class CaseClassOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    major_code: str
    major_name: str
    standard_ref: str
    is_local: bool
    active: bool
    register_conditions: list[RegisterConditionOut]


def _condition_out(condition: RegisterCondition) -> dict[str, Any]:
    return {
        "id": condition.pk,
        "description": condition.description,
        "urgency": condition.urgency,
        "urgency_label": str(condition.get_urgency_display()),
        "handling_limit": {
            "value": condition.handling_limit_value,
            "unit": condition.handling_limit_unit,
            "label": condition.handling_limit_text,
        },
        "close_condition": condition.close_condition,
        "default_department": _department_ref(condition.default_department),
    }


def _class_out(case_class: CaseClass) -> dict[str, Any]:
    return {
        "code": case_class.code,
        "name": case_class.name,
        "kind": case_class.kind,
        "kind_label": str(case_class.get_kind_display()),
        "major_code": case_class.major_code,
        "major_name": case_class.major_name,
        "standard_ref": case_class.standard_ref,
        "is_local": case_class.is_local,
        "active": case_class.active,
        "register_conditions": [_condition_out(c) for c in case_class.register_conditions.all()],
    }


@router.get(
    "/classes",
    response={200: list[CaseClassOut], **ERRORS},
    summary="部件事件分类（含立案条件）",
    description="大类、小类及各小类的立案条件、处置时限、结案条件和默认处置部门。",
)
def list_classes(request: HttpRequest, filters: Query[ClassFilters]) -> list[dict[str, Any]]:
    classes = queries.find_classes(
        request.auth, kind=filters.kind, major=filters.major, q=filters.q, active=filters.active
    )
    return [_class_out(c) for c in classes]


@router.get(
    "/classes/{code}",
    response={200: CaseClassOut, **ERRORS},
    summary="一个分类小类",
    description="部件和事件的小类代码可能相同（如 01001），此时须用 kind 指定。",
)
def get_class(request: HttpRequest, code: str, options: Query[ClassKindQuery]) -> dict[str, Any]:
    return _class_out(queries.get_class(request.auth, code, options.kind))


# --- components ---------------------------------------------------------------------------------------


class ComponentPagination(LimitOffsetPagination):
    """limit/offset paging with a count; at most 1000 per page."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="每页条数（最多 1000）")
        offset: int = Field(0, ge=0, description="跳过的条数")


class ComponentFilters(Schema):
    bbox: str | None = Field(None, description="范围 minLng,minLat,maxLng,maxLat（WGS84）")
    class_code: str | None = Field(None, alias="class", description="小类代码（5 位）")
    grid: str | None = Field(None, description="单元网格编码（15 位）")
    state: StateParam | None = Field(
        None, description="状态：intact 完好、damaged 破损、lost 丢失、discarded 废弃、removed 移除"
    )
    department: str | None = Field(None, description="部门简码：主管、权属或养护单位之一")


class ComponentOut(Schema):
    code: str
    name: str
    class_code: str
    class_name: str
    major_name: str
    lng: float
    lat: float
    grid_code: str | None
    address: str
    state: str
    state_label: str
    supervising_department: DepartmentRef | None
    owning_department: DepartmentRef | None
    maintaining_department: DepartmentRef | None
    survey_date: date
    change_date: date | None
    data_source: str

    @staticmethod
    def resolve_class_code(obj: Component) -> str:
        return obj.case_class.code

    @staticmethod
    def resolve_class_name(obj: Component) -> str:
        return obj.case_class.name

    @staticmethod
    def resolve_major_name(obj: Component) -> str:
        return obj.case_class.major_name

    @staticmethod
    def resolve_grid_code(obj: Component) -> str | None:
        return obj.unit_grid.code if obj.unit_grid else None

    @staticmethod
    def resolve_state_label(obj: Component) -> str:
        return str(obj.get_state_display())


class ComponentDetailOut(ComponentOut):
    community_code: str | None
    community_name: str | None
    subdistrict_code: str | None
    subdistrict_name: str | None
    note: str
    attributes: dict[str, Any]

    @staticmethod
    def resolve_community_code(obj: Component) -> str | None:
        return obj.unit_grid.community.code if obj.unit_grid else None

    @staticmethod
    def resolve_community_name(obj: Component) -> str | None:
        return obj.unit_grid.community.name if obj.unit_grid else None

    @staticmethod
    def resolve_subdistrict_code(obj: Component) -> str | None:
        parent = obj.unit_grid.community.parent if obj.unit_grid else None
        return parent.code if parent else None

    @staticmethod
    def resolve_subdistrict_name(obj: Component) -> str | None:
        parent = obj.unit_grid.community.parent if obj.unit_grid else None
        return parent.name if parent else None


@router.get(
    "/components",
    response={200: list[ComponentOut], **ERRORS},
    summary="部件清单（分页）",
    description="本人数据范围内的部件普查数据，可按范围、小类、网格、状态、部门筛选；limit/offset 分页，count 为总数。",
)
@paginate(ComponentPagination)
def list_components(request: HttpRequest, filters: Query[ComponentFilters]) -> QuerySet[Component]:
    return queries.find_components(
        request.auth,
        bbox=parse_bbox(filters.bbox) if filters.bbox else None,
        class_code=filters.class_code,
        grid=filters.grid,
        state=filters.state,
        department=filters.department,
    )


@router.get(
    "/components/{code}",
    response={200: ComponentDetailOut, **ERRORS},
    summary="一个部件",
)
def get_component(request: HttpRequest, code: str) -> Component:
    return queries.get_component(request.auth, code)
