"""Forms of the outbox pages: the message filters and a new batch send."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.choices import Role
from xiuhua.notify.batches import BATCH_CHANNELS
from xiuhua.notify.models import MessageChannel, MessageKind, MessageStatus
from xiuhua.notify.queries import OUTBOX_CHANNELS, MessageFilters

MAX_UPLOAD = 5 * 1024 * 1024


def _any(choices) -> list[tuple[str, str]]:
    return [("", _("Any")), *choices]


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs["class"] = "form-control form-control-sm"


class MessageFilterForm(forms.Form):
    # No outbox row is an inbox notice: the inbox is not offered (通知设置 shows it as always on).
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=_any([c for c in MessageChannel.choices if c[0] in OUTBOX_CHANNELS]),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_any(MessageStatus.choices))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_any(MessageKind.choices))
    recipient = forms.CharField(
        label=_("Recipient"),
        required=False,
        max_length=100,
        widget=forms.TextInput({"placeholder": _("Full phone number, e-mail or name")}),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput({"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    batch = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> MessageFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return MessageFilters(**{k: v for k, v in data.items() if v not in ("", None)})

    def figure_range(self):
        """The figures' days: the filter's dates, or the last seven days."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        today = timezone.localdate()
        return data.get("date_from") or today - timedelta(days=6), data.get("date_to") or today


SOURCES = [("file", _("Uploaded sheet (name, phone)")), ("staff", _("Staff of a role"))]
ROLES = [(r.value, r.label) for r in Role if r not in (Role.SECADMIN, Role.AUDITOR)]


class BatchForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=MessageKind.choices, initial=MessageKind.SHOP_REMINDER)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[c for c in MessageChannel.choices if c[0] in BATCH_CHANNELS]
    )
    text = forms.CharField(
        label=_("Text"),
        max_length=1000,
        widget=forms.Textarea(
            {"rows": 3, "placeholder": _("e.g. {{ name }}: please keep the front of your shop clean")}
        ),
        help_text=_("{{ name }} is replaced by each recipient's name."),
    )
    source = forms.ChoiceField(label=_("Recipients"), choices=SOURCES, widget=forms.RadioSelect, initial="file")
    file = forms.FileField(label=_("Recipient sheet (xlsx or CSV)"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=_any(ROLES))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)
        self.fields["source"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict:
        data = super().clean()
        if data.get("source") == "file":
            upload = data.get("file")
            if not upload:
                self.add_error("file", _("Choose the sheet of recipients."))
            elif upload.size > MAX_UPLOAD:
                self.add_error("file", _("The sheet is larger than 5 MB."))
        if data.get("source") == "staff" and not data.get("role"):
            self.add_error("role", _("Choose the role whose staff receive the message."))
        return data
