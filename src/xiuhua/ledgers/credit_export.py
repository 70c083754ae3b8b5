"""The credit list for the public credit platform (信用信息共享平台), as CSV or xlsx.

Identity numbers are stored only as a keyed digest and the last four characters, so the file carries what is
stored: the last four behind a mask (**************1234), for organisations and persons alike. A person's name is
masked too (张**): a person's data is not published in full from here. The platform's operator matches rows by name
and the last four, or fills in the full code from the party's own filing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.utils import timezone

from xiuhua.accounts.privacy import mask_name
from xiuhua.core import tabular
from xiuhua.core.audit import record_personal_data_export
from xiuhua.core.errors import DomainError
from xiuhua.ledgers.choices import CreditEventStatus, SubjectKind
from xiuhua.ledgers.credit import check_manage, window
from xiuhua.ledgers.models import CreditEvent
from xiuhua.territory.models import Division

ID_LENGTH = 18

EXPORT_COLUMNS = [
    tabular.Column("code", "统一社会信用代码或证件号码"),
    tabular.Column("name", "名称"),
    tabular.Column("matter", "决定/事项"),
    tabular.Column("date", "日期"),
    tabular.Column("authority", "决定机关"),
    tabular.Column("points", "分值", numeric=True),
    tabular.Column("status", "状态"),
]


def masked_code(last4: str) -> str:
    return "*" * (ID_LENGTH - len(last4)) + last4 if last4 else ""


def export_rows(district: Division, on: date) -> Iterator[dict[str, Any]]:
    """Every event of the district's parties decided within the year up to `on`, withdrawn ones left out."""
    start, end = window(on)
    events = (
        CreditEvent.objects.filter(subject__district=district, occurred_on__gte=start, occurred_on__lte=end)
        .exclude(status=CreditEventStatus.WITHDRAWN)
        .select_related("subject", "document")
        .order_by("occurred_on", "pk")
    )
    for event in events.iterator(chunk_size=1000):
        subject = event.subject
        person = subject.kind == SubjectKind.PERSON
        matter = event.reason if event.document is None else f"{event.document.full_number} {event.reason}"
        yield {
            "code": masked_code(subject.id_last4),
            "name": mask_name(subject.name) if person else subject.name,
            "matter": matter,
            "date": event.occurred_on,
            "authority": event.authority,
            "points": event.points,
            "status": str(CreditEventStatus(event.status).label),
        }


def credit_export(actor: Any, district: Division, fmt: str, on: date | None = None) -> tabular.ExportFile:
    """The file, audited as an export of parties' data."""
    check_manage(actor)
    if fmt not in tabular.TABLE_FORMATS:
        raise DomainError(f"不支持的格式「{fmt}」，可选：{'、'.join(tabular.TABLE_FORMATS)}", code="invalid_format")
    rows = list(export_rows(district, on or timezone.localdate()))
    exported = tabular.table_file(EXPORT_COLUMNS, rows, fmt, "信用信息")
    record_personal_data_export(actor, "ledgers.credit_list", len(rows), district=district.code, format=fmt)
    return exported
