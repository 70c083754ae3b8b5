"""Documents print as A4 and as one long receipt-width page for portable printers."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from xiuhua.cases.tests.conftest import media_in_tmp, people  # noqa: F401
from xiuhua.ledgers.choices import DocumentKind
from xiuhua.ledgers.document_pdf import document_pdf, party_as_seen
from xiuhua.ledgers.documents import issue_document
from xiuhua.ledgers.tests.documents_fixtures import archive_fixture, outside_trade  # noqa: F401

pytestmark = pytest.mark.django_db
MM = 72 / 25.4


def notice(archive):
    return issue_document(archive.people.inspector, outside_trade(archive, kind=DocumentKind.RECTIFY_BY))


def pages(data: bytes) -> list:
    assert data.startswith(b"%PDF")
    return PdfReader(io.BytesIO(data)).pages


def test_the_a4_document_is_one_a4_page_with_its_number_title_party_and_deadline(archive):
    document = notice(archive)
    [page] = pages(document_pdf(archive.people.inspector, document, "a4"))
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = page.extract_text()
    for expected in ("限期整改通知书", document.full_number.replace(" ", ""), "海盐县好味道餐饮有限公司", "整改期限"):
        assert expected in text.replace(" ", "")


@pytest.mark.parametrize("fmt,width_mm", [("58", 58), ("80", 80)])
def test_a_receipt_is_one_long_page_as_wide_as_the_paper_roll(archive, fmt, width_mm):
    [page] = pages(document_pdf(archive.people.inspector, notice(archive), fmt))
    assert round(float(page.mediabox.width) / MM) == width_mm
    assert float(page.mediabox.height) > float(page.mediabox.width)
    assert "限期整改通知书" in page.extract_text()


def test_a_person_is_printed_in_full_for_the_officer_and_masked_for_the_centre(archive):
    person = archive.person(phone="13900001111")
    at_the_shop = (archive.shop.KIND, archive.shop.grid_code)
    assert party_as_seen(archive.people.inspector, person, at_the_shop)["当事人"] == "李四"
    assert party_as_seen(archive.people.zhifa, person, at_the_shop)["联系电话"] == "13900001111"
    assert party_as_seen(archive.people.inspector, person)["当事人"] == "李*"  # no document place in their beat
    seen = party_as_seen(archive.people.leader, person, at_the_shop)
    assert (seen["当事人"], seen["联系电话"]) == ("李*", "139****1111")
