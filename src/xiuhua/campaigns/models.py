"""Campaigns (专项行动): a campaign's task tree, its targets and how each is measured, and the records behind them.

A target's value is never stored as a live number: `campaigns.measures` computes it from the case statistics, the
list items, the activity records or the reviewed entries when asked. Only month-end `ProgressSnapshot`s freeze a
value, so a report of March reads March as it was.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiuhua.accounts.models import Department
from xiuhua.campaigns.choices import (
    CampaignStatus,
    CaseCount,
    Comparator,
    Frequency,
    Measure,
    PlanCurve,
    ProgressStatus,
    ReportPeriod,
    Review,
    ReviewDecision,
    TaggedCases,
)
from xiuhua.cases.models import Case
from xiuhua.territory.models import Division

USER = settings.AUTH_USER_MODEL


class Campaign(models.Model):
    """One 专项行动 of one year, run by a 专班 of lead and partner units."""

    code = models.CharField(_("code"), max_length=32)
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=100)
    goal = models.TextField(_("goal"), blank=True)
    # 三公开: what is cleared up and where (scope), by when (the dates), how far (progress) and the result.
    scope_text = models.TextField(_("scope and objects"), blank=True)
    result_text = models.TextField(_("result"), blank=True)
    district = models.ForeignKey(Division, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    lead_units = models.ManyToManyField(
        Department, verbose_name=_("lead units"), related_name="led_campaigns", blank=True
    )
    partner_units = models.ManyToManyField(
        Department, verbose_name=_("partner units"), related_name="partnered_campaigns", blank=True
    )
    members = models.ManyToManyField(USER, verbose_name=_("task force members"), related_name="campaigns", blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE)
    public = models.BooleanField(_("published to the public"), default=False)
    review = models.CharField(_("year-end review"), max_length=10, choices=ReviewDecision.choices, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        USER, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    continued_from = models.ForeignKey(
        "self",
        verbose_name=_("continues"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="continuations",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "code"]
        constraints = [models.UniqueConstraint(fields=["year", "code"], name="campaign_code_per_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class CampaignPhase(models.Model):
    """A dated phase (调查摸底 / 集中整治 / 巩固提升 …); `plan_percent` is how much of every phase-planned target
    should be done by its end (cumulative)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=50)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    plan_percent = models.DecimalField(
        _("planned by its end (%)"), max_digits=5, decimal_places=1, default=Decimal(100)
    )

    class Meta:
        verbose_name = _("campaign phase")
        verbose_name_plural = _("campaign phases")
        ordering = ["campaign", "starts_on"]

    def __str__(self) -> str:
        return self.name


