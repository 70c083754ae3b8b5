"""Credit and 门前三包 API under /api/v1/ledgers/: a party's credit with its reasons, credit events and their
objection, decision and repair, the red and black lists, the export for the public credit platform, 门责告知履约率,
the shops whose duty covers a spot, and SMS reminder runs (draft with preview → confirm → per-shop result).

Reading a party's credit: staff of a ledger-keeping department, or anyone whose data scope covers the party's
district (a person's name then masked). Writes and exports: ledger-keeping departments (`credit.may_manage_credit`);
reminders: keepers of the shops' ledger (`reminders.may_remind`)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel, ConfigDict

from xiuhua.accounts.privacy import mask_name
from xiuhua.accounts.queries import sees_division_code
from xiuhua.cases.queries import case_for
from xiuhua.core.api_schemas import ERRORS
from xiuhua.core.errors import NotFound
from xiuhua.ledgers import credit, frontage, reminders
from xiuhua.ledgers.choices import SubjectKind
from xiuhua.ledgers.credit_export import credit_export, masked_code
from xiuhua.ledgers.models import CreditEvent, EnforcementDocument, Subject
from xiuhua.notify import batches
from xiuhua.territory.models import Division

router = Router(tags=["ledgers: credit and 门前三包"])


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def readable_subject(user, subject_id: int) -> Subject:
    subject = Subject.objects.filter(pk=subject_id).select_related("district").first()
    if subject is None or not (credit.may_manage_credit(user) or sees_division_code(user, subject.district.code)):
        raise NotFound("当事人不存在或无权查看")
    return subject


def district_for(user, code: str) -> Division:
    district = Division.objects.filter(code=code, level="district").first()
    if district is None or not (credit.may_manage_credit(user) or sees_division_code(user, code)):
        raise NotFound("区县不存在或无权查看")
    return district


def subject_out(subject: Subject, user) -> dict:
    masked = subject.kind == SubjectKind.PERSON and not credit.may_manage_credit(user)
    return {
        "id": subject.pk,
        "kind": subject.kind,
        "name": mask_name(subject.name) if masked else subject.name,
        "identity": masked_code(subject.id_last4),
    }


def event_out(event: CreditEvent) -> dict:
    return {
        "id": event.pk,
        "subject": event.subject_id,
        "kind": event.kind,
        "kind_label": str(event.get_kind_display()),
        "points": event.points,
        "occurred_on": event.occurred_on,
        "reason": event.reason,
        "authority": event.authority,
        "document": event.document.full_number if event.document_id else "",
        "status": event.status,
        "status_label": str(event.get_status_display()),
        "objection": event.appeal_text,
        "decision": event.appeal_decision,
        "decided_at": event.appeal_decided_at,
    }


def standing_out(standing: credit.Standing, user) -> dict:
    return {
        "subject": subject_out(standing.subject, user),
        "on": standing.on,
        "score": standing.score,
        "level": standing.level,
        "red_list": standing.red,
        "black_list": standing.black,
        "events": [event_out(e) for e in standing.events],
        "black_list_reasons": [event_out(e) for e in standing.black_reasons],
    }


# --- credit ---------------------------------------------------------------------------------------------------


@router.get(
    "/ledgers/credit/subjects/{int:subject_id}",
    response={200: dict, **ERRORS},
    summary="当事人信用：分值、等级、红黑名单与理由",
)
def subject_credit(request: HttpRequest, subject_id: int, on: date | None = None):
    subject = readable_subject(request.auth, subject_id)
    history = subject.credit_events.select_related("document").order_by("-occurred_on", "-pk")
    # The whole record (诚信档案), withdrawn and repaired events and those older than a year included.
    return {**standing_out(credit.score(subject, on), request.auth), "history": [event_out(e) for e in history]}


class EventBody(Body):
    subject: int
    kind: str = Field(
        ...,
        description="penalty 处罚 | repeated_failure 复查多次不合格 | order_ignored 拒不改正 | good_conduct 良好",
    )
    occurred_on: date = Field(..., description="决定日期")
    reason: str = Field(..., max_length=300)
    authority: str = Field(..., max_length=100, description="决定机关")
    document: int | None = Field(None, description="文书 id（可选）")


@router.post("/ledgers/credit/events", response={201: dict, **ERRORS}, summary="登记信用事项（分值按信用规则）")
def create_event(request: HttpRequest, body: EventBody):
    subject = readable_subject(request.auth, body.subject)
    document = None
    if body.document is not None:
        document = EnforcementDocument.objects.filter(pk=body.document, subject=subject).first()
        if document is None:
            raise NotFound("文书不存在或不属于该当事人")
    event = credit.record_event(
        request.auth, subject, body.kind, body.occurred_on, body.reason, body.authority, document
    )
    return 201, event_out(event)


class TextBody(Body):
    text: str = Field(..., max_length=5000, description="异议内容")


class DecisionBody(Body):
    upheld: bool = Field(..., description="异议是否成立")
    decision: str = Field(..., max_length=5000, description="处理意见")


class RepairBody(Body):
    decision: str = Field(..., max_length=5000, description="信用修复决定")


@router.post("/ledgers/credit/events/{int:event_id}/objection", response={200: dict, **ERRORS}, summary="提出异议")
def object_to(request: HttpRequest, event_id: int, body: TextBody):
    return event_out(credit.object_to(request.auth, event_id, body.text))


@router.post("/ledgers/credit/events/{int:event_id}/decision", response={200: dict, **ERRORS}, summary="异议处理")
def decide(request: HttpRequest, event_id: int, body: DecisionBody):
    return event_out(credit.decide_objection(request.auth, event_id, body.upheld, body.decision))


@router.post("/ledgers/credit/events/{int:event_id}/repair", response={200: dict, **ERRORS}, summary="信用修复")
def repair(request: HttpRequest, event_id: int, body: RepairBody):
    return event_out(credit.repair(request.auth, event_id, body.decision))


class DistrictQuery(Schema):
    district: str = Field(..., max_length=12, description="区县代码")
    on: date | None = Field(None, description="日期（缺省：今天）")


@router.get("/ledgers/credit/lists", response={200: dict, **ERRORS}, summary="红名单与黑名单（含理由）")
def credit_lists(request: HttpRequest, query: Query[DistrictQuery]):
    found = credit.lists(district_for(request.auth, query.district), query.on)
    return {name: [standing_out(s, request.auth) for s in rows] for name, rows in found.items()}


class ExportQuery(DistrictQuery):
    format: str = Field("xlsx", description="xlsx 或 csv")


@router.get("/ledgers/credit/export", response={200: None, **ERRORS}, summary="信用信息导出（报送公共信用平台）")
def export(request: HttpRequest, query: Query[ExportQuery]):
    district = district_for(request.auth, query.district)
    content, filename, content_type = credit_export(request.auth, district, query.format, query.on)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def shop_brief(shop) -> dict:
    return {"shop": shop.pk, "code": shop.code, "name": shop.name, "road": shop.road}


# --- 门前三包 ---------------------------------------------------------------------------------------------------


@router.get("/ledgers/frontage/rates", response={200: dict, **ERRORS}, summary="门责告知履约率（按街道）")
def duty_rates(request: HttpRequest, query: Query[DistrictQuery]):
    rows, total = frontage.duty_rates(district_for(request.auth, query.district), query.on)
    return {"subdistricts": [r.as_dict() for r in rows], "total": total.as_dict()}


class PointQuery(Schema):
    lng: float = Field(..., ge=73, le=136)
    lat: float = Field(..., ge=3, le=54)


@router.get("/ledgers/frontage/shops", response={200: list[dict], **ERRORS}, summary="门前三包责任覆盖某点的商铺")
def shops_for_point(request: HttpRequest, query: Query[PointQuery]):
    visible = set(reminders.visible_shops(request.auth).values_list("pk", flat=True))
    matches = [m for m in frontage.shops_for_point(query.lng, query.lat) if m.shop.pk in visible]
    return [{"shop": m.shop.pk, "code": m.shop.code, "name": m.shop.name, "why": m.why} for m in matches]


@router.get(
    "/ledgers/frontage/cases/{number}/shop",
    response={200: dict, **ERRORS},
    summary="案件位置所在门前三包责任区的商铺（建议的当事人，待确认）",
)
def case_shop(request: HttpRequest, number: str):
    match = frontage.suggest_shop_for_case(case_for(request.auth, number))
    if match is None:
        return {"case": number, "shop": None, "why": "案件位置不在任何商铺的门前三包责任区内"}
    shop = match.shop
    return {"case": number, "shop": {**shop_brief(shop), "subject": shop.subject_id}, "why": match.why}


# --- reminders ------------------------------------------------------------------------------------------------


class ReminderBody(Body):
    road: str = Field("", max_length=60, description="道路名称")
    grid: str = Field("", max_length=15, description="单元网格编码")
    subdistrict: str = Field("", max_length=12, description="街道代码")
    text: str = Field(reminders.DEFAULT_TEXT, max_length=500, description="短信内容，可用 {{ name }}、{{ road }}")


@router.post("/ledgers/reminders", response={201: dict, **ERRORS}, summary="门前三包短信提醒：起草（预览，未发送）")
def draft_reminders(request: HttpRequest, body: ReminderBody):
    selection = reminders.Selection(body.road, body.grid, body.subdistrict)
    batch, plan = reminders.draft_reminders(request.auth, selection, body.text)
    return 201, {
        "batch": batch.pk if batch else None,
        "counts": plan.counts(),
        "preview": batches.preview(batch) if batch else [],
        "no_phone": [shop_brief(s) for s in plan.no_phone],
        "already_reminded": [shop_brief(s) for s in plan.already],
    }


@router.post("/ledgers/reminders/{int:batch_id}/confirm", response={200: dict, **ERRORS}, summary="确认发送")
def confirm_reminders(request: HttpRequest, batch_id: int):
    reminders.confirm_reminders(request.auth, batch_id)
    return reminders.reminder_result(request.auth, batch_id)


@router.get("/ledgers/reminders/{int:batch_id}", response={200: dict, **ERRORS}, summary="提醒结果（逐店）")
def reminder_result(request: HttpRequest, batch_id: int):
    return reminders.reminder_result(request.auth, batch_id)
