"""Forms of the campaign set-up (a campaign, its phases, tasks and targets), the year-end review and the task-table
import; each turns the request into the input of one campaigns service. A service's refusal shows next to the field
it concerns (`FIELD_OF_PROBLEM`, by the refusal's code)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.models import Department
from xiuhua.campaigns.choices import CaseCount, Comparator, Frequency, Measure, PlanCurve, ReviewDecision, TaggedCases
from xiuhua.campaigns.importers import as_codes
from xiuhua.campaigns.models import Campaign
from xiuhua.campaigns.services import CampaignInput, TaskInput
from xiuhua.campaigns.target_checks import CASE_MEASURES, RuleInput, TargetInput
from xiuhua.cases.choices import Source
from xiuhua.territory.models import Division
from xiuhua.web.campaign_forms import CampaignForm, date_input

# Where a service's refusal shows, by its code (the rest above the form).
FIELD_OF_PROBLEM = {
    "missing_name": "name",
    "bad_dates": "ends_on",
    "unknown_district": "district_code",
    "duplicate_code": "code",
    "unknown_unit": "responsible_unit",
    "unknown_task": "parent_code",
    "unknown_subdistrict": "subdistrict_code",
    "bad_weight": "weight",
    "bad_percent": "plan_percent",
    "overlapping_phases": "starts_on",
    "no_measure": "measure",
    "unknown_measure": "measure",
    "bad_comparator": "comparator",
    "bad_goal": "goal",
    "no_frequency": "frequency",
    "no_per_period": "per_period",
    "no_baseline": "baseline",
    "no_case_rule": "class_codes",
    "unknown_class": "class_codes",
    "bad_counts": "counts",
    "no_out_of": "out_of",
    "unknown_source": "sources",
    "bad_area": "class_codes",
}


def _date(label, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=date_input())


def _units() -> list[tuple[str, str]]:
    return list(Department.objects.order_by("name").values_list("short_name", "name"))


def _optional(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


def _codes(text: str) -> list[str]:
    return [code for code in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if code]


class CampaignSetupForm(CampaignForm):
    code = forms.CharField(label=_("Campaign number"), max_length=32)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Campaign name"), max_length=100)
    district_code = forms.ChoiceField(label=_("District"))
    starts_on = _date(_("Starts on"))
    ends_on = _date(_("Ends on"))
    lead_units = forms.MultipleChoiceField(label=_("Lead units"), required=False)
    partner_units = forms.MultipleChoiceField(label=_("Partner units"), required=False)
    goal = forms.CharField(
        label=_("Campaign goal"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )
    scope_text = forms.CharField(
        label=_("Scope and objects"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )
    public = forms.BooleanField(label=_("Published to the public"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        districts = Division.objects.filter(level="district").order_by("code").values_list("code", "name")
        self.fields["district_code"].choices = list(districts)
        units = _units()
        self.fields["lead_units"].choices = self.fields["partner_units"].choices = units
        self.fields["public"].widget.attrs["class"] = "form-check-input d-block"

    @classmethod
    def of(cls, campaign: Campaign) -> CampaignSetupForm:
        """The form filled with a campaign's values, for editing it."""
        initial = {name: getattr(campaign, name) for name in ("code", "year", "name", "goal", "scope_text", "public")}
        initial |= {"district_code": campaign.district.code, "starts_on": campaign.starts_on}
        initial |= {"ends_on": campaign.ends_on}
        initial["lead_units"] = list(campaign.lead_units.values_list("short_name", flat=True))
        initial["partner_units"] = list(campaign.partner_units.values_list("short_name", flat=True))
        return cls(initial=initial)

    def input(self, campaign: Campaign | None = None) -> CampaignInput:
        """The service's input; an edit keeps what the form does not show (status, result, members)."""
        data = dict(self.cleaned_data)
        keep = {}
        if campaign is not None:
            keep = {"status": campaign.status, "result_text": campaign.result_text}
            keep["members"] = list(campaign.members.values_list("username", flat=True))
        return CampaignInput(**data, **keep)


