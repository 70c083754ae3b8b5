"""Forms of the staff pages; each turns request data into the arguments of a service or query."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.models import Department
from xiuhua.cases.choices import CaseStatus, Light, Source
from xiuhua.cases.queries import CaseFilters
from xiuhua.core.errors import DomainError
from xiuhua.territory.models import Division
from xiuhua.web.evaluation_page import DrillDown, drill_down


def _with_any(choices) -> list[tuple[str, str]]:
    return [("", _("Any"))] + list(choices)


YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
GROUP_LABELS = {
    "open": _("All open"),
    "centre": _("With the centre (before dispatch)"),
    "with_department": _("With the department"),
    "waiting_approval": _("Waiting for approval"),
    "reported_back": _("Reported back, to check and close"),
    "finished": _("Finished"),
}
DATE_FIELD_LABELS = {
    "reported": _("Reported at"),
    "registered": _("Registered at"),
    "dispatched": _("First dispatched at"),
    "received": _("Last dispatched at (received)"),
    "reported_back": _("Reported back at"),
    "closed": _("Closed at"),
    "late": _("Overdue in the period (deadline passed or handled late)"),
}


def _yes_no(label) -> forms.NullBooleanField:
    return forms.NullBooleanField(label=label, required=False, widget=forms.Select(choices=YES_NO))


class CaseFilterForm(forms.Form):
    """The case list's filters: the same as `GET /api/v1/cases`, and the ones the figures link with (`cases.live`).

    Departments and sub-districts are chosen by name; the URL carries their codes.
    """

    number = forms.CharField(label=_("Case number"), required=False, max_length=20)
    group = forms.ChoiceField(label=_("Status group"), required=False)
    source = forms.ChoiceField(label=_("Source"), choices=_with_any(Source.choices), required=False)
    department = forms.ChoiceField(label=_("Lead department"), required=False)
    division = forms.ChoiceField(label=_("Sub-district"), required=False)
    overdue = _yes_no(_("Overdue now"))
    due_soon = _yes_no(_("Due soon"))
    date_field = forms.ChoiceField(label=_("Dates of"), required=False)
    reported_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput({"type": "date"}))
    reported_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    light = forms.ChoiceField(label=_("Light"), choices=_with_any(Light.choices), required=False)
    class_code = forms.CharField(label=_("Class code"), required=False, max_length=5)
    grid = forms.CharField(label=_("Unit grid"), required=False, max_length=20)
    status = forms.MultipleChoiceField(
        label=_("Status"), choices=CaseStatus.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    # Set by the links of the figures (kept as hidden fields while other filters change).
    handled_by = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    on_time = forms.NullBooleanField(required=False, widget=forms.HiddenInput)
    reworked = forms.NullBooleanField(required=False, widget=forms.HiddenInput)

    MAIN = ("number", "group", "source", "department", "division", "overdue", "due_soon")
    MORE = ("date_field", "reported_from", "reported_to", "light", "class_code", "grid")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = _with_any(GROUP_LABELS.items())
        self.fields["date_field"].choices = list(DATE_FIELD_LABELS.items())
        departments = Department.objects.filter(active=True).order_by("kind", "name").values_list("short_name", "name")
        self.fields["department"].choices = _with_any(departments)
        subdistricts = Division.objects.filter(level="subdistrict").order_by("code").values_list("code", "name")
        self.fields["division"].choices = _with_any(subdistricts)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs["class"] = "form-control form-control-sm"

    def main_fields(self) -> list:
        return [self[name] for name in self.MAIN]

    def more_fields(self) -> list:
        return [self[name] for name in self.MORE]

    def more_used(self) -> bool:
        """Whether a filter of the second row is set (then it is shown open)."""
        return self.is_bound and any(self.data.get(name) for name in (*self.MORE, "status"))

    # The cases behind one figure of the evaluation page (all four together, kept while other filters change).
    indicator = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    object_type = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    object = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    period = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)

    DRILL_DOWN = ("indicator", "object_type", "object", "period")
    # The cases behind a campaign target's figure (campaigns.measures.drill_down_cases).
    target = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def case_filters(self) -> CaseFilters:
        skip = {"number", "target", *self.DRILL_DOWN}
        data = {k: v for k, v in self.cleaned_data.items() if k not in skip and v not in ("", None, [])}
        return CaseFilters(**data)

    def drill_down(self) -> DrillDown | None:
        """The evaluation figure whose cases to list, or None; a `DomainError` when its parameters are wrong."""
        given = [self.cleaned_data.get(name) or "" for name in self.DRILL_DOWN]
        if not any(given):
            return None
        if not all(given):
            raise DomainError(
                _("A figure's case list needs all of indicator, object_type, object and period."), code="bad_filter"
            )
        return drill_down(*given)
