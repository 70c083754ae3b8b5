"""The campaign page's forms (htmx): a responsible unit enters a count, adds an activity record, resolves a list
item or submits a progress report; the lead unit reviews entries and reports.

Each handler checks the form, calls one campaigns service and, when it succeeds, has the page reloaded (htmx) or
redirects to it; a bad form or a refused write comes back as the form with its errors (400/403/404/409).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xiuhua.campaigns import entries, items, reporting
from xiuhua.campaigns.choices import Review
from xiuhua.campaigns.models import ManualEntry, ProgressReport, Target, TargetItem
from xiuhua.campaigns.queries import visible_campaigns
from xiuhua.core.errors import DomainError
from xiuhua.web import campaign_forms as cf

NOT_FOUND = "没有这个条目，或它不在您的数据范围内。"


def handle_form(
    request: HttpRequest,
    form: cf.CampaignForm,
    campaign_id: int | None,
    write: Callable[[dict], object],
    *,
    submit: str,
    done: str,
    fields: dict[str, str] | None = None,
    next_url: Callable[[object], str] | None = None,
) -> HttpResponse:
    """Run `write` with the form's cleaned data; the form again with its errors, or on to the campaign page
    (`next_url` of what `write` returned, when given). A refusal whose code `fields` maps to one of the form's
    fields shows next to that field."""
    context = {"form": form, "action": request.path, "submit": submit, "testid": "campaign-form"}
    if campaign_id is None:
        return render(request, "campaigns/partials/form.html", {**context, "error": NOT_FOUND}, status=404)
    if not form.is_valid():
        return render(request, "campaigns/partials/form.html", {**context, "error": form.problems()}, status=400)
    try:
        written = write(form.cleaned_data)
    except DomainError as exc:
        field = (fields or {}).get(exc.code)
        if field in form.fields:
            form.add_error(field, exc.message)
        error = None if field in form.fields else exc.message
        return render(request, "campaigns/partials/form.html", {**context, "error": error}, status=exc.status_code)
    messages.success(request, done)
    page = next_url(written) if next_url else reverse("web:campaign", args=[campaign_id])
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": page})
    return redirect(page)


def _files(request: HttpRequest) -> list:
    return request.FILES.getlist("evidence")


def _target(request: HttpRequest, target_id: int) -> Target | None:
    visible = visible_campaigns(request.user)
    return Target.objects.filter(pk=target_id, task__campaign__in=visible).select_related("task__campaign").first()


def _campaign_of(obj) -> int | None:
    return None if obj is None else obj.task.campaign_id


def _target_form(request: HttpRequest, target_id: int, form: cf.CampaignForm, service, **labels) -> HttpResponse:
    """A form on one target: its fields (but the evidence, passed as files) are the service's keyword arguments."""
    target = _target(request, target_id)

    def write(data: dict) -> object:
        fields = {name: value for name, value in data.items() if name != "evidence"}
        return service(request.user, target, **fields, files=_files(request))

    return handle_form(request, form, _campaign_of(target), write, **labels)


@login_required
@require_POST
def enter_count(request: HttpRequest, target_id: int) -> HttpResponse:
    form = cf.EntryForm(request.POST, request.FILES)
    return _target_form(
        request, target_id, form, entries.enter_value, submit="提交审核", done="已提交，等待牵头单位审核"
    )


@login_required
@require_POST
def add_record(request: HttpRequest, target_id: int) -> HttpResponse:
    form = cf.RecordForm(request.POST, request.FILES)
    return _target_form(request, target_id, form, entries.add_record, submit="添加记录", done="活动记录已添加")


@login_required
@require_POST
def resolve_item(request: HttpRequest, item_id: int) -> HttpResponse:
    visible = visible_campaigns(request.user)
    item = TargetItem.objects.filter(pk=item_id, target__task__campaign__in=visible).select_related("target__task")
    item = item.first()

    def write(data: dict) -> object:
        return items.resolve_item(request.user, item.pk, data["note"], files=_files(request))

    form = cf.ResolveForm(request.POST, request.FILES)
    campaign_id = None if item is None else item.target.task.campaign_id
    return handle_form(
        request, form, campaign_id, write, submit="标记为已化解", done=f"清单条目 {item_id} 已标记为化解"
    )


@login_required
@require_POST
def submit_report(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = visible_campaigns(request.user).filter(pk=campaign_id).first()

    def write(data: dict) -> object:
        return reporting.submit_report(
            request.user, campaign, period=data["period"], day=data["day"], text=data["text"], files=_files(request)
        )

    form = cf.ReportForm(request.POST, request.FILES)
    found = None if campaign is None else campaign.pk
    return handle_form(request, form, found, write, submit="提交报送", done="进展报送已提交，等待牵头单位审核")


@login_required
@require_POST
def review_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    visible = visible_campaigns(request.user)
    entry = ManualEntry.objects.filter(pk=entry_id, target__task__campaign__in=visible).select_related("target__task")
    entry = entry.first()

    def write(data: dict) -> object:
        return entries.review_entry(request.user, entry.pk, data["decision"], note=data["note"])

    form = cf.ReviewForm(request.POST)
    campaign_id = None if entry is None else entry.target.task.campaign_id
    return handle_form(request, form, campaign_id, write, submit="保存审核", done="审核已保存")


@login_required
@require_POST
def review_report(request: HttpRequest, report_id: int) -> HttpResponse:
    visible = visible_campaigns(request.user)
    report = ProgressReport.objects.filter(pk=report_id, campaign__in=visible).first()

    def write(data: dict) -> object:
        accept = data["decision"] == Review.APPROVED
        return reporting.review_report(request.user, report.pk, accept=accept, note=data["note"])

    form = cf.ReviewForm(request.POST)
    campaign_id = None if report is None else report.campaign_id
    return handle_form(request, form, campaign_id, write, submit="保存审核", done="审核已保存")
