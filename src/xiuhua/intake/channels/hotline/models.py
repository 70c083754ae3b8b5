"""12345 / 12319 hotline work orders (工单). An order becomes a case, or is answered on the call (consultation)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiuhua.cases.models import Case
from xiuhua.core.fields import EncryptedTextField, PhoneDigestField


class Hotline(models.TextChoices):
    H12345 = "12345", _("12345 government service hotline")
    H12319 = "12319", _("12319 urban services hotline")


class OrderType(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report of wrongdoing")
    SUGGESTION = "suggestion", _("Suggestion")


class OrderUrgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    VERY_URGENT = "very_urgent", _("Very urgent")


class OrderState(models.TextChoices):
    AWAITING_CLASS = "awaiting_class", _("Waiting for a class")
    TRANSFERRED = "transferred", _("Transferred to a case")
    ANSWERED = "answered", _("Answered on the call")


class WorkOrder(models.Model):
    hotline = models.CharField(_("hotline"), max_length=5, choices=Hotline.choices)
    order_number = models.CharField(_("hotline order number"), max_length=40)
    order_type = models.CharField(_("order type"), max_length=12, choices=OrderType.choices)
    urgency = models.CharField(_("urgency"), max_length=12, choices=OrderUrgency.choices, default=OrderUrgency.NORMAL)
    # Encrypted at rest (core.fields); caller lookups go through the digest.
    caller_name = EncryptedTextField(_("caller name"), max_length=50, blank=True)
    caller_phone = EncryptedTextField(_("caller phone"), max_length=30, blank=True)
    caller_phone_digest = PhoneDigestField(source="caller_phone")
    confidential = models.BooleanField(_("caller asked for confidentiality"), default=False)
    content = models.TextField(_("content"))
    address = models.CharField(_("address"), max_length=256, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    crs = models.CharField(_("coordinate system"), max_length=10, default="wgs84")
    received_at = models.DateTimeField(_("received by the hotline at"))
    hotline_deadline = models.DateTimeField(_("hotline deadline"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=OrderState.choices)
    answer = models.TextField(_("answer given on the call"), blank=True)
    suggested_classes = models.JSONField(_("suggested classes"), default=list, blank=True)
    case = models.OneToOneField(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="work_order"
    )
    created_at = models.DateTimeField(_("taken in at"))

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["hotline", "order_number"], name="work_order_number_per_hotline")
        ]

    def __str__(self) -> str:
        return f"{self.hotline}-{self.order_number}"
