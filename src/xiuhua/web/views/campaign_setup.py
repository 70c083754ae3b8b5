"""Setting up a campaign from the pages: create and edit it, its phases, tasks and targets (with their case rules),
the task-table (任务分解表) import, and the year-end review (年度评估).

Leaders and commanders create campaigns; a campaign's managers (campaigns.queries.can_manage, which includes the
users of its lead units) set it up, import its task table and review it. Every write is one campaigns service; a
refusal shows next to the field it concerns. The admin site covers the rest (members, deleting, areas drawn).
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiuhua.campaigns import review, services
from xiuhua.campaigns.guards import require_manage
from xiuhua.campaigns.importers import import_task_table, task_table_template
from xiuhua.campaigns.models import Campaign
from xiuhua.campaigns.queries import can_manage, visible_campaigns
from xiuhua.core.errors import DomainError, ImportRejected
from xiuhua.web import campaign_setup_forms as sf
from xiuhua.web.errors import forbidden, page_not_found
from xiuhua.web.views.campaign_forms import handle_form
from xiuhua.web.views.campaigns import NOT_FOUND, may_create

NOT_MANAGER = "只有专项行动的负责领导、指挥长或牵头单位可以设置、导入和评估专项行动。"
NOT_CREATOR = "只有辖区领导或指挥长可以新建专项行动。"


def _managed(request: HttpRequest, campaign_id: int) -> tuple[Campaign | None, HttpResponse | None]:
    """The campaign when the user manages it, else the page saying why not (404 outside their campaigns, 403)."""
    campaign = visible_campaigns(request.user).filter(pk=campaign_id).select_related("district").first()
    if campaign is None:
        return None, page_not_found(request, NOT_FOUND)
    if not can_manage(request.user, campaign):
        return None, forbidden(request, NOT_MANAGER)
    return campaign, None


def _setup_url(campaign_id: int) -> str:
    return reverse("web:campaign_setup", args=[campaign_id])


@login_required
@require_http_methods(["GET", "POST"])
def new_campaign(request: HttpRequest) -> HttpResponse:
    if not may_create(request.user):
        return forbidden(request, NOT_CREATOR)
    if request.method == "GET":
        return render(request, "campaigns/setup.html", {"campaign_form": sf.CampaignSetupForm()})
    form = sf.CampaignSetupForm(request.POST)

    def write(data: dict) -> Campaign:
        return services.create_campaign(request.user, form.input())

    # No campaign yet: 0 stands for "found" (handle_form's 404 is for a campaign the user cannot see).
    return handle_form(
        request, form, 0, write, submit="新建专项行动", done="专项行动已新建，请添加阶段、任务和目标",
        fields=sf.FIELD_OF_PROBLEM | {"unknown_unit": "lead_units"}, next_url=lambda made: _setup_url(made.pk),
    )  # fmt: skip


@login_required
@require_GET
def setup_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign, refusal = _managed(request, campaign_id)
    if refusal:
        return refusal
    phases = list(campaign.phases.order_by("starts_on"))
    context = {
        "campaign": campaign,
        "campaign_form": sf.CampaignSetupForm.of(campaign),
        "phases": [(phase, _phase_form(phase)) for phase in phases],
        "phase_form": sf.PhaseForm(),
        "task_form": sf.TaskForm(campaign),
        "target_form": sf.TargetForm(campaign) if campaign.tasks.exists() else None,
        "tasks": campaign.tasks.order_by("code").select_related("responsible_unit", "subdistrict"),
    }
    return render(request, "campaigns/setup.html", context)


def _phase_form(phase) -> sf.PhaseForm:
    fields = ("name", "starts_on", "ends_on", "plan_percent")
    return sf.PhaseForm(initial={"phase": phase.pk, **{name: getattr(phase, name) for name in fields}})


def _setup_write(
    request: HttpRequest, campaign_id: int, form, save, *, submit: str, done: str, fields: dict | None = None
) -> HttpResponse:
    """A set-up form of one campaign: its managers only, checked before the form (a refusal writes nothing)."""
    campaign = visible_campaigns(request.user).filter(pk=campaign_id).first()

    def write(data: dict) -> object:
        require_manage(request.user, campaign)
        return save(campaign, data)

    found = None if campaign is None else campaign.pk
    return handle_form(
        request, form, found, write, submit=submit, done=done, fields=sf.FIELD_OF_PROBLEM | (fields or {}),
        next_url=lambda _written: _setup_url(campaign_id),
    )  # fmt: skip


@login_required
@require_POST
def edit_campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    form = sf.CampaignSetupForm(request.POST)

    def save(campaign: Campaign, data: dict) -> Campaign:
        return services.update_campaign(request.user, campaign.pk, form.input(campaign))

    return _setup_write(request, campaign_id, form, save, submit="保存", done="专项行动已保存")


@login_required
@require_POST
def save_phase(request: HttpRequest, campaign_id: int) -> HttpResponse:
    form = sf.PhaseForm(request.POST)

    def save(campaign: Campaign, data: dict) -> object:
        values = {name: data[name] for name in ("name", "starts_on", "ends_on", "plan_percent")}
        return services.save_phase(request.user, campaign, **values, phase_id=data["phase"])

    return _setup_write(request, campaign_id, form, save, submit="保存阶段", done="阶段已保存")


def _tree_write(request: HttpRequest, campaign_id: int, form_class, save, **labels) -> HttpResponse:
    """A form whose choices are the campaign's own (its tasks, its district's sub-districts)."""
    campaign = visible_campaigns(request.user).filter(pk=campaign_id).first()
    if campaign is None:
        return page_not_found(request, NOT_FOUND)
    form = form_class(campaign, request.POST)
    return _setup_write(request, campaign_id, form, lambda found, data: save(found, form), **labels)


@login_required
@require_POST
def add_task(request: HttpRequest, campaign_id: int) -> HttpResponse:
    def save(campaign: Campaign, form: sf.TaskForm) -> object:
        return services.save_task(request.user, campaign, form.input())

    return _tree_write(request, campaign_id, sf.TaskForm, save, submit="添加任务", done="任务已添加")


@login_required
@require_POST
def add_target(request: HttpRequest, campaign_id: int) -> HttpResponse:
    def save(campaign: Campaign, form: sf.TargetForm) -> object:
        task = campaign.tasks.get(pk=form.cleaned_data["task"])
        return services.save_target(request.user, task, form.input())

    labels = {"submit": "添加目标", "done": "目标已添加", "fields": {"bad_dates": "due_on"}}
    return _tree_write(request, campaign_id, sf.TargetForm, save, **labels)


@login_required
@require_POST
def year_review(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """延续 or 结束 with a note; the campaign page then shows the decision and links to next year's copy."""
    campaign = visible_campaigns(request.user).filter(pk=campaign_id).first()
    form = sf.YearReviewForm(request.POST)

    def write(data: dict) -> object:
        return review.review_campaign(request.user, campaign.pk, data["decision"], data["note"])

    found = None if campaign is None else campaign.pk
    return handle_form(request, form, found, write, submit="保存评估", done="年度评估已保存")


