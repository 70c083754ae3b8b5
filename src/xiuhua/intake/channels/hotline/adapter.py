"""12345 / 12319 work orders: taken in from the hotline's API or an Excel export, turned into cases.

The hotline's own steps are read off the case's timeline, so the two systems never disagree:
签收 = the centre accepts the case, 退单 = it declines it with a reason, 延期 = an approved extension,
办结 = the case closes, 回访 = the callback with the two satisfaction scores (办理满意度, 服务满意度).
A consultation answered on the call is recorded without a case.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.accounts.queries import sees_everything, sees_whole_district
from xiuhua.cases.choices import Action, Source
from xiuhua.cases.models import Case, CaseEvent
from xiuhua.cases.workflow import Conflict, apply_action
from xiuhua.catalog.choices import Urgency
from xiuhua.core.errors import DomainError, NotFound, PermissionDenied
from xiuhua.core.limits import check_length, too_long_message
from xiuhua.intake.channels.hotline.models import Hotline, OrderState, OrderType, OrderUrgency, WorkOrder
from xiuhua.intake.classifier import suggest_classes
from xiuhua.intake.services import Accepted, ReportInput, accept_report
from xiuhua.worktime.clock import SHANGHAI

HOTLINE_SOURCES = {Hotline.H12345: Source.HOTLINE_12345, Hotline.H12319: Source.HOTLINE_12319}
CASE_URGENCY = {
    OrderUrgency.NORMAL: Urgency.NORMAL,
    OrderUrgency.URGENT: Urgency.URGENT,
    OrderUrgency.VERY_URGENT: Urgency.URGENT,
}
HOTLINE_ROLES = {Role.OPERATOR, Role.SHIFT_LEADER, Role.SYSADMIN}
MAX_ORDER_NUMBER = 40
MAX_CONTENT = 2000


@dataclass
class WorkOrderInput:
    hotline: str
    order_number: str
    order_type: str
    content: str
    urgency: str = OrderUrgency.NORMAL
    caller_name: str = ""
    caller_phone: str = ""
    confidential: bool = False
    address: str = ""
    lng: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    class_code: str = ""
    kind: str | None = None
    received_at: datetime | None = None
    hotline_deadline: datetime | None = None
    answered_on_call: bool = False
    answer: str = ""


def _choice(value: str, choices: type, field: str, label: str) -> None:
    if value not in choices.values:
        options = "、".join(f"{v}（{text}）" for v, text in choices.choices)
        raise DomainError(f"{label} {field} 应为：{options}", code=f"bad_{field}")


def check_work_order(data: WorkOrderInput) -> None:
    """What a work order must hold, whatever brought it in; each message names the field."""
    _choice(data.hotline, Hotline, "hotline", "热线")
    _choice(data.order_type, OrderType, "order_type", "诉求类型")
    _choice(data.urgency, OrderUrgency, "urgency", "紧急程度")
    number = (data.order_number or "").strip()
    if not number or len(number) > MAX_ORDER_NUMBER:
        raise DomainError(f"工单编号应为 1 到 {MAX_ORDER_NUMBER} 个字符", code="bad_order_number")
    if not (data.content or "").strip():
        raise DomainError("请填写诉求内容", code="content_required")
    if len(data.content) > MAX_CONTENT:
        raise DomainError(too_long_message("诉求内容", MAX_CONTENT, len(data.content)), code="content_too_long")
    for label, value, limit in (("来电人姓名", data.caller_name, 50), ("来电号码", data.caller_phone, 30),
                                ("地址", data.address, 256)):  # fmt: skip
        check_length(label, (value or "").strip(), limit)
    if data.answered_on_call:
        if data.order_type != OrderType.CONSULTATION:
            raise DomainError("只有咨询类工单可以当场答复办结", code="not_consultation")
        if not (data.answer or "").strip():
            raise DomainError("当场答复的工单请填写答复内容", code="answer_required")
    for moment, field in ((data.received_at, "received_at"), (data.hotline_deadline, "hotline_deadline")):
        if moment is not None and timezone.is_naive(moment):
            raise DomainError(f"{field} 需带时区，如 2026-11-23T09:00:00+08:00", code=f"bad_{field}")


def _check_actor(actor: User) -> None:
    if actor.role not in HOTLINE_ROLES:
        raise PermissionDenied("只有受理员、值班长（或热线对接账号）可以录入热线工单")


def report_input(data: WorkOrderInput, class_code: str, kind: str | None) -> ReportInput:
    return ReportInput(
        class_code=class_code,
        kind=kind,
        description=data.content.strip(),
        lng=data.lng,
        lat=data.lat,
        crs=data.crs,
        address=data.address,
        urgency=CASE_URGENCY[data.urgency],
        reporter_name=data.caller_name,
        reporter_phone=data.caller_phone,
        reporter_confidential=data.confidential,
    )


def _order_key(hotline: str, order_number: str) -> str:
    return f"hotline:{hotline}:{order_number}"


def _open_case(
    order: WorkOrder, data: WorkOrderInput, class_code: str, kind: str | None, actor: User, now: datetime
) -> Accepted:
    label = order.get_order_type_display()
    return accept_report(
        report_input(data, class_code, kind),
        source=HOTLINE_SOURCES[order.hotline],
        actor=actor,
        key=_order_key(order.hotline, order.order_number),
        now=now,
        note=f"{order.hotline} 工单 {order.order_number}（{label}）",
        details={"work_order": order.order_number, "hotline": order.hotline, "order_type": order.order_type},
    )


def new_order_number(hotline: str, now: datetime | None = None) -> str:
    """A number for a call taken in this centre (the hotline platform gave none): hotline, Shanghai time to the
    second and four random digits, e.g. 12319-20261123091200-4821. The page hands it out before the call is saved,
    so a double submit finds the order the first one stored."""
    moment = timezone.localtime(now or timezone.now(), SHANGHAI)
    return f"{hotline}-{moment:%Y%m%d%H%M%S}-{secrets.randbelow(10_000):04d}"


def suggested_classes(text: str) -> list[dict[str, Any]]:
    """The classifier's top three for an order without a class (empty until a model is trained)."""
    return [asdict(s) for s in suggest_classes(text, top=3)]


