"""Document numbers: per kind and year, without gaps (海综执提〔2026〕第 00017 号).

A number is taken under a row lock on the kind's sequence for the year, in the transaction that writes the
document: if the document is not written, the number is not taken either, and two officers issuing at once get
consecutive numbers. A cancelled document keeps its number (a gap in a register of legal documents must be
explained, so there is none).
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from xiuhua.ledgers.choices import DocumentKind
from xiuhua.ledgers.models import DocumentSequence

# The issuing authority's abbreviation and the document's, as printed: Haiyan's 综合行政执法局 by default.
DEFAULT_PREFIXES = {
    DocumentKind.REMINDER: "海综执提",
    DocumentKind.RECTIFY_BY: "海综执限改",
    DocumentKind.ORDER_TO_CORRECT: "海综执责改",
    DocumentKind.PENALTY: "海综执罚",
}


def prefix(kind: str) -> str:
    configured = getattr(settings, "XIUHUA_DOCUMENT_PREFIXES", {}) or {}
    return configured.get(kind) or DEFAULT_PREFIXES[kind]


def full_number(kind: str, year: int, number: int) -> str:
    return f"{prefix(kind)}〔{year}〕第 {number:05d} 号"


def _locked_sequence(kind: str, year: int) -> DocumentSequence:
    sequence = DocumentSequence.objects.select_for_update().filter(kind=kind, year=year).first()
    if sequence is not None:
        return sequence
    try:
        with transaction.atomic():  # the year's first document: another officer may be creating the row too
            DocumentSequence.objects.create(kind=kind, year=year)
    except IntegrityError:
        pass
    return DocumentSequence.objects.select_for_update().get(kind=kind, year=year)


def take_number(kind: str, year: int) -> tuple[int, str]:
    """The next number of the kind and year, and its printed form; call inside the document's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_number must run inside the transaction that writes the document")
    sequence = _locked_sequence(kind, year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number, full_number(kind, year, sequence.last_number)