class PhaseForm(CampaignForm):
    phase = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Phase"), max_length=50)
    starts_on = _date(_("Starts on"))
    ends_on = _date(_("Ends on"))
    plan_percent = forms.DecimalField(
        label=_("Planned by its end (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )


class TaskForm(CampaignForm):
    code = forms.CharField(label=_("Task number"), max_length=20)
    name = forms.CharField(label=_("Task"), max_length=200)
    parent_code = forms.ChoiceField(label=_("Parent task"), required=False)
    responsible_unit = forms.ChoiceField(label=_("Responsible unit"), required=False)
    subdistrict_code = forms.ChoiceField(label=_("Sub-district"), required=False)
    due_on = _date(_("Due on"), required=False)
    weight = forms.DecimalField(label=_("Weight"), min_value=0, max_digits=6, decimal_places=2, initial=1)

    def __init__(self, campaign: Campaign, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        tasks = campaign.tasks.order_by("code").values_list("code", "code", "name")
        self.fields["parent_code"].choices = _optional([(code, f"{code} {name}") for code, _c, name in tasks])
        self.fields["responsible_unit"].choices = _optional(_units())
        towns = Division.objects.filter(level="subdistrict", code__startswith=campaign.district.code)
        self.fields["subdistrict_code"].choices = _optional(list(towns.order_by("code").values_list("code", "name")))

    def input(self) -> TaskInput:
        return TaskInput(**{name: value for name, value in self.cleaned_data.items() if value is not None})


class TargetForm(CampaignForm):
    task = forms.TypedChoiceField(label=_("Task"), coerce=int)
    name = forms.CharField(label=_("Target name"), max_length=200)
    measure = forms.ChoiceField(label=_("Measured by"), choices=Measure.choices)
    goal = forms.DecimalField(label=_("Goal"), min_value=0, max_digits=12, decimal_places=2)
    comparator = forms.ChoiceField(label=_("Comparison"), choices=Comparator.choices)
    unit_label = forms.CharField(label=_("Unit"), max_length=10, required=False)
    due_on = _date(_("Due on"))
    plan_curve = forms.ChoiceField(label=_("Plan"), choices=PlanCurve.choices)
    weight = forms.DecimalField(label=_("Weight"), min_value=0, max_digits=6, decimal_places=2, initial=1)
    baseline = forms.DecimalField(label=_("Baseline"), required=False, max_digits=12, decimal_places=2)
    baseline_from = _date(_("Baseline period from"), required=False)
    baseline_to = _date(_("Baseline period to"), required=False)
    frequency = forms.ChoiceField(label=_("Frequency"), required=False, choices=_optional(Frequency.choices))
    per_period = forms.IntegerField(label=_("Records per period"), required=False, min_value=1, max_value=1000)
    class_codes = forms.CharField(label=_("Case classes (codes)"), max_length=500, required=False)
    division_codes = forms.CharField(label=_("Divisions (codes)"), max_length=500, required=False)
    sources = forms.MultipleChoiceField(label=_("Channels"), required=False, choices=Source.choices)
    counts = forms.ChoiceField(label=_("Counts"), choices=CaseCount.choices, initial=CaseCount.CLOSED)
    out_of = forms.ChoiceField(label=_("Out of"), required=False, choices=_optional(CaseCount.choices))
    tagged = forms.ChoiceField(label=_("Tagged cases"), choices=TaggedCases.choices, initial=TaggedCases.ALSO)

    def __init__(self, campaign: Campaign, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        tasks = campaign.tasks.order_by("code").values_list("pk", "code", "name")
        self.fields["task"].choices = [(pk, f"{code} {name}") for pk, code, name in tasks]

    def clean_class_codes(self) -> list[str]:
        try:
            return as_codes(self.cleaned_data["class_codes"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def input(self) -> TargetInput:
        data = dict(self.cleaned_data)
        rule_fields = {name: data.pop(name) for name in ("class_codes", "division_codes", "sources", "counts")}
        rule_fields |= {name: data.pop(name) for name in ("out_of", "tagged")}
        data.pop("task")
        rule = None
        if data["measure"] in CASE_MEASURES:
            rule_fields["division_codes"] = _codes(rule_fields["division_codes"])
            rule = RuleInput(**rule_fields)
        return TargetInput(**{**data, "weight": data["weight"] if data["weight"] is not None else 1}, rule=rule)


class YearReviewForm(CampaignForm):
    decision = forms.ChoiceField(label=_("Year-end review"), choices=ReviewDecision.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = ""  # plain radios: the class would style their list too


class TaskTableForm(CampaignForm):
    file = forms.FileField(label=_("Task table (xlsx or CSV)"))
