"""Forms of the call-taking pages (接听登记, 上级交办, 12345 import); each turns a post into an adapter's input.

Limits are the adapters' own: text over a limit is refused with the limit named, never cut.
"""

from __future__ import annotations

import math

from django import forms
from django.utils.translation import gettext_lazy as _

from xiuhua.catalog.choices import ClassKind, Urgency
from xiuhua.intake.channels.hotline.adapter import MAX_CONTENT, MAX_ORDER_NUMBER, WorkOrderInput
from xiuhua.intake.channels.hotline.models import Hotline, OrderType, OrderUrgency
from xiuhua.intake.channels.leader.adapter import MAX_LEADER_NAME
from xiuhua.intake.services import MAX_DESCRIPTION, ReportInput

CLASS_CODE = r"^\d{5}$"
KIND_CHOICES = [("", "")] + list(ClassKind.choices)


class PlaceFields(forms.Form):
    """An address and, when the operator picked a suggestion or moved the pin, its WGS84 point."""

    address = forms.CharField(label=_("Where it is"), required=False, max_length=256)
    lng = forms.FloatField(label=_("Longitude"), required=False, min_value=73, max_value=136)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=3, max_value=54)
    class_code = forms.RegexField(label=_("Class"), regex=CLASS_CODE, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False)

    def clean(self) -> dict:
        data = super().clean()
        for name in ("lng", "lat"):
            if data.get(name) is not None and not math.isfinite(data[name]):
                self.add_error(name, _("Enter a number."))
        if (data.get("lng") is None) != (data.get("lat") is None):
            self.add_error("lat", _("Longitude and latitude go together."))
        return data


class CallForm(PlaceFields):
    """One call as the operator takes it down."""

    hotline = forms.ChoiceField(label=_("Hotline"), choices=Hotline.choices)
    order_number = forms.CharField(label=_("Order number"), max_length=MAX_ORDER_NUMBER)
    caller_phone = forms.CharField(label=_("Caller number"), required=False, max_length=30)
    caller_name = forms.CharField(label=_("Caller name"), required=False, max_length=50)
    order_type = forms.ChoiceField(label=_("Type"), choices=OrderType.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=OrderUrgency.choices)
    confidential = forms.BooleanField(label=_("Confidential"), required=False)
    content = forms.CharField(label=_("Request content"), max_length=MAX_CONTENT, strip=True)
    answered_on_call = forms.BooleanField(label=_("Answered on the call"), required=False)
    answer = forms.CharField(label=_("Answer given"), required=False, max_length=MAX_CONTENT)

    def work_order_input(self) -> WorkOrderInput:
        data = self.cleaned_data
        answered = bool(data["answered_on_call"])
        return WorkOrderInput(
            hotline=data["hotline"],
            order_number=data["order_number"],
            order_type=data["order_type"],
            content=data["content"],
            urgency=data["urgency"],
            caller_name=data["caller_name"],
            caller_phone=data["caller_phone"],
            confidential=data["confidential"],
            address=data["address"],
            lng=data["lng"],
            lat=data["lat"],
            # A consultation answered on the call is only recorded: a class picked meanwhile does not open a case.
            class_code="" if answered else data["class_code"],
            kind=(data["kind"] or None) if not answered else None,
            answered_on_call=answered,
            answer=data["answer"] if answered else "",
        )


class AssignmentForm(PlaceFields):
    """A leader's assignment recorded by the centre (上级交办)."""

    leader = forms.CharField(label=_("Assigned by"), max_length=MAX_LEADER_NAME)
    description = forms.CharField(label=_("What to handle"), max_length=MAX_DESCRIPTION)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.URGENT)
    department = forms.ChoiceField(label=_("Unit to handle it"), required=False)
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, departments: list[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("Let routing decide"))] + list(departments)
        self.fields["class_code"].required = True

    def report_input(self) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            class_code=data["class_code"],
            kind=data["kind"] or None,
            description=data["description"],
            lng=data["lng"],
            lat=data["lat"],
            address=data["address"],
            urgency=data["urgency"],
        )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("12345 export (Excel or CSV)"))


def first_error(form: forms.Form) -> tuple[str, str]:
    """(field, "label：message") of the form's first error, for a JSON answer or an alert."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return name, f"{label}：{errors[0]}" if label else str(errors[0])
    return "", ""
