"""The case list every role can search (within its data scope), and the actions it takes on many cases at once."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from xiuhua.accounts.models import Department
from xiuhua.cases import bulk, presenters, queries
from xiuhua.cases.choices import Action
from xiuhua.core.errors import DomainError
from xiuhua.web.campaign_page import campaign_drill
from xiuhua.web.forms import CaseFilterForm
from xiuhua.web.tables import Column, build_table
from xiuhua.web.views.shell import safe_next

CASE_COLUMNS = [
    Column(_("Case number"), "number"),
    Column(_("Light")),
    Column(_("Class")),
    Column(_("Location")),
    Column(_("Status")),
    Column(_("Lead department")),
    Column(_("Reported at"), "reported_at"),
    Column(_("Deadline"), "active_deadline"),
]


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    error, drill, target_drill, status = "", None, None, 200
    cases = queries.filter_cases(request.user, queries.CaseFilters())
    if form.is_bound and not form.is_valid():
        error, status = _form_errors(form), 400
    if form.is_valid():
        try:
            cases = queries.filter_cases(request.user, form.case_filters())
            if drill := form.drill_down():
                cases = drill.narrow(cases)
            if target_id := form.cleaned_data.get("target"):
                target_drill = campaign_drill(request.user, target_id)
                cases = target_drill.narrow(cases)
        except DomainError as exc:
            error, status = exc.message, 400
        if number := form.cleaned_data.get("number"):
            cases = cases.filter(number__startswith=number.strip())
    cases = cases.select_related(*presenters.SUMMARY_RELATIONS)
    table = build_table(request, cases, CASE_COLUMNS, "-reported_at")
    context = {
        "form": form,
        "table": table,
        "error": error,
        "drill": drill,
        "target_drill": target_drill,
        "now": timezone.now(),
        **_bulk_context(request),
    }
    template = "web/partials/case_table.html" if request.htmx else "web/case_list.html"
    return render(request, template, context, status=status)


def _form_errors(form: CaseFilterForm) -> str:
    return "；".join(f"{form.fields[name].label or name}：{' '.join(errors)}" for name, errors in form.errors.items())


def _bulk_context(request: HttpRequest) -> dict:
    actions = bulk.bulk_actions_for(request.user)
    context: dict = {"bulk_actions": [(a, Action(a).label) for a in actions], "list_url": request.get_full_path()}
    if Action.DISPATCH in actions:
        context["departments"] = Department.objects.filter(active=True).order_by("kind", "name")
    return context


@login_required
@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Take one action on the ticked cases, each on its own (`cases.bulk`), and show what happened to each."""
    action = request.POST.get("action", "")
    params = {}
    if note := request.POST.get("note", "").strip():
        params["note"] = note
    if department := request.POST.get("department", "").strip():
        params["department"] = department
    back = safe_next(request, reverse("web:case_list"))
    try:
        outcomes = bulk.apply_to_many(request.POST.getlist("numbers"), action, request.user, params)
    except DomainError as exc:
        context = {"error": exc.message, "back": back}
        return render(request, "web/bulk_result.html", context, status=exc.status_code)
    done = sum(1 for o in outcomes if o.done)
    context = {
        "outcomes": outcomes,
        "action_label": Action(action).label,
        "done": done,
        "refused": len(outcomes) - done,
        "back": back,
    }
    return render(request, "web/bulk_result.html", context)
