"""Intake settings: how near and how recent another report must be to count as a possible duplicate."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiuhua.catalog.models import CaseClass
from xiuhua.core.fields import EncryptedTextField, PhoneDigestField


class DuplicateWindow(models.Model):
    """Per class (or for every class when none is given): the radius and time window of duplicate suggestions."""

    case_class = models.OneToOneField(
        CaseClass, verbose_name=_("case class"), null=True, blank=True, on_delete=models.CASCADE
    )
    radius_m = models.PositiveIntegerField(
        _("radius (m)"), default=50, validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    window_hours = models.PositiveIntegerField(
        _("time window (hours)"), default=72, validators=[MinValueValidator(1), MaxValueValidator(24 * 90)]
    )

    class Meta:
        verbose_name = _("duplicate window")
        verbose_name_plural = _("duplicate windows")

    def __str__(self) -> str:
        return f"{self.case_class or '*'} {self.radius_m} m / {self.window_hours} h"


class RejectedReport(models.Model):
    """A payload a channel refused, kept for the operator: what came in, from whom, and why it was refused."""

    channel = models.CharField(_("channel"), max_length=20, db_index=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    client = models.CharField(_("client"), max_length=200, blank=True)
    error_code = models.CharField(_("error code"), max_length=40)
    message = models.TextField(_("message"))
    payload = models.JSONField(_("payload"), default=dict)

    class Meta:
        verbose_name = _("rejected report")
        verbose_name_plural = _("rejected reports")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} {self.error_code}"


class RateWindow(models.Model):
    """Reports counted per anonymous client and fixed time window, shared by every web process."""

    client = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "window_start"], name="rate_window_unique")]

    def __str__(self) -> str:
        return f"{self.client} {self.window_start:%Y-%m-%d %H:%M} {self.count}"


class ClassifierModel(models.Model):
    """A text classifier trained on the platform's closed cases; the active one suggests classes for hotline text.

    The fitted scikit-learn pipeline is stored in the database (joblib) so every web process loads the same
    model. Only the platform writes it: loading runs pickle, so never put a model from elsewhere here.
    """

    trained_at = models.DateTimeField(_("trained at"), db_index=True)
    case_count = models.PositiveIntegerField(_("cases used"))
    class_count = models.PositiveIntegerField(_("classes"))
    held_out_count = models.PositiveIntegerField(_("held-out cases"))
    top1_accuracy = models.FloatField(_("top-1 accuracy"))
    top3_accuracy = models.FloatField(_("top-3 accuracy"))
    baseline_accuracy = models.FloatField(
        _("majority-class baseline"), help_text=_("Top-1 accuracy of always answering the most frequent class.")
    )
    active = models.BooleanField(_("active"), default=True)
    pipeline = models.BinaryField(_("fitted pipeline (joblib)"), editable=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("text classifier")
        verbose_name_plural = _("text classifiers")
        ordering = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"{self.trained_at:%Y-%m-%d %H:%M} top-1 {self.top1_accuracy:.1%} top-3 {self.top3_accuracy:.1%}"


class Open311Update(models.Model):
    """A citizen's comment on a case sent by an Open311 app (mySociety `servicerequestupdates`).

    It is kept beside the case and never changes its status: a citizen cannot move the workflow.
    """

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="open311_updates"
    )
    client = models.ForeignKey("accounts.ApiKey", verbose_name=_("client"), on_delete=models.PROTECT)
    client_update_id = models.CharField(_("client's update id"), max_length=64, blank=True)
    status = models.CharField(_("status as sent"), max_length=40, blank=True)
    description = models.TextField(_("description"))
    # The citizen's contact is encrypted at rest (core.fields).
    first_name = EncryptedTextField(_("first name"), max_length=50, blank=True)
    last_name = EncryptedTextField(_("last name"), max_length=50, blank=True)
    email = EncryptedTextField(_("e-mail"), max_length=254, blank=True)
    phone = EncryptedTextField(_("phone"), max_length=30, blank=True)
    phone_digest = PhoneDigestField(source="phone")
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at (client)"))
    received_at = models.DateTimeField(_("received at"), db_index=True)

    class Meta:
        verbose_name = _("Open311 update")
        verbose_name_plural = _("Open311 updates")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "client_update_id"],
                condition=~models.Q(client_update_id=""),
                name="open311_update_once_per_client",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.received_at:%Y-%m-%d %H:%M}"


# Channel models live with their channel; imported here so Django finds them.
from xiuhua.intake.channels.alerts.models import Alert, AlertType, Device  # noqa: E402, F401
from xiuhua.intake.channels.citizen.models import CitizenRating  # noqa: E402, F401
from xiuhua.intake.channels.hotline.models import WorkOrder  # noqa: E402, F401


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ImportJob(models.Model):
    """An uploaded file the worker imports in small batches; the page polls its progress.

    The file is kept in the row (an export of a few thousand orders is a few hundred KB) so that any worker
    process can run it and a worker killed mid-import starts it again, skipping the orders already stored.
    """

    kind = models.CharField(_("kind"), max_length=30, default="work_orders")
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file content"))
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)  # [{"row", "column", "message"}]
    message = models.TextField(_("message"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["status", "created_at"], name="import_job_status")]

    def __str__(self) -> str:
        return f"{self.filename} {self.status} {self.rows_done}/{self.rows_total}"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        return 100 if self.status == ImportStatus.DONE else int(100 * self.rows_done / max(self.rows_total, 1))
