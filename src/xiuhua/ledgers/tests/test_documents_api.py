# ruff: noqa: F811 (pytest fixtures imported from the cases tests and documents_fixtures)
"""Documents, re-inspections and inspections through /api/v1/ledgers/: the officer's and the inspector's phone."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from xiuhua.cases.models import Case
from xiuhua.cases.tests.conftest import as_user, media_in_tmp, people, photo  # noqa: F401
from xiuhua.ledgers.choices import DocumentKind, LedgerKind
from xiuhua.ledgers.documents import local_day
from xiuhua.ledgers.models import DocumentSequence, EnforcementDocument, Inspection, LedgerPhoto
from xiuhua.ledgers.tests.documents_fixtures import (  # noqa: F401
    OUTSIDE_TRADE,
    archive_fixture,
    other_inspector,
    outside_trade,
)

pytestmark = pytest.mark.django_db


def body(archive, **fields) -> dict:
    draft = outside_trade(archive, **fields)
    values = {name: getattr(draft, name) for name in ("subject_id", "class_code", "facts", "legal_basis", "demand")}
    return values | {"ledger": "shop", "record_id": archive.shop.pk} | fields


def test_a_second_outside_trade_matter_issues_a_notice_and_its_reinspection_reaches_the_inspector_on_the_day(
    archive, as_user
):
    inspector = as_user("inspector")
    first = inspector.post_json("/ledgers/documents", body(archive))
    assert first.status_code == 201, first.content
    assert first.json()["kind"] == DocumentKind.REMINDER
    second = inspector.post_json("/ledgers/documents", body(archive))
    notice = second.json()
    deadline = (local_day(timezone.now()) + timedelta(days=3)).isoformat()
    assert (notice["kind"], notice["deadline"]) == ("rectify_by", deadline)
    assert notice["number"].startswith("海综执限改〔")
    assert inspector.get("/ledgers/inspections/due").json() == []
    [task] = inspector.get("/ledgers/inspections/due", day=deadline).json()
    assert (task["document_id"], task["due_on"], task["ledger"]) == (notice["id"], deadline, "shop")


def test_a_failed_reinspection_through_the_api_issues_an_order_to_correct(archive, as_user):
    inspector = as_user("inspector")
    notice = inspector.post_json("/ledgers/documents", body(archive, kind="rectify_by")).json()
    task = Inspection.objects.get(document_id=notice["id"])
    answer = inspector.post_form(f"/ledgers/inspections/{task.pk}/result", {"passed": "false", "note": "桌椅仍在",
                                                                           "photos": [photo("after.jpg")]})  # fmt: skip
    assert answer.status_code == 200, answer.content
    order = answer.json()["next_document"]
    assert (order["kind"], order["previous_id"]) == ("order_to_correct", notice["id"])
    assert inspector.get(f"/ledgers/documents/{notice['id']}").json()["status"] == "failed"
    assert LedgerPhoto.objects.filter(ledger=LedgerKind.SHOP, record_id=archive.shop.pk, stage="after").count() == 1
    again = inspector.post_json(f"/ledgers/inspections/{task.pk}/result", {"passed": True})
    assert (again.status_code, again.json()["code"]) == (400, "reinspection_done")


def test_a_passed_reinspection_closes_the_notice(archive, as_user):
    inspector = as_user("inspector")
    notice = inspector.post_json("/ledgers/documents", body(archive, kind="rectify_by")).json()
    task = Inspection.objects.get(document_id=notice["id"])
    answer = inspector.post_json(f"/ledgers/inspections/{task.pk}/result", {"passed": True})
    assert answer.json()["next_document"] is None
    closed = inspector.get(f"/ledgers/documents/{notice['id']}").json()
    assert closed["status"] == "passed" and closed["closed_at"]


@pytest.mark.parametrize(
    "change,message",
    [
        ({"legal_representative": ""}, "法定代表人"),
        ({"address": " "}, "地址"),
    ],
)
def test_a_document_for_a_party_without_a_field_it_must_print_is_refused_and_nothing_is_written(
    archive, as_user, change, message
):
    for name, value in change.items():
        setattr(archive.company, name, value)
    archive.company.save()
    answer = as_user("inspector").post_json("/ledgers/documents", body(archive, kind="rectify_by"))
    assert answer.status_code == 400 and message in answer.json()["detail"]
    assert answer.json()["code"] == "party_incomplete"
    assert not EnforcementDocument.objects.exists() and not Inspection.objects.exists()
    assert not DocumentSequence.objects.filter(last_number__gt=0).exists()


def test_a_deadline_today_or_missing_demand_is_refused(archive, as_user):
    inspector = as_user("inspector")
    today = local_day(timezone.now()).isoformat()
    late = inspector.post_json("/ledgers/documents", body(archive, kind="rectify_by", deadline=today))
    assert (late.status_code, late.json()["code"]) == (400, "deadline_past")
    vague = inspector.post_json("/ledgers/documents", body(archive, kind="order_to_correct", demand=""))
    assert (vague.status_code, vague.json()["detail"]) == (400, "文书缺少：整改要求")
    assert not EnforcementDocument.objects.exists()


def test_numbers_are_unique_and_gapless_per_kind_and_year_around_refusals_and_cancellations(archive, as_user):
    inspector = as_user("inspector")
    numbers = []
    for n in range(5):
        if n == 2:  # refused after the ladder chose the kind: must not take a number
            assert (
                inspector.post_json("/ledgers/documents", body(archive, kind="reminder", facts="")).status_code == 400
            )
        numbers.append(inspector.post_json("/ledgers/documents", body(archive, kind="reminder")).json())
    cancelled = inspector.post_json(f"/ledgers/documents/{numbers[1]['id']}/cancel", {"reason": "当事人信息有误"})
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["number"] == numbers[1]["number"]
    numbers.append(inspector.post_json("/ledgers/documents", body(archive, kind="reminder")).json())
    year = local_day(timezone.now()).year
    stored = list(EnforcementDocument.objects.filter(kind="reminder", year=year).values_list("number", flat=True))
    assert sorted(stored) == [1, 2, 3, 4, 5, 6]
    assert len({d["number"] for d in numbers}) == 6
    notice = inspector.post_json("/ledgers/documents", body(archive, kind="rectify_by")).json()
    assert notice["number"] == f"海综执限改〔{year}〕第 00001 号"


def test_a_department_that_does_not_keep_the_shops_ledger_cannot_issue_for_a_shop(archive, as_user, people):
    people.zhujian.scope_division_codes = [archive.district.code]
    people.zhujian.save()
    answer = as_user("dept_zhujian").post_json("/ledgers/documents", body(archive, kind="reminder"))
    assert answer.status_code == 403 and answer.json()["detail"] == "无权查看该类台账"
    assert as_user("leader").post_json("/ledgers/documents", body(archive)).status_code == 403  # not an officer
    assert not EnforcementDocument.objects.exists()
    issued = as_user("dept_zhifa").post_json("/ledgers/documents", body(archive, kind="reminder"))
    assert issued.status_code == 201, issued.content
    assert as_user("dept_zhujian").get(f"/ledgers/documents/{issued.json()['id']}").status_code == 404


def test_delivery_is_recorded_with_method_time_and_photo_once(archive, as_user):
    inspector = as_user("inspector")
    notice = inspector.post_json("/ledgers/documents", body(archive, kind="rectify_by")).json()
    path = f"/ledgers/documents/{notice['id']}/delivery"
    answer = inspector.post_form(path, {"method": "left", "note": "当事人拒签，留置送达", "photo": [photo("door.jpg")]})
    assert answer.status_code == 200, answer.content
    assert (answer.json()["status"], answer.json()["delivery_method"]) == ("delivered", "left")
    assert EnforcementDocument.objects.get(pk=notice["id"]).delivery_photo.name.endswith(".jpg")
    twice = inspector.post_json(path, {"method": "in_person"})
    assert (twice.status_code, twice.json()["code"]) == (400, "not_issued")
    bad = inspector.post_json(f"/ledgers/documents/{notice['id']}/cancel", {"reason": ""})
    assert bad.status_code == 400


@pytest.mark.parametrize("fmt,width", [("a4", 595), ("58", 164), ("80", 227)])
def test_the_pdf_downloads_in_each_format(archive, as_user, fmt, width):
    inspector = as_user("inspector")
    notice = inspector.post_json("/ledgers/documents", body(archive, kind="rectify_by")).json()
    answer = inspector.get(f"/ledgers/documents/{notice['id']}/pdf", format=fmt)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    [page] = PdfReader(io.BytesIO(answer.content)).pages
    assert round(float(page.mediabox.width)) == width
    assert inspector.get(f"/ledgers/documents/{notice['id']}/pdf", format="a5").status_code == 422


def test_an_inspection_with_a_failed_item_raises_a_case_at_the_shop_in_one_tap(archive, as_user):
    inspector = as_user("inspector")
    checklist = {item["key"]: True for item in inspector.get("/ledgers/checklists/shop", restaurant=True).json()}
    assert "fume_purifier" in checklist
    checklist["no_outside_trade"] = False
    answer = inspector.post_form("/ledgers/inspections", {"ledger": "shop", "record_id": archive.shop.pk,
                                                          "checklist": json.dumps(checklist)})  # fmt: skip
    assert answer.status_code == 201, answer.content
    inspection = answer.json()
    assert inspection["result"] == "failed"
    not_failed = inspector.post_form(f"/ledgers/inspections/{inspection['id']}/case",
                                     {"failed_item": "frontage_clean", "photos": [photo()]})  # fmt: skip
    assert (not_failed.status_code, not_failed.json()["code"]) == (400, "item_not_failed")
    raised = inspector.post_form(f"/ledgers/inspections/{inspection['id']}/case",
                                 {"failed_item": "no_outside_trade", "photos": [photo()]})  # fmt: skip
    assert raised.status_code == 201, raised.content
    case = Case.objects.get(number=raised.json()["case_number"])
    assert (case.case_class.code, case.grid_code, case.source) == (OUTSIDE_TRADE, archive.shop.grid_code, "inspector")
    assert Inspection.objects.get(pk=inspection["id"]).case == case


def test_an_incomplete_checklist_is_refused(archive, as_user):
    answer = as_user("inspector").post_json(
        "/ledgers/inspections", {"ledger": "shop", "record_id": archive.shop.pk, "checklist": {"frontage_clean": True}}
    )
    assert answer.status_code == 400 and answer.json()["code"] == "checklist_incomplete"
    assert not Inspection.objects.exists()


def test_a_failed_order_to_correct_refers_to_a_penalty_whose_decision_number_is_recorded_once(archive, as_user):
    inspector = as_user("inspector")
    order = inspector.post_json("/ledgers/documents", body(archive, kind="order_to_correct")).json()
    task = Inspection.objects.get(document_id=order["id"])
    penalty = inspector.post_json(f"/ledgers/inspections/{task.pk}/result", {"passed": False}).json()["next_document"]
    assert (penalty["kind"], penalty["deadline"], penalty["penalty_reference"]) == ("penalty", None, "")
    assert not Inspection.objects.filter(document_id=penalty["id"]).exists()
    path = f"/ledgers/documents/{penalty['id']}/penalty"
    decided = inspector.post_json(path, {"reference": "海综执罚决字〔2026〕第 3 号"})
    assert decided.status_code == 200 and decided.json()["penalty_reference"] == "海综执罚决字〔2026〕第 3 号"
    assert inspector.post_json(path, {"reference": "另一个"}).json()["code"] == "already_decided"
    not_penalty = inspector.post_json(f"/ledgers/documents/{order['id']}/penalty", {"reference": "x"})
    assert (not_penalty.status_code, not_penalty.json()["code"]) == (400, "not_penalty")


def test_an_inspector_of_another_beat_can_neither_inspect_the_shop_nor_reinspect_its_notice(archive, as_user):
    notice = as_user("inspector").post_json("/ledgers/documents", body(archive, kind="rectify_by")).json()
    stranger = as_user(other_inspector(archive).username)
    keys = ("frontage_clean", "frontage_order", "frontage_green", "no_outside_trade", "fume_purifier")
    visit = {"ledger": "shop", "record_id": archive.shop.pk, "checklist": dict.fromkeys(keys, True)}
    inspected = stranger.post_json("/ledgers/inspections", visit)
    assert inspected.status_code == 404
    task = Inspection.objects.get(document_id=notice["id"])
    assert stranger.post_json(f"/ledgers/inspections/{task.pk}/result", {"passed": True}).status_code == 404
    assert stranger.get(f"/ledgers/documents/{notice['id']}").status_code == 404
    assert stranger.get("/ledgers/inspections/due", day=notice["deadline"]).json() == []
    assert Inspection.objects.filter(inspected_at__isnull=False).count() == 0


def test_the_document_list_reads_the_parties_places_once_a_page_not_once_a_document(archive, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inspector = as_user("inspector")
    officer = as_user("dept_zhifa")

    def listed() -> tuple[int, list[dict]]:
        with CaptureQueriesContext(connection) as queries:
            answer = officer.get("/ledgers/documents")
        assert answer.status_code == 200, answer.content
        return len(queries.captured_queries), answer.json()

    assert inspector.post_json("/ledgers/documents", body(archive)).status_code == 201
    listed()  # warm: the token check and reference data are read once
    one, first = listed()
    for _ in range(3):
        assert inspector.post_json("/ledgers/documents", body(archive, kind="reminder")).status_code == 201
    four, rows = listed()
    assert (len(first), len(rows)) == (1, 4)
    assert four == one
    assert {row["subject_name"] for row in rows} == {"海盐县好味道餐饮有限公司"}
