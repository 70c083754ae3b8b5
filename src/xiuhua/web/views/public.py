"""Citizens' pages under /public/: no account, phone-first, plain words.

Report a problem (the citizen channel's short list of classes, a photo, the phone's position or a pin, optional
contact) → a receipt with the case number and lookup code → the public status and timeline → a rating once the
case is closed. Everything goes through `xiuhua.intake.channels.citizen` (rate limit, checks, lookup code) and
`xiuhua.intake.public` (what the public may see).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiuhua.cases.choices import Satisfaction
from xiuhua.cases.models import Case
from xiuhua.core.context import request_address
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.intake.channels.citizen.adapter import CITIZEN_CLASSES, client_fingerprint, report_by_citizen
from xiuhua.intake.channels.citizen.rating import case_by_lookup_code, closed_for_rating, rate_case, rating_of
from xiuhua.intake.log import rejections_logged, request_payload
from xiuhua.intake.public import public_case
from xiuhua.territory.queries import grids_near_pin, parse_bbox
from xiuhua.territory.services import current_grids, locate_point
from xiuhua.web.maps import GRID_LIMIT, SIMPLIFY_M, grid_features, json_error, map_options, required_point
from xiuhua.web.mobile_forms import CitizenReportForm, RatingForm

# A picture for each everyday class of the citizen channel (Bootstrap Icons); a class not listed gets a pin.
CLASS_ICONS = {
    "06010": "trash",
    "06042": "trash3-fill",
    "06012": "wind",
    "06013": "cone-striped",
    "01023": "exclamation-diamond",
    "01037": "lightbulb-off",
    "07001": "sticky",
    "09006": "shop",
    "09005": "shop-window",
    "09009": "car-front",
    "09011": "bicycle",
    "06029": "fire",
    "06027": "cloud-haze2",
    "06028": "volume-up",
    "08004": "cloud-fog2",
    "06014": "truck",
    "06017": "tree",
}
SATISFACTION_ICONS = {
    Satisfaction.VERY_SATISFIED: "emoji-laughing",
    Satisfaction.SATISFIED: "emoji-smile",
    Satisfaction.BASICALLY_SATISFIED: "emoji-neutral",
    Satisfaction.DISSATISFIED: "emoji-frown",
    Satisfaction.VERY_DISSATISFIED: "emoji-angry",
}


@dataclass(frozen=True)
class ClassChoice:
    code: str
    label: str
    icon: str


def _client(request: HttpRequest) -> str:
    # The same bucket as the API from this address without a client id: one rate limit per client.
    return client_fingerprint(request_address(request))


def _case_url(name: str, case: Case, **query: str) -> str:
    return f"{reverse(name, args=[case.number])}?{urlencode({'code': case.lookup_code, **query})}"


def public_error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "web/public/error.html", {"status": status, "message": message}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The report form; a refused report comes back with the reason (400, or 429 when sent too often)."""
    if request.method == "GET":
        return _report_page(request, CitizenReportForm(initial={"idempotency_key": uuid.uuid4().hex}))
    form = CitizenReportForm(request.POST)
    client = _client(request)
    try:
        with rejections_logged("citizen", f"citizen:{client[:12]}", request_payload(request)):
            if not form.is_valid():
                raise DomainError(form.problems(), code="invalid_field")
            accepted = report_by_citizen(
                form.citizen_input(),
                request.FILES.getlist("photos"),
                client=client,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
    except DomainError as exc:
        return _report_page(request, form, error=exc.message, status=exc.status_code)
    return redirect(_case_url("web:public_receipt", accepted.case))


def _report_page(request: HttpRequest, form: CitizenReportForm, *, error: str = "", status: int = 200) -> HttpResponse:
    classes = [ClassChoice(c.code, c.label, CLASS_ICONS.get(c.code, "geo-alt")) for c in CITIZEN_CLASSES]
    context = {
        "form": form,
        "classes": classes,
        "chosen": form["class_code"].value() or "",
        "key": form["idempotency_key"].value() or uuid.uuid4().hex,
        "error": error,
        "map": map_options(current_grids(), public=True),
    }
    return render(request, "web/public/report.html", context, status=status)


def with_lookup_code(view: Callable) -> Callable:
    """The case of the URL's number if the request carries its lookup code; otherwise one 404 for every mistake."""

    @wraps(view)
    def wrapper(request: HttpRequest, number: str) -> HttpResponse:
        code = request.POST.get("code", "") if request.method == "POST" else request.GET.get("code", "")
        try:
            case = case_by_lookup_code(number, code)
        except NotFound as exc:
            return public_error(request, exc.message, 404)
        return view(request, case)

    return wrapper


@require_GET
@with_lookup_code
def receipt(request: HttpRequest, case: Case) -> HttpResponse:
    context = {"case": case, "status_url": _case_url("web:public_case", case)}
    return render(request, "web/public/receipt.html", context)


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """A form for the number and code; with both given, straight to the status page."""
    number, code = request.GET.get("number", "").strip(), request.GET.get("code", "").strip()
    if error := _lookup_too_long(number, code):
        return render(request, "web/public/lookup.html", {"error": error}, status=400)
    if number and code:
        return redirect(f"{reverse('web:public_case', args=[number])}?{urlencode({'code': code})}")
    return render(request, "web/public/lookup.html", {"number": number, "code": code})


def _lookup_too_long(number: str, code: str) -> str:
    """Refused with the limits named: a pasted page of text would otherwise make a redirect too long to send."""
    most_number = Case._meta.get_field("number").max_length
    most_code = Case._meta.get_field("lookup_code").max_length
    if len(number) > most_number or len(code) > most_code:
        return f"案卷编号最多 {most_number} 位、查询码最多 {most_code} 位，请按回执核对后重新输入"
    return ""


@never_cache
@require_GET
@with_lookup_code
def status(request: HttpRequest, case: Case) -> HttpResponse:
    return _status_page(request, case)


def _status_page(
    request: HttpRequest, case: Case, *, form: RatingForm | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    rating = rating_of(case)
    context = {
        "case": case,
        "view": public_case(case),
        "code": case.lookup_code,
        "rating": rating,
        "may_rate": rating is None and closed_for_rating(case),
        "form": form or RatingForm(initial={"code": case.lookup_code}),
        "faces": [(value, label, SATISFACTION_ICONS[value]) for value, label in Satisfaction.choices],
        "error": error,
    }
    return render(request, "web/public/status.html", context, status=status)


@require_POST
@with_lookup_code
def rate(request: HttpRequest, case: Case) -> HttpResponse:
    """A closed case's rating (once, with the lookup code); refusals come back on the status page with why."""
    form = RatingForm(request.POST)
    try:
        if not form.is_valid():
            if "comment" in form.errors:  # over its limit: say so, with the limit
                raise DomainError(" ".join(form.errors["comment"]), code="text_too_long")
            raise DomainError(_("Please choose how satisfied you are."), code="satisfaction_required")
        rate_case(case.number, case.lookup_code, form.cleaned_data["satisfaction"], form.cleaned_data["comment"])
    except DomainError as exc:
        return _status_page(request, case, form=form, error=exc.message, status=exc.status_code)
    messages.success(request, _("Thank you! Your rating has been recorded."))
    return redirect(_case_url("web:public_case", case))


@require_GET
def grids(request: HttpRequest) -> JsonResponse:
    """Grid outlines around the pin: the map of the report page (small boxes only; no codes)."""
    try:
        page = grids_near_pin(parse_bbox(request.GET.get("bbox", "")), simplify_m=SIMPLIFY_M, limit=GRID_LIMIT)
    except DomainError as exc:
        return json_error(exc)
    return JsonResponse(grid_features(page, public=True), json_dumps_params={"ensure_ascii": False})


@require_GET
def where(request: HttpRequest) -> JsonResponse:
    """The community of the pin, to show the citizen that the place was understood."""
    try:
        location = locate_point(*required_point(request.GET), "wgs84")
    except DomainError as exc:
        return json_error(exc)
    place = {"community_name": location.community_name, "subdistrict_name": location.subdistrict_name}
    return JsonResponse(place, json_dumps_params={"ensure_ascii": False})
