"""Permission-checked reads of the catalogue: classes with their register conditions, components.

The classification is the same for everyone; components are limited to the user's data scope through
their unit grid's community (`xiuhua.accounts.queries.division_code_filter`).
"""

import re

from django.db.models import Prefetch, Q, QuerySet

from xiuhua.accounts.models import User
from xiuhua.accounts.queries import division_code_filter
from xiuhua.catalog.choices import ClassKind
from xiuhua.catalog.models import CaseClass, Component, RegisterCondition
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.territory.queries import BBox, check_grid_code

CLASS_CODE_PATTERN = r"^\d{5}$"
MAJOR_CODE_PATTERN = r"^\d{2}$"
COMPONENT_CODE_PATTERN = r"^(\d{17}|\d{16})$"
KIND_LABELS = {ClassKind.COMPONENT: "部件", ClassKind.EVENT: "事件"}


def _with_conditions(classes: QuerySet[CaseClass]) -> QuerySet[CaseClass]:
    conditions = RegisterCondition.objects.filter(active=True).select_related("default_department")
    return classes.prefetch_related(Prefetch("register_conditions", queryset=conditions))


def find_classes(
    user: User,
    *,
    kind: str | None = None,
    major: str | None = None,
    q: str | None = None,
    active: bool | None = True,
) -> QuerySet[CaseClass]:
    """Classes with their active register conditions prefetched; `q` matches code, name or major name."""
    classes = CaseClass.objects.all()
    if kind:
        classes = classes.filter(kind=kind)
    if major:
        if not re.match(MAJOR_CODE_PATTERN, major):
            raise DomainError(f"大类代码「{major}」格式不正确，应为 2 位数字", code="invalid_code")
        classes = classes.filter(major_code=major)
    if q and q.strip():
        text = q.strip()
        classes = classes.filter(Q(code__startswith=text) | Q(name__icontains=text) | Q(major_name__icontains=text))
    if active is not None:
        classes = classes.filter(active=active)
    return _with_conditions(classes).order_by("kind", "code", "standard_ref")


def get_class(user: User, code: str, kind: str | None = None) -> CaseClass:
    """One class by its 5-digit code. Components and events share codes, so `kind` may be needed."""
    if not re.match(CLASS_CODE_PATTERN, code):
        raise DomainError(f"分类代码「{code}」格式不正确，应为 5 位数字", code="invalid_code")
    classes = CaseClass.objects.filter(code=code)
    if kind:
        classes = classes.filter(kind=kind)
    found = list(_with_conditions(classes).order_by("-active", "kind", "-standard_ref"))
    if not found:
        what = f"{KIND_LABELS[ClassKind(kind)]}小类" if kind else "分类"
        raise NotFound(f"未找到{what}「{code}」")
    preferred = [c for c in found if c.active] or found
    kinds = {c.kind for c in preferred}
    if len(kinds) > 1:
        raise DomainError(
            f"代码「{code}」既是部件小类也是事件小类，请加参数 kind=component 或 kind=event",
            code="ambiguous_class",
        )
    return preferred[0]


def visible_components(user: User) -> QuerySet[Component]:
    return Component.objects.filter(division_code_filter(user, "unit_grid__community__code"))


def find_components(
    user: User,
    *,
    bbox: BBox | None = None,
    class_code: str | None = None,
    grid: str | None = None,
    state: str | None = None,
    department: str | None = None,
) -> QuerySet[Component]:
    """Components in the user's scope; `department` is a short code matching any of the three owners."""
    components = visible_components(user)
    if bbox is not None:
        components = components.filter(bbox.containing_points())
    if class_code:
        if not re.match(CLASS_CODE_PATTERN, class_code):
            raise DomainError(f"分类代码「{class_code}」格式不正确，应为 5 位数字", code="invalid_code")
        components = components.filter(case_class__code=class_code)
    if grid:
        components = components.filter(unit_grid__code=check_grid_code(grid))
    if state:
        components = components.filter(state=state)
    if department:
        components = components.filter(
            Q(maintaining_department__short_name=department)
            | Q(owning_department__short_name=department)
            | Q(supervising_department__short_name=department)
        )
    return _component_related(components).order_by("code")


def _component_related(components: QuerySet[Component]) -> QuerySet[Component]:
    return components.select_related(
        "case_class",
        "unit_grid__community__parent",
        "supervising_department",
        "owning_department",
        "maintaining_department",
    )


def get_component(user: User, code: str) -> Component:
    if not re.match(COMPONENT_CODE_PATTERN, code):
        raise DomainError(f"部件编码「{code}」格式不正确，应为 17 位数字", code="invalid_code")
    component = _component_related(visible_components(user)).filter(code=code).first()
    if component is None:
        raise NotFound(f"未找到部件「{code}」")
    return component
