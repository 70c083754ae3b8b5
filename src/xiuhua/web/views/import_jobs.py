"""The 12345 import page (/centre/calls/import/): an upload becomes an import job the worker runs; the job's page
polls its progress (htmx) until it is done or failed, with every error of a refused file by row and column."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from xiuhua.core.errors import DomainError
from xiuhua.intake.imports import queue_import, recent_jobs
from xiuhua.intake.models import ImportJob
from xiuhua.web.call_forms import ImportForm, first_error
from xiuhua.web.views.calls import call_takers

POLL_SECONDS = 2


@call_takers
@require_http_methods(["GET", "POST"])
def import_orders(request: HttpRequest) -> HttpResponse:
    """Upload a 12345 export: it is stored as a job and the browser goes to the job's progress page."""
    form, error, status = ImportForm(), "", 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = queue_import(upload.read(), upload.name, request.user)
            except DomainError as exc:
                error, status = exc.message, exc.status_code
            else:
                return redirect(reverse("web:call_import_job", args=[job.pk]))
        else:
            error, status = first_error(form)[1], 400
    context = {"form": form, "error": error, "jobs": recent_jobs(request.user)}
    return render(request, "web/calls/import.html", context, status=status)


@call_takers
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's progress and result; an htmx poll gets the progress panel alone."""
    job = ImportJob.objects.defer("content").filter(pk=pk).first()
    if job is None:
        raise Http404("没有这个导入任务")
    context = {"job": job, "poll_seconds": POLL_SECONDS}
    if request.htmx:
        return render(request, "web/calls/partials/import_job.html", context)
    return render(request, "web/calls/import_job.html", context)
