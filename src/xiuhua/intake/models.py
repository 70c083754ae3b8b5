"""Intake settings: how near and how recent another report must be to count as a possible duplicate."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiuhua.catalog.models import CaseClass


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
