"""门前三包 reminders by SMS to the shops of a road, a unit grid or a sub-district, through the outbox's batches.

A run is drafted (the shops chosen, each shop's outcome decided, the text previewed, nothing queued), then
confirmed: the batch machinery (notify.batches) queues one message per shop to its contact phone, and the outbox's
pacing holds messages written in quiet hours until morning. A shop gets at most one reminder a (local) day: shops
already reminded today are left out when drafting, and again when confirming, under a lock on the district's row,
so two runs confirmed together cannot both remind a shop. Shops without a usable mobile number are listed, not
queued. The outcomes of the shops left out are kept in the audit entries of the run (no model of their own).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, time
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from xiuhua.accounts.privacy import mask_phone
from xiuhua.accounts.queries import sees_everything
from xiuhua.core.audit import record_audit
from xiuhua.core.crypto import normalise_phone
from xiuhua.core.errors import DomainError, NotFound, PermissionDenied
from xiuhua.core.models import AuditEntry
from xiuhua.ledgers.choices import LedgerKind
from xiuhua.ledgers.models import Shop
from xiuhua.ledgers.queries import kept_ledgers, visible_records
from xiuhua.notify import batches
from xiuhua.notify.models import Message, MessageBatch, MessageChannel, MessageKind, MessageStatus
from xiuhua.notify.outbox import address_problem
from xiuhua.territory.models import Division

TITLE = "门前三包提醒"
DEFAULT_TEXT = "{{ name }}：请落实{{ road }}门前三包责任，保持门前市容整洁，不跨门经营、不乱堆乱放。"
QUEUED, NO_PHONE, ALREADY = "queued", "no_phone", "already_reminded"
OUTCOME_LABELS = {QUEUED: "已排队发送", NO_PHONE: "无可用手机号码", ALREADY: "今日已提醒"}
DRAFTED, CONFIRMED = "ledgers.shop_reminders_drafted", "ledgers.shop_reminders_confirmed"


@dataclass(frozen=True)
class Selection:
    """Exactly one of: a road's name, a unit grid's code, a sub-district's code."""

    road: str = ""
    grid: str = ""
    subdistrict: str = ""

    def describe(self) -> str:
        if self.road:
            return f"道路「{self.road}」"
        return f"网格 {self.grid}" if self.grid else f"街道 {self.subdistrict}"


@dataclass
class Plan:
    """Each chosen shop's outcome: to be queued, without a usable number, or already reminded today."""

    queued: list[Shop] = field(default_factory=list)
    no_phone: list[Shop] = field(default_factory=list)
    already: list[Shop] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {QUEUED: len(self.queued), NO_PHONE: len(self.no_phone), ALREADY: len(self.already)}


def may_remind(user: Any) -> bool:
    """The superuser and staff of a department that keeps the shops' ledger."""
    if not getattr(user, "is_authenticated", False):
        return False
    if sees_everything(user):
        return True
    return LedgerKind.SHOP in kept_ledgers(user)


def visible_shops(user: Any) -> QuerySet[Shop]:
    """The active shops a keeper of the shops ledger may remind: the ledger's own permission rule, within scope."""
    if not may_remind(user):
        return Shop.objects.none()
    return visible_records(user, LedgerKind.SHOP).filter(active=True)


def selected_shops(user: Any, selection: Selection) -> QuerySet[Shop]:
    chosen = [v for v in (selection.road, selection.grid, selection.subdistrict) if v.strip()]
    if len(chosen) != 1:
        raise DomainError("请选择一条道路、一个网格或一个街道（只选一项）", code="bad_selection")
    shops = visible_shops(user)
    if selection.road:
        return shops.filter(road=selection.road.strip())
    if selection.grid:
        return shops.filter(grid_code=selection.grid.strip())
    return shops.filter(subdistrict__code=selection.subdistrict.strip())


def usable_phone(phone: str) -> str:
    """The mobile number an SMS can go to, or "" (none, a landline, malformed)."""
    number = normalise_phone(phone or "")
    return number if number and not address_problem(MessageChannel.SMS, number) else ""


def day_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)


def reminded_today(now: datetime | None = None) -> set[int]:
    """The shops a reminder was queued for since local midnight."""
    rows = Message.objects.filter(
        kind=MessageKind.SHOP_REMINDER, subject_type="batch", queued_at__gte=day_start(now or timezone.now())
    ).values_list("variables", flat=True)
    return {v["shop"] for v in rows if isinstance(v, dict) and "shop" in v}


def plan(user: Any, selection: Selection, now: datetime | None = None) -> Plan:
    if not may_remind(user):
        raise PermissionDenied("只有沿街商铺台账的管理部门可以发送门前三包提醒")
    shops = list(selected_shops(user, selection).only("pk", "code", "name", "road", "contact_phone").order_by("pk"))
    if not shops:
        raise DomainError(f"{selection.describe()}没有可提醒的商铺", code="no_shops")
    done, result = reminded_today(now), Plan()
    for shop in shops:
        if shop.pk in done:
            result.already.append(shop)
        elif not usable_phone(shop.contact_phone):
            result.no_phone.append(shop)
        else:
            result.queued.append(shop)
    return result


