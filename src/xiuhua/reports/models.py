"""Report files built in the background (`reports.jobs`) and kept for download."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel"
    PDF = "pdf", "PDF"


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Building")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed to build")


class ReportJob(models.Model):
    """One monthly report file for a period, a data scope and a format: queued, built by the worker, kept."""

    kind = models.CharField(_("report"), max_length=20, default="monthly")
    period = models.CharField(_("period"), max_length=24)
    # Users who see the same cases share files: the key is a hash of their visible cases' SQL.
    scope_key = models.CharField(max_length=64, db_index=True)
    scope_label = models.CharField(_("scope"), max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE)
    format = models.CharField(_("format"), max_length=8, choices=ReportFormat.choices)
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"], name="reportjob_state_created")]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} {self.format} {self.state}"
