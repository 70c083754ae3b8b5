"""Forms of the staff pages; each turns request data into the arguments of a service or query."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xiuhua.cases.choices import CaseStatus, Light, Source
from xiuhua.cases.queries import CaseFilters
from xiuhua.core.errors import DomainError
from xiuhua.web.evaluation_page import DrillDown, drill_down


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

    # The cases behind one figure of the evaluation page (all four together, kept while other filters change).
    indicator = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    object_type = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    object = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    period = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)

    DRILL_DOWN = ("indicator", "object_type", "object", "period")

    def case_filters(self) -> CaseFilters:
        skip = {"number", *self.DRILL_DOWN}
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
