"""Every write of the campaigns domain: campaigns, phases, tasks, targets with their case rules, tagged cases.

Each function checks the actor's right (queries.can_manage / can_edit_task), validates everything before it
writes, writes in one transaction with its audit row, and locks the row it reads before changing it. The list
items, activity records and entries live in `campaigns.items` and `campaigns.entries` and are re-exported here,
so callers find every write in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from xiuhua.accounts.models import Department, User
from xiuhua.campaigns.choices import CampaignStatus
from xiuhua.campaigns.entries import add_record, enter_value, review_entry  # noqa: F401  (re-exported)
from xiuhua.campaigns.guards import require_edit, require_manage
from xiuhua.campaigns.items import import_items, link_item, resolve_item  # noqa: F401  (re-exported)
from xiuhua.campaigns.models import Campaign, CampaignCase, CampaignPhase, CampaignTask, CaseRule, Target
from xiuhua.campaigns.queries import can_create_campaign
from xiuhua.campaigns.tallies import mark_campaign_stale
from xiuhua.campaigns.target_checks import RuleInput, TargetInput, check_target  # noqa: F401  (RuleInput re-exported)
from xiuhua.cases.models import Case
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError, NotFound, PermissionDenied
from xiuhua.core.limits import check_length
from xiuhua.territory.models import Division


@dataclass
class CampaignInput:
    code: str
    year: int
    name: str
    district_code: str
    starts_on: date
    ends_on: date
    goal: str = ""
    scope_text: str = ""
    result_text: str = ""
    lead_units: list[str] = field(default_factory=list)  # department short codes
    partner_units: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # usernames
    status: str = CampaignStatus.ACTIVE
    public: bool = False


def _units(codes: list[str], label: str) -> list[Department]:
    found = {d.short_name: d for d in Department.objects.filter(short_name__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise DomainError(f"{label}「{'、'.join(unknown)}」不存在", code="unknown_unit")
    return [found[c] for c in codes]


def _members(usernames: list[str]) -> list[User]:
    found = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
    unknown = [u for u in usernames if u not in found]
    if unknown:
        raise DomainError(f"专班成员「{'、'.join(unknown)}」不是本平台的用户", code="unknown_user")
    return list(found.values())


def _check_campaign(data: CampaignInput) -> Division:
    if not data.name.strip() or not data.code.strip():
        raise DomainError("专项行动需要编号和名称", code="missing_name")
    check_length("名称", data.name, 100)
    check_length("编号", data.code, 32)
    if data.ends_on < data.starts_on:
        raise DomainError("专项行动的结束日期早于开始日期", code="bad_dates")
    if data.status not in CampaignStatus.values:
        raise DomainError(f"状态「{data.status}」无效", code="bad_status")
    district = Division.objects.filter(code=data.district_code, level="district").first()
    if district is None:
        raise DomainError(f"区县「{data.district_code}」不存在", code="unknown_district")
    return district


def _check_people(data: CampaignInput) -> None:
    _units(data.lead_units, "牵头单位")
    _units(data.partner_units, "配合单位")
    _members(data.members)


def _set_people(campaign: Campaign, data: CampaignInput) -> None:
    campaign.lead_units.set(_units(data.lead_units, "牵头单位"))
    campaign.partner_units.set(_units(data.partner_units, "配合单位"))
    campaign.members.set(_members(data.members))


def create_campaign(actor: User, data: CampaignInput) -> Campaign:
    """A new campaign, by a leader or commander whose scope covers the district."""
    district = _check_campaign(data)
    if not can_create_campaign(actor, district.code):
        raise PermissionDenied("只有辖区领导或指挥长可以新建专项行动")
    _check_people(data)
    values = {f.name: getattr(data, f.name) for f in fields(CampaignInput)}
    for name in ("district_code", "lead_units", "partner_units", "members"):
        values.pop(name)
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(district=district, created_by=actor, **values)
            _set_people(campaign, data)
            record_audit(actor, "campaigns.campaign_created", str(campaign.pk), f"{campaign.year} {campaign.name}")
    except IntegrityError:
        raise DomainError(f"{data.year} 年已有编号为「{data.code}」的专项行动", code="duplicate_code") from None
    return campaign


def locked_campaign(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("专项行动不存在")
    return campaign


def update_campaign(actor: User, campaign_id: int, data: CampaignInput) -> Campaign:
    """Change a campaign's fields, units and members (its managers only)."""
    district = _check_campaign(data)
    _check_people(data)
    try:
        with transaction.atomic():
            campaign = locked_campaign(campaign_id)
            require_manage(actor, campaign)
            before = {"name": campaign.name, "status": campaign.status, "public": campaign.public}
            if district.pk != campaign.district_id and not can_create_campaign(actor, district.code):
                # A lead unit manages its campaign, but moving it to another district is for that district's leaders.
                raise PermissionDenied(f"无权把专项行动移到{district.name}")
            if data.starts_on != campaign.starts_on:  # targets without their own start count from it
                mark_campaign_stale(campaign.pk)
            for f in fields(CampaignInput):
                if f.name not in ("district_code", "lead_units", "partner_units", "members"):
                    setattr(campaign, f.name, getattr(data, f.name))
            campaign.district = district
            campaign.save()
            _set_people(campaign, data)
            record_audit(actor, "campaigns.campaign_updated", str(campaign.pk), campaign.name, before=before)
    except IntegrityError:
        raise DomainError(f"{data.year} 年已有编号为「{data.code}」的专项行动", code="duplicate_code") from None
    return campaign


