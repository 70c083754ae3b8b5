"""Data scope: the one permission helper every read goes through.

A user sees the divisions whose codes start with one of their `scope_division_codes` (and everything
located inside them). An empty scope means nothing: a user sees the district only when given its code.
Only the superuser (an installation account) is unlimited; no role is unlimited by its role alone.
"""

from django.db.models import Q, QuerySet

from xiuhua.accounts.choices import DepartmentKind
from xiuhua.accounts.models import Department, User

# Division code lengths from the district down (GB/T 2260, town, community).
_ANCESTOR_LENGTHS = (6, 9)


def sees_everything(user: User) -> bool:
    """True only for the superuser: everyone else sees what their scope names, and an empty scope is nothing."""
    return bool(user.is_superuser)


def scope_prefixes(user: User) -> list[str]:
    """The division or unit grid code prefixes the user is limited to (empty = nothing), cleaned of blanks."""
    return [str(code).strip() for code in (user.scope_division_codes or []) if str(code).strip()]


def division_code_filter(user: User, field_path: str) -> Q:
    """A Q limiting `field_path` (a division code, e.g. "community__code") to the user's scope.

    Returns an empty Q (no restriction) only for the superuser; an empty scope matches no row. Rows
    with no division code at the path (e.g. a component outside every grid) are hidden from scoped users.
    """
    if sees_everything(user):
        return Q()
    condition = Q(pk__in=[])
    for prefix in scope_prefixes(user):
        condition |= Q(**{f"{field_path}__startswith": prefix})
    return condition


def sees_whole_district(user: User) -> bool:
    """Whether the user's scope names a whole district (or the user is the superuser).

    Things that belong to no place yet (a hotline order still waiting for its class) are the district's.
    """
    return sees_everything(user) or any(len(prefix) <= 6 for prefix in scope_prefixes(user))


def sees_division_code(user: User, code: str) -> bool:
    """Whether the user's scope covers a division with this code (or a point inside it)."""
    return sees_everything(user) or any(code.startswith(prefix) for prefix in scope_prefixes(user))


def department_visible(user: User, department: Department) -> bool:
    """`visible_departments`' rule for one department already in memory (the same three cases, in Python)."""
    if sees_everything(user) or department.kind != DepartmentKind.SUBDISTRICT:
        return True
    code = department.division_code or ""
    for prefix in scope_prefixes(user):
        if code.startswith(prefix) or code in [prefix[:n] for n in _ANCESTOR_LENGTHS if n < len(prefix)]:
            return True
    return False


def visible_departments(user: User, *, kind: str | None = None, active: bool | None = True) -> QuerySet[Department]:
    """Departments the user may see and dispatch to.

    Professional departments and companies serve the whole territory and are visible to everyone; a
    sub-district department is visible when its division lies inside the user's scope or contains it.
    """
    departments = Department.objects.all()
    if kind:
        departments = departments.filter(kind=kind)
    if active is not None:
        departments = departments.filter(active=active)
    if not sees_everything(user):
        overlapping = Q(pk__in=[])
        for prefix in scope_prefixes(user):
            overlapping |= Q(division_code__startswith=prefix)
            ancestors = [prefix[:n] for n in _ANCESTOR_LENGTHS if n < len(prefix)]
            if ancestors:
                overlapping |= Q(division_code__in=ancestors)
        departments = departments.filter(~Q(kind=DepartmentKind.SUBDISTRICT) | overlapping)
    return departments.order_by("kind", "name")
