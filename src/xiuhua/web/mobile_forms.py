"""What the phone pages send: a report (inspector or citizen) and a citizen's rating, as forms that only
collect input; the intake channels decide what is allowed and answer with the message the user sees."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from django import forms
from django.utils.translation import gettext_lazy as _

from xiuhua.cases.choices import Satisfaction
from xiuhua.catalog.choices import ClassKind
from xiuhua.catalog.models import CaseClass
from xiuhua.core.limits import LimitedCharField, field_label
from xiuhua.intake.services import MAX_ADDRESS, MAX_DESCRIPTION, MAX_NAME, MAX_PHONE, ReportInput


class ReportForm(forms.Form):
    """The fields a phone report posts; the position comes from the phone (WGS84) or a pin on the map."""

    class_code = forms.CharField(max_length=5, required=False)  # the channel says what is missing
    kind = forms.ChoiceField(choices=ClassKind.choices, required=False)
    description = LimitedCharField(limit=MAX_DESCRIPTION, label_text="问题描述", required=False)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    address = LimitedCharField(limit=MAX_ADDRESS, label_text="地址", required=False)
    self_handled = forms.BooleanField(required=False)

    def report_input(self, **extra) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            class_code=data["class_code"],
            kind=data["kind"] or None,
            description=data["description"],
            lng=data["lng"],
            lat=data["lat"],
            crs="wgs84",  # what the browser's geolocation gives, and what the map's pin is drawn in
            address=data["address"],
            **extra,
        )

    def problems(self) -> str:
        """The form's errors for a person: each field by its Chinese name (never `class_code`)."""
        return "；".join(_problem(name, errors) for name, errors in self.errors.items())


def _problem(name: str, errors: list[str]) -> str:
    text = " ".join(errors)
    label = field_label(name)
    return text if text.startswith(label) else f"{label}：{text}"


class CitizenReportForm(ReportForm):
    name = LimitedCharField(limit=MAX_NAME, label_text="称呼", required=False)
    phone = LimitedCharField(limit=MAX_PHONE, label_text="联系电话", required=False)
    confidential = forms.BooleanField(required=False)
    idempotency_key = forms.CharField(max_length=100, required=False)

    def citizen_input(self) -> ReportInput:
        data = self.cleaned_data
        return self.report_input(
            reporter_name=data["name"], reporter_phone=data["phone"], reporter_confidential=data["confidential"]
        )


class RatingForm(forms.Form):
    code = forms.CharField(max_length=20)
    satisfaction = forms.ChoiceField(label=_("How satisfied are you?"), choices=Satisfaction.choices)
    comment = LimitedCharField(limit=500, label_text="评价内容", label=_("Anything to add (optional)"), required=False)


@dataclass(frozen=True)
class MajorGroup:
    kind: str
    major_code: str
    major_name: str
    classes: list[CaseClass]


def class_groups() -> list[MajorGroup]:
    """Every active class by kind (events first: most reports are events) and major class."""
    classes = sorted(
        CaseClass.objects.filter(active=True).order_by("major_code", "code"),
        key=lambda c: (c.kind != ClassKind.EVENT, c.major_code, c.code),
    )
    return [
        MajorGroup(kind, major, group[0].major_name, group)
        for (kind, major), rows in groupby(classes, key=lambda c: (c.kind, c.major_code))
        for group in [list(rows)]
    ]
