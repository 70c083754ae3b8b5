"""Score schemes: the weights that turn an object type's rates into a 100-point score (configurable in the admin)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

OBJECT_TYPE_CHOICES = [
    ("district", _("Districts")),
    ("subdistrict", _("Sub-districts")),
    ("community", _("Communities")),
    ("grid", _("Unit grids")),
    ("department", _("Departments")),
    ("inspector", _("Inspectors")),
    ("operator", _("Operators")),
    ("shift_leader", _("Shift leaders")),
    ("dispatcher", _("Dispatchers")),
]


class ScoreScheme(models.Model):
    """Per object type: `components` is a list of {"indicator": rate code, "weight": points}.

    A rate where higher is better scores weight × rate; one where lower is better (rework, overdue, extension,
    missed reports) scores weight × (1 − rate). Weights need not add up to 100: the score is scaled to 100.
    """

    object_type = models.CharField(_("object type"), max_length=16, choices=OBJECT_TYPE_CHOICES, unique=True)
    name = models.CharField(_("name"), max_length=100)
    components = models.JSONField(_("components"), default=list)
    source = models.TextField(_("source / notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("score scheme")
        verbose_name_plural = _("score schemes")
        ordering = ["object_type"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from xiuhua.evaluation.scoring import scheme_problems

        if problems := scheme_problems(self.components):
            raise ValidationError({"components": problems})