class CampaignTask(models.Model):
    """A line of the 任务分解表: a unit (and/or a sub-district) answers for it by a date; weights roll progress up."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent task"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("number"), max_length=20)  # e.g. "2.3", as in the district's spreadsheet
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible_unit = models.ForeignKey(
        Department,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_tasks",
    )
    subdistrict = models.ForeignKey(
        Division, verbose_name=_("sub-district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=Decimal(1))

    class Meta:
        verbose_name = _("campaign task")
        verbose_name_plural = _("campaign tasks")
        ordering = ["campaign", "code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="task_number_per_campaign")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Target(models.Model):
    """A numeric target of a task: a goal, a comparator, a due date and how its value is measured."""

    task = models.ForeignKey(
        CampaignTask, verbose_name=_("campaign task"), on_delete=models.CASCADE, related_name="targets"
    )
    name = models.CharField(_("name"), max_length=200)
    measure = models.CharField(_("measured by"), max_length=20, choices=Measure.choices)
    goal = models.DecimalField(_("goal"), max_digits=12, decimal_places=2)
    comparator = models.CharField(
        _("comparator"), max_length=3, choices=Comparator.choices, default=Comparator.AT_LEAST
    )
    unit_label = models.CharField(_("unit"), max_length=10, blank=True)  # 处, 个, 次, %
    # Done before the platform counted (added to a count), or the baseline period's value for a trend.
    baseline = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2, null=True, blank=True)
    baseline_from = models.DateField(_("baseline period from"), null=True, blank=True)
    baseline_to = models.DateField(_("baseline period to"), null=True, blank=True)
    starts_on = models.DateField(_("counts from"), null=True, blank=True)  # default: the campaign's start
    due_on = models.DateField(_("due on"))
    plan_curve = models.CharField(_("plan"), max_length=8, choices=PlanCurve.choices, default=PlanCurve.LINEAR)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=Decimal(1))
    # Recurrence: at least `per_period` records in every `frequency` period between start and due date.
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, blank=True)
    per_period = models.PositiveSmallIntegerField(_("records per period"), null=True, blank=True)
    # When its daily tallies were last rebuilt (`campaigns.tallies`); null: none yet, or its rule or dates changed.
    tallied_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["task", "id"]

    def __str__(self) -> str:
        return self.name


class CaseRule(models.Model):
    """Which cases a case-measured target counts: classes, area, channels, period, and which step counts."""

    target = models.OneToOneField(Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="case_rule")
    # Class codes or major-class prefixes, optionally "event:" / "component:" (the two kinds share codes).
    class_codes = models.JSONField(pgettext_lazy("campaigns", "classes"), default=list, blank=True)
    division_codes = models.JSONField(_("divisions"), default=list, blank=True)
    grid_codes = models.JSONField(_("unit grids"), default=list, blank=True)
    area_geojson = models.TextField(_("drawn area (GeoJSON)"), blank=True)
    sources = models.JSONField(_("channels"), default=list, blank=True)
    counts = models.CharField(_("counts"), max_length=16, choices=CaseCount.choices, default=CaseCount.CLOSED)
    # A rate's denominator: the cases of the rule that reached this step in the period (blank for a count).
    out_of = models.CharField(_("out of"), max_length=16, choices=CaseCount.choices, blank=True)
    tagged = models.CharField(_("tagged cases"), max_length=8, choices=TaggedCases.choices, default=TaggedCases.ALSO)

    class Meta:
        verbose_name = _("case rule")
        verbose_name_plural = _("case rules")

    def __str__(self) -> str:
        return f"rule of {self.target_id}"


class TargetTally(models.Model):
    """One local day of a case-measured target: its cases that reached the counted step that day (for a rate, the
    denominator's step) and, for a rate, how many of those reached the numerator's step by the target's due end.
    Kept by every workflow action (`campaigns.tallies`), so a live figure sums at most a year of days."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="tallies")
    day = models.DateField()
    counted = models.IntegerField(default=0)
    reached = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "day"], name="campaigns_tally_target_day")]

    def __str__(self) -> str:
        return f"tally of {self.target_id} on {self.day}"


