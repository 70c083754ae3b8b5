"""The 案卷审批表: any case as a one-page A4 PDF to print, file and sign (reportlab, the reports' CJK font).

What is printed is what the viewer may see on the case page: the description and the reporter's contact go
through the presenter (the privacy rule; a full view of a confidential contact is audited with the surface
"case_form_pdf"). Photos are shrunk to thumbnails; the timeline keeps its latest rows; the whole form is shrunk
to fit one page if it must (KeepInFrame), so it never spills onto a second sheet.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from PIL import Image as PilImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from xiuhua.accounts.models import User
from xiuhua.cases import presenters
from xiuhua.cases.models import Case, CaseAttachment
from xiuhua.reports.pdf import register_font
from xiuhua.web import case_page

MARGIN = 12 * mm
WIDTH, HEIGHT = A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN
TIMELINE_ROWS = 14
PHOTOS_PER_SIDE = 3
THUMB = 36 * mm
DESCRIPTION_CHARS = 400
# The signatures area: each stage, and the workflow actions whose actor and time the form records beside it.
SIGN_STAGES = (
    ("受理", ("accept",)),
    ("派遣", ("dispatch",)),
    ("处置", ("report_back", "self_handle")),
    ("核查", ("check",)),
    ("结案", ("close",)),
)


def _local(value: str | datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return timezone.localtime(moment).strftime(fmt)


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=17, leading=22, alignment=1, spaceAfter=2),
        "sub": ParagraphStyle("sub", fontName=font, fontSize=8.5, leading=11, alignment=1, textColor=colors.grey),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11),
        "small": ParagraphStyle("small", fontName=font, fontSize=7.5, leading=9.5),
        "head": ParagraphStyle("head", fontName=font, fontSize=10, leading=13, spaceBefore=5, spaceAfter=3),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text or "—")).replace("\n", "<br/>"), style)


def _grid(rows: list, widths: list[float], *, header: bool = False, font: str, heights: list | None = None) -> Table:
    table = Table(rows, colWidths=widths, rowHeights=heights)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9eef5")))
    table.setStyle(TableStyle(style))
    return table


def _facts(case: Case, detail: dict[str, Any], s: dict, font: str) -> Table:
    label = s["cell"]
    reporter = detail["reporter"]
    contact = " ".join(filter(None, [reporter.get("name"), reporter.get("phone")])) or "—"
    lead = case.lead_department.name if case.lead_department_id else "—"
    assisting = "、".join(d["name"] for d in detail["assisting_departments"])
    place = f"{case.address or '—'}（{detail['subdistrict_name']} {detail['community_name']}，网格 {case.grid_code}）"
    description = detail["description"] or ""
    if len(description) > DESCRIPTION_CHARS:
        description = description[:DESCRIPTION_CHARS] + "……"
    rows = [
        ["案卷号", _p(case.number, label), "状态", _p(detail["status_label"], label)],
        [
            "问题类别",
            _p(f"{detail['class']['major_name']} / {detail['class_name']}", label),
            "来源",
            _p(case.get_source_display(), label),
        ],
        ["上报时间", _p(_local(case.reported_at), label), "紧急程度", _p(case.get_urgency_display(), label)],
        ["地址", _p(place, label), "", ""],
        ["问题描述", _p(description, label), "", ""],
        ["上报人", _p(contact, label), "主办单位", _p(lead + (f"；协办 {assisting}" if assisting else ""), label)],
        ["处置时限", _p(_local(case.handling_deadline), label), "结案时间", _p(_local(case.closed_at), label)],
    ]
    table = _grid(rows, [20 * mm, 78 * mm, 20 * mm, WIDTH - 118 * mm], font=font)
    table.setStyle(TableStyle([("SPAN", (1, 3), (3, 3)), ("SPAN", (1, 4), (3, 4))]))
    return table


def _thumbnail(attachment: CaseAttachment) -> Image | None:
    """The photo shrunk to a thumbnail (keeps the PDF small), or None if the file is not a readable image.

    The worker's thumbnail when it exists (upright, small: cheap to read); the original until then."""
    try:
        with (attachment.thumbnail or attachment.file).open("rb") as source, PilImage.open(source) as picture:
            picture = picture.convert("RGB")
            picture.thumbnail((360, 360))
            buffer = io.BytesIO()
            picture.save(buffer, "JPEG", quality=80)
            width, height = picture.size
    except (OSError, ValueError):
        return None
    buffer.seek(0)
    scale = min(THUMB / width, THUMB * 0.75 / height)
    return Image(buffer, width * scale, height * scale)


