"""Enumerations of the campaigns domain (专项行动), with their Chinese labels in the locale files."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaigns", "Draft")
    ACTIVE = "active", _("Under way")
    ENDED = "ended", _("Ended")


class ReviewDecision(models.TextChoices):
    """The year-end review (年度评估): carry the campaign into next year or end it."""

    CONTINUE = "continue", _("Continue next year")
    END = "end", _("End")


class Measure(models.TextChoices):
    """How a target's value is measured. Each is one class in `campaigns.measures` behind the same interface;
    the ledgers add theirs (e.g. a ledger rule) without touching the others."""

    CASE_COUNT = "case_count", _("Count of cases (case rule)")
    CASE_RATE = "case_rate", _("Rate over live cases (case rule)")
    CASE_TREND = "case_trend", _("Trend against a baseline period (case rule)")
    LIST_RATE = "list_rate", _("Rate over a fixed list")
    RECURRENCE = "recurrence", _("Recurring activity")
    MILESTONE = "milestone", _("Milestone by a date")
    MANUAL_COUNT = "manual_count", _("Count entered with evidence")


class Comparator(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")


class PlanCurve(models.TextChoices):
    LINEAR = "linear", _("Linear over the period")
    PHASES = "phases", _("By phase")


class Frequency(models.TextChoices):
    WEEK = "week", _("Weekly")
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Yearly")


class ProgressStatus(models.TextChoices):
    """A target's (task's, campaign's) standing against its plan."""

    ON_TRACK = "on_track", _("On track")  # 正常
    BEHIND = "behind", _("Behind plan")  # 滞后
    MET = "met", _("Met")  # 完成
    OVERDUE = "overdue", pgettext_lazy("campaigns", "Overdue")  # 逾期: past its due date and not met
    NOT_STARTED = "not_started", _("Not started")


class CaseCount(models.TextChoices):
    """Which cases of a case rule count (the numerator), each read from one time of the case statistics."""

    REPORTED = "reported", _("Reported")
    REGISTERED = "registered", _("Registered")
    DISPATCHED = "dispatched", _("Dispatched")
    CLOSED = "closed", pgettext_lazy("campaigns", "Closed")
    CLOSED_ON_TIME = "closed_on_time", _("Closed, handled on time")
    SELF_HANDLED = "self_handled", _("Handled on the spot by the inspector")


class TaggedCases(models.TextChoices):
    """How cases tagged to the campaign by hand take part in a case rule."""

    ALSO = "also", _("Matching cases and tagged cases")
    ONLY = "only", _("Tagged cases only")
    IGNORE = "ignore", _("Matching cases only")


class Review(models.TextChoices):
    """A responsible unit's entry or report, reviewed by the lead unit."""

    PENDING = "pending", _("Awaiting review")
    APPROVED = "approved", pgettext_lazy("campaigns", "Approved")
    RETURNED = "returned", pgettext_lazy("campaigns", "Returned")


class ReportPeriod(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