@login_required
@require_http_methods(["GET", "POST"])
def import_tasks(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The task table onto a campaign: all or nothing, every problem listed by row and column."""
    campaign, refusal = _managed(request, campaign_id)
    if refusal:
        return refusal
    context: dict = {"campaign": campaign, "form": sf.TaskTableForm()}
    if request.method == "GET":
        return render(request, "campaigns/import.html", context)
    form = context["form"] = sf.TaskTableForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "campaigns/import.html", {**context, "error": form.problems()}, status=400)
    upload = form.cleaned_data["file"]
    before = set(campaign.tasks.values_list("pk", flat=True))
    try:
        result = import_task_table(campaign, upload.read(), request.user, filename=upload.name)
    except ImportRejected as rejected:
        context |= {"error": f"发现 {len(rejected.errors)} 处错误，未写入任何数据", "row_errors": rejected.errors}
        return render(request, "campaigns/import.html", context, status=400)
    except DomainError as exc:
        return render(request, "campaigns/import.html", {**context, "error": exc.message}, status=exc.status_code)
    created = campaign.tasks.exclude(pk__in=before).order_by("code").prefetch_related("targets")
    return render(request, "campaigns/import.html", {**context, "result": result, "created": created})


@login_required
@require_GET
def task_table_file(request: HttpRequest) -> HttpResponse:
    """The empty task table with its example row, as xlsx (or CSV with ?format=csv)."""
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    content, filename, content_type = task_table_template(fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
