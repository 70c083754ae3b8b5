"""What responsible units enter: records of recurring activities, counts and milestones with evidence, and the
lead unit's review of those entries (an entry counts only once approved)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from xiuhua.accounts.models import Department, User
from xiuhua.campaigns.choices import Measure, Review
from xiuhua.campaigns.guards import check_evidence, require_edit, require_manage, save_evidence
from xiuhua.campaigns.models import ActivityRecord, ManualEntry, Target
from xiuhua.campaigns.rules import parse_geojson
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.core.limits import check_length


def _measured_by(target: Target, *measures: str) -> None:
    if target.measure not in measures:
        raise DomainError(f"目标「{target.name}」不接受这类填报", code="wrong_measure")


def _check_day(target: Target, day: date, now: datetime) -> None:
    if day > timezone.localtime(now).date():
        raise DomainError("日期不能晚于今天", code="future_date")
    if day < (target.starts_on or target.task.campaign.starts_on):
        raise DomainError("日期早于该目标开始统计的日期", code="bad_date")


def add_record(
    actor: User,
    target: Target,
    *,
    held_on: date,
    title: str,
    unit_codes: Iterable[str] = (),
    people: int = 0,
    findings: str = "",
    files: Iterable[UploadedFile] | None = None,
    now: datetime | None = None,
) -> ActivityRecord:
    """One record of a recurring activity (a joint inspection, an action, a weekly report) with its photos."""
    now = now or timezone.now()
    _measured_by(target, Measure.RECURRENCE)
    require_edit(actor, target.task)
    if not title.strip():
        raise DomainError("请填写活动名称", code="missing_title")
    check_length("活动名称", title, 200)
    if people < 0:
        raise DomainError("参与人次不能为负数", code="bad_people")
    _check_day(target, held_on, now)
    codes = list(unit_codes)
    units = list(Department.objects.filter(short_name__in=codes))
    if len(units) != len(set(codes)):
        raise DomainError("参与单位中有不存在的单位", code="unknown_unit")
    checked = check_evidence(files)
    with transaction.atomic():
        record = ActivityRecord.objects.create(
            target=target, held_on=held_on, title=title.strip(), people=people, findings=findings,
            recorded_by=actor, recorded_at=now,
        )  # fmt: skip
        record.units.set(units)
        save_evidence(actor, checked, now, record=record)
        record_audit(actor, "campaigns.record_added", str(target.pk), f"{held_on} {record.title}", record=record.pk)
    return record


def _check_points(points_geojson: str) -> str:
    if points_geojson.strip():
        parse_geojson(points_geojson, "位置数据")
    return points_geojson.strip()


def enter_value(
    actor: User,
    target: Target,
    *,
    value: Decimal,
    occurred_on: date,
    note: str = "",
    points_geojson: str = "",
    files: Iterable[UploadedFile] | None = None,
    now: datetime | None = None,
) -> ManualEntry:
    """A count done (parking spaces added, river works) or a milestone reached, waiting for the lead unit's review."""
    now = now or timezone.now()
    _measured_by(target, Measure.MANUAL_COUNT, Measure.MILESTONE)
    require_edit(actor, target.task)
    value = Decimal(1) if target.measure == Measure.MILESTONE else Decimal(value)
    if value <= 0:
        raise DomainError("填报数量应大于 0", code="bad_value")
    _check_day(target, occurred_on, now)
    points = _check_points(points_geojson)
    checked = check_evidence(files)
    if not checked and not note.strip():
        raise DomainError("请附上佐证材料（照片或文件）或说明", code="missing_evidence")
    with transaction.atomic():
        entry = ManualEntry.objects.create(
            target=target, value=value, occurred_on=occurred_on, note=note, points_geojson=points,
            entered_by=actor, entered_at=now,
        )  # fmt: skip
        save_evidence(actor, checked, now, entry=entry)
        record_audit(actor, "campaigns.value_entered", str(target.pk), f"{occurred_on} {value}", entry=entry.pk)
    return entry


def review_entry(actor: User, entry_id: int, decision: str, note: str = "", now: datetime | None = None) -> ManualEntry:
    """The lead unit approves an entry (it then counts) or returns it with a note; only a pending one."""
    now = now or timezone.now()
    if decision not in (Review.APPROVED, Review.RETURNED):
        raise DomainError("审核结果应为「通过」或「退回」", code="bad_decision")
    if decision == Review.RETURNED and not note.strip():
        raise DomainError("退回时请说明原因", code="missing_note")
    with transaction.atomic():
        entry = ManualEntry.objects.select_for_update().filter(pk=entry_id).first()
        if entry is None:
            raise NotFound("填报记录不存在")
        campaign = entry.target.task.campaign
        require_manage(actor, campaign)
        if entry.state != Review.PENDING:
            raise DomainError("该填报已审核，不能再次审核", code="already_reviewed")
        entry.state, entry.reviewed_by, entry.reviewed_at, entry.review_note = decision, actor, now, note.strip()
        entry.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
        record_audit(actor, "campaigns.entry_reviewed", str(entry.pk), decision, target_id=entry.target_id)
    return entry
