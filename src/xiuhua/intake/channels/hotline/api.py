"""The hotline channel under /api/v1/hotline/: orders in (one by one, or an Excel export), their loop steps out."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel, ConfigDict

from xiuhua.accounts.choices import Role
from xiuhua.accounts.privacy import note_full_view, shown_contact
from xiuhua.core.api_bodies import read_body
from xiuhua.core.api_schemas import ERRORS, ErrorOut
from xiuhua.core.errors import PermissionDenied
from xiuhua.intake.channels.hotline.adapter import (
    HOTLINE_ROLES,
    WorkOrderInput,
    check_order_visible,
    find_work_order,
    hotline_steps,
    record_hotline_callback,
    take_work_order,
    transfer_work_order,
    visible_work_orders,
)
from xiuhua.intake.channels.hotline.importer import import_work_orders
from xiuhua.intake.channels.hotline.models import OrderState, WorkOrder
from xiuhua.intake.log import rejections_logged, request_payload
from xiuhua.territory.queries import sole_district_code

router = Router(tags=["hotline"])
READ_ROLES = HOTLINE_ROLES | {Role.DISPATCHER, Role.LEADER, Role.COMMANDER}
MAX_PAGE = 500


class WorkOrderBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hotline: Literal["12345", "12319"] = Field(..., description="热线：12345 或 12319")
    order_number: str = Field(..., description="热线工单编号")
    order_type: Literal["consultation", "help", "complaint", "report", "suggestion"] = Field(
        ..., description="诉求类型：咨询、求助、投诉、举报、建议"
    )
    urgency: Literal["normal", "urgent", "very_urgent"] = Field("normal", description="一般、紧急、特急")
    content: str = Field(..., description="诉求内容")
    caller_name: str = ""
    caller_phone: str = ""
    confidential: bool = Field(False, description="来电人要求保密")
    address: str = ""
    lng: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    class_code: str = Field("", description="小类代码；不填时由文本分类给出建议，受理员确认后转为案卷")
    kind: Literal["component", "event"] | None = None
    received_at: datetime | None = Field(None, description="热线受理时间（带时区）")
    hotline_deadline: datetime | None = Field(None, description="热线要求的办结时限（带时区）")
    answered_on_call: bool = Field(False, description="咨询已当场答复：只记录，不建案卷")
    answer: str = ""


class TransferBody(Schema):
    class_code: str
    kind: Literal["component", "event"] | None = None


class CallbackBody(Schema):
    satisfaction: str = Field(..., description="办理满意度：very_satisfied … very_dissatisfied")
    service_satisfaction: str = Field("", description="服务满意度")
    note: str = ""


def _reader(request: HttpRequest) -> None:
    if request.auth.role not in READ_ROLES:
        raise PermissionDenied("热线工单只对指挥中心开放")


# An order not yet a case is placed in the installation's district (for the viewer's data scope).
def order_view(
    order: WorkOrder, viewer, *, in_list: bool = False, audit: bool = True, district: str | None = None
) -> dict[str, Any]:
    """One order as this viewer may see it: the caller's contact through the privacy rule; a full view of a
    confidential caller on one order (not in a list) is audited unless the viewer just typed it in."""
    case = order.case
    caller = shown_contact(
        viewer,
        order.caller_name,
        order.caller_phone,
        confidential=order.confidential,
        division_code=case.grid_code if case else (sole_district_code() if district is None else district),
        in_list=in_list,
    )
    if audit and not in_list:
        note_full_view(viewer, caller, f"{order.hotline}-{order.order_number}", "hotline_order")
    return {
        "hotline": order.hotline,
        "order_number": order.order_number,
        "order_type": order.order_type,
        "order_type_label": order.get_order_type_display(),
        "urgency": order.urgency,
        "state": order.state,
        "state_label": order.get_state_display(),
        "caller_name": caller.name,
        "caller_phone": caller.phone,
        "caller_visibility": str(caller.visibility),
        "confidential": order.confidential,
        "content": order.content,
        "address": order.address,
        "received_at": order.received_at.isoformat(),
        "hotline_deadline": order.hotline_deadline.isoformat() if order.hotline_deadline else None,
        "case_number": case.number if case else None,
        "case_status": case.status if case else None,
        "suggested_classes": order.suggested_classes,
        "answer": order.answer,
        "steps": hotline_steps(order),
    }


@router.post("/hotline/orders", response={201: dict, 200: dict, **ERRORS}, summary="接收一张热线工单")
def create_work_order(request: HttpRequest):
    with rejections_logged("hotline", request.auth.username, request_payload(request)):
        body, _files = read_body(request, WorkOrderBody)
        order, created = take_work_order(WorkOrderInput(**body.model_dump()), request.auth)
    return Status(201 if created else 200, {**order_view(order, request.auth, audit=False), "created": created})


class OrderQuery(Schema):
    state: Literal[tuple(OrderState.values)] | None = None  # type: ignore[valid-type]
    hotline: Literal["12345", "12319"] | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0)


@router.get("/hotline/orders", response={200: dict, **ERRORS}, summary="热线工单列表")
def list_work_orders(request: HttpRequest, query: Query[OrderQuery]):
    _reader(request)
    orders = visible_work_orders(request.auth).select_related("case")
    if query.state:
        orders = orders.filter(state=query.state)
    if query.hotline:
        orders = orders.filter(hotline=query.hotline)
    page = orders[query.offset : query.offset + query.limit]
    district = sole_district_code()
    return {
        "count": orders.count(),
        "items": [order_view(o, request.auth, in_list=True, district=district) for o in page],
    }


@router.get("/hotline/orders/{hotline}/{order_number}", response={200: dict, **ERRORS}, summary="一张工单及其办理环节")
def get_work_order(request: HttpRequest, hotline: str, order_number: str):
    _reader(request)
    return order_view(check_order_visible(request.auth, find_work_order(hotline, order_number)), request.auth)


@router.post(
    "/hotline/orders/{hotline}/{order_number}/transfer",
    response={200: dict, **ERRORS, 409: ErrorOut},
    summary="为无分类的工单选定分类，转为案卷",
)
def transfer(request: HttpRequest, hotline: str, order_number: str, body: TransferBody):
    check_order_visible(request.auth, find_work_order(hotline, order_number))
    return order_view(
        transfer_work_order(hotline, order_number, body.class_code, body.kind, request.auth), request.auth
    )


@router.post(
    "/hotline/orders/{hotline}/{order_number}/callback",
    response={200: dict, **ERRORS, 409: ErrorOut},
    summary="热线回访结果（办理满意度、服务满意度）",
)
def callback(request: HttpRequest, hotline: str, order_number: str, body: CallbackBody):
    check_order_visible(request.auth, find_work_order(hotline, order_number))
    record_hotline_callback(
        hotline, order_number, request.auth, body.satisfaction, body.service_satisfaction, body.note
    )
    return order_view(find_work_order(hotline, order_number), request.auth)


@router.post("/hotline/orders/import", response={200: dict, **ERRORS}, summary="导入热线工单（Excel 或 CSV）")
def import_orders(request: HttpRequest, file: File[UploadedFile]):
    if request.auth.role not in HOTLINE_ROLES:
        raise PermissionDenied("只有受理员、值班长可以导入热线工单")
    result = import_work_orders(file.read(), request.auth, filename=file.name)
    return {"created": result.created, "unchanged": result.unchanged, "summary": result.summary()}
