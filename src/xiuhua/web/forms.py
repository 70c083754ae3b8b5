"""Forms of the staff pages; each turns request data into the arguments of a service or query."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xiuhua.cases.choices import CaseStatus, Light, Source
from xiuhua.cases.queries import CaseFilters


def _with_any(choices) -> list[tuple[str, str]]:
    return [("", _("Any"))] + list(choices)


class CaseFilterForm(forms.Form):
    """The case list's filters: the same as `GET /api/v1/cases`."""

    number = forms.CharField(label=_("Case number"), required=False, max_length=20)
    status = forms.MultipleChoiceField(label=_("Status"), choices=CaseStatus.choices, required=False)
    light = forms.ChoiceField(label=_("Light"), choices=_with_any(Light.choices), required=False)
    source = forms.ChoiceField(label=_("Source"), choices=_with_any(Source.choices), required=False)
    class_code = forms.CharField(label=_("Class code"), required=False, max_length=5)
    grid = forms.CharField(label=_("Unit grid"), required=False, max_length=20)
    department = forms.CharField(label=_("Lead department"), required=False, max_length=40)
    overdue = forms.NullBooleanField(
        label=_("Overdue"),
        required=False,
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )
    reported_from = forms.DateField(label=_("Reported from"), required=False, widget=forms.DateInput({"type": "date"}))
    reported_to = forms.DateField(label=_("Reported to"), required=False, widget=forms.DateInput({"type": "date"}))

    def case_filters(self) -> CaseFilters:
        data = {k: v for k, v in self.cleaned_data.items() if k != "number" and v not in ("", None, [])}
        return CaseFilters(**data)
