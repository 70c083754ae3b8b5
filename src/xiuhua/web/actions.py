"""Taking a workflow action from a page: which fields each action asks for, and the form that reads them.

Every page that offers actions (workbenches, the case page, the inspector's phone) renders
`web/partials/action_form.html` for an `ActionPanel` and posts to `web:act`; the view calls `apply_action`,
the one place a case changes state. Fields only collect input: the workflow's guards decide what is required
and answer with the message the user sees.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import Department, User
from xiuhua.cases.choices import Action, CaseStatus, Satisfaction
from xiuhua.cases.models import Case
from xiuhua.catalog.models import RegisterCondition
from xiuhua.web.case_page import citizen_rating_for

# Actions whose note is a reason the workflow requires: the field is marked required in the page too.
REASON_REQUIRED = {
    Action.DECLINE,
    Action.REQUEST_EXTENSION,
    Action.REQUEST_RETURN,
    Action.REQUEST_SUSPENSION,
    Action.REQUEST_VOID,
    Action.REFUSE,
    Action.URGE,
    Action.REOPEN,
}
PHOTO_REQUIRED = {Action.REPORT_BACK, Action.SELF_HANDLE}
# Buttons that end or reject something are drawn as such.
DANGER = {Action.DECLINE, Action.REFUSE, Action.REQUEST_VOID}


def fields_for(action: str, user: User, case: Case | None = None) -> list[str]:
    """The inputs `action` takes from this user (on this case, when given), in the order the form shows them."""
    replying = user.role == Role.INSPECTOR
    if action == Action.APPROVE and case is not None and case.status != CaseStatus.RETURN_REQUESTED:
        return ["note"]  # only an approved return takes a unit (to re-dispatch at once)
    by_action = {
        Action.VERIFY: ["result", "photos"] if replying else ["inspector"],
        Action.CHECK: ["result", "photos"] if replying else ["inspector"],
        Action.REGISTER: ["register_condition"],
        Action.DISPATCH: ["department", "assisting"],
        Action.REPORT_BACK: ["photos"],
        Action.SELF_HANDLE: ["photos"],
        Action.CALLBACK: ["satisfaction", "service_satisfaction"],
        Action.REQUEST_EXTENSION: ["extension_value", "extension_unit"],
        Action.APPROVE: ["department"],
        Action.MERGE: ["parent"],
    }
    return by_action.get(action, []) + ["note"]


class ActionForm(forms.Form):
    """Every input any action takes; `fields_for` picks the ones shown and sent."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2}))
    inspector = forms.ModelChoiceField(
        label=_("Inspector"), queryset=User.objects.none(), required=False, to_field_name="username"
    )
    result = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("true", _("Confirmed / passed")), ("false", _("Not confirmed / failed"))],
        coerce=lambda value: value == "true",
        required=False,
        widget=forms.RadioSelect,
    )
    register_condition = forms.ModelChoiceField(
        label=_("Register condition"), queryset=RegisterCondition.objects.none(), required=False
    )
    department = forms.ModelChoiceField(
        label=_("Lead department"), queryset=Department.objects.none(), required=False, to_field_name="short_name"
    )
    assisting = forms.ModelMultipleChoiceField(
        label=_("Assisting departments"),
        queryset=Department.objects.none(),
        required=False,
        to_field_name="short_name",
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), choices=[("", "—")] + Satisfaction.choices, required=False
    )
    service_satisfaction = forms.ChoiceField(
        label=_("Service satisfaction"), choices=[("", "—")] + Satisfaction.choices, required=False
    )
    extension_value = forms.IntegerField(label=_("Extension"), min_value=1, max_value=999, required=False)
    extension_unit = forms.ChoiceField(
        label=_("Unit"), choices=[("days", _("working days")), ("hours", _("working hours"))], required=False
    )
    parent = forms.CharField(label=_("Merge into case"), max_length=20, required=False)

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(active=True).order_by("kind", "name")
        self.fields["department"].queryset = departments
        self.fields["assisting"].queryset = departments
        self.fields["inspector"].queryset = User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by(
            "username"
        )
        self.fields["register_condition"].queryset = RegisterCondition.objects.filter(
            case_class=case.case_class, active=True
        )
        self.fields["register_condition"].label_from_instance = _condition_label
        style_widgets(self)

    def params_for(self, action: str, user: User) -> dict:
        """The workflow parameters of `action` from the cleaned data (empty inputs left out)."""
        params = {}
        for name in fields_for(action, user):
            value = self.cleaned_data.get(name)
            if name == "photos" or value in (None, "", []):
                continue
            if name in ("department", "inspector"):
                value = value.short_name if name == "department" else value.username
            elif name == "assisting":
                value = [d.short_name for d in value]
            elif name == "register_condition":
                value = value.pk
            params[name] = value
        return params


def style_widgets(form: forms.Form) -> None:
    """Bootstrap's classes on every input, so forms look the same on every page."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.HiddenInput):
            continue
        css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
        widget.attrs["class"] = css


def _condition_label(condition: RegisterCondition) -> str:
    return f"{condition.description} —— {condition.handling_limit_text}"


@dataclass
class ActionPanel:
    """One action as a page offers it: its form, which inputs to draw, and how the button looks."""

    action: str
    label: str
    form: ActionForm
    fields: list[str]
    reason_required: bool
    photo_required: bool
    danger: bool
    # On the callback form: the citizen's own rating, so the operator calling them knows it (or None).
    citizen_rating: dict | None = None


def action_panels(
    case: Case, user: User, allowed: list[str], initial: dict | None = None, id_prefix: str = ""
) -> list[ActionPanel]:
    """A panel per action the user may take now, each with the case's version so stale posts are refused.

    Pages with several cases' panels pass an `id_prefix` (e.g. the case number) to keep element ids unique.
    """
    labels = dict(Action.choices)
    panels = []
    for action in allowed:
        form = ActionForm(
            case=case,
            initial={"version": case.version, **(initial or {}).get(action, {})},
            auto_id=f"{id_prefix}{action}-%s",
        )
        panels.append(
            ActionPanel(
                action=action,
                label=labels[action],
                form=form,
                fields=fields_for(action, user, case),
                reason_required=action in REASON_REQUIRED,
                photo_required=action in PHOTO_REQUIRED,
                danger=action in DANGER,
                citizen_rating=citizen_rating_for(case, user) if action == Action.CALLBACK else None,
            )
        )
    return panels
