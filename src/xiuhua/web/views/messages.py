"""The outbox pages (发件箱) of the centre: every outgoing message with its steps and failure reason, the figures
with the push rate, resending a failed message, and batch sends with their progress and Excel result.

For the shift leader and the system administrator (notify.queries.OUTBOX_ROLES), each within their data scope:
every list, figure, resend, batch page and export goes through notify.queries.visible_messages / visible_batches.
Phone numbers and e-mail addresses are masked on every row, in texts and in failure reasons; only the batch
result sheet may carry them (and names) in full, for whom the privacy rule lets see them (accounts.privacy), and
that export is on the audit record.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from xiuhua.accounts.privacy import Visibility, mask_name
from xiuhua.core import tabular
from xiuhua.core.audit import record_personal_data_export
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.notify import batches
from xiuhua.notify.figures import Figures, message_figures, total
from xiuhua.notify.models import MessageBatch, MessageChannel, MessageKind, MessageStatus
from xiuhua.notify.queries import (
    channel_outages,
    filter_messages,
    masked_address,
    may_read_outbox,
    name_visibility,
    recipient_label,
    shown_failure_reason,
    shown_text,
    visible_batch,
    visible_batches,
    visible_messages,
)
from xiuhua.notify.resends import resend_message
from xiuhua.web.errors import page_not_found
from xiuhua.web.message_forms import BatchForm, MessageFilterForm
from xiuhua.web.tables import Column, build_table
from xiuhua.web.views.shell import safe_next

COLUMNS = [
    Column(_("Queued at"), "queued_at"),
    Column(_("Channel")),
    Column(_("Kind")),
    Column(_("Recipient")),
    Column(_("About")),
    Column(_("Status")),
    Column(_("Attempts"), "attempts"),
    Column(_("Failure reason")),
]


def not_found_as_404(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A message or batch outside the reader's data scope is "not found" (404), never "forbidden"."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return page_not_found(request, exc.message)

    return wrapped


def check_outbox_reader(request: HttpRequest) -> None:
    if not may_read_outbox(request.user):
        raise PermissionDenied("只有值班长和系统管理员可以查看发件箱")


@login_required
def outbox_page(request: HttpRequest) -> HttpResponse:
    check_outbox_reader(request)
    form = MessageFilterForm(request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    rows = filter_messages(request.user, form.filters()).select_related("batch")
    table = build_table(request, rows, COLUMNS, "-queued_at")
    for message in table.rows:
        message.shown_recipient = recipient_label(message)
        message.shown_text = shown_text(message, request.user)
        message.shown_reason = shown_failure_reason(message.failure_reason)
    date_from, date_to = form.figure_range()
    figures = message_figures(date_from, date_to, messages=visible_messages(request.user))
    context = {
        "form": form,
        "table": table,
        "outages": channel_outages(),
        "figures": [figure_row(f) for f in figures],
        "figures_total": figure_row(total(figures)),
        "figure_range": (date_from, date_to),
        "failed": MessageStatus.FAILED,
        "back": request.get_full_path(),
    }
    return render(request, "web/messages/outbox.html", context, status=status)


def figure_row(figures: Figures) -> dict:
    rate = figures.push_rate
    return {
        **figures.as_dict(),
        "channel_label": MessageChannel(figures.channel).label if figures.channel else "",
        "kind_label": MessageKind(figures.kind).label if figures.kind else "",
        "rate": "—" if rate is None else f"{rate * 100:.1f}%",
    }


@not_found_as_404
@login_required
@require_POST
def resend(request: HttpRequest, message_id: int) -> HttpResponse:
    check_outbox_reader(request)
    back = safe_next(request, reverse("web:outbox"))
    try:
        again = resend_message(request.user, message_id)
    except NotFound:
        raise
    except DomainError as exc:
        flash.error(request, exc.message)
        return redirect(back)
    flash.success(request, f"已重新排队发送（新消息 {again.pk}）")
    return redirect(back)


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    """The batches, newest first, and the form of a new one (POST: read the recipients, show the preview)."""
    check_outbox_reader(request)
    form = BatchForm(request.POST or None, request.FILES or None)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = _draft_from(request, form)
            except DomainError as exc:
                error, status = exc.message, exc.status_code
            else:
                return redirect("web:message_batch", batch_id=batch.pk)
        else:
            status = 400
    shown = list(visible_batches(request.user).select_related("created_by")[:50])
    counts = batches.progress_of(shown)
    rows = [(batch, counts[batch.pk]) for batch in shown]
    context = {"form": form, "rows": rows, "error": error}
    return render(request, "web/messages/batches.html", context, status=status)


def _draft_from(request: HttpRequest, form: BatchForm) -> MessageBatch:
    data = form.cleaned_data
    if data["source"] == "file":
        upload = data["file"]
        recipients = batches.read_recipients(upload, filename=upload.name)
        source = upload.name
    else:
        recipients = batches.staff_recipients(data["role"], data["channel"])
        source = f"角色：{dict(form.fields['role'].choices)[data['role']]}"
    return batches.draft_batch(
        request.user,
        kind=data["kind"],
        channel=data["channel"],
        title=data["title"],
        text=data["text"],
        recipients=recipients,
        source_name=source,
    )


@not_found_as_404
@login_required
def batch_page(request: HttpRequest, batch_id: int) -> HttpResponse:
    """One batch: its preview and the confirm button while a draft, then its progress."""
    check_outbox_reader(request)
    batch = batches.settle(visible_batch(request.user, batch_id))
    sample = []
    if batch.state == MessageBatch.State.DRAFT:
        recipients = batches.stored_recipients(batch)[:5]
        texts = batches.preview(batch, 5)
        full = name_visibility(request.user, batch.created_by_id) == Visibility.FULL
        for recipient, text in zip(recipients, texts, strict=True):
            shown = text if full or not recipient.name else text.replace(recipient.name, mask_name(recipient.name))
            sample.append((masked_address(batch.channel, recipient.address), shown))
    context = {"batch": batch, "counts": batches.progress(batch), "sample": sample}
    return render(request, "web/messages/batch.html", context)


@not_found_as_404
@login_required
@require_POST
def batch_confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    check_outbox_reader(request)
    batch = visible_batch(request.user, batch_id)
    try:
        batch = batches.confirm_batch(batch)
    except DomainError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, f"已写入发件箱 {batch.prepared} 条，发送进程将陆续发出")
    return redirect("web:message_batch", batch_id=batch.pk)


def address_for(viewer, batch: MessageBatch):
    """The privacy rule on a batch's recipients (notify.queries.name_visibility): full for whoever entered the
    list, masked for the others."""
    seen = name_visibility(viewer, batch.created_by_id)

    def show(channel: str, address: str) -> str:
        return address if seen == Visibility.FULL else masked_address(channel, address)

    return show, seen


@not_found_as_404
@login_required
def batch_result(request: HttpRequest, batch_id: int) -> HttpResponse:
    """Per-recipient result of a batch as Excel; recorded as an export of personal data."""
    check_outbox_reader(request)
    batch = visible_batch(request.user, batch_id)
    show, seen = address_for(request.user, batch)
    rows = list(batches.result_rows(batch, show, full_names=seen == Visibility.FULL))
    exported = tabular.table_file(batches.RESULT_COLUMNS, rows, "xlsx", f"批量发送结果-{batch.pk}")
    record_personal_data_export(request.user, exported.filename, len(rows), batch=batch.pk, contacts=str(seen))
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition_header(True, exported.filename)
    return response