def take_work_order(data: WorkOrderInput, actor: User, now: datetime | None = None) -> tuple[WorkOrder, bool]:
    """Store a hotline order; (order, created). An order number seen before returns the stored order."""
    _check_actor(actor)
    check_work_order(data)
    number = data.order_number.strip()
    if existing := WorkOrder.objects.filter(hotline=data.hotline, order_number=number).first():
        return existing, False
    now = now or timezone.now()
    order = WorkOrder(
        hotline=data.hotline,
        order_number=number,
        order_type=data.order_type,
        urgency=data.urgency,
        caller_name=(data.caller_name or "").strip(),
        caller_phone=(data.caller_phone or "").strip(),
        confidential=data.confidential,
        content=data.content.strip(),
        address=(data.address or "").strip(),
        lng=data.lng,
        lat=data.lat,
        crs=data.crs,
        received_at=data.received_at or now,
        hotline_deadline=data.hotline_deadline,
        answer=(data.answer or "").strip(),
        created_at=now,
    )
    with transaction.atomic():
        if data.answered_on_call:
            order.state = OrderState.ANSWERED
        elif not (data.class_code or "").strip():
            order.state = OrderState.AWAITING_CLASS
            order.suggested_classes = suggested_classes(order.content)
        else:
            order.case = _open_case(order, data, data.class_code, data.kind, actor, now).case
            order.state = OrderState.TRANSFERRED
        order.save()
    return order, True


def visible_work_orders(user: User) -> QuerySet[WorkOrder]:
    """Orders whose case the user may read; an order still without a case belongs to the whole district."""
    if sees_everything(user):
        return WorkOrder.objects.all()
    from xiuhua.cases.queries import visible_cases  # the case read rule, applied to the order's case

    readable = Q(case__in=visible_cases(user).values("pk"))
    if sees_whole_district(user):
        readable |= Q(case__isnull=True)
    return WorkOrder.objects.filter(readable)


def awaiting_class(user: User) -> QuerySet[WorkOrder]:
    """Orders saved without a class (待分类), oldest first: what the operator classifies (`transfer_work_order`)."""
    return visible_work_orders(user).filter(state=OrderState.AWAITING_CLASS).order_by("received_at", "id")


def readable_orders(user: User, orders: list[WorkOrder]) -> list[WorkOrder]:
    """`visible_work_orders`' rule applied to a few orders already read (a caller's, found by the phone digest):
    their cases are checked by primary key, so no subquery over every case the user sees is planned."""
    if sees_everything(user):
        return orders
    from xiuhua.cases.queries import visible_cases

    case_ids = [o.case_id for o in orders if o.case_id is not None]
    readable = set(visible_cases(user).filter(pk__in=case_ids).values_list("pk", flat=True)) if case_ids else set()
    whole_district = sees_whole_district(user)
    return [o for o in orders if (o.case_id in readable if o.case_id is not None else whole_district)]


