"""Notices sent to users: the in-app inbox is the first channel; SMS and WeChat adapters come later."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    TASK = "task", _("New task")
    WARNING = "warning", _("Time limit warning")
    OVERDUE = "overdue", _("Overdue")
    URGE = "urge", _("Supervision order")
    DECISION = "decision", _("Request decided")
    INFO = "info", _("Information")


# Kinds that ask the recipient to do something about a case: a task given to them (dispatched, returned for
# rework, a request to approve, a check to make, a callback to make), a supervision order, a time-limit warning
# or overdue notice. Only these are counted on the bell. Decisions on one's own requests and information
# (a case declined, a suspended case resumed) are listed but not counted: nothing waits on the reader.
ACTIONABLE_KINDS = frozenset({NoticeKind.TASK, NoticeKind.WARNING, NoticeKind.OVERDUE, NoticeKind.URGE})


class Notice(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # What the notice is about, as a reference the web and API can link to (e.g. a case number).
    subject = models.CharField(_("about"), max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return self.title