def recipient(shop: Shop) -> batches.Recipient:
    variables = {"road": shop.road, "shop": shop.pk}
    return batches.Recipient(shop.name, usable_phone(shop.contact_phone), variables=variables)


def draft_reminders(
    user: Any, selection: Selection, text: str = DEFAULT_TEXT, now: datetime | None = None
) -> tuple[MessageBatch | None, Plan]:
    """The run's plan and, when any shop is to be reminded, its draft batch (nothing queued yet); audited with
    the shops left out and why."""
    result = plan(user, selection, now)
    with transaction.atomic():
        batch = None
        if result.queued:
            batch = batches.draft_batch(
                user, kind=MessageKind.SHOP_REMINDER, channel=MessageChannel.SMS, title=TITLE, text=text,
                recipients=[recipient(s) for s in result.queued], source_name=selection.describe(),
            )  # fmt: skip
        record_audit(
            user, DRAFTED, f"batch:{batch.pk}" if batch else "", selection.describe(),
            counts=result.counts(), no_phone=[s.pk for s in result.no_phone], already=[s.pk for s in result.already],
        )  # fmt: skip
    return batch, result


def reminder_batch(user: Any, batch_id: int) -> MessageBatch:
    # A run drafted here (its audit entry names it), not a shop-reminder batch uploaded on the outbox's page.
    batch = MessageBatch.objects.filter(pk=batch_id, kind=MessageKind.SHOP_REMINDER).first()
    drafted_here = AuditEntry.objects.filter(action=DRAFTED, target=f"batch:{batch_id}").exists()
    if batch is None or not drafted_here or not may_remind(user):
        raise NotFound("提醒批次不存在或无权查看")
    return batch


def confirm_reminders(user: Any, batch_id: int, now: datetime | None = None) -> MessageBatch:
    """Queue the drafted run, leaving out shops reminded since it was drafted (listed as already reminded)."""
    batch = reminder_batch(user, batch_id)
    recipients = batches.stored_recipients(batch)
    district_id = Shop.objects.filter(pk=recipients[0].variables["shop"]).values_list("district_id", flat=True)[0]
    with transaction.atomic():
        # One run of a district confirmed at a time: the check of who was reminded today and the queuing go together.
        Division.objects.select_for_update().get(pk=district_id)
        done = reminded_today(now)
        late = [r.variables["shop"] for r in recipients if r.variables["shop"] in done]
        if late and batch.state == MessageBatch.State.DRAFT:
            keep = [r for r in recipients if r.variables["shop"] not in done]
            batch.recipients = json.dumps([asdict(r) for r in keep], ensure_ascii=False)
            batch.total = len(keep)
            batch.save(update_fields=["recipients", "total"])
        if batch.total == 0:
            raise DomainError("这些商铺今天都已提醒过，未发送", code="already_reminded")
        batch = batches.confirm_batch(batch)
        record_audit(user, CONFIRMED, f"batch:{batch.pk}", f"{batch.total} 家", already=late)
    return batch


def reminder_result(user: Any, batch_id: int) -> dict[str, Any]:
    """The run's outcome per shop: queued (with its message's status) or left out and why; phones masked."""
    batch = batches.settle(reminder_batch(user, batch_id))
    left_out: dict[int, str] = {}
    for details in AuditEntry.objects.filter(target=f"batch:{batch.pk}", action__in=[DRAFTED, CONFIRMED]).values_list(
        "details", flat=True
    ):
        left_out.update({pk: NO_PHONE for pk in details.get("no_phone", [])})
        left_out.update({pk: ALREADY for pk in details.get("already", [])})
    messages = {m.variables.get("shop"): m for m in batches.current_messages(batch).only("variables", "status")}
    shops = Shop.objects.filter(pk__in=[*messages, *left_out]).only("pk", "code", "name", "road", "contact_phone")
    rows = [shop_row(shop, messages.get(shop.pk), left_out.get(shop.pk)) for shop in shops.order_by("pk")]
    counts = {o: sum(1 for r in rows if r["outcome"] == o) for o in OUTCOME_LABELS}
    return {"batch": batch.pk, "state": batch.state, "counts": counts, "shops": rows}


def shop_row(shop: Shop, message: Message | None, outcome: str | None) -> dict[str, Any]:
    outcome = QUEUED if message is not None else outcome or NO_PHONE
    return {
        "shop": shop.pk,
        "code": shop.code,
        "name": shop.name,
        "road": shop.road,
        "phone": mask_phone(normalise_phone(shop.contact_phone)),
        "outcome": outcome,
        "outcome_label": OUTCOME_LABELS[outcome],
        "message_status": str(MessageStatus(message.status).label) if message else "",
    }
