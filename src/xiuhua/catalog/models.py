"""The classification of components and events (versioned data), register conditions, components."""

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.models import Department
from xiuhua.catalog.choices import ClassKind, ComponentState, LimitUnit, Urgency
from xiuhua.territory.models import UnitGrid

class_code_validator = RegexValidator(r"^\d{5}$", _("A class code has 5 digits: 2 for the major class, 3 minor."))
component_code_validator = RegexValidator(
    r"^(\d{17}|\d{16})$",
    _("A component code has 17 digits (6 division + 5 class + 6 sequence); legacy 16-digit codes are kept."),
)


class CaseClass(models.Model):
    """One minor class of the standard (or a local extension) — what a case is about."""

    standard_ref = models.CharField(_("standard"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=ClassKind.choices)
    major_code = models.CharField(_("major code"), max_length=2)
    major_name = models.CharField(_("major class"), max_length=30)
    code = models.CharField(_("code"), max_length=5, validators=[class_code_validator])
    name = models.CharField(_("name"), max_length=60)
    is_local = models.BooleanField(
        _("local extension"), default=False, help_text=_("A city's own class, minor code 080–999.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("case class")
        verbose_name_plural = _("case classes")
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["standard_ref", "kind", "code"], name="caseclass_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RegisterCondition(models.Model):
    """A register condition (立案条件) of a class: when a report counts, its time limit, what counts as fixed.

    These are local settings of the city, not part of the national standard.
    """

    case_class = models.ForeignKey(
        CaseClass, verbose_name=_("case class"), on_delete=models.CASCADE, related_name="register_conditions"
    )
    description = models.CharField(_("register condition"), max_length=200)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    handling_limit_value = models.PositiveIntegerField(_("handling limit"), validators=[MinValueValidator(1)])
    handling_limit_unit = models.CharField(_("limit unit"), max_length=16, choices=LimitUnit.choices)
    close_condition = models.CharField(_("close condition"), max_length=200)
    default_department = models.ForeignKey(
        Department, verbose_name=_("default department"), null=True, blank=True, on_delete=models.SET_NULL
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("register condition")
        verbose_name_plural = _("register conditions")
        ordering = ["case_class", "sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.case_class.code} {self.description}"

    @property
    def handling_limit_text(self) -> str:
        return f"{self.handling_limit_value} {self.get_handling_limit_unit_display()}"


class Component(models.Model):
    """A surveyed component (部件普查): one public facility with its code, place and owners."""

    code = models.CharField(_("code"), max_length=17, unique=True, validators=[component_code_validator])
    name = models.CharField(_("name"), max_length=60)
    case_class = models.ForeignKey(
        CaseClass,
        verbose_name=_("case class"),
        on_delete=models.PROTECT,
        limit_choices_to={"kind": ClassKind.COMPONENT},
    )
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    unit_grid = models.ForeignKey(
        UnitGrid, verbose_name=_("unit grid"), null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    address = models.CharField(_("location"), max_length=256, blank=True)
    supervising_department = models.ForeignKey(
        Department,
        verbose_name=_("supervising department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_components",
    )
    owning_department = models.ForeignKey(
        Department,
        verbose_name=_("owning unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_components",
    )
    maintaining_department = models.ForeignKey(
        Department,
        verbose_name=_("maintaining unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="maintained_components",
    )
    state = models.CharField(_("state"), max_length=10, choices=ComponentState.choices, default=ComponentState.INTACT)
    survey_date = models.DateField(_("survey date"))
    change_date = models.DateField(_("change date"), null=True, blank=True)
    data_source = models.CharField(_("data source"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    attributes = models.JSONField(_("extra attributes"), default=dict, blank=True)
    # The map's aggregated component layer keeps a snapshot per process and rebuilds it when this changes.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["code"]
        indexes = [models.Index(fields=["lng", "lat"], name="component_point")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
