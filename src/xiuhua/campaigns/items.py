"""The items of a fixed list (619 petitions, 1,864 work orders, 11 weak areas): imported, linked, resolved.

An import is all-or-nothing: every row is checked (numbers unique in the file and the list, the work order and
the case named must exist) and the list is written only when there is no error, with every error listed. An
item is resolved when its case (or its work order's case) closes — `campaigns.record_measures` reads that live —
or by hand with a note and evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.campaigns.choices import Measure
from xiuhua.campaigns.guards import check_evidence, require_edit, save_evidence
from xiuhua.campaigns.models import Target, TargetItem
from xiuhua.cases.models import Case
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.core.limits import check_length
from xiuhua.core.tabular import Column, ImportResult, RowErrors, Source, find_duplicates, read_table, text, writing
from xiuhua.intake.channels.hotline.models import WorkOrder

CODE = Column("code", "编号", required=True, parse=text(40), aliases=("序号",))
TITLE = Column("title", "标题", parse=text(200), aliases=("名称", "内容"))
ORDER = Column("work_order", "工单号", parse=text(40), aliases=("工单编号",))
CASE = Column("case", "案卷号", parse=text(13), aliases=("案卷编号", "任务号"))
ITEM_COLUMNS = (CODE, TITLE, ORDER, CASE)


def _list_target(target: Target) -> None:
    if target.measure != Measure.LIST_RATE:
        raise DomainError(f"目标「{target.name}」不是按清单统计的目标", code="not_a_list")


def _work_orders(numbers: set[str]) -> dict[str, list[WorkOrder]]:
    found: dict[str, list[WorkOrder]] = {}
    for order in WorkOrder.objects.filter(order_number__in=numbers):
        found.setdefault(order.order_number, []).append(order)
    return found


def import_items(actor: User, target: Target, source: Source, filename: str | None = None) -> ImportResult:
    """Add the list's items from an xlsx/CSV file (编号, 标题, 工单号, 案卷号); nothing is written on any error."""
    _list_target(target)
    require_edit(actor, target.task)
    errors = RowErrors()
    rows = read_table(source, ITEM_COLUMNS, errors, filename=filename)
    find_duplicates(rows, CODE, errors)
    existing = set(target.items.values_list("code", flat=True))
    orders = _work_orders({r.values.get("work_order") for r in rows} - {None, ""})
    district = target.task.campaign.district.code[:6]
    numbers = {r.values.get("case") for r in rows} - {None, ""}
    cases = {c.number: c for c in Case.objects.filter(number__in=numbers, district_code=district)}
    items = []
    for row in rows:
        item = _item(target, row, existing, orders, cases, errors)
        if item is not None:
            items.append(item)
    errors.raise_if_any()
    with writing():
        TargetItem.objects.bulk_create(items)
        record_audit(actor, "campaigns.items_imported", str(target.pk), f"{len(items)} 项", file=filename or "")
    return ImportResult("清单", created=len(items))


def _item(target: Target, row, existing: set[str], orders: dict, cases: dict, errors: RowErrors) -> TargetItem | None:
    values = row.values
    code, order_number, case_number = values.get("code"), values.get("work_order"), values.get("case")
    if code in existing:
        errors.add(row.number, row.header(CODE), f"清单中已有编号「{code}」")
        row.ok = False
    order = None
    if order_number:
        matches = orders.get(order_number, [])
        if not matches:
            errors.add(row.number, row.header(ORDER), f"工单「{order_number}」不存在")
        elif len(matches) > 1:
            errors.add(row.number, row.header(ORDER), f"工单号「{order_number}」在多条热线中重复，请改用案卷号")
        else:
            order = matches[0]
    case = cases.get(case_number) if case_number else None
    if case_number and case is None:
        errors.add(row.number, row.header(CASE), f"案卷「{case_number}」不存在")
    if not row.ok:
        return None  # the file is rejected anyway; the row's other checks have been listed
    return TargetItem(target=target, code=code, title=values.get("title", ""), case=case, work_order=order)


def _locked_item(item_id: int) -> TargetItem:
    item = (
        TargetItem.objects.select_for_update(of=("self",))
        .select_related("target__task__campaign")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound("清单项不存在")
    return item


def link_item(actor: User, item_id: int, *, case_number: str = "", work_order_number: str = "") -> TargetItem:
    """Link an item to an existing case or work order (its closing then resolves the item)."""
    with transaction.atomic():
        item = _locked_item(item_id)
        require_edit(actor, item.target.task)
        if case_number:
            district = item.target.task.campaign.district.code[:6]
            item.case = Case.objects.filter(number=case_number.strip(), district_code=district).first()
            if item.case is None:
                raise DomainError(f"案卷「{case_number}」不存在", code="unknown_case")
        if work_order_number:
            matches = _work_orders({work_order_number.strip()}).get(work_order_number.strip(), [])
            if len(matches) != 1:
                raise DomainError(f"工单「{work_order_number}」不存在或不唯一", code="unknown_work_order")
            item.work_order = matches[0]
        item.save(update_fields=["case", "work_order"])
        record_audit(actor, "campaigns.item_linked", str(item.pk), item.code, case=case_number, order=work_order_number)
    return item


def resolve_item(
    actor: User, item_id: int, note: str, files: Iterable[UploadedFile] | None = None, now: datetime | None = None
) -> TargetItem:
    """Resolve an item by hand, saying how, with evidence (photos or documents)."""
    if not note.strip():
        raise DomainError("请说明清单项是如何化解的", code="missing_note")
    check_length("化解说明", note, 2000)
    checked = check_evidence(files)
    now = now or timezone.now()
    with transaction.atomic():
        item = _locked_item(item_id)
        require_edit(actor, item.target.task)
        if item.resolved_at is not None:
            day = timezone.localtime(item.resolved_at).date()
            raise DomainError(f"清单项「{item.code}」已于 {day} 化解", code="already_resolved")
        item.resolved_at, item.resolved_by, item.resolution_note = now, actor, note.strip()
        item.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
        save_evidence(actor, checked, now, item=item)
        record_audit(actor, "campaigns.item_resolved", str(item.pk), item.code, files=len(checked))
    return item
