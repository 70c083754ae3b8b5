"""Forms of the responsible units on a campaign page (counts, records, resolved items, reports) and of the lead
unit's review; each turns the request into the arguments of one campaigns service."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiuhua.campaigns.choices import ReportPeriod, Review

REVIEW_CHOICES = [
    (Review.APPROVED, pgettext_lazy("campaign review", "Approve")),
    (Review.RETURNED, pgettext_lazy("campaign review", "Return")),
]


class CampaignForm(forms.Form):
    """Bootstrap classes on every widget; no ids (the page repeats a form per row), labels wrap their fields."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", False)
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            widget.attrs["class"] = css

    def problems(self) -> str:
        return "；".join(
            f"{self.fields[name].label or name}：{' '.join(errors)}" for name, errors in self.errors.items()
        )


def date_input() -> forms.DateInput:
    """A date picker; its value must be ISO whatever the language (zh-hans would write 2026/03/01, which the
    browser's picker does not read)."""
    return forms.DateInput({"type": "date"}, format="%Y-%m-%d")


def _date(label) -> forms.DateField:
    return forms.DateField(label=label, widget=date_input(), initial=timezone.localdate)


def _file() -> forms.FileField:
    return forms.FileField(label=_("Evidence (photo or file)"), required=False)


class EntryForm(CampaignForm):
    value = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=2, min_value=0)
    occurred_on = _date(_("Done on"))
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)
    evidence = _file()


class RecordForm(CampaignForm):
    held_on = _date(_("Held on"))
    title = forms.CharField(label=_("Activity"), max_length=200)
    people = forms.IntegerField(label=_("People (person-times)"), min_value=0, initial=0)
    findings = forms.CharField(label=_("Findings"), max_length=2000, required=False)
    evidence = _file()


class ResolveForm(CampaignForm):
    note = forms.CharField(label=_("How it was resolved"), max_length=1000)
    evidence = _file()


class ReportForm(CampaignForm):
    period = forms.ChoiceField(label=_("Reporting period"), choices=ReportPeriod.choices)
    day = _date(_("A day in the period"))
    text = forms.CharField(label=_("Progress made"), max_length=5000, widget=forms.Textarea({"rows": 2}))
    evidence = _file()


class ReviewForm(CampaignForm):
    decision = forms.ChoiceField(label=_("Review"), choices=REVIEW_CHOICES)
    note = forms.CharField(label=_("Review note"), max_length=1000, required=False)


def blank_forms(user, campaign) -> dict:
    """The empty forms a campaign page shows (the template decides per row whether the user sees them)."""
    forms_ = {
        "entry_form": EntryForm(),
        "record_form": RecordForm(),
        "resolve_form": ResolveForm(),
        "review_form": ReviewForm(),
    }
    if user.department_id is not None:
        forms_["report_form"] = ReportForm()
    return forms_