def save_phase(
    actor: User, campaign: Campaign, *, name: str, starts_on: date, ends_on: date, plan_percent: Decimal,
    phase_id: int | None = None,
) -> CampaignPhase:  # fmt: skip
    """Add a phase, or change one (`phase_id`); the plan percent is cumulative and must not fall."""
    if not name.strip():
        raise DomainError("阶段需要名称", code="missing_name")
    if ends_on < starts_on:
        raise DomainError(f"阶段「{name}」的结束日期早于开始日期", code="bad_dates")
    if not Decimal(0) <= Decimal(plan_percent) <= 100:
        raise DomainError("阶段计划完成比例应在 0 到 100 之间", code="bad_percent")
    with transaction.atomic():
        campaign = locked_campaign(campaign.pk)
        require_manage(actor, campaign)
        phase = campaign.phases.filter(pk=phase_id).first() if phase_id else CampaignPhase(campaign=campaign)
        if phase is None:
            raise NotFound("阶段不存在")
        phase.name, phase.starts_on, phase.ends_on, phase.plan_percent = name, starts_on, ends_on, plan_percent
        phase.save()
        _check_phases(campaign)
        record_audit(actor, "campaigns.phase_saved", str(campaign.pk), name, phase=phase.pk)
    return phase


def _check_phases(campaign: Campaign) -> None:
    previous = None
    for phase in campaign.phases.order_by("starts_on"):
        if previous and phase.starts_on <= previous.ends_on:
            raise DomainError(f"阶段「{phase.name}」与「{previous.name}」的日期重叠", code="overlapping_phases")
        if previous and phase.plan_percent < previous.plan_percent:
            raise DomainError(f"阶段「{phase.name}」的累计计划比例低于上一阶段", code="bad_percent")
        previous = phase


def delete_phase(actor: User, phase_id: int) -> None:
    with transaction.atomic():
        phase = CampaignPhase.objects.select_related("campaign").filter(pk=phase_id).first()
        if phase is None:
            raise NotFound("阶段不存在")
        campaign = locked_campaign(phase.campaign_id)
        require_manage(actor, campaign)
        phase.delete()
        record_audit(actor, "campaigns.phase_deleted", str(campaign.pk), phase.name)


@dataclass
class TaskInput:
    code: str
    name: str
    parent_code: str = ""
    description: str = ""
    responsible_unit: str = ""  # department short code
    subdistrict_code: str = ""
    due_on: date | None = None
    weight: Decimal = Decimal(1)


def _task_links(campaign: Campaign, data: TaskInput) -> dict:
    if not data.code.strip() or not data.name.strip():
        raise DomainError("任务需要编号和名称", code="missing_name")
    check_length("任务名称", data.name, 200)
    check_length("任务编号", data.code, 20)
    if Decimal(data.weight) < 0:
        raise DomainError("任务权重不能为负数", code="bad_weight")
    links: dict = {"parent": None, "responsible_unit": None, "subdistrict": None}
    if data.parent_code:
        links["parent"] = campaign.tasks.filter(code=data.parent_code).first()
        if links["parent"] is None:
            raise DomainError(f"上级任务「{data.parent_code}」不存在", code="unknown_task")
    if data.responsible_unit:
        links["responsible_unit"] = _units([data.responsible_unit], "责任单位")[0]
    if data.subdistrict_code:
        links["subdistrict"] = Division.objects.filter(
            code=data.subdistrict_code, level="subdistrict", code__startswith=campaign.district.code
        ).first()
        if links["subdistrict"] is None:
            raise DomainError(f"本区县没有镇街「{data.subdistrict_code}」", code="unknown_subdistrict")
    return links


def save_task(actor: User, campaign: Campaign, data: TaskInput, task_id: int | None = None) -> CampaignTask:
    """Add a task to the task tree, or change one; the campaign's managers only."""
    with transaction.atomic():
        campaign = locked_campaign(campaign.pk)
        require_manage(actor, campaign)
        links = _task_links(campaign, data)
        task = campaign.tasks.filter(pk=task_id).first() if task_id else CampaignTask(campaign=campaign)
        if task is None:
            raise NotFound("任务不存在")
        _check_no_cycle(task, links["parent"])
        for name in ("code", "name", "description", "due_on", "weight"):
            setattr(task, name, getattr(data, name))
        for name, value in links.items():
            setattr(task, name, value)
        if campaign.tasks.filter(code=data.code).exclude(pk=task.pk).exists():
            raise DomainError(f"任务编号「{data.code}」已存在", code="duplicate_code")
        task.save()
        record_audit(actor, "campaigns.task_saved", str(campaign.pk), f"{task.code} {task.name}", task=task.pk)
    return task


