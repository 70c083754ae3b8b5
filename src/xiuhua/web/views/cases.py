"""The case list every role can search (within its data scope)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiuhua.cases import presenters, queries
from xiuhua.core.errors import DomainError
from xiuhua.web.forms import CaseFilterForm
from xiuhua.web.tables import Column, build_table

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
    error, drill, status = "", None, 200
    cases = queries.filter_cases(request.user, queries.CaseFilters())
    if form.is_valid():
        try:
            cases = queries.filter_cases(request.user, form.case_filters())
            if drill := form.drill_down():
                cases = drill.narrow(cases)
        except DomainError as exc:
            error, status = exc.message, 400
        if number := form.cleaned_data.get("number"):
            cases = cases.filter(number__startswith=number.strip())
    cases = cases.select_related(*presenters.SUMMARY_RELATIONS)
    table = build_table(request, cases, CASE_COLUMNS, "-reported_at")
    context = {"form": form, "table": table, "error": error, "drill": drill, "now": timezone.now()}
    template = "web/partials/case_table.html" if request.htmx else "web/case_list.html"
    return render(request, template, context, status=status)
