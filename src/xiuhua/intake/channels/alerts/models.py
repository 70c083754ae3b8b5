"""Registered sensors and cameras, the alert types they raise, and every alert received."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.models import ApiKey
from xiuhua.cases.models import Case
from xiuhua.catalog.choices import Urgency
from xiuhua.catalog.models import CaseClass


class DeviceKind(models.TextChoices):
    SENSOR = "sensor", _("IoT sensor")
    VIDEO = "video", _("Video camera / AI")


class Device(models.Model):
    device_id = models.CharField(_("device id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=DeviceKind.choices)
    api_key = models.OneToOneField(ApiKey, verbose_name=_("API key"), on_delete=models.PROTECT)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=256, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["device_id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.device_id}）"


class AlertType(models.Model):
    """What an alert means in the catalogue, and how long repeats fold into the open case."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    case_class = models.ForeignKey(CaseClass, verbose_name=_("case class"), on_delete=models.PROTECT)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    fold_hours = models.PositiveIntegerField(_("fold repeats within (hours)"), default=24)

    class Meta:
        verbose_name = _("alert type")
        verbose_name_plural = _("alert types")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Alert(models.Model):
    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="alerts")
    alert_type = models.ForeignKey(AlertType, verbose_name=_("alert type"), on_delete=models.PROTECT)
    alert_id = models.CharField(_("device's alert id"), max_length=64, blank=True)
    reading = models.FloatField(_("reading"), null=True, blank=True)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    received_at = models.DateTimeField(_("received at"))
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    snapshot_url = models.URLField(_("snapshot"), max_length=500, blank=True)
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="alerts")
    folded = models.BooleanField(_("folded into an open case"), default=False)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "alert_id"], condition=~models.Q(alert_id=""), name="alert_id_per_device"
            )
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.alert_type_id} {self.raised_at:%Y-%m-%d %H:%M}"
