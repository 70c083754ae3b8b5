"""待分类工单 (/centre/calls/awaiting/): the calls saved without a class, and the one step that gives them one.

A call the operator saves without a class is stored as a work order awaiting a class (no case yet). Here the
operator or shift leader sees those orders, oldest first, with the classifier's suggestions stored with each, and
picks a class: `transfer_work_order` — the hotline adapter the API's transfer uses — opens the case, which then
goes round the loop like every other.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from xiuhua.catalog.choices import ClassKind
from xiuhua.catalog.models import CaseClass
from xiuhua.core.errors import DomainError
from xiuhua.intake.channels.hotline.adapter import (
    awaiting_class,
    check_order_visible,
    find_work_order,
    transfer_work_order,
)
from xiuhua.intake.log import rejections_logged, request_payload
from xiuhua.routing.services import route_case
from xiuhua.web.tables import Column, build_table
from xiuhua.web.views.calls import call_takers

COLUMNS = [
    Column(gettext_lazy("Hotline order")),
    Column(gettext_lazy("Request content")),
    Column(gettext_lazy("Received at"), "received_at"),
    Column(gettext_lazy("Class"), css="text-end"),
]


@call_takers
@require_GET
def awaiting(request: HttpRequest) -> HttpResponse:
    """The orders waiting for a class, each with its suggestions and a class picker."""
    return _page(request)


def _page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    table = build_table(request, awaiting_class(request.user), COLUMNS, "received_at")
    classes = CaseClass.objects.filter(active=True).order_by("code", "kind").values_list("code", "kind", "name")
    context = {
        "table": table,
        "classes": [(code, kind, name, _kind_label(kind)) for code, kind, name in classes],
        "error": error,
    }
    return render(request, "web/calls/awaiting.html", context, status=status)


def _kind_label(kind: str) -> str:
    return "部件" if kind == ClassKind.COMPONENT else "事件"


@call_takers
@require_POST
def classify(request: HttpRequest, hotline: str, order_number: str) -> HttpResponse:
    """Give one order its class: a picked suggestion (`pick` = "code:kind") or a typed class code."""
    code, _sep, kind = (request.POST.get("pick") or request.POST.get("class_code") or "").strip().partition(":")
    kind = kind or (request.POST.get("kind") or "").strip()
    address = request.POST.get("address", "")  # only asked for an order saved with no place at all
    try:
        check_order_visible(request.user, find_work_order(hotline, order_number))
        with rejections_logged("hotline", request.user.username, request_payload(request)):
            order = transfer_work_order(
                hotline, order_number, code.strip(), kind or None, request.user, address=address
            )
    except DomainError as exc:
        return _page(request, f"工单 {order_number}：{exc.message}", status=exc.status_code)
    unit = route_case(order.case, timezone.now()).lead
    suggestion = f"，建议由{unit.name}办理" if unit else ""
    messages.success(request, f"工单 {order.order_number} 已分类，转为案卷 {order.case.number}{suggestion}")
    return redirect(reverse("web:call_awaiting"))
