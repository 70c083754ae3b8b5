"""Responsibility rules (责任划分): which department leads on a kind of problem in a part of the territory."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.models import Department
from xiuhua.catalog.choices import ClassKind
from xiuhua.catalog.models import CaseClass

area_code_validator = RegexValidator(
    r"^(\d{6}|\d{9}|\d{12}|[0-9A-Z]{15})$",
    _("A district (6), sub-district (9) or community (12) code, or a 15-character unit grid code."),
)


class RoutingRule(models.Model):
    """When a case matches every condition given here, the rule names its lead and assisting units."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Smaller numbers are tried first; ties go to the more specific rule.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ClassKind.choices, blank=True)
    major_code = models.CharField(_("major code"), max_length=2, blank=True)
    case_class = models.ForeignKey(
        CaseClass, verbose_name=_("case class"), null=True, blank=True, on_delete=models.CASCADE
    )
    area_code = models.CharField(
        _("area"),
        max_length=15,
        blank=True,
        validators=[area_code_validator],
        help_text=_("Division or unit grid code; the rule applies inside it. Empty: everywhere."),
    )
    start_time = models.TimeField(_("from (time of day)"), null=True, blank=True)
    end_time = models.TimeField(
        _("until (time of day)"), null=True, blank=True, help_text=_("A window may pass midnight, e.g. 22:00–06:00.")
    )
    lead_department = models.ForeignKey(
        Department, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="routing_rules"
    )
    assisting_departments = models.ManyToManyField(
        Department, verbose_name=_("assisting units"), blank=True, related_name="assisting_routing_rules"
    )
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.name


class AutoDispatch(models.Model):
    """A class whose registered cases go straight to the routing suggestion, without the dispatcher confirming."""

    case_class = models.OneToOneField(CaseClass, verbose_name=_("case class"), on_delete=models.CASCADE)
    enabled = models.BooleanField(_("dispatch on register"), default=True)

    class Meta:
        verbose_name = _("auto-dispatch class")
        verbose_name_plural = _("auto-dispatch classes")

    def __str__(self) -> str:
        return str(self.case_class)
