"""Cases (案卷), their immutable timeline, attachments, pending requests, timers and per-case statistics.

A case's status is written only by `xiuhua.cases.workflow`; nothing else saves the field.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models, router
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.models import Department
from xiuhua.cases.choices import (
    Action,
    AttachmentStage,
    CaseStatus,
    ExtensionUnit,
    RequestKind,
    RequestState,
    Satisfaction,
    Source,
    Stage,
    TimerKind,
)
from xiuhua.catalog.choices import Urgency
from xiuhua.catalog.models import CaseClass, Component, RegisterCondition
from xiuhua.core.chain import GENESIS, digest, utc_text
from xiuhua.core.fields import EncryptedTextField, PhoneDigestField
from xiuhua.territory.models import Division, UnitGrid
from xiuhua.worktime.choices import LimitUnit

USER = settings.AUTH_USER_MODEL


def urgent_first(prefix: str = "") -> models.Case:
    """0 for urgent cases, 1 for the others: the first sort key of every work queue."""
    return models.Case(
        models.When(**{f"{prefix}urgency": Urgency.URGENT}, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )


class CaseNumberSequence(models.Model):
    """The last case number handed out per district and day; numbers are never reused."""

    district_code = models.CharField(max_length=6)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district_code", "day"], name="case_sequence_unique_day")]

    def __str__(self) -> str:
        return f"{self.district_code} {self.day} {self.last}"


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=13, db_index=True)
    district_code = models.CharField(_("district code"), max_length=6)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    case_class = models.ForeignKey(CaseClass, verbose_name=_("case class"), on_delete=models.PROTECT)
    register_condition = models.ForeignKey(
        RegisterCondition, verbose_name=_("register condition"), null=True, blank=True, on_delete=models.PROTECT
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    description = models.TextField(_("description"))
    # What Open311 and the public pages show instead of the description: filled at intake with phone numbers,
    # ID-card numbers and e-mail addresses removed; the centre may edit it (PATCH /api/v1/cases/{number}/public).
    public_description = models.TextField(_("public description"), blank=True, default="")
    address = models.CharField(_("address"), max_length=256, blank=True)

    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    original_lng = models.FloatField(_("longitude as reported"))
    original_lat = models.FloatField(_("latitude as reported"))
    original_crs = models.CharField(_("coordinate system as reported"), max_length=10, default="wgs84")
    # How the point was found: "point" as reported, or from the address text (address, near_address, road,
    # community, subdistrict) when no coordinates came with the report. A point reported without address text
    # gets its address from the point (reverse geocoding): point_address, point_near_address, point_road or
    # point_community say how precise those words are (see xiuhua.intake.places).
    location_precision = models.CharField(_("location precision"), max_length=20, default="point")
    unit_grid = models.ForeignKey(UnitGrid, verbose_name=_("unit grid"), on_delete=models.PROTECT)
    # The grid code is kept on the case too: data scopes are code prefixes (community ⊂ sub-district ⊂ district).
    grid_code = models.CharField(_("unit grid code"), max_length=15, db_index=True)
    community = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    subdistrict = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("sub-district")
    )
    district = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    component = models.ForeignKey(
        Component, verbose_name=_("component"), null=True, blank=True, on_delete=models.SET_NULL
    )

    reporter = models.ForeignKey(
        USER, verbose_name=_("entered by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Encrypted at rest (core.fields); repeat-caller lookups go through the digest.
    reporter_name = EncryptedTextField(_("reporter name"), max_length=50, blank=True)
    reporter_phone = EncryptedTextField(_("reporter phone"), max_length=30, blank=True)
    reporter_phone_digest = PhoneDigestField(source="reporter_phone")
    reporter_email = EncryptedTextField(_("reporter e-mail"), max_length=254, blank=True)  # Open311 apps send one
    reporter_confidential = models.BooleanField(_("keep reporter confidential"), default=False)
    intake_key = models.CharField(max_length=160, null=True, blank=True, unique=True, editable=False)
    # A citizen follows their case with its number and this code (no account needed).
    lookup_code = models.CharField(max_length=12, blank=True, editable=False)
    # A duplicate merged into another case keeps its own reporter (for the callback) and points at the parent.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_reports",
    )
    report_count = models.PositiveIntegerField(_("reports"), default=1)  # itself, merged reports, folded alerts
    repeat_caller_count = models.PositiveIntegerField(_("earlier reports by this caller (30 days)"), default=0)
    repeat_place_count = models.PositiveIntegerField(_("earlier reports of this problem here (30 days)"), default=0)
    repeat_complaint = models.BooleanField(_("repeat complaint"), default=False, db_index=True)

    status = models.CharField(_("status"), max_length=24, choices=CaseStatus.choices, db_index=True)
    # Where a pending request or a suspension goes back to.
    resume_status = models.CharField(max_length=24, choices=CaseStatus.choices, blank=True)
    lead_department = models.ForeignKey(
        Department, verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assisting_departments = models.ManyToManyField(
        Department, verbose_name=_("assisting units"), blank=True, related_name="+"
    )
    assigned_inspector = models.ForeignKey(
        USER, verbose_name=_("inspector tasked"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified = models.BooleanField(_("verified true"), null=True, blank=True)

    handling_unit = models.CharField(_("limit unit"), max_length=16, choices=LimitUnit.choices, blank=True)
    handling_allowance = models.DurationField(_("handling limit incl. extensions"), default=timedelta)
    handling_used = models.DurationField(default=timedelta)
    handling_running_since = models.DateTimeField(null=True, blank=True)
    handling_deadline = models.DateTimeField(_("handling deadline"), null=True, blank=True, db_index=True)
    handling_warning_at = models.DateTimeField(null=True, blank=True)

    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True)
    stage_started_at = models.DateTimeField(null=True, blank=True)
    stage_deadline = models.DateTimeField(_("stage deadline"), null=True, blank=True)
    stage_warning_at = models.DateTimeField(null=True, blank=True)

    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Closed (or merged into a closed case), from a channel whose reporter is called back, and not called back yet:
    # kept by the workflow so the operator's callback queue reads a small partial index instead of joining stats.
    callback_due = models.BooleanField(_("callback due"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["status", "handling_deadline"], name="case_status_deadline"),
            # Duplicate and repeat checks: same class, then a longitude strip of the search box.
            models.Index(fields=["case_class", "lng"], name="case_class_lng"),
            # Dashboards (`cases.overview`): a month's reports by class and grid read from the index alone, and the
            # running handling clocks past their deadline (a small partial index: only open cases have one).
            models.Index(fields=["reported_at", "case_class", "grid_code"], name="case_reported_class_grid"),
            # Reports by channel (`live.by_channel`) read from the index alone too.
            models.Index(fields=["reported_at", "source"], name="case_reported_source"),
            models.Index(
                fields=["handling_deadline"],
                condition=models.Q(handling_running_since__isnull=False),
                name="case_running_deadline",
            ),
            # The callback queue in its order (urgent first, then oldest): a page of it is read off this index.
            models.Index(
                urgent_first(),
                models.F("reported_at"),
                models.F("id"),
                condition=models.Q(callback_due=True),
                name="case_callback_queue",
            ),
        ]
        # The daily sequence is per district; one installation may serve several districts.
        constraints = [models.UniqueConstraint(fields=["district_code", "number"], name="case_number_per_district")]

    def __str__(self) -> str:
        return self.number


def event_content(event: Any) -> dict[str, Any]:
    """What an event's hash covers: everything but its own id (the chain position binds the order)."""
    return {
        "case": event.case_id,
        "action": event.action,
        "actor": event.actor_id,
        "actor_role": event.actor_role,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "at": utc_text(event.at),
        "note": event.note,
        "details": event.details,
        "handling_deadline": utc_text(event.handling_deadline),
        "stage_deadline": utc_text(event.stage_deadline),
    }


class CaseEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("case events are immutable")

    def delete(self):
        raise TypeError("case events are immutable")

    def bulk_create(self, objs, *args, **kwargs):
        """Seal each event onto its case's chain, in the order given."""
        objs = list(objs)
        last: dict[int, str] = {}
        for event in objs:
            if event.case_id not in last:
                last[event.case_id] = CaseEvent.last_hash(event.case_id, self.db)
            event.seal(last[event.case_id])
            last[event.case_id] = event.hash
        return super().bulk_create(objs, *args, **kwargs)


class CaseEvent(models.Model):
    """One step of a case's timeline. Written once, in the transaction of the action; never changed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    from_status = models.CharField(_("from"), max_length=24, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=CaseStatus.choices)
    at = models.DateTimeField(_("at"), db_index=True)
    note = models.TextField(_("note"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    handling_deadline = models.DateTimeField(_("handling deadline in force"), null=True, blank=True)
    stage_deadline = models.DateTimeField(_("stage deadline in force"), null=True, blank=True)
    # One hash chain per case: apply_action and the timers hold the case row lock while they write, so the
    # case's latest event is a stable predecessor without a table-wide lock (see docs/audit.md).
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, prev_hash: str | None = None, **kwargs):
        """`prev_hash`: the chain's last hash when the caller knows it (a new case's first event follows GENESIS)."""
        if self.pk is not None:
            raise TypeError("case events are immutable")
        using = kwargs.get("using") or router.db_for_write(CaseEvent, instance=self)
        self.seal(CaseEvent.last_hash(self.case_id, using) if prev_hash is None else prev_hash)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("case events are immutable")

    @staticmethod
    def last_hash(case_id: int, using: str = "default") -> str:
        events = CaseEvent.objects.using(using).filter(case_id=case_id).order_by("-id")
        return events.values_list("hash", flat=True).first() or GENESIS

    def seal(self, prev_hash: str) -> None:
        self.prev_hash = prev_hash
        self.hash = digest(prev_hash, event_content(self))


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    stage = models.CharField(_("stage"), max_length=10, choices=AttachmentStage.choices)
    # The original, content-addressed (originals/ab/cd/<sha256>.<ext>) and written before the action's
    # transaction; rows before that layout keep their cases/%Y/%m/ names.
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    # What the public sees of an image: re-encoded without metadata (GPS included); the original stays evidence.
    # Made by the worker after commit (cases/derivatives.py), for the reported scene ("before") only.
    public_file = models.FileField(_("public copy"), upload_to="cases/public/%Y/%m/", blank=True)
    public_content_type = models.CharField(max_length=20, blank=True)
    # A small copy for pages, also without metadata; until it exists pages show a placeholder.
    thumbnail = models.FileField(_("thumbnail"), upload_to="cases/thumbs/%Y/%m/", blank=True)
    # When the worker finished with this row's derivatives (or found it has none to make); NULL = still to do.
    derived_at = models.DateTimeField(null=True, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]
        indexes = [
            # The worker's queue: tiny, since rows leave it within seconds of their commit.
            models.Index(fields=["id"], condition=Q(derived_at__isnull=True), name="attachment_pending_derivatives")
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def preview(self) -> str:
        """For pages: "ready" (a thumbnail exists), "pending" (the worker has not made it yet), "none" (it can't)."""
        if self.thumbnail:
            return "ready"
        return "pending" if self.derived_at is None else "none"


class CaseRequest(models.Model):
    """A request waiting for approval: extension, return, suspension, void, or a self-handled case's audit."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind.choices)
    state = models.CharField(_("state"), max_length=10, choices=RequestState.choices, default=RequestState.PENDING)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    extension_value = models.PositiveIntegerField(null=True, blank=True)
    extension_unit = models.CharField(max_length=6, choices=ExtensionUnit.choices, blank=True)
    return_to = models.CharField(max_length=24, choices=CaseStatus.choices)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(state="pending"), name="case_one_pending_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_state_display()}"


class StageLimit(models.Model):
    """How long a stage may take, in working minutes (a local setting)."""

    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    minutes = models.PositiveIntegerField(_("working minutes"))

    class Meta:
        verbose_name = _("stage limit")
        verbose_name_plural = _("stage limits")
        ordering = ["stage", "urgency"]
        constraints = [models.UniqueConstraint(fields=["stage", "urgency"], name="stage_limit_unique")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.get_urgency_display()} {self.minutes}"


class Timer(models.Model):
    """A due time to act on: a warning at 80 % of a limit, or the limit passing. Swept by `xiuhua sweep`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timers")
    kind = models.CharField(max_length=20, choices=TimerKind.choices)
    due_at = models.DateTimeField(db_index=True)
    fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["fired_at", "due_at"], name="timer_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_at:%Y-%m-%d %H:%M}"


class CaseStats(models.Model):
    """Per-case facts for evaluation, kept up to date by every action (never recomputed from events)."""

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="stats")
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(null=True)
    accepted_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    accept_on_time = models.BooleanField(null=True)
    verify_sent_at = models.DateTimeField(null=True)
    verified_at = models.DateTimeField(null=True)
    verified_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    verify_on_time = models.BooleanField(null=True)
    registered_at = models.DateTimeField(null=True)
    registered_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    register_on_time = models.BooleanField(null=True)
    declined_at = models.DateTimeField(null=True)
    first_dispatched_at = models.DateTimeField(null=True)
    dispatched_at = models.DateTimeField(null=True)
    dispatched_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    dispatch_on_time = models.BooleanField(null=True)
    handling_started_at = models.DateTimeField(null=True)
    reported_back_at = models.DateTimeField(null=True)
    reported_back_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    handled_by_department = models.ForeignKey(Department, null=True, on_delete=models.PROTECT, related_name="+")
    handling_deadline = models.DateTimeField(null=True)  # the bundle deadline at the last report-back
    handling_on_time = models.BooleanField(null=True)
    handling_overdue = models.BooleanField(default=False)
    check_sent_at = models.DateTimeField(null=True)
    checked_at = models.DateTimeField(null=True)
    checked_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    check_on_time = models.BooleanField(null=True)
    closed_at = models.DateTimeField(null=True)
    closed_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    close_on_time = models.BooleanField(null=True)
    voided_at = models.DateTimeField(null=True)
    callback_at = models.DateTimeField(null=True)
    callback_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    satisfaction = models.CharField(max_length=20, choices=Satisfaction.choices, blank=True)
    satisfaction_score = models.IntegerField(null=True)
    # Hotline callbacks score two things: how the problem was handled (above) and how the caller was served.
    service_satisfaction = models.CharField(max_length=20, choices=Satisfaction.choices, blank=True)
    service_satisfaction_score = models.IntegerField(null=True)
    dispatch_count = models.PositiveIntegerField(default=0)
    dispatched_department_ids = models.JSONField(default=list)
    accurate_dispatch = models.BooleanField(null=True)
    rework_count = models.PositiveIntegerField(default=0)
    return_count = models.PositiveIntegerField(default=0)
    extension_count = models.PositiveIntegerField(default=0)
    extension_total = models.DurationField(default=timedelta)
    suspension_count = models.PositiveIntegerField(default=0)
    urge_count = models.PositiveIntegerField(default=0)
    self_handled = models.BooleanField(default=False)
    # Copies of the case's place, channel and current holders, refreshed by every action (`take_case_facts`), so
    # that evaluation groups a period's rows from this table alone instead of joining a million cases.
    unit_grid = models.ForeignKey(UnitGrid, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    community = models.ForeignKey(Division, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    subdistrict = models.ForeignKey(Division, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    district = models.ForeignKey(Division, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    grid_code = models.CharField(max_length=15, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, blank=True)
    status = models.CharField(max_length=24, choices=CaseStatus.choices, blank=True)
    lead_department = models.ForeignKey(
        Department, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    assigned_inspector = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    # The class too, so campaign targets count a class's cases without the join, and a tally sees a reclassification.
    case_class = models.ForeignKey(CaseClass, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("case statistics")
        verbose_name_plural = _("case statistics")
        # Dashboards count the cases of a day or a month by these stage times from the indexes alone (`cases.overview`).
        # With the case id, a scoped count joins the cases from the index too (case_id is not SQLite's rowid).
        indexes = [
            models.Index(fields=["registered_at", "case"], name="casestats_registered_at"),
            models.Index(fields=["first_dispatched_at", "case"], name="casestats_dispatched_at"),
            models.Index(fields=["reported_back_at", "handling_on_time", "case"], name="casestats_reported_back_at"),
            models.Index(fields=["closed_at", "case"], name="casestats_closed_at"),
            # A department's month figures (`cases.figures`) read only its own rows of the month.
            models.Index(fields=["handled_by_department", "reported_back_at"], name="casestats_dept_reported_back"),
            models.Index(fields=["handled_by_department", "closed_at"], name="casestats_dept_closed"),
            models.Index(fields=["dispatched_at", "case"], name="casestats_last_dispatched_at"),
            # Evaluation reads each step's rows of a period off the index of the step's anchor time.
            models.Index(fields=["reported_at", "case"], name="casestats_reported_at"),
            models.Index(fields=["accepted_at", "case"], name="casestats_accepted_at"),
            models.Index(fields=["verify_sent_at", "case"], name="casestats_verify_sent_at"),
            models.Index(fields=["check_sent_at", "case"], name="casestats_check_sent_at"),
            models.Index(fields=["voided_at", "case"], name="casestats_voided_at"),
            models.Index(fields=["callback_at", "case"], name="casestats_callback_at"),
        ]

    def __str__(self) -> str:
        return f"stats of case {self.case_id}"

    def take_case_facts(self, case: Case) -> None:
        for name in CASE_FACTS:
            setattr(self, name, getattr(case, name))


CASE_FACTS = (
    "unit_grid_id",
    "community_id",
    "subdistrict_id",
    "district_id",
    "grid_code",
    "source",
    "status",
    "lead_department_id",
    "assigned_inspector_id",
    "case_class_id",
)
