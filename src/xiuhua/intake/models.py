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