def _check_no_cycle(task: CampaignTask, parent: CampaignTask | None) -> None:
    node = parent
    while node is not None:
        if task.pk and node.pk == task.pk:
            raise DomainError("任务不能挂在自己或自己的下级任务之下", code="task_cycle")
        node = node.parent


def delete_task(actor: User, task_id: int) -> None:
    """Remove a task with its sub-tasks and targets (their records go with them)."""
    with transaction.atomic():
        task = CampaignTask.objects.filter(pk=task_id).first()
        if task is None:
            raise NotFound("任务不存在")
        campaign = locked_campaign(task.campaign_id)
        require_manage(actor, campaign)
        task.delete()
        record_audit(actor, "campaigns.task_deleted", str(campaign.pk), f"{task.code} {task.name}")


def save_target(actor: User, task: CampaignTask, data: TargetInput, target_id: int | None = None) -> Target:
    """Add a target to a task, or change one, with its case rule; everything is checked before writing."""
    values, rule = check_target(task.campaign, data)
    with transaction.atomic():
        campaign = locked_campaign(task.campaign_id)
        require_manage(actor, campaign)
        target = Target.objects.filter(pk=target_id, task__campaign=campaign).first() if target_id else Target()
        if target is None:
            raise NotFound("目标不存在")
        before = _tally_inputs(target)
        target.task = task
        for name, value in values.items():
            setattr(target, name, value)
        if before != _tally_inputs(target, rule):
            target.tallied_at = None  # counted from the statistics until the worker rebuilds its tallies
        target.save()
        CaseRule.objects.filter(target=target).delete()
        if rule is not None:
            CaseRule.objects.create(target=target, **rule)
        record_audit(actor, "campaigns.target_saved", str(campaign.pk), target.name, target_id=target.pk)
    return target


RULE_FIELDS = ("class_codes", "division_codes", "grid_codes", "area_geojson", "sources", "counts", "out_of", "tagged")


def _tally_inputs(target: Target, rule: dict | None = None) -> tuple:
    """What a target's daily tallies depend on: measure, dates and rule (the saved rule unless one is given)."""
    if rule is None and target.pk:
        rule = CaseRule.objects.filter(target=target).values(*RULE_FIELDS).first()
    rule_values = tuple((rule or {}).get(name) for name in RULE_FIELDS)
    return target.measure, target.starts_on, target.due_on, rule_values


def delete_target(actor: User, target_id: int) -> None:
    with transaction.atomic():
        target = Target.objects.select_related("task").filter(pk=target_id).first()
        if target is None:
            raise NotFound("目标不存在")
        campaign = locked_campaign(target.task.campaign_id)
        require_manage(actor, campaign)
        target.delete()
        record_audit(actor, "campaigns.target_deleted", str(campaign.pk), target.name)


def _case(campaign: Campaign, number: str) -> Case:
    case = Case.objects.filter(number=number.strip(), district_code=campaign.district.code[:6]).first()
    if case is None:
        raise DomainError(f"案卷「{number}」不存在", code="unknown_case")
    return case


def tag_case(actor: User, campaign: Campaign, number: str, note: str = "", now: datetime | None = None) -> CampaignCase:
    """Tag a case to the campaign by hand (it then counts where a target's rule takes tagged cases)."""
    check_length("备注", note, 200)
    with transaction.atomic():
        campaign = locked_campaign(campaign.pk)
        require_manage(actor, campaign)
        case = _case(campaign, number)
        if campaign.tagged_cases.filter(case=case).exists():
            raise DomainError(f"案卷 {case.number} 已标记到本专项行动", code="already_tagged")
        tag = CampaignCase.objects.create(
            campaign=campaign, case=case, tagged_by=actor, tagged_at=now or timezone.now(), note=note
        )
        mark_campaign_stale(campaign.pk, tagged_only=True)
        record_audit(actor, "campaigns.case_tagged", str(campaign.pk), case.number)
    return tag


def untag_case(actor: User, campaign: Campaign, number: str) -> None:
    with transaction.atomic():
        campaign = locked_campaign(campaign.pk)
        require_manage(actor, campaign)
        case = _case(campaign, number)
        deleted, _ = campaign.tagged_cases.filter(case=case).delete()
        if not deleted:
            raise DomainError(f"案卷 {case.number} 没有标记到本专项行动", code="not_tagged")
        mark_campaign_stale(campaign.pk, tagged_only=True)
        record_audit(actor, "campaigns.case_untagged", str(campaign.pk), case.number)


def check_can_edit(actor: User, task: CampaignTask) -> None:
    """For pages that show a form only to those who may send it."""
    require_edit(actor, task)
