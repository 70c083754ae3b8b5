"""Campaigns API, the writes: campaigns, phases, the task tree, targets with their case rules, tagged cases, list
items, activity records and entered counts with their review. Each endpoint finds what the caller may see (404
otherwise) and hands over to the service in `campaigns.services`, `items` or `entries`, which checks who may do it
(403), checks the input before writing anything (400 in Chinese) and writes its audit row."""

from __future__ import annotations

from django.db.models import Q
from django.http import FileResponse, HttpRequest
from ninja import File, Status
from ninja.files import UploadedFile

from xiuhua.campaigns import entries, items, presenters, services
from xiuhua.campaigns.api import campaign_for, router
from xiuhua.campaigns.api_bodies import (
    CampaignBody,
    EntryBody,
    LinkBody,
    NoteBody,
    PhaseBody,
    RecordBody,
    ReviewBody,
    TagBody,
    TargetBody,
    TaskBody,
)
from xiuhua.campaigns.choices import Review
from xiuhua.campaigns.models import CampaignPhase, CampaignTask, Evidence, ManualEntry, Target, TargetItem
from xiuhua.campaigns.progress import campaign_progress
from xiuhua.campaigns.queries import visible_campaigns
from xiuhua.campaigns.services import CampaignInput, TaskInput
from xiuhua.campaigns.target_checks import RuleInput, TargetInput
from xiuhua.core.api_bodies import body_doc, read_body
from xiuhua.core.api_schemas import ERRORS
from xiuhua.core.errors import NotFound

FILES = {"files": "证明材料（照片、PDF 等）"}


def visible(user, model, pk: int, path: str, label: str):
    """A row of `model` whose campaign (reached by `path`) the user sees; 404 otherwise."""
    row = model.objects.filter(pk=pk, **{f"{path}__in": visible_campaigns(user)}).first()
    if row is None:
        raise NotFound(f"{label}不存在或无权查看")
    return row


def detail(campaign) -> dict:
    return presenters.campaign_detail(campaign_progress(campaign))


# --- campaigns and phases ------------------------------------------------------------------------------


@router.post("/campaigns", response={201: dict, **ERRORS}, summary="新建专项行动（辖区领导、指挥长）")
def create_campaign(request: HttpRequest, body: CampaignBody):
    return Status(201, detail(services.create_campaign(request.auth, CampaignInput(**body.model_dump()))))


@router.put("/campaigns/{int:campaign_id}", response={200: dict, **ERRORS}, summary="修改专项行动（全部字段）")
def update_campaign(request: HttpRequest, campaign_id: int, body: CampaignBody):
    campaign_for(request.auth, campaign_id)
    return detail(services.update_campaign(request.auth, campaign_id, CampaignInput(**body.model_dump())))


@router.post("/campaigns/{int:campaign_id}/phases", response={201: dict, **ERRORS}, summary="新增阶段")
def add_phase(request: HttpRequest, campaign_id: int, body: PhaseBody):
    campaign = campaign_for(request.auth, campaign_id)
    phase = services.save_phase(request.auth, campaign, **body.model_dump())
    return Status(201, {"id": phase.pk, "name": phase.name})


@router.put("/campaigns/phases/{int:phase_id}", response={200: dict, **ERRORS}, summary="修改阶段")
def change_phase(request: HttpRequest, phase_id: int, body: PhaseBody):
    phase = visible(request.auth, CampaignPhase, phase_id, "campaign", "阶段")
    services.save_phase(request.auth, phase.campaign, phase_id=phase_id, **body.model_dump())
    return {"id": phase_id, "name": body.name}


@router.delete("/campaigns/phases/{int:phase_id}", response={204: None, **ERRORS}, summary="删除阶段")
def delete_phase(request: HttpRequest, phase_id: int):
    visible(request.auth, CampaignPhase, phase_id, "campaign", "阶段")
    services.delete_phase(request.auth, phase_id)
    return Status(204, None)


# --- tasks and targets ---------------------------------------------------------------------------------


def task_out(task: CampaignTask) -> dict:
    return {"id": task.pk, "code": task.code, "name": task.name, "parent": task.parent_id}


@router.post("/campaigns/{int:campaign_id}/tasks", response={201: dict, **ERRORS}, summary="新增任务")
def add_task(request: HttpRequest, campaign_id: int, body: TaskBody):
    campaign = campaign_for(request.auth, campaign_id)
    return Status(201, task_out(services.save_task(request.auth, campaign, TaskInput(**body.model_dump()))))


