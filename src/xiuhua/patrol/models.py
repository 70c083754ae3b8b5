"""On duty (在岗) and patrol tracks (巡查轨迹): an inspector's shifts and the positions their phone recorded.

A day of 30-second points from hundreds of inspectors is hundreds of thousands of rows, so a point is a narrow
row written in bulk: the (inspector, recorded time) pair is unique, which makes re-sent batches harmless and is
also the index a day's track is read from; (shift, recorded time) serves replay and the shift's figures.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiuhua.patrol.choices import EndReason, PointFlag


class PatrolShift(models.Model):
    """One spell on duty: from 上岗 to 下岗 (or to the last position, when the phone went silent)."""

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="patrol_shifts"
    )
    started_at = models.DateTimeField(_("on duty since"))
    ended_at = models.DateTimeField(_("off duty at"), null=True, blank=True)
    end_reason = models.CharField(_("ended by"), max_length=12, choices=EndReason.choices, blank=True)
    point_count = models.PositiveIntegerField(_("positions"), default=0)
    distance_m = models.FloatField(_("distance (m)"), default=0.0)
    last_point_at = models.DateTimeField(_("last position at"), null=True, blank=True)
    last_lng = models.FloatField(null=True, blank=True)
    last_lat = models.FloatField(null=True, blank=True)
    # Where the distance count stands (the last point it moved to), so a batch in time order extends it without
    # reading the shift's earlier points; a batch reaching back in time recounts the shift.
    anchor_at = models.DateTimeField(null=True, blank=True, editable=False)
    anchor_lng = models.FloatField(null=True, blank=True, editable=False)
    anchor_lat = models.FloatField(null=True, blank=True, editable=False)
    anchor_accuracy = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("patrol shift")
        verbose_name_plural = _("patrol shifts")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["inspector", "-started_at"], name="patrolshift_inspector"),
            models.Index(fields=["started_at"], name="patrolshift_started"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["inspector"], condition=Q(ended_at__isnull=True), name="patrolshift_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspector} · {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def on_duty(self) -> bool:
        return self.ended_at is None


class PatrolTrack(models.Model):
    """One position of an inspector on duty, as the phone recorded it."""

    id = models.BigAutoField(primary_key=True)
    # No single-column indexes: the unique pair and the (shift, time) index lead with these columns.
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, db_index=False,
        related_name="+",
    )  # fmt: skip
    shift = models.ForeignKey(
        PatrolShift, verbose_name=_("patrol shift"), on_delete=models.CASCADE, db_index=False, related_name="points"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    flag = models.CharField(_("flag"), max_length=8, choices=PointFlag.choices, blank=True, default="")

    class Meta:
        verbose_name = _("patrol track point")
        verbose_name_plural = _("patrol track points")
        constraints = [models.UniqueConstraint(fields=["inspector", "recorded_at"], name="patroltrack_once")]
        indexes = [models.Index(fields=["shift", "recorded_at"], name="patroltrack_shift_time")]

    def __str__(self) -> str:
        return f"{self.inspector_id} {self.recorded_at:%H:%M:%S} ({self.lng:.6f}, {self.lat:.6f})"
