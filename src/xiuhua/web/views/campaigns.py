"""Campaign pages (专项行动) for staff: the leaders' overview of a year, a campaign's page and its 挂图作战 map.

Figures come from `campaigns.progress` (live) and the snapshots (past months); the forms of the responsible
units are in `campaign_forms.py`.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from xiuhua.accounts.queries import sees_everything
from xiuhua.campaigns.choices import CampaignStatus, Measure, Review
from xiuhua.campaigns.measures import drill_down_cases
from xiuhua.campaigns.models import ActivityRecord, Campaign, ManualEntry
from xiuhua.campaigns.progress import campaign_progress, overview, unit_progress
from xiuhua.campaigns.queries import MANAGING_ROLES, can_edit_task, can_manage, visible_campaigns
from xiuhua.cases.choices import CaseStatus
from xiuhua.cases.queries import visible_cases
from xiuhua.web import campaign_forms as cf
from xiuhua.web import campaign_page as cp
from xiuhua.web.campaign_setup_forms import YearReviewForm
from xiuhua.web.errors import page_not_found
from xiuhua.web.maps import base_options

NOT_FOUND = "没有这个专项行动，或它不在您的数据范围内。"
# The map shows at most this many cases (the newest), so a district-wide rule cannot flood the page.
MAP_CASE_LIMIT = 2000


def visible_campaign(request: HttpRequest, campaign_id: int) -> Campaign | None:
    return visible_campaigns(request.user).filter(pk=campaign_id).first()


@login_required
@require_GET
def overview_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    rows = []
    for progress in overview(request.user, year):
        targets = cp.target_rows(progress)
        rows.append({"campaign": progress.campaign, "summary": cp.summary(progress), "targets": targets})
    every_target = [t for row in rows for t in row["targets"]]
    years = sorted(set(visible_campaigns(request.user).values_list("year", flat=True)) | {today.year}, reverse=True)
    context = {
        "year": year,
        "years": years,
        "rows": rows,
        "counts": cp.status_counts(every_target),
        "status_css": cp.STATUS_CSS,
        "bulletin_month": f"{(today.replace(day=1) - timedelta(days=1)):%Y-%m}",
        "awaiting_review": awaiting_review(request.user, year, today),
        "may_create": may_create(request.user),
    }
    return render(request, "campaigns/overview.html", context)


def awaiting_review(user, year: int, today: date) -> QuerySet[Campaign]:
    """The year's campaigns not yet reviewed, once the year's last month has begun (or the campaign has ended)."""
    campaigns = visible_campaigns(user).filter(year=year, review="")
    if today < date(year, 12, 1):
        campaigns = campaigns.filter(Q(ends_on__lt=today) | Q(status=CampaignStatus.ENDED))
    return campaigns.order_by("code")


def may_create(user) -> bool:
    """Leaders and commanders create campaigns (the service checks that their scope covers the district)."""
    return sees_everything(user) or user.role in MANAGING_ROLES


@login_required
@require_GET
def campaign_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = visible_campaign(request, campaign_id)
    if campaign is None:
        return page_not_found(request, NOT_FOUND)
    progress = campaign_progress(campaign)
    tasks = cp.task_rows(progress.tasks)
    phases = list(campaign.phases.all())
    targets = [t for row in tasks for t in row.targets]
    today = timezone.localdate()
    manages = can_manage(request.user, campaign)
    _add_details(request, campaign, tasks)
    context = {
        "campaign": campaign,
        "progress": progress,
        "tasks": tasks,
        "counts": cp.status_counts(targets),
        "summary": cp.summary(progress),
        "curves": cp.curves(targets, today, phases),
        "map_base": base_options(),
        "units": unit_progress(campaign, built=progress),
        "manages": manages,
        **cf.blank_forms(request.user, campaign),
        "lists": [t for t in targets if t.target.measure == Measure.LIST_RATE],
        "recurring": [t for t in targets if t.target.measure == Measure.RECURRENCE],
        "entered": [t for t in targets if t.target.measure in (Measure.MANUAL_COUNT, Measure.MILESTONE)],
        "pending_entries": _pending_entries(campaign),
        "reports": campaign.reports.select_related("unit").order_by("-period_start", "unit__name")[:50],
        "notices": campaign.supervision_notices.select_related("unit")[:50],
        "lead_units": campaign.lead_units.order_by("name"),
        "partner_units": campaign.partner_units.order_by("name"),
        "phases": phases,
        "pending": Review.PENDING,
        "review_form": YearReviewForm() if manages and not campaign.review else None,
        "continuations": campaign.continuations.order_by("year"),
    }
    return render(request, "campaigns/campaign.html", context)


def _add_details(request: HttpRequest, campaign: Campaign, tasks: list[cp.TaskRow]) -> None:
    """Who may edit which target, and the list items and activity records the page shows under their targets."""
    items: dict[int, list] = {}
    for item in cp.list_items(campaign):
        items.setdefault(item.target_id, []).append(item)
    records: dict[int, list] = {}
    for record in ActivityRecord.objects.filter(target__task__campaign=campaign).order_by("-held_on")[:500]:
        records.setdefault(record.target_id, []).append(record)
    for row in tasks:
        editable = can_edit_task(request.user, row.task)
        for target in row.targets:
            target.editable = editable
            target.items = items.get(target.target.pk, [])
            target.records = records.get(target.target.pk, [])


def _pending_entries(campaign: Campaign) -> QuerySet[ManualEntry]:
    return (
        ManualEntry.objects.filter(target__task__campaign=campaign, state=Review.PENDING)
        .select_related("target")
        .order_by("occurred_on")
    )


@login_required
@require_GET
def campaign_map(request: HttpRequest, campaign_id: int) -> JsonResponse:
    """挂图作战: the campaign's cases (those its case targets count) and its list items with a case, by status."""
    campaign = visible_campaign(request, campaign_id)
    if campaign is None:
        return JsonResponse({"detail": NOT_FOUND, "code": "not_found"}, status=404)
    features = []
    seen: set[int] = set()
    progress = campaign_progress(campaign)
    for row in cp.target_rows(progress):
        if row.target.measure in cp.CASE_MEASURES:
            cases = visible_cases(request.user).filter(pk__in=drill_down_cases(row.target).values("pk"))
            features += _case_features(cases, seen, row.target.name)
    items = cp.list_items(campaign).filter(case__isnull=False)
    for item in items.select_related("case")[:MAP_CASE_LIMIT]:
        features += _item_feature(item)
    return JsonResponse({"type": "FeatureCollection", "features": features[: MAP_CASE_LIMIT * 2]})


def _case_features(cases, seen: set[int], target_name: str) -> list[dict]:
    features = []
    for case in cases.order_by("-reported_at").only("pk", "number", "status", "lng", "lat")[:MAP_CASE_LIMIT]:
        if case.pk in seen:
            continue
        seen.add(case.pk)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [case.lng, case.lat]},
                "properties": {
                    "kind": "case",
                    "number": case.number,
                    "status": case.get_status_display(),
                    "closed": case.status == CaseStatus.CLOSED,
                    "target": target_name,
                },
            }
        )
    return features


def _item_feature(item) -> list[dict]:
    case = item.case
    resolved = item.resolved_at is not None or case.status == CaseStatus.CLOSED
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [case.lng, case.lat]},
            "properties": {"kind": "item", "number": item.code, "status": "已化解" if resolved else "未化解"},
        }
    ]
