"""The monthly 专报 of the special campaigns: every target's value, plan and status at a month's end, per lead unit,
as PDF and Excel.

Built only from the month's `ProgressSnapshot`s, never from live figures: the bulletin of March reads March as it
was frozen, however often it is downloaded later (a case closed in April does not change it). A campaign with two
lead units is listed under each.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate

from xiuhua.campaigns.choices import ProgressStatus
from xiuhua.campaigns.models import ProgressSnapshot
from xiuhua.campaigns.queries import visible_campaigns
from xiuhua.core.errors import DomainError
from xiuhua.reports.excel import book_bytes
from xiuhua.reports.pdf import register_font, table_flowables
from xiuhua.reports.tables import TEXT, Column, Table

NO_LEAD_UNIT = "未指定牵头单位"
# The 专报 is a Chinese document whatever the reader's interface language (its headers are Chinese too).
STATUS_TEXT = {
    ProgressStatus.ON_TRACK: "正常",
    ProgressStatus.BEHIND: "滞后",
    ProgressStatus.MET: "完成",
    ProgressStatus.OVERDUE: "逾期",
    ProgressStatus.NOT_STARTED: "未开始",
}


@dataclass
class Bulletin:
    month: date
    generated_at: str
    units: dict[str, list[list]] = field(default_factory=dict)  # lead unit name → rows (COLUMNS)

    @property
    def title(self) -> str:
        return f"专项行动月度专报（{self.month:%Y年%m月}）"

    @property
    def target_count(self) -> int:
        return sum(len(rows) for rows in self.units.values())


def columns() -> list[Column]:
    return [
        Column("专项行动", TEXT, 22),
        Column("任务", TEXT, 18),
        Column("指标", TEXT, 26),
        Column("目标值", width=9),
        Column("实际值", width=9),
        Column("计划值", width=9),
        Column("完成进度(%)", width=10),
        Column("状态", TEXT, 8),
        Column("达标日期", TEXT, 11),
    ]


def read_month(text: str | None) -> date:
    """`2026-03` → the first day of that month; a Chinese `DomainError` for anything else."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        raise DomainError("请选择专报的月份（例如 2026-03）", code="bad_month") from None


def build_bulletin(user, month: date) -> Bulletin:
    """The month's snapshots of the campaigns the user sees, grouped by lead unit."""
    snapshots = (
        ProgressSnapshot.objects.filter(month=month, target__task__campaign__in=visible_campaigns(user))
        .select_related("target__task__campaign")
        .prefetch_related("target__task__campaign__lead_units")
        .order_by("target__task__campaign__code", "target__task__code", "target_id")
    )
    bulletin = Bulletin(month, timezone.localtime().strftime("%Y-%m-%d %H:%M"))
    for snapshot in snapshots:
        campaign = snapshot.target.task.campaign
        units = sorted(unit.name for unit in campaign.lead_units.all()) or [NO_LEAD_UNIT]
        for unit in units:
            bulletin.units.setdefault(unit, []).append(_row(snapshot))
    bulletin.units = dict(sorted(bulletin.units.items()))
    return bulletin


def _row(snapshot: ProgressSnapshot) -> list:
    target = snapshot.target
    return [
        target.task.campaign.name,
        f"{target.task.code} {target.task.name}",
        target.name,
        _plain(snapshot.goal if snapshot.goal is not None else target.goal),  # the goal as frozen
        _plain(snapshot.value),
        _plain(snapshot.plan),
        _plain(snapshot.progress),
        STATUS_TEXT.get(snapshot.status, snapshot.status),
        f"{snapshot.met_on:%Y-%m-%d}" if snapshot.met_on else "",
    ]


def _plain(value) -> float | None:
    """A decimal as a number without trailing zeros (Excel cells and PDF text alike)."""
    if value is None:
        return None
    number = float(value)
    return int(number) if number == int(number) else round(number, 2)


def unit_tables(bulletin: Bulletin) -> list[Table]:
    return [Table(f"unit_{i}", unit, columns(), rows) for i, (unit, rows) in enumerate(bulletin.units.items(), start=1)]


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    font = register_font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=6)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    story = [
        Paragraph(bulletin.title, title),
        Paragraph(f"依据 {bulletin.month:%Y年%m月} 月末冻结的进度快照　生成时间：{bulletin.generated_at}", body),
    ]
    if not bulletin.units:
        story.append(Paragraph("该月没有冻结的进度快照。", body))
    for table in unit_tables(bulletin):
        story.extend(table_flowables(table, font, heading=True))
    buffer = io.BytesIO()
    margins = {name: 12 * mm for name in ("leftMargin", "rightMargin", "topMargin", "bottomMargin")}
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=bulletin.title, author="xiuhua", **margins)
    document.build(story)
    return buffer.getvalue()


def bulletin_xlsx(bulletin: Bulletin) -> bytes:
    facts = [
        ["月份", f"{bulletin.month:%Y-%m}"],
        ["生成时间", bulletin.generated_at],
        ["指标数", bulletin.target_count],
    ]
    return book_bytes("专报", bulletin.title, facts, unit_tables(bulletin))