@router.put("/campaigns/tasks/{int:task_id}", response={200: dict, **ERRORS}, summary="修改任务")
def change_task(request: HttpRequest, task_id: int, body: TaskBody):
    task = visible(request.auth, CampaignTask, task_id, "campaign", "任务")
    return task_out(services.save_task(request.auth, task.campaign, TaskInput(**body.model_dump()), task_id))


@router.delete("/campaigns/tasks/{int:task_id}", response={204: None, **ERRORS}, summary="删除任务及其下级任务和目标")
def delete_task(request: HttpRequest, task_id: int):
    visible(request.auth, CampaignTask, task_id, "campaign", "任务")
    services.delete_task(request.auth, task_id)
    return Status(204, None)


def target_input(body: TargetBody) -> TargetInput:
    values = body.model_dump(exclude={"rule"})
    return TargetInput(**values, rule=RuleInput(**body.rule.model_dump()) if body.rule else None)


@router.post(
    "/campaigns/tasks/{int:task_id}/targets",
    response={201: dict, **ERRORS},
    summary="新增目标（按案件测量的带案件规则）",
    description="没有计量方式、案件规则的分类不存在、定期目标没有频次等：400，不写入。",
)
def add_target(request: HttpRequest, task_id: int, body: TargetBody):
    task = visible(request.auth, CampaignTask, task_id, "campaign", "任务")
    return Status(201, presenters.target_out(services.save_target(request.auth, task, target_input(body))))


@router.put("/campaigns/targets/{int:target_id}", response={200: dict, **ERRORS}, summary="修改目标及其案件规则")
def change_target(request: HttpRequest, target_id: int, body: TargetBody):
    target = visible(request.auth, Target, target_id, "task__campaign", "目标")
    return presenters.target_out(services.save_target(request.auth, target.task, target_input(body), target_id))


@router.delete("/campaigns/targets/{int:target_id}", response={204: None, **ERRORS}, summary="删除目标")
def delete_target(request: HttpRequest, target_id: int):
    visible(request.auth, Target, target_id, "task__campaign", "目标")
    services.delete_target(request.auth, target_id)
    return Status(204, None)


# --- tagged cases -------------------------------------------------------------------------------------


@router.post("/campaigns/{int:campaign_id}/cases", response={201: dict, **ERRORS}, summary="把案卷标记到专项行动")
def tag_case(request: HttpRequest, campaign_id: int, body: TagBody):
    tag = services.tag_case(request.auth, campaign_for(request.auth, campaign_id), body.case, body.note)
    return Status(201, {"case": tag.case.number, "note": tag.note, "tagged_at": tag.tagged_at})


@router.get("/campaigns/{int:campaign_id}/cases", response={200: list[dict], **ERRORS}, summary="手工关联的案卷")
def tagged_cases(request: HttpRequest, campaign_id: int):
    tags = campaign_for(request.auth, campaign_id).tagged_cases.select_related("case").order_by("-tagged_at")
    return [{"case": t.case.number, "note": t.note, "tagged_at": t.tagged_at} for t in tags]


@router.delete("/campaigns/{int:campaign_id}/cases/{number}", response={204: None, **ERRORS}, summary="取消标记")
def untag_case(request: HttpRequest, campaign_id: int, number: str):
    services.untag_case(request.auth, campaign_for(request.auth, campaign_id), number)
    return Status(204, None)


# --- list items -----------------------------------------------------------------------------------------


def item_out(item: TargetItem) -> dict:
    return {
        "id": item.pk,
        "code": item.code,
        "title": item.title,
        "case": item.case.number if item.case_id else None,
        "work_order": item.work_order.order_number if item.work_order_id else None,
        "resolved_at": item.resolved_at,
        "resolution_note": item.resolution_note,
    }


@router.get("/campaigns/targets/{int:target_id}/items", response={200: list[dict], **ERRORS}, summary="清单项")
def list_items(request: HttpRequest, target_id: int):
    target = visible(request.auth, Target, target_id, "task__campaign", "目标")
    return [item_out(i) for i in target.items.select_related("case", "work_order")]


@router.post(
    "/campaigns/targets/{int:target_id}/items/import",
    response={200: dict, **ERRORS},
    summary="导入清单（Excel 或 CSV：编号、标题、工单号、案卷号；全部正确才写入）",
)
def import_items(request: HttpRequest, target_id: int, file: File[UploadedFile]):
    target = visible(request.auth, Target, target_id, "task__campaign", "目标")
    result = items.import_items(request.auth, target, file.read(), filename=file.name)
    return {"created": result.created, "summary": result.summary()}


