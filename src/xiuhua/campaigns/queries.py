"""Who sees and who may change a campaign.

Leaders and commanders whose scope covers the campaign's district manage it, and so do the users of its lead
units. Users of a unit that answers for a task (its responsible unit, the sub-district's department, or the unit
of a task above it) edit that task only. Everyone whose scope overlaps the district reads, and so do the users
of the campaign's units and its task-force members (a professional department's users have no area scope).
An empty scope sees nothing beyond what the user's own unit takes part in.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xiuhua.accounts.choices import DepartmentKind, Role
from xiuhua.accounts.models import Department, User
from xiuhua.accounts.queries import scope_prefixes, sees_everything
from xiuhua.campaigns.choices import CampaignStatus
from xiuhua.campaigns.models import Campaign, CampaignTask

MANAGING_ROLES = (Role.LEADER, Role.COMMANDER)


def _scope_overlaps_district(user: User) -> Q:
    """Campaigns whose district lies inside a scope prefix, or contains it (a sub-district's people read it)."""
    condition = Q(pk__in=[])
    for prefix in scope_prefixes(user):
        condition |= Q(district__code__startswith=prefix) | Q(district__code=prefix[:6])
    return condition


def _unit_takes_part(user: User) -> Q:
    condition = Q(members=user) if user.pk else Q(pk__in=[])
    if user.department_id:
        unit = user.department_id
        condition |= Q(lead_units=unit) | Q(partner_units=unit) | Q(tasks__responsible_unit=unit)
    return condition


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    if not getattr(user, "is_authenticated", False):
        return Campaign.objects.none()
    if sees_everything(user):
        return Campaign.objects.all()
    ids = Campaign.objects.filter(_scope_overlaps_district(user) | _unit_takes_part(user)).values("pk")
    return Campaign.objects.filter(pk__in=ids)


def covers_district(user: User, campaign: Campaign) -> bool:
    code = campaign.district.code
    return sees_everything(user) or any(code.startswith(prefix) for prefix in scope_prefixes(user))


def is_lead_unit_user(user: User, campaign: Campaign) -> bool:
    return bool(user.department_id) and campaign.lead_units.filter(pk=user.department_id).exists()


def can_manage(user: User, campaign: Campaign) -> bool:
    """Leaders and commanders covering the district, or users of a lead unit."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if sees_everything(user):
        return True
    if user.role in MANAGING_ROLES and covers_district(user, campaign):
        return True
    return is_lead_unit_user(user, campaign)


def can_create_campaign(user: User, district_code: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if sees_everything(user):
        return True
    return user.role in MANAGING_ROLES and any(district_code.startswith(p) for p in scope_prefixes(user))


def answering_units(task: CampaignTask) -> set[int]:
    """The departments that answer for a task: its responsible unit and its sub-district's department, and the
    same of every task above it (a unit answering for 2 answers for 2.1)."""
    units: set[int] = set()
    node: CampaignTask | None = task
    while node is not None:
        if node.responsible_unit_id:
            units.add(node.responsible_unit_id)
        if node.subdistrict_id:
            units.update(
                Department.objects.filter(
                    kind=DepartmentKind.SUBDISTRICT, division_code=node.subdistrict.code
                ).values_list("pk", flat=True)
            )
        node = node.parent
    return units


def can_edit_task(user: User, task: CampaignTask) -> bool:
    """Managers of the campaign, or users of a unit answering for the task."""
    if can_manage(user, task.campaign):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.department_id:
        return False
    return user.department_id in answering_units(task)


def public_campaigns() -> QuerySet[Campaign]:
    """Campaigns published to the public (三公开); never drafts."""
    return Campaign.objects.filter(public=True).exclude(status=CampaignStatus.DRAFT)
