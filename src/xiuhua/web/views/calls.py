"""Call-taking under /centre/calls/ (operators, shift leaders): 接听登记, 上级交办 and the 12345 import page,
with the small suggestion endpoints the call page asks while the operator types.

Every save goes through the channel adapters the API uses (`take_work_order`, `assign_by_leader`; the import page
is `web.views.import_jobs`); these views only turn a post into their input and their answer into a page or JSON.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiuhua.accounts.models import Department
from xiuhua.catalog.queries import find_classes
from xiuhua.core.errors import DomainError
from xiuhua.intake.channels.hotline.adapter import HOTLINE_ROLES, new_order_number, take_work_order
from xiuhua.intake.channels.hotline.callers import caller_history
from xiuhua.intake.channels.hotline.models import Hotline, WorkOrder
from xiuhua.intake.channels.leader.adapter import assign_by_leader
from xiuhua.intake.classifier import suggest_classes
from xiuhua.intake.duplicates import duplicates_near
from xiuhua.intake.log import rejections_logged, request_payload
from xiuhua.intake.services import report_class
from xiuhua.routing.services import route_case
from xiuhua.territory.geocoding import suggest_addresses
from xiuhua.web.call_forms import AssignmentForm, CallForm, first_error
from xiuhua.web.errors import forbidden
from xiuhua.web.maps import json_error, parse_point
from xiuhua.web.views.maps import map_options

CLASS_MATCHES = 8
MAX_QUERY = 60


def call_takers(view: Callable) -> Callable:
    """Operators and shift leaders (and the system administrator): others get 403 with the reason in Chinese;
    the suggestion endpoints (`/centre/calls/…/` asked by script) answer JSON instead of a login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        wants_json = request.headers.get("Accept", "").startswith("application/json") or request.htmx
        if not user.is_authenticated:
            if wants_json:
                return JsonResponse({"detail": "登录已过期，请重新登录", "code": "login_required"}, status=401)
            return redirect_to_login(request.get_full_path())
        if user.role not in HOTLINE_ROLES:
            message = f"接听登记只对受理员、值班长开放；您的角色是{user.get_role_display()}"
            if wants_json:
                return JsonResponse({"detail": message, "code": "forbidden"}, status=403)
            return forbidden(request, message)
        return view(request, *args, **kwargs)

    return wrapper


def _bad(message: str, code: str, field: str = "") -> JsonResponse:
    return JsonResponse({"detail": message, "code": code, "field": field}, status=400)


def _query(request: HttpRequest, name: str, *, required: bool = True) -> str:
    text = (request.GET.get(name) or "").strip()
    if len(text) > MAX_QUERY:
        raise DomainError(f"查询文字最多 {MAX_QUERY} 字", code="query_too_long")
    if required and not text:
        raise DomainError("请输入要查找的文字", code="query_required")
    return text


# -- the pages


@call_takers
@require_GET
def take_call(request: HttpRequest) -> HttpResponse:
    """接听登记: the page the operator keeps open on a shift."""
    hotline = request.GET.get("hotline") if request.GET.get("hotline") in Hotline.values else Hotline.H12345
    context = {
        "form": CallForm(initial={"hotline": hotline, "order_number": new_order_number(hotline)}),
        "map_options": map_options(request),
    }
    return render(request, "web/calls/take.html", context)


@call_takers
@require_POST
def save_call(request: HttpRequest) -> JsonResponse:
    """Store the call through the hotline adapter; JSON with the order, its case and the unit routing suggests."""
    form = CallForm(request.POST)
    if not form.is_valid():
        field, message = first_error(form)
        return _bad(message, "invalid", field)
    try:
        with rejections_logged("hotline", request.user.username, request_payload(request)):
            order, created = take_work_order(form.work_order_input(), request.user)
    except DomainError as exc:
        return json_error(exc)
    return JsonResponse(_saved(order, created), status=201 if created else 200)


def _saved(order: WorkOrder, created: bool) -> dict:
    case, unit = order.case, None
    if case is not None:
        unit = route_case(case, timezone.now()).lead
    return {
        "created": created,
        "order_number": order.order_number,
        "state": order.state,
        "state_label": order.get_state_display(),
        "case_number": case.number if case else None,
        "case_url": reverse("web:case_detail", args=[case.number]) if case else None,
        "department": unit.name if unit else None,
        "next_order_number": new_order_number(order.hotline),
    }