@router.post("/campaigns/items/{int:item_id}/link", response={200: dict, **ERRORS}, summary="清单项关联案卷或工单")
def link_item(request: HttpRequest, item_id: int, body: LinkBody):
    visible(request.auth, TargetItem, item_id, "target__task__campaign", "清单项")
    item = items.link_item(request.auth, item_id, case_number=body.case, work_order_number=body.work_order)
    return item_out(item)


@router.post(
    "/campaigns/items/{int:item_id}/resolve",
    response={200: dict, **ERRORS},
    summary="手工化解清单项（说明与证明材料）",
    openapi_extra=body_doc(NoteBody, FILES),
)
def resolve_item(request: HttpRequest, item_id: int):
    visible(request.auth, TargetItem, item_id, "target__task__campaign", "清单项")
    body, files = read_body(request, NoteBody)
    return item_out(items.resolve_item(request.auth, item_id, body.note, files.get("files", [])))


# --- activity records and entered counts --------------------------------------------------------------


@router.post(
    "/campaigns/targets/{int:target_id}/records",
    response={201: dict, **ERRORS},
    summary="记录一次定期活动（联合检查、专项整治……）",
    openapi_extra=body_doc(RecordBody, FILES),
)
def add_record(request: HttpRequest, target_id: int):
    target = visible(request.auth, Target, target_id, "task__campaign", "目标")
    body, files = read_body(request, RecordBody)
    record = entries.add_record(request.auth, target, **body.model_dump(), files=files.get("files", []))
    return Status(201, {"id": record.pk, "held_on": record.held_on, "title": record.title, "people": record.people})


@router.get("/campaigns/targets/{int:target_id}/records", response={200: list[dict], **ERRORS}, summary="活动记录")
def list_records(request: HttpRequest, target_id: int):
    target = visible(request.auth, Target, target_id, "task__campaign", "目标")
    return [
        {"id": r.pk, "held_on": r.held_on, "title": r.title, "people": r.people, "findings": r.findings}
        for r in target.records.all()
    ]


def entry_out(entry: ManualEntry) -> dict:
    return {
        "id": entry.pk,
        "target": entry.target_id,
        "value": presenters.number(entry.value),
        "occurred_on": entry.occurred_on,
        "note": entry.note,
        "state": entry.state,
        "review_note": entry.review_note,
    }


@router.post(
    "/campaigns/targets/{int:target_id}/entries",
    response={201: dict, **ERRORS},
    summary="填报数量或节点（责任单位；牵头单位审核通过后计入）",
    openapi_extra=body_doc(EntryBody, FILES),
)
def enter_value(request: HttpRequest, target_id: int):
    target = visible(request.auth, Target, target_id, "task__campaign", "目标")
    body, files = read_body(request, EntryBody)
    return Status(
        201, entry_out(entries.enter_value(request.auth, target, **body.model_dump(), files=files.get("files", [])))
    )


@router.get("/campaigns/targets/{int:target_id}/entries", response={200: list[dict], **ERRORS}, summary="填报记录")
def list_entries(request: HttpRequest, target_id: int):
    target = visible(request.auth, Target, target_id, "task__campaign", "目标")
    return [entry_out(e) for e in target.entries.all()]


@router.post("/campaigns/entries/{int:entry_id}/review", response={200: dict, **ERRORS}, summary="审核填报")
def review_entry(request: HttpRequest, entry_id: int, body: ReviewBody):
    visible(request.auth, ManualEntry, entry_id, "target__task__campaign", "填报")
    decision = Review.APPROVED if body.accept else Review.RETURNED
    return entry_out(entries.review_entry(request.auth, entry_id, decision, body.note))


# --- evidence -----------------------------------------------------------------------------------------


@router.get("/campaigns/evidence/{int:evidence_id}", response={200: None, **ERRORS}, summary="下载证明材料")
def get_evidence(request: HttpRequest, evidence_id: int):
    campaigns = visible_campaigns(request.auth)
    owners = (
        Q(record__target__task__campaign__in=campaigns)
        | Q(entry__target__task__campaign__in=campaigns)
        | Q(item__target__task__campaign__in=campaigns)
        | Q(report__campaign__in=campaigns)
    )
    evidence = Evidence.objects.filter(owners, pk=evidence_id).first()
    if evidence is None:
        raise NotFound("证明材料不存在或无权查看")
    return FileResponse(evidence.file.open("rb"), content_type=evidence.content_type, filename=evidence.original_name)
