"""Messages to citizens who reported a problem and left a phone (or an e-mail address): a receipt when the
report is received, and word when it is closed, each with the public lookup link (case number and lookup code:
the page where they follow the case and, once it is closed, rate it).

Called by the intake and the workflow inside their own transaction, with plain values (notify sits below
cases). Each message has an idempotency key per case, kind and channel, so a retried intake queues nothing
twice; a closure's key also names the closing event, so a case reopened and closed again tells the citizen again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse

from xiuhua.core import crypto
from xiuhua.notify.models import MessageChannel, MessageKind
from xiuhua.notify.outbox import MOBILE, Draft, queue
from xiuhua.notify.routing import routed_channels, site_link


@dataclass(frozen=True)
class CitizenCase:
    """What the messages need to know about a citizen's case."""

    pk: int
    number: str
    lookup_code: str
    phone: str = ""
    email: str = ""
    work_order: str = ""  # the hotline's work-order number, which the caller was told


def lookup_link(case: CitizenCase) -> str:
    """The public status page of the case, opened with its lookup code."""
    path = reverse("web:public_case", args=[case.number])
    return site_link(f"{path}?{urlencode({'code': case.lookup_code})}")


def citizen_address(case: CitizenCase, channel: str) -> str:
    """Where the citizen receives on `channel` ("" for none). A landline cannot take an SMS: no address."""
    if channel == MessageChannel.SMS:
        phone = crypto.normalise_phone(case.phone)
        return phone if MOBILE.match(phone) else ""
    if channel == MessageChannel.EMAIL:
        return case.email.strip()
    return ""  # WeCom reaches staff only


def receipt_text(case: CitizenCase, link: str) -> str:
    order = f"（热线工单号 {case.work_order}）" if case.work_order else ""
    return f"您反映的问题已收到，案卷号 {case.number}{order}，查询码 {case.lookup_code}。办理进度请查看：{link}"


def closure_text(case: CitizenCase, link: str) -> str:
    return f"您反映的问题（案卷号 {case.number}）已办结。处理结果请查看，并欢迎对办理结果进行评价：{link}"


def _queue(case: CitizenCase, kind: str, title: str, text_of, key: str, caused_at: datetime) -> int:
    channels = routed_channels(kind)
    if not channels:
        return 0
    link = lookup_link(case)
    text = text_of(case, link)
    queued = 0
    for channel in channels:
        address = citizen_address(case, channel)
        if not address:
            continue  # nothing to send to on this channel: no message, no failure to explain
        queue(
            Draft(
                channel=channel,
                kind=kind,
                text=text,
                title=title,
                address=address,
                link=link,
                subject_type="case",
                subject=case.number,
                caused_at=caused_at,
                variables={"case": case.number, "code": case.lookup_code, "link": link, "work_order": case.work_order},
                idempotency_key=f"{key}:{channel}",
            )
        )
        queued += 1
    return queued


def queue_receipt(case: CitizenCase, caused_at: datetime) -> int:
    """The receipt of a citizen's report on each routed channel; returns the messages queued."""
    key = f"{MessageKind.CITIZEN_RECEIPT}:{case.pk}"
    return _queue(case, MessageKind.CITIZEN_RECEIPT, "您反映的问题已收到", receipt_text, key, caused_at)


def queue_closure(case: CitizenCase, closing_event: int, caused_at: datetime) -> int:
    """Word that the citizen's case is closed, once per closing event; returns the messages queued."""
    key = f"{MessageKind.CITIZEN_CLOSURE}:{case.pk}:{closing_event}"
    return _queue(case, MessageKind.CITIZEN_CLOSURE, "您反映的问题已办结", closure_text, key, caused_at)