class CampaignCase(models.Model):
    """A case tagged to a campaign by hand (it counts where a rule takes tagged cases)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="tagged_cases"
    )
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="campaign_tags")
    tagged_by = models.ForeignKey(
        USER, verbose_name=_("tagged by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    tagged_at = models.DateTimeField(_("tagged at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tagged case")
        verbose_name_plural = _("tagged cases")
        constraints = [models.UniqueConstraint(fields=["campaign", "case"], name="case_tagged_once_per_campaign")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.case_id}"


class TargetItem(models.Model):
    """One item of a fixed list (a petition, a 12345 order, a weak area): resolved when its case closes or by hand."""

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=200, blank=True)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="campaign_items"
    )
    work_order = models.ForeignKey(
        "intake.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_items",
    )
    resolved_at = models.DateTimeField(_("resolved by hand at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        USER, verbose_name=_("resolved by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_note = models.TextField(_("how it was resolved"), blank=True)

    class Meta:
        verbose_name = _("list item")
        verbose_name_plural = _("list items")
        ordering = ["target", "code"]
        constraints = [models.UniqueConstraint(fields=["target", "code"], name="item_number_per_target")]

    def __str__(self) -> str:
        return self.code


class ActivityRecord(models.Model):
    """A record of a recurring activity (联合检查, 专项整治, a weekly report): date, units, people, findings."""

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="records")
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200)
    units = models.ManyToManyField(Department, verbose_name=_("units"), related_name="+", blank=True)
    people = models.PositiveIntegerField(_("people (人次)"), default=0)
    findings = models.TextField(_("findings"), blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("activity record")
        verbose_name_plural = _("activity records")
        ordering = ["target", "held_on"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class ManualEntry(models.Model):
    """A count (or a milestone) entered by the responsible unit with evidence, counted once the lead unit approves."""

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="entries")
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    occurred_on = models.DateField(_("done on"))
    note = models.TextField(_("note"), blank=True)
    points_geojson = models.TextField(_("places (GeoJSON)"), blank=True)  # e.g. the new parking spaces
    state = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.PENDING)
    entered_by = models.ForeignKey(
        USER, verbose_name=_("entered by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"))
    reviewed_by = models.ForeignKey(
        USER, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("entered count")
        verbose_name_plural = _("entered counts")
        ordering = ["target", "occurred_on"]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.value}"


class ProgressReport(models.Model):
    """A unit's weekly or monthly progress report (信息报送) on a campaign, reviewed by the lead unit."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Department, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(pgettext_lazy("campaigns", "period"), max_length=6, choices=ReportPeriod.choices)
    period_start = models.DateField(_("period starts"))
    text = models.TextField(_("text"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    state = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.PENDING)
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("submitted by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    reviewed_by = models.ForeignKey(
        USER, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["campaign", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "period", "period_start"], name="one_report_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period} {self.period_start}"


class Evidence(models.Model):
    """A photo or document behind an activity record, an entry, a resolved item or a progress report."""

    record = models.ForeignKey(
        ActivityRecord,
        verbose_name=_("activity record"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
    )
    entry = models.ForeignKey(
        ManualEntry,
        verbose_name=_("entered count"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
    )
    item = models.ForeignKey(
        TargetItem, verbose_name=_("list item"), null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
    )
    file = models.FileField(_("file"), upload_to="campaigns/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class ProgressSnapshot(models.Model):
    """A target's figures frozen at a month's end by the worker; the 专报 of that month reads only these."""

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="snapshots")
    month = models.DateField(_("month"))  # the first day of the month
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True)
    numerator = models.DecimalField(_("numerator"), max_digits=14, decimal_places=2, null=True)
    denominator = models.DecimalField(_("denominator"), max_digits=14, decimal_places=2, null=True)
    plan = models.DecimalField(_("plan"), max_digits=14, decimal_places=4, null=True)
    progress = models.DecimalField(_("progress (%)"), max_digits=7, decimal_places=2, null=True)
    # The goal and the plan's percent as they stood, so that a frozen month rolls up without reading live rows.
    goal = models.DecimalField(_("goal"), max_digits=12, decimal_places=2, null=True)
    planned = models.DecimalField(_("planned (%)"), max_digits=7, decimal_places=2, null=True)
    met = models.BooleanField(_("met"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=ProgressStatus.choices)
    met_on = models.DateField(_("met on"), null=True, blank=True)
    taken_at = models.DateTimeField(_("frozen at"))

    class Meta:
        verbose_name = _("progress snapshot")
        verbose_name_plural = _("progress snapshots")
        ordering = ["target", "month"]
        constraints = [models.UniqueConstraint(fields=["target", "month"], name="one_snapshot_per_target_month")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.month:%Y-%m}"


class SupervisionNotice(models.Model):
    """A 督导 notice to a unit or sub-district behind plan at a month's end: at most one per campaign, unit, month."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="supervision_notices"
    )
    unit = models.ForeignKey(Department, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    progress = models.DecimalField(_("progress (%)"), max_digits=7, decimal_places=2)
    plan = models.DecimalField(_("plan (%)"), max_digits=7, decimal_places=2)
    text = models.TextField(_("text"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-month", "campaign"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "month"], name="one_supervision_per_unit_month")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.unit_id} {self.month:%Y-%m}"
