"""An enforcement document as a PDF: A4 to file, or one long receipt-width page (58 mm / 80 mm) for the
portable printers officers carry (Jiading's 移动开单系统及便携式打印机).

The party is printed as the one privacy rule (`ledgers.privacy`) shows it to the printing officer: an
organisation in full; a person in full to the keepers and, on the paper they hand over, the inspectors within
whose scope it lies; masked to anyone else.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from xiuhua.accounts.models import User
from xiuhua.core.errors import DomainError
from xiuhua.ledgers.choices import SubjectKind
from xiuhua.ledgers.models import LEDGER_MODELS, EnforcementDocument, Subject
from xiuhua.ledgers.numbering import prefix
from xiuhua.ledgers.privacy import appearances, shown_subject
from xiuhua.reports.pdf import register_font

# The printed titles (the kinds' labels are the register's terms; the paper says what it is).
TITLES = {"reminder": "提醒单", "rectify_by": "限期整改通知书", "order_to_correct": "责令改正通知书",
          "penalty": "行政处罚决定书（引用）"}  # fmt: skip
FORMATS = {"a4": A4[0], "58": 58 * mm, "80": 80 * mm}
RECEIPT_MARGIN = 2.5 * mm
A4_MARGIN = 20 * mm
FRAME_PADDING = 6  # points: reportlab's frame pads its content on every side


def party_as_seen(viewer: User, subject: Subject, place: tuple[str, str] | None = None) -> dict[str, str]:
    """The party's printed lines, as the one rule (`ledgers.privacy.shown_subject`) shows them to the printer;
    `place` is the (ledger, grid code) of the record the document is about, besides the party's own records."""
    places = appearances([subject.pk]).get(subject.pk, []) + ([place] if place else [])
    shown = shown_subject(viewer, subject, places, printing=True)
    lines = {"当事人": shown.get("name", ""), "地址": shown.get("address", ""), "联系电话": shown.get("phone", "")}
    if subject.kind == SubjectKind.ORGANISATION:
        lines["统一社会信用代码"] = f"****{subject.id_last4}" if subject.id_last4 else ""
        lines["法定代表人（负责人）"] = shown.get("legal_representative", "")
    return {label: value for label, value in lines.items() if value}


def document_place(document: EnforcementDocument) -> tuple[str, str] | None:
    if not (document.ledger and document.record_id):
        return None
    model = LEDGER_MODELS[document.ledger]
    grid_code = model.objects.filter(pk=document.record_id).values_list("grid_code", flat=True).first()
    return (document.ledger, grid_code) if grid_code else None


def _styles(font: str, width: float) -> dict[str, ParagraphStyle]:
    size = 12 if width >= A4[0] else (8 if width < 70 * mm else 9)
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=size + 6, leading=size * 2.2, alignment=1),
        "number": ParagraphStyle("number", fontName=font, fontSize=size - 1, leading=size * 1.6, alignment=1),
        "body": ParagraphStyle("body", fontName=font, fontSize=size, leading=size * 1.55, wordWrap="CJK"),
        "sign": ParagraphStyle("sign", fontName=font, fontSize=size, leading=size * 2.2, alignment=2),
    }


def _flowables(viewer: User, document: EnforcementDocument, styles: dict) -> list[Flowable]:
    body = styles["body"]

    def line(label: str, value: str) -> Paragraph:
        return Paragraph(f"{escape(label)}：{escape(value)}", body)

    issued = timezone.localtime(document.issued_at)
    parts: list[Flowable] = [
        Paragraph(escape(document.issuing_unit.name), styles["number"]),
        Paragraph(TITLES[document.kind], styles["title"]),
        Paragraph(escape(document.full_number), styles["number"]),
        Spacer(1, 2 * mm),
    ]
    parts += [
        line(label, value) for label, value in party_as_seen(viewer, document.subject, document_place(document)).items()
    ]
    parts += [line("违法事实", document.facts), line("法律依据", document.legal_basis)]
    if document.demand:
        parts.append(line("整改要求", document.demand))
    if document.deadline:
        parts.append(line("整改期限", f"请于 {document.deadline:%Y年%m月%d日} 前整改完毕，逾期将依法复查处理"))
    if document.penalty_reference:
        parts.append(line("处罚决定书", document.penalty_reference))
    parts += [
        Spacer(1, 4 * mm),
        Paragraph(f"{escape(document.issuing_unit.name)}（盖章）", styles["sign"]),
        Paragraph(f"{issued:%Y年%m月%d日}", styles["sign"]),
        Paragraph("当事人签收：________________", body),
        Paragraph("执法人员：________________", body),
        Paragraph(f"签收日期：____年__月__日　（{escape(prefix(document.kind))}）", body),
    ]
    return parts


def document_pdf(viewer: User, document: EnforcementDocument, fmt: str = "a4") -> bytes:
    """The PDF; `fmt` is a4, 58 or 80 (receipts are one page as long as the text)."""
    if fmt not in FORMATS:
        raise DomainError("打印格式应为 a4、58 或 80", code="bad_format")
    font = register_font()
    width = FORMATS[fmt]
    margin = A4_MARGIN if fmt == "a4" else RECEIPT_MARGIN
    parts = _flowables(viewer, document, _styles(font, width))
    if fmt == "a4":
        size = A4
    else:  # one long page: the height the text needs at this width, so the printer cuts once
        inner = width - 2 * margin - 2 * FRAME_PADDING
        needed = sum(part.wrap(inner, 10_000)[1] for part in parts)
        size = (width, needed + 2 * (margin + FRAME_PADDING) + 8 * mm)
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(buffer, pagesize=size, leftMargin=margin, rightMargin=margin, topMargin=margin,
                            bottomMargin=margin, title=f"{TITLES[document.kind]} {document.full_number}")  # fmt: skip
    pdf.build(parts)
    return buffer.getvalue()