def _photos(case: Case, detail: dict[str, Any], s: dict, font: str) -> Table:
    sides = case_page.photo_sides(detail)
    by_id = CaseAttachment.objects.in_bulk([p["id"] for side in sides.values() for p in side[:PHOTOS_PER_SIDE]])
    cells = []
    for side in ("before", "after"):
        pictures = [_thumbnail(by_id[p["id"]]) for p in sides[side][:PHOTOS_PER_SIDE] if p["id"] in by_id]
        pictures = [p for p in pictures if p is not None]
        cells.append(Table([pictures], hAlign="LEFT") if pictures else _p("（无照片）", s["small"]))
    rows = [["处置前", "处置后"], cells]
    return _grid(rows, [WIDTH / 2, WIDTH / 2], header=True, font=font)


def _timeline(detail: dict[str, Any], s: dict, font: str) -> list:
    events = detail["timeline"]
    shown = events[-TIMELINE_ROWS:]
    rows = [["时间", "环节", "经办人", "状态", "意见"]]
    for e in shown:
        labels = case_page.STATUS_LABELS
        moved = f"{labels.get(e['from_status'] or '', '')} → {labels.get(e['to_status'], '')}"
        note = (e["note"] or "")[:60]
        rows.append(
            [
                _local(e["at"], "%m-%d %H:%M"),
                _p(e["action_label"], s["small"]),
                _p(e["actor_name"], s["small"]),
                _p(moved if e["from_status"] != e["to_status"] else "", s["small"]),
                _p(note, s["small"]),
            ]
        )
    table = _grid(rows, [22 * mm, 20 * mm, 26 * mm, 38 * mm, WIDTH - 106 * mm], header=True, font=font)
    table.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 7.5)]))
    out: list = [table]
    if len(events) > len(shown):
        out.append(_p(f"另有 {len(events) - len(shown)} 条较早的记录，见系统中的案卷页。", s["small"]))
    return out


def _signatures(detail: dict[str, Any], s: dict, font: str) -> Table:
    """Per stage: who did it and when by the system's record, then blanks for the signature and the date."""
    recorded = []
    for _, actions in SIGN_STAGES:
        done = [e for e in detail["timeline"] if e["action"] in actions]
        last = done[-1] if done else None
        recorded.append(_p(f"{last['actor_name']}\n{_local(last['at'])}" if last else "", s["small"]))
    rows = [
        ["", *[name for name, _ in SIGN_STAGES]],
        ["系统记录", *recorded],
        ["意见", *[""] * len(SIGN_STAGES)],
        ["签字", *[""] * len(SIGN_STAGES)],
        ["日期", *["    年   月   日"] * len(SIGN_STAGES)],
    ]
    column = (WIDTH - 18 * mm) / len(SIGN_STAGES)
    # Room to write an opinion and to sign by hand.
    heights = [None, None, 14 * mm, 12 * mm, None]
    table = _grid(rows, [18 * mm] + [column] * len(SIGN_STAGES), header=True, font=font, heights=heights)
    table.setStyle(TableStyle([("ALIGN", (0, 0), (-1, 0), "CENTER")]))
    return table


def case_form_pdf(case: Case, viewer: User, now: datetime | None = None) -> bytes:
    """The one-page approval form of `case` as `viewer` may see it."""
    font = register_font()
    s = _styles(font)
    detail = presenters.case_detail(case, viewer, now or timezone.now(), surface="case_form_pdf")
    printed = _local(now or timezone.now())
    story = [
        _p("数字城管案卷审批表", s["title"]),
        _p(
            f"案卷号 {case.number}　·　{detail['district_name']}　·　打印 {printed}"
            f"　·　{viewer.display_name or viewer.username}",
            s["sub"],
        ),
        Spacer(1, 4),
        _facts(case, detail, s, font),
        _p("现场照片", s["head"]),
        _photos(case, detail, s, font),
        _p("办理过程", s["head"]),
        *_timeline(detail, s, font),
        _p("审批签字", s["head"]),
        _signatures(detail, s, font),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"案卷审批表 {case.number}",
        author="xiuhua",
    )
    document.build([KeepInFrame(WIDTH, HEIGHT - 1, story, mode="shrink")])
    return buffer.getvalue()
