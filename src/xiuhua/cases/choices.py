"""Enumerations of the case workflow; labels are translated (Chinese by default)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted")
    VERIFYING = "verifying", _("Verifying")
    REGISTERED = "registered", _("Registered")
    DECLINED = "declined", _("Declined")
    DISPATCHED = "dispatched", _("Dispatched")
    HANDLING = "handling", _("Handling")
    HANDLED = "handled", _("Handled")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked, to close")
    CLOSED = "closed", _("Closed")
    SELF_HANDLED = "self_handled", _("Self-handled, to audit")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    RETURN_REQUESTED = "return_requested", _("Return requested")
    SUSPENSION_REQUESTED = "suspension_requested", _("Suspension requested")
    SUSPENDED = "suspended", _("Suspended")
    VOID_REQUESTED = "void_requested", _("Void requested")
    VOIDED = "voided", _("Voided")
    MERGED = "merged", _("Merged into another case")


class Action(models.TextChoices):
    REPORT = "report", _("Report")
    ACCEPT = "accept", _("Accept")
    VERIFY = "verify", _("Verify")
    REGISTER = "register", _("Register")
    DECLINE = "decline", _("Decline")
    DISPATCH = "dispatch", _("Dispatch")
    HANDLE = "handle", _("Handle")
    REPORT_BACK = "report_back", _("Report back")
    CHECK = "check", _("Check")
    CLOSE = "close", _("Close")
    CALLBACK = "callback", _("Callback")
    REQUEST_EXTENSION = "request_extension", _("Request extension")
    REQUEST_RETURN = "request_return", _("Request return")
    REQUEST_SUSPENSION = "request_suspension", _("Request suspension")
    REQUEST_VOID = "request_void", _("Request void")
    APPROVE = "approve", _("Approve")
    REFUSE = "refuse", _("Refuse")
    RESUME = "resume", _("Resume")
    SELF_HANDLE = "self_handle", _("Self-handle")
    URGE = "urge", _("Urge")
    REOPEN = "reopen", _("Reopen")
    MERGE = "merge", _("Merge into another case")
    # Written by the timer sweep, not by people.
    WARN = "warn", _("Time limit warning")
    MARK_OVERDUE = "mark_overdue", _("Marked overdue")


class Source(models.TextChoices):
    INSPECTOR = "inspector", _("Inspector")
    HOTLINE_12345 = "hotline_12345", _("12345 hotline")
    HOTLINE_12319 = "hotline_12319", _("12319 hotline")
    CITIZEN = "citizen", _("Citizen")
    VIDEO = "video", _("Video patrol / AI")
    SENSOR = "sensor", _("IoT sensor")
    LEADER = "leader", _("Leader's assignment")
    MEDIA = "media", _("Media")
    OPEN311 = "open311", _("Open311 app")
    OTHER = "other", _("Other")


# Sources whose reporter expects an answer: the case gets a callback (回访) after closing.
CALLBACK_SOURCES = frozenset({Source.HOTLINE_12345, Source.HOTLINE_12319, Source.CITIZEN, Source.OPEN311, Source.MEDIA})


class Stage(models.TextChoices):
    """Stages of the loop with their own time limit (the handling limit is the case's own)."""

    ACCEPT = "accept", _("Accept")
    VERIFY = "verify", _("Verify")
    REGISTER = "register", _("Register")
    DISPATCH = "dispatch", _("Dispatch")
    CHECK = "check", _("Check")
    CLOSE = "close", _("Close")


class AttachmentStage(models.TextChoices):
    BEFORE = "before", _("Before handling")
    AFTER = "after", _("After handling")
    OTHER = "other", _("Other")


class RequestKind(models.TextChoices):
    EXTENSION = "extension", _("Extension")
    RETURN = "return", _("Return")
    SUSPENSION = "suspension", _("Suspension")
    VOID = "void", _("Void")
    SELF_HANDLE = "self_handle", _("Self-handled case audit")


class RequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ExtensionUnit(models.TextChoices):
    HOURS = "hours", _("Hours")
    DAYS = "days", _("Days")


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    VERY_DISSATISFIED = "very_dissatisfied", _("Very dissatisfied")


# Scores of one real system (DESIGN §4); a city may override them with XIUHUA_SATISFACTION_SCORES.
DEFAULT_SATISFACTION_SCORES = {
    Satisfaction.VERY_SATISFIED: 100,
    Satisfaction.SATISFIED: 80,
    Satisfaction.BASICALLY_SATISFIED: 50,
    Satisfaction.DISSATISFIED: 0,
    Satisfaction.VERY_DISSATISFIED: -100,
}


class Light(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class TimerKind(models.TextChoices):
    STAGE_WARNING = "stage_warning", _("Stage limit warning")
    STAGE_OVERDUE = "stage_overdue", _("Stage limit passed")
    HANDLING_WARNING = "handling_warning", _("Handling limit warning")
    HANDLING_OVERDUE = "handling_overdue", _("Handling limit passed")
