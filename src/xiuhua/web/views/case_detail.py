"""One case as a page: what it is, where, its limits and lights, and its timeline from the audit events."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiuhua.cases import presenters, queries
from xiuhua.cases.choices import CALLBACK_SOURCES
from xiuhua.cases.models import Case, CaseAttachment
from xiuhua.cases.public_text import edit_public_description, may_edit_public_description
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.reports.pdf import ReportFontMissing
from xiuhua.web import case_page
from xiuhua.web.actions import action_panels
from xiuhua.web.case_form_pdf import case_form_pdf
from xiuhua.web.errors import page_not_found
from xiuhua.web.maps import base_options
from xiuhua.web.navigation import navigation_links


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        case = queries.case_for(request.user, number)
    except NotFound as exc:
        return page_not_found(request, exc.message)
    return render_case(request, case)


def render_case(request: HttpRequest, case: Case, *, error: str = "", status: int = 200) -> HttpResponse:
    """The case page, optionally with why the last action was refused (and that status code)."""
    now = timezone.now()
    case = queries.case_for(request.user, case.number)  # fresh: a refused action may follow someone else's
    detail = presenters.case_detail(case, request.user, now, surface="case_page")
    context = {
        "case": case,
        "detail": detail,
        "now": now,
        "error": error,
        "panels": action_panels(case, request.user, detail["allowed_actions"]),
        "timeline": case_page.timeline_rows(detail),
        "may_edit_public": may_edit_public_description(request.user),
        "photos": case_page.photo_sides(detail),
        "handling_left": case_page.handling_left_minutes(detail["handling"]),
        "stage_left": case_page.stage_left_minutes(detail["stage_clock"], now),
        "request_extension": case_page.request_extension_text(detail["pending_request"]),
        "callback": case_page.callback_for(case, request.user, detail),
        "citizen_rating": case_page.citizen_rating_for(case, request.user),
        "expects_callback": case.source in CALLBACK_SOURCES,
        # Every user of this page is staff: the centre phones crews, departments send them (see web.navigation).
        "nav_links": navigation_links(case.lng, case.lat, case.address or detail["community_name"]),
        # An optional tile layer under the vector map (none by default: the platform works offline).
        "map_tiles": getattr(settings, "XIUHUA_MAP_TILES", ""),
        "map_base": base_options(),
    }
    return render(request, "web/case_detail.html", context, status=status)


def _visible_attachment(request: HttpRequest, number: str, attachment_id: int) -> CaseAttachment:
    """A file of a case the signed-in user may see (the API's rule, with the session), or NotFound."""
    case = queries.case_for(request.user, number)
    attachment = CaseAttachment.objects.filter(case=case, pk=attachment_id).first()
    if attachment is None:
        raise NotFound(f"案卷 {number} 没有附件 {attachment_id}")
    return attachment


@login_required
def case_attachment(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """A case's file for a signed-in user who may see the case."""
    try:
        attachment = _visible_attachment(request, number, attachment_id)
    except NotFound as exc:
        return page_not_found(request, exc.message)
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)


@login_required
def case_attachment_preview(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """A photo's place on a page, asked for by its placeholder until the worker has made the thumbnail."""
    try:
        attachment = _visible_attachment(request, number, attachment_id)
    except NotFound as exc:
        return page_not_found(request, exc.message)
    context = {
        "number": number,
        "pid": attachment.pk,
        "name": attachment.original_name,
        "preview": attachment.preview,
        "cls": "thumb" if request.GET.get("cls") == "thumb" else "",  # the only class the pages give a photo
    }
    return render(request, "web/partials/photo_preview.html", context)


@login_required
def case_attachment_thumbnail(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """A photo's thumbnail (no metadata), for pages; 404 until the worker has made it."""
    try:
        attachment = _visible_attachment(request, number, attachment_id)
    except NotFound as exc:
        return page_not_found(request, exc.message)
    if not attachment.thumbnail:
        return page_not_found(request, f"案卷 {number} 的附件 {attachment_id} 没有缩略图")
    content_type = "image/png" if attachment.thumbnail.name.endswith(".png") else "image/jpeg"
    response = FileResponse(attachment.thumbnail.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"  # a thumbnail never changes once made
    return response


@login_required
@require_POST
def case_public_text(request: HttpRequest, number: str) -> HttpResponse:
    """The operator's or shift leader's edit of the public description; refused edits come back with why."""
    try:
        case = queries.case_for(request.user, number)
    except NotFound as exc:
        return page_not_found(request, exc.message)
    try:
        edit_public_description(request.user, number, request.POST.get("public_description", ""))
    except DomainError as exc:
        return render_case(request, case, error=exc.message, status=exc.status_code)
    return redirect("web:case_detail", number=number)


@login_required
def case_form(request: HttpRequest, number: str) -> HttpResponse:
    """The case's one-page 案卷审批表 as a PDF, for a user who may see the case (else 404, as the page)."""
    try:
        case = queries.case_for(request.user, number)
    except NotFound as exc:
        return page_not_found(request, exc.message)
    try:
        content = case_form_pdf(case, request.user)
    except ReportFontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="case-{case.number}.pdf"'
    return response
