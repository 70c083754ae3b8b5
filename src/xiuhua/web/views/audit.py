"""The audit trail page: the security auditor reads and exports it; nobody else sees it (三员分立).

Not even the superuser or the system administrator: who administers the system must not be who reviews the
record of that administration.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.choices import Role
from xiuhua.core import tabular
from xiuhua.core.audit import record_audit
from xiuhua.core.models import Result
from xiuhua.core.trail import EntryFilters, filter_entries
from xiuhua.web.tables import Column, build_table

# An export larger than this is refused: narrow the filters (a spreadsheet of millions of rows helps no one).
EXPORT_LIMIT = 100_000

COLUMNS = [
    Column(_("Time"), "at"),
    Column(_("Actor")),
    Column(_("Action")),
    Column(_("Target")),
    Column(_("Result")),
    Column(_("Address")),
    Column(_("Summary")),
]

EXPORT_COLUMNS = [
    tabular.Column("at", "时间"),
    tabular.Column("actor_username", "操作人"),
    tabular.Column("action", "操作"),
    tabular.Column("target", "对象"),
    tabular.Column("result", "结果"),
    tabular.Column("ip", "来源地址"),
    tabular.Column("summary", "摘要"),
    tabular.Column("details", "详情"),
    tabular.Column("hash", "哈希"),
]


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput({"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    result = forms.ChoiceField(label=_("Result"), required=False, choices=[("", _("Any")), *Result.choices])
    ip = forms.CharField(label=_("Address"), required=False, max_length=45)
    target = forms.CharField(label=_("Target"), required=False, max_length=200)

    def filters(self) -> EntryFilters:
        return EntryFilters(**{k: v for k, v in self.cleaned_data.items() if v not in ("", None)})


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    if request.user.role != Role.AUDITOR:
        raise PermissionDenied("只有安全审计员可以查看审计记录")
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else EntryFilters()
    status = 400 if form.is_bound and not form.is_valid() else 200
    rows = filter_entries(filters)
    if request.GET.get("export") == "xlsx" and status == 200:
        return _export(request, rows, filters)
    table = build_table(request, rows, COLUMNS, "-at")
    export_query = request.GET.copy()
    export_query.pop("page", None)
    export_query["export"] = "xlsx"
    context = {"form": form, "table": table, "export_url": "?" + export_query.urlencode()}
    return render(request, "web/audit.html", context, status=status)


def _flat(row: dict) -> dict:
    return {**row, "details": json.dumps(row["details"], ensure_ascii=False, sort_keys=True)}


def _export(request: HttpRequest, rows, filters: EntryFilters) -> HttpResponse:
    count = rows.count()
    if count > EXPORT_LIMIT:
        return HttpResponse(f"一次最多导出 {EXPORT_LIMIT} 条审计记录（筛选结果 {count} 条），请缩小范围", status=400)
    values = rows.values(*[c.field for c in EXPORT_COLUMNS])
    exported = tabular.table_file(EXPORT_COLUMNS, map(_flat, values.iterator()), "xlsx", "审计记录")
    given = {k: str(v) for k, v in vars(filters).items() if v}
    # The export is itself on the record: who took which part of the trail.
    record_audit(
        request.user, "audit.exported", target=exported.filename, summary=f"{count} 条", rows=count, filters=given
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition_header(True, exported.filename)
    return response