def check_order_visible(user: User, order: WorkOrder) -> WorkOrder:
    """The order itself, or 404 when it lies outside the user's data scope (it does not exist for them)."""
    if not visible_work_orders(user).filter(pk=order.pk).exists():
        raise NotFound(f"没有 {order.hotline} 工单 {order.order_number}")
    return order


def find_work_order(hotline: str, order_number: str, *, lock: bool = False) -> WorkOrder:
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to the case.
    orders = WorkOrder.objects.select_for_update(of=("self",)) if lock else WorkOrder.objects
    order = orders.filter(hotline=hotline, order_number=order_number).select_related("case").first()
    if order is None:
        raise NotFound(f"没有 {hotline} 工单 {order_number}")
    return order


def transfer_work_order(
    hotline: str,
    order_number: str,
    class_code: str,
    kind: str | None,
    actor: User,
    now: datetime | None = None,
    *,
    address: str = "",
) -> WorkOrder:
    """An order that came without a class becomes a case once the operator picks the class.

    `address`: the place in words, for an order saved with neither a point nor an address (a case needs one);
    it is kept on the order too. An order that has a place keeps its own."""
    _check_actor(actor)
    now = now or timezone.now()
    with transaction.atomic():
        order = find_work_order(hotline, order_number, lock=True)
        if order.state != OrderState.AWAITING_CLASS:
            raise Conflict(f"工单 {order_number} 当前为「{order.get_state_display()}」，无需再转办")
        fields = ["case", "state"]
        if (address := (address or "").strip()) and not order.address and order.lng is None:
            check_length("地址", address, 256)
            order.address = address
            fields.append("address")
        data = _input_of(order)
        order.case = _open_case(order, data, class_code, kind, actor, now).case
        order.state = OrderState.TRANSFERRED
        order.save(update_fields=fields)
    return order


def _input_of(order: WorkOrder) -> WorkOrderInput:
    return WorkOrderInput(
        hotline=order.hotline,
        order_number=order.order_number,
        order_type=order.order_type,
        content=order.content,
        urgency=order.urgency,
        caller_name=order.caller_name,
        caller_phone=order.caller_phone,
        confidential=order.confidential,
        address=order.address,
        lng=order.lng,
        lat=order.lat,
        crs=order.crs,
    )


def record_hotline_callback(
    hotline: str, order_number: str, actor: User, satisfaction: str, service_satisfaction: str = "", note: str = ""
) -> Case:
    """The hotline called the citizen back: both scores go on the case's callback."""
    order = find_work_order(hotline, order_number)
    if order.case is None:
        raise DomainError(f"工单 {order_number} 没有转为案卷，无需回访", code="no_case")
    params = {"satisfaction": satisfaction, "service_satisfaction": service_satisfaction, "note": note}
    return apply_action(order.case.number, Action.CALLBACK, actor, params)


# -- the hotline's view of the loop


def _extension_step(event: CaseEvent) -> bool:
    return event.action == Action.APPROVE and "extension" in event.details


HOTLINE_STEPS = {Action.ACCEPT: "签收", Action.DECLINE: "退单", Action.CLOSE: "办结", Action.CALLBACK: "回访"}


def _step(event: CaseEvent, reply: str) -> dict[str, Any] | None:
    name = "延期" if _extension_step(event) else HOTLINE_STEPS.get(event.action)
    if name is None:
        return None
    step: dict[str, Any] = {"step": name, "at": event.at.isoformat(), "note": event.note}
    if name == "延期":
        step["new_deadline"] = event.handling_deadline.isoformat() if event.handling_deadline else None
    elif name == "办结":
        step["reply"] = reply
    elif name == "回访":
        step["satisfaction"] = event.details.get("satisfaction")
        step["service_satisfaction"] = event.details.get("service_satisfaction")
    return step


def hotline_steps(order: WorkOrder) -> list[dict[str, Any]]:
    """签收 / 退单 / 延期 / 办结 / 回访 as the hotline platform records them, read off the case's events."""
    if order.state == OrderState.ANSWERED:
        return [{"step": "办结", "at": order.created_at.isoformat(), "note": "当场答复", "reply": order.answer}]
    if order.case is None:
        return []
    steps, reply = [], ""
    for event in order.case.events.order_by("at", "id"):
        if event.action == Action.REPORT_BACK:
            reply = event.note
        if (step := _step(event, reply)) is not None:
            steps.append(step)
    return steps
