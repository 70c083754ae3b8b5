"""The year-end review (年度评估): each campaign is marked to continue or to end, with a note.

Continuing copies the campaign into the next year — phases, task tree, targets and their case rules, every date
one year on — as a draft its lead unit adjusts before it runs. What was done (items, records, entries, reports,
snapshots, tagged cases) stays with the year it belongs to. Ending sets the campaign's status to ended.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from xiuhua.campaigns.choices import CampaignStatus, ReviewDecision
from xiuhua.campaigns.models import Campaign, CampaignPhase, CampaignTask, Target
from xiuhua.campaigns.queries import can_manage, visible_campaigns
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError, NotFound, PermissionDenied

_TARGET_DATES = ("baseline_from", "baseline_to", "starts_on", "due_on")


def next_year(day: date | None) -> date | None:
    """The same day a year later (29 February becomes 28 February)."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def review_campaign(user, campaign_id: int, decision: str, note: str = "") -> tuple[Campaign, Campaign | None]:
    """Mark a campaign continue or end; returns it and, when continued, its copy in the next year."""
    if decision not in ReviewDecision.values:
        raise DomainError(f"评估结论不正确：{decision}（可选：continue 延续、end 结束）", code="invalid_decision")
    with transaction.atomic():
        campaign = visible_campaigns(user).select_for_update(of=("self",)).filter(pk=campaign_id).first()
        if campaign is None:
            raise NotFound("专项行动不存在或无权查看")
        if not can_manage(user, campaign):
            raise PermissionDenied("只有专项行动的负责领导、指挥长或牵头单位可以作年度评估")
        if campaign.review:
            raise DomainError(f"该专项行动已评估为「{campaign.get_review_display()}」", code="already_reviewed")
        campaign.review, campaign.review_note = decision, note.strip()
        campaign.reviewed_at, campaign.reviewed_by = timezone.now(), user
        if decision == ReviewDecision.END:
            campaign.status = CampaignStatus.ENDED
        campaign.save()
        copy = copy_to_next_year(campaign, user) if decision == ReviewDecision.CONTINUE else None
        record_audit(
            user,
            "campaigns.reviewed",
            target=f"campaign:{campaign.pk}",
            summary=f"{campaign} {campaign.get_review_display()}",
            copy=copy.pk if copy else None,
        )
    return campaign, copy


def copy_to_next_year(campaign: Campaign, user) -> Campaign:
    """A draft of the campaign in the next year with its phases, tasks, targets and rules (no records)."""
    year = campaign.year + 1
    if Campaign.objects.filter(year=year, code=campaign.code).exists():
        raise DomainError(f"{year} 年已有编号为「{campaign.code}」的专项行动，不能延续", code="duplicate_code")
    copy = Campaign.objects.create(
        code=campaign.code,
        year=year,
        name=campaign.name,
        goal=campaign.goal,
        scope_text=campaign.scope_text,
        district=campaign.district,
        starts_on=next_year(campaign.starts_on),
        ends_on=next_year(campaign.ends_on),
        status=CampaignStatus.DRAFT,
        public=campaign.public,
        continued_from=campaign,
        created_by=user,
    )
    copy.lead_units.set(campaign.lead_units.all())
    copy.partner_units.set(campaign.partner_units.all())
    copy.members.set(campaign.members.all())
    CampaignPhase.objects.bulk_create(
        CampaignPhase(
            campaign=copy,
            name=phase.name,
            starts_on=next_year(phase.starts_on),
            ends_on=next_year(phase.ends_on),
            plan_percent=phase.plan_percent,
        )
        for phase in campaign.phases.all()
    )
    _copy_tasks(campaign, copy)
    return copy


def _copy_tasks(campaign: Campaign, copy: Campaign) -> None:
    """Tasks parent first (so each copy's parent exists), then their targets and rules."""
    copies: dict[int, CampaignTask] = {}
    tasks = list(campaign.tasks.all())
    pending = tasks
    while pending:
        ready = [t for t in pending if t.parent_id is None or t.parent_id in copies]
        for task in ready:
            copies[task.pk] = CampaignTask.objects.create(
                campaign=copy,
                parent=copies.get(task.parent_id),
                code=task.code,
                name=task.name,
                description=task.description,
                responsible_unit_id=task.responsible_unit_id,
                subdistrict_id=task.subdistrict_id,
                due_on=next_year(task.due_on),
                weight=task.weight,
            )
        pending = [t for t in pending if t.pk not in copies]
    targets = Target.objects.filter(task__campaign=campaign).select_related("case_rule")
    for target in targets:
        _copy_target(target, copies[target.task_id])


def _copy_target(target: Target, task: CampaignTask) -> None:
    rule = getattr(target, "case_rule", None)
    target.pk, target.id, target.task = None, None, task
    for name in _TARGET_DATES:
        setattr(target, name, next_year(getattr(target, name)))
    target._state.adding = True
    target.save()
    if rule is not None:
        rule.pk, rule.id, rule.target = None, None, target
        rule._state.adding = True
        rule.save()
