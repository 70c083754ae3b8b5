"""Units' progress reports (信息报送): a unit submits a weekly or monthly report with text, figures and evidence;
the lead unit accepts or returns it. A returned report may be submitted again; a month whose snapshots are
frozen takes no report any more (the 专报 of that month is already fixed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from xiuhua.campaigns.choices import ReportPeriod, Review
from xiuhua.campaigns.models import Campaign, Evidence, ProgressReport, ProgressSnapshot
from xiuhua.campaigns.queries import can_manage, visible_campaigns
from xiuhua.cases.attachments import check_uploads
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError, NotFound, PermissionDenied

MAX_FIGURES = 50


def period_start_of(period: str, day: date) -> date:
    """The first day of the week (Monday) or month that `day` falls in."""
    if period == ReportPeriod.WEEK:
        return day - timedelta(days=day.weekday())
    if period == ReportPeriod.MONTH:
        return day.replace(day=1)
    raise DomainError(f"报送周期不正确：{period}（可选：week 周报、month 月报）", code="invalid_period")


def period_months(period: str, start: date) -> set[date]:
    """The months (their first days) a report period touches: a week may straddle two."""
    last = start + timedelta(days=6) if period == ReportPeriod.WEEK else start
    return {start.replace(day=1), last.replace(day=1)}


def frozen_month(campaign: Campaign, months: Iterable[date]) -> date | None:
    """The first of `months` whose month-end snapshots of the campaign exist."""
    frozen = ProgressSnapshot.objects.filter(target__task__campaign=campaign, month__in=list(months))
    return frozen.order_by("month").values_list("month", flat=True).first()


def reporting_units(campaign: Campaign) -> set[int]:
    """Ids of the units that report on a campaign: its lead and partner units and its tasks' responsible units."""
    units = set(campaign.lead_units.values_list("id", flat=True))
    units |= set(campaign.partner_units.values_list("id", flat=True))
    units |= set(campaign.tasks.exclude(responsible_unit=None).values_list("responsible_unit_id", flat=True))
    return units


def clean_figures(figures: Mapping | None) -> dict[str, int | float]:
    """Figures as name → number (whole numbers stay whole); a value that is not a number is refused."""
    figures = dict(figures or {})
    if len(figures) > MAX_FIGURES:
        raise DomainError(f"数据项最多 {MAX_FIGURES} 项", code="invalid_figures")
    cleaned = {}
    for name, value in figures.items():
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not str(name).strip():
            raise DomainError(f"数据项「{name}」的值「{value}」不是数字", code="invalid_figures")
        whole = number == number.to_integral_value()
        cleaned[str(name).strip()[:50]] = int(number) if whole else float(number)
    return cleaned


def submit_report(
    user,
    campaign: Campaign,
    *,
    period: str,
    day: date,
    text: str,
    figures: Mapping | None = None,
    files: Iterable[UploadedFile] = (),
) -> ProgressReport:
    """The user's unit reports on the period containing `day`; a returned report of that period is replaced."""
    start = period_start_of(period, day)
    if not text.strip():
        raise DomainError("报送内容不能为空", code="invalid_report")
    unit = user.department
    if unit is None or unit.pk not in reporting_units(campaign):
        raise PermissionDenied("只有本专项行动的牵头、配合或责任单位可以报送进展")
    figures = clean_figures(figures)
    checked = check_uploads(files)
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)  # one report per unit and period, even if raced
        if month := frozen_month(campaign, period_months(period, start)):
            raise DomainError(f"{month:%Y年%m月}的月末进度已冻结，不能再报送该期间的进展", code="period_frozen")
        report = _replace_or_create(campaign, unit, period, start, user)
        report.text, report.figures = text.strip(), figures
        report.save()
        for item in checked:
            attach_evidence(user, item.upload, item.content_type, report=report)
        record_audit(
            user,
            "campaigns.report_submitted",
            target=f"campaign:{campaign.pk}",
            summary=f"{unit.name} {start:%Y-%m-%d} {ReportPeriod(period).label}",
            report=report.pk,
        )
    return report


def _replace_or_create(campaign: Campaign, unit, period: str, start: date, user) -> ProgressReport:
    report = ProgressReport.objects.filter(campaign=campaign, unit=unit, period=period, period_start=start).first()
    if report is not None and report.state != Review.RETURNED:
        raise DomainError("本单位该期间已报送过进展（退回后才能重新报送）", code="duplicate_report")
    report = report or ProgressReport(campaign=campaign, unit=unit, period=period, period_start=start)
    report.state, report.reviewed_by, report.reviewed_at, report.review_note = Review.PENDING, None, None, ""
    report.submitted_by, report.submitted_at = user, timezone.now()
    return report


def attach_evidence(user, upload: UploadedFile, content_type: str, **owner) -> Evidence:
    """An evidence file of a report (or of a record, entry or item: `owner` names it)."""
    return Evidence.objects.create(
        file=upload,
        original_name=(upload.name or "附件")[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
        uploaded_at=timezone.now(),
        **owner,
    )


def review_report(user, report_id: int, *, accept: bool, note: str = "") -> ProgressReport:
    """The lead unit accepts or returns (with a reason) a pending report."""
    if not accept and not note.strip():
        raise DomainError("退回报送时请说明理由", code="note_required")
    with transaction.atomic():
        report = (
            ProgressReport.objects.select_for_update(of=("self",))
            .filter(campaign__in=visible_campaigns(user))
            .select_related("campaign", "unit")
            .filter(pk=report_id)
            .first()
        )
        if report is None:
            raise NotFound("进展报送不存在或无权查看")
        if not can_manage(user, report.campaign):
            raise PermissionDenied("只有牵头单位或专项行动负责人可以审核报送")
        if report.state != Review.PENDING:
            raise DomainError("该报送已审核过", code="already_reviewed")
        report.state = Review.APPROVED if accept else Review.RETURNED
        report.reviewed_by, report.reviewed_at, report.review_note = user, timezone.now(), note.strip()
        report.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
        record_audit(
            user,
            "campaigns.report_reviewed",
            target=f"campaign:{report.campaign_id}",
            summary=f"{report.unit.name} {report.period_start:%Y-%m-%d} {report.get_state_display()}",
            report=report.pk,
        )
    return report
