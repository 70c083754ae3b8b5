"""/api/v1/ledgers/documents|inspections|rates|checklists: enforcement documents, inspections from the phone and
the Jiading rates. Writes go through `documents` and `inspections`; bad input is a 4xx with a Chinese message.

Bodies are JSON, or a form (multipart) when photos come along; in a form the inspection's `checklist` is a JSON
object in one field.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel, ConfigDict

from xiuhua.accounts.models import User
from xiuhua.core.api_bodies import body_doc, read_body
from xiuhua.core.api_schemas import ERRORS
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.ledgers import documents, inspections
from xiuhua.ledgers.checklists import checklist_for
from xiuhua.ledgers.document_pdf import document_pdf
from xiuhua.ledgers.models import EnforcementDocument, Inspection
from xiuhua.ledgers.privacy import appearances, shown_subject
from xiuhua.ledgers.rates import rates

router = Router(tags=["ledgers"])
PAGE = 100


def document_out(viewer: User, document: EnforcementDocument, places: list[tuple[str, str]] | None = None) -> dict:
    """The document; the party's name as the privacy rule shows it to the viewer (a person may be masked).
    `places`: the party's records (`privacy.appearances`), when a list has read them for all its parties at once."""
    party = shown_subject(viewer, document.subject, places)
    return {
        "id": document.pk, "kind": document.kind, "kind_label": str(document.get_kind_display()),
        "number": document.full_number, "status": document.status, "status_label": str(document.get_status_display()),
        "subject_id": document.subject_id, "subject_name": party.get("name", ""),
        "ledger": document.ledger, "record_id": document.record_id,
        "case_number": document.case.number if document.case_id else "", "class_code": document.class_code,
        "previous_id": document.previous_id, "facts": document.facts, "legal_basis": document.legal_basis,
        "demand": document.demand, "deadline": document.deadline, "penalty_reference": document.penalty_reference,
        "issuing_unit": document.issuing_unit.name, "issued_by": str(document.issued_by),
        "issued_at": document.issued_at,
        "delivered_at": document.delivered_at, "delivery_method": document.delivery_method,
        "delivery_note": document.delivery_note, "closed_at": document.closed_at,
    }  # fmt: skip


def inspection_out(inspection: Inspection) -> dict:
    return {
        "id": inspection.pk, "ledger": inspection.ledger, "record_id": inspection.record_id,
        "inspector_id": inspection.inspector_id, "due_on": inspection.due_on, "document_id": inspection.document_id,
        "document_number": inspection.document.full_number if inspection.document_id else "",
        "inspected_at": inspection.inspected_at, "checklist": inspection.checklist, "result": inspection.result,
        "note": inspection.note, "case_number": inspection.case.number if inspection.case_id else "",
    }  # fmt: skip


def _document(request: HttpRequest, document_id: int) -> EnforcementDocument:
    found = _documents(request).filter(pk=document_id).first()
    if found is None:
        raise NotFound("文书不存在或不在您的数据范围内")
    return found


def _documents(request: HttpRequest) -> QuerySet[EnforcementDocument]:
    related = ("subject__district", "case", "issuing_unit", "issued_by")
    return documents.visible_documents(request.auth).select_related(*related).order_by("-issued_at", "-pk")


class DocumentFilters(Schema):
    subject_id: int | None = None
    kind: str | None = None
    status: str | None = None
    case_number: str | None = None
    offset: int = Field(0, ge=0)


@router.get("/ledgers/documents", response={200: list[dict], **ERRORS}, summary="文书列表（新的在前，每页 100 条）")
def list_documents(request: HttpRequest, filters: Query[DocumentFilters]):
    rows = _documents(request)
    for name, path in (("subject_id", "subject_id"), ("kind", "kind"), ("status", "status"),
                       ("case_number", "case__number")):  # fmt: skip
        if (value := getattr(filters, name)) not in (None, ""):
            rows = rows.filter(**{path: value})
    page = list(rows[filters.offset : filters.offset + PAGE])
    places = appearances(d.subject_id for d in page)  # one query per ledger for the page, not per document
    return [document_out(request.auth, d, places.get(d.subject_id, [])) for d in page]


@router.get("/ledgers/documents/{int:document_id}", response={200: dict, **ERRORS}, summary="一份文书")
def get_document(request: HttpRequest, document_id: int):
    return document_out(request.auth, _document(request, document_id))


class IssueBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject_id: int = Field(..., description="当事人")
    kind: Literal["reminder", "rectify_by", "order_to_correct", "penalty"] | None = Field(
        None, description="文书种类；不填按该类问题的执法阶梯确定"
    )
    class_code: str = Field("", description="问题小类代码（执法阶梯按它计数），如 09005 店外经营")
    facts: str = Field(..., description="违法事实")
    legal_basis: str = Field(..., description="法律依据")
    demand: str = Field("", description="整改要求（限期整改、责令改正必填）")
    deadline: date | None = Field(None, description="整改期限（不填按阶梯的天数）")
    ledger: str | None = Field(None, description="台账类别，如 shop")
    record_id: int | None = Field(None, description="台账记录")
    case_number: str = ""
    penalty_reference: str = Field("", description="行政处罚决定书文号")


@router.post("/ledgers/documents", response={201: dict, **ERRORS}, summary="开具文书（编号按种类和年度连续）")
def issue(request: HttpRequest, body: IssueBody):
    values = body.model_dump(exclude={"ledger", "record_id"})
    if (body.ledger is None) != (body.record_id is None):
        raise DomainError("台账类别 ledger 与台账记录 record_id 须同时填写", code="bad_record")
    record = (body.ledger, body.record_id) if body.ledger else None
    document = documents.issue_document(request.auth, documents.Draft(**values, record=record))
    return Status(201, document_out(request.auth, _document(request, document.pk)))


class DeliveryBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: str = Field(..., description="送达方式：in_person、left、post、electronic、notice")
    delivered_at: datetime | None = Field(None, description="送达时间，不填为现在")
    note: str = ""


@router.post(
    "/ledgers/documents/{int:document_id}/delivery", response={200: dict, **ERRORS}, summary="登记送达",
    openapi_extra=body_doc(DeliveryBody, {"photo": "送达照片"}),
)  # fmt: skip
def deliver(request: HttpRequest, document_id: int):
    body, files = read_body(request, DeliveryBody)
    photos = files.get("photo", [])
    at = body.delivered_at or timezone.now()
    document = documents.record_delivery(
        request.auth, _document(request, document_id).pk, body.method, at, body.note, photos[0] if photos else None
    )
    return document_out(request.auth, _document(request, document.pk))


class CancelBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str


@router.post(
    "/ledgers/documents/{int:document_id}/cancel", response={200: dict, **ERRORS}, summary="撤销文书（编号保留）"
)
def cancel(request: HttpRequest, document_id: int, body: CancelBody):
    document = documents.cancel_document(request.auth, _document(request, document_id).pk, body.reason)
    return document_out(request.auth, _document(request, document.pk))


class PenaltyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: str = Field(..., description="行政处罚决定书文号")


@router.post(
    "/ledgers/documents/{int:document_id}/penalty", response={200: dict, **ERRORS},
    summary="登记行政处罚决定书文号（处罚决定记入信用档案）",
)  # fmt: skip
def penalty_decision(request: HttpRequest, document_id: int, body: PenaltyBody):
    document = documents.record_penalty_decision(request.auth, _document(request, document_id).pk, body.reference)
    return document_out(request.auth, _document(request, document.pk))


@router.get(
    "/ledgers/documents/{int:document_id}/pdf", response={200: None, **ERRORS},
    summary="打印文书：A4，或 58/80 毫米便携打印机的长条",
)  # fmt: skip
def pdf(request: HttpRequest, document_id: int, format: Literal["a4", "58", "80"] = "a4"):  # noqa: A002
    document = _document(request, document_id)
    response = HttpResponse(document_pdf(request.auth, document, format), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}-{format}.pdf"'
    return response


@router.get("/ledgers/checklists/{kind}", response={200: list[dict], **ERRORS}, summary="某类台账的检查表")
def checklist(request: HttpRequest, kind: str, restaurant: bool = False):
    record = type("Shop", (), {"kind": "restaurant"})() if restaurant else None
    return [{"key": i.key, "label": i.label, "class_code": i.class_code} for i in checklist_for(kind, record)]


class InspectionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ledger: str
    record_id: int
    checklist: dict[str, bool] | str = Field(..., description="检查项 → true 合格 / false 不合格（表单中为 JSON）")
    note: str = ""


def _checklist(value: dict | str) -> dict:
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise DomainError("检查表 checklist 应为 JSON 对象：检查项 → true/false", code="bad_checklist")
    return parsed


@router.post(
    "/ledgers/inspections", response={201: dict, **ERRORS}, summary="检查台账记录（手机）",
    openapi_extra=body_doc(InspectionBody, {"photos": "现场照片"}),
)  # fmt: skip
def inspect(request: HttpRequest):
    body, files = read_body(request, InspectionBody)
    inspection = inspections.record_inspection(
        request.auth, body.ledger, body.record_id, _checklist(body.checklist), note=body.note,
        photos=files.get("photos", []),
    )  # fmt: skip
    return Status(201, inspection_out(inspection))


class ResultBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    passed: bool
    note: str = ""


@router.post(
    "/ledgers/inspections/{int:inspection_id}/result", response={200: dict, **ERRORS},
    summary="登记复查结果：合格办结，不合格开具阶梯的下一份文书",
    openapi_extra=body_doc(ResultBody, {"photos": "复查照片"}),
)  # fmt: skip
def reinspect(request: HttpRequest, inspection_id: int):
    body, files = read_body(request, ResultBody)
    inspection, following = documents.record_reinspection(
        request.auth, inspection_id, body.passed, body.note, files.get("photos", [])
    )
    return {
        "inspection": inspection_out(inspection),
        "next_document": document_out(request.auth, following) if following else None,
    }


class RaiseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    failed_item: str
    description: str = ""


@router.post(
    "/ledgers/inspections/{int:inspection_id}/case", response={201: dict, **ERRORS},
    summary="就不合格检查项上报案件", openapi_extra=body_doc(RaiseBody, {"photos": "现场照片（监督员必附）"}),
)  # fmt: skip
def raise_case(request: HttpRequest, inspection_id: int):
    body, files = read_body(request, RaiseBody)
    raised = inspections.raise_case(
        request.auth, inspection_id, body.failed_item, files.get("photos", []), description=body.description
    )
    return Status(201, {"case_number": raised.case_number, "inspection": inspection_out(raised.inspection)})


@router.get("/ledgers/inspections/due", response={200: list[dict], **ERRORS}, summary="我的待复查任务（到期及逾期）")
def due(request: HttpRequest, day: date | None = None):
    day = day or documents.local_day(timezone.now())
    return [inspection_out(i) for i in inspections.due_queue(request.auth, day).select_related("case")]


@router.get(
    "/ledgers/rates", response={200: list[dict], **ERRORS}, summary="发现率、劝阻率、整改率、处罚率（按开具单位）"
)
def enforcement_rates(request: HttpRequest, first: date, last: date):
    return [row.as_dict() for row in rates(request.auth, first, last)]