def _departments() -> list[tuple[str, str]]:
    return list(Department.objects.filter(active=True).order_by("kind", "name").values_list("short_name", "name"))


@call_takers
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest) -> HttpResponse:
    """上级交办: a leader's assignment taken down by the centre, through the leader channel's adapter."""
    departments = _departments()
    if request.method == "GET":
        form = AssignmentForm(initial={"idempotency_key": secrets.token_hex(16)}, departments=departments)
        return _assign_page(request, form)
    form = AssignmentForm(request.POST, departments=departments)
    if not form.is_valid():
        return _assign_page(request, form, first_error(form)[1], status=400)
    data = form.cleaned_data
    try:
        with rejections_logged("leader", request.user.username, request_payload(request)):
            accepted = assign_by_leader(
                request.user,
                form.report_input(),
                department=data["department"],
                idempotency_key=data["idempotency_key"] or None,
                on_behalf_of=data["leader"],
            )
    except DomainError as exc:
        return _assign_page(request, form, exc.message, status=exc.status_code)
    case = accepted.case
    unit = route_case(case, timezone.now()).lead
    messages.success(
        request, f"已登记{data['leader']}的交办：案卷 {case.number}" + (f"，建议由{unit.name}办理" if unit else "")
    )
    return redirect(reverse("web:call_assign"))


def _assign_page(request: HttpRequest, form: AssignmentForm, error: str = "", status: int = 200) -> HttpResponse:
    context = {"form": form, "error": error, "map_options": map_options(request)}
    return render(request, "web/calls/assign.html", context, status=status)


# -- suggestions while the operator types


@call_takers
@require_GET
def caller(request: HttpRequest) -> HttpResponse:
    """The caller's earlier orders and cases (an htmx partial), contacts through the privacy rule."""
    phone = (request.GET.get("caller_phone") or request.GET.get("phone") or "").strip()
    if not phone:
        return render(request, "web/calls/partials/caller.html", {"history": None})
    try:
        history = caller_history(request.user, phone)
    except DomainError as exc:
        return render(request, "web/calls/partials/caller.html", {"error": exc.message}, status=400)
    return render(request, "web/calls/partials/caller.html", {"history": history, "now": timezone.now()})


@call_takers
@require_GET
def addresses(request: HttpRequest) -> JsonResponse:
    try:
        found = suggest_addresses(_query(request, "q"))
    except DomainError as exc:
        return json_error(exc)
    items = [
        {"label": s.label, "lng": round(s.lng, 7), "lat": round(s.lat, 7), "precision": s.precision} for s in found
    ]
    return JsonResponse({"items": items})


@call_takers
@require_GET
def classes(request: HttpRequest) -> JsonResponse:
    """The classifier's top three for the description (`text`) and catalogue classes matching `q`."""
    try:
        text, q = _query(request, "text", required=False), _query(request, "q", required=False)
        suggested = suggest_classes(text, top=3) if text else []
    except DomainError as exc:
        return json_error(exc)
    items = [_class_item(s.code, s.kind, s.name, confidence=s.confidence) for s in suggested]
    if q:
        seen = {(i["code"], i["kind"]) for i in items}
        for c in find_classes(request.user, q=q)[:CLASS_MATCHES]:
            if (c.code, c.kind) not in seen:
                items.append(_class_item(c.code, c.kind, c.name, major=c.major_name))
    return JsonResponse({"items": items})


def _class_item(code: str, kind: str, name: str, *, confidence: float | None = None, major: str = "") -> dict:
    kind_label = "部件" if kind == "component" else "事件"
    return {
        "code": code,
        "kind": kind,
        "name": name,
        "kind_label": kind_label,
        "major": major,
        "confidence": confidence,
    }


@call_takers
@require_GET
def duplicates(request: HttpRequest) -> HttpResponse:
    """Open cases of the class near the point (an htmx partial): the call may be one already reported."""
    point = parse_point(request.GET)
    code = (request.GET.get("class_code") or "").strip()
    if point is None or not code:
        return render(request, "web/calls/partials/duplicates.html", {"candidates": None})
    try:
        case_class = report_class(code, request.GET.get("kind") or None)
    except DomainError as exc:
        return render(request, "web/calls/partials/duplicates.html", {"error": exc.message}, status=400)
    found = duplicates_near(request.user, case_class.pk, *point, timezone.now())
    return render(request, "web/calls/partials/duplicates.html", {"candidates": found})
