"""The 案卷审批表 PDF: one page with the case's facts, photos, timeline and signatures; scoped; contacts per the
privacy rule."""

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from xiuhua.accounts.models import User
from xiuhua.web.tests.test_public import reported
from xiuhua.web.tests.test_shell import signed_in

pytestmark = pytest.mark.django_db

PHONE = "13857312345"


def pdf_of(username: str, number: str) -> PdfReader:
    response = signed_in(username).get(f"/cases/{number}/form.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def text_of(reader: PdfReader) -> str:
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "")


def test_a_closed_case_prints_on_one_page_with_its_facts_photos_timeline_and_signatures(loop, spot):
    case = reported(Client(), spot)
    loop.close(case)

    reader = pdf_of("shift_leader", case.number)

    assert len(reader.pages) == 1
    text = text_of(reader)
    assert case.number in text and "数字城管案卷审批表" in text
    for words in (
        "问题描述",
        "小区门口垃圾堆了好几天",
        "现场照片",
        "办理过程",
        "审批签字",
        "受理",
        "派遣",
        "处置",
        "核查",
        "结案",
    ):
        assert words in text, words
    # Photos on both sides (the citizen's, the department's and the check's; the test photos are one image, which
    # the PDF embeds once).
    assert "无照片" not in text and len(reader.pages[0].images) == 1


def test_a_case_with_a_long_history_still_prints_on_one_page(loop):
    case = loop.to_dispatched()
    for n in range(25):
        loop.act(
            case, "urge", loop.p.leader, note=f"第 {n + 1} 次督办：请尽快到现场核实整改情况，并在今天下班前回复处置结果"
        )

    reader = pdf_of("dispatcher", case.number)

    assert len(reader.pages) == 1 and case.number in text_of(reader)


def test_the_reporters_phone_is_printed_in_full_for_the_centre_and_masked_for_the_department(loop, spot):
    case = reported(Client(), spot)
    loop.close(case)

    assert PHONE in text_of(pdf_of("operator", case.number))
    department = text_of(pdf_of("dept_zhifa", case.number))
    assert PHONE not in department and "138****2345" in department


def test_a_case_outside_the_users_scope_does_not_print(loop):
    case = loop.to_dispatched()
    outsider = User.objects.filter(role="department").exclude(department=loop.p.zhifa.department).first()
    client = Client()
    client.force_login(outsider)

    assert client.get(f"/cases/{case.number}/form.pdf").status_code == 404


def test_the_case_page_links_to_its_printable_form(loop):
    case = loop.to_dispatched()

    page = signed_in("dispatcher").get(f"/cases/{case.number}/").content.decode()

    assert f'href="/cases/{case.number}/form.pdf"' in page and "打印案卷审批表" in page
