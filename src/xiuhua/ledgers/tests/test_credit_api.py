"""The credit and 门前三包 API: what keepers record and decide, what the lists and the export show, reminders."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from xiuhua.core.models import AuditEntry
from xiuhua.ledgers.models import CreditEvent, Shop
from xiuhua.ledgers.tests.credit_fixtures import DISTRICT, company, person, shop_keeper, shops
from xiuhua.notify.models import Message

pytestmark = pytest.mark.django_db
AUTHORITY = "海盐县综合行政执法局"


def event_body(subject, n: int = 1, kind: str = "penalty", ago: int = 10) -> dict:
    on = timezone.localdate() - timedelta(days=ago)
    return {
        "subject": subject.pk,
        "kind": kind,
        "occurred_on": on.isoformat(),
        "reason": f"处罚 {n}",
        "authority": AUTHORITY,
    }


def test_a_company_given_five_penalties_through_the_api_is_black_listed_with_the_five_reasons(as_user):
    shop_keeper()
    keeper, firm = as_user("dept_zhifa"), company()
    for n in range(1, 6):
        assert keeper.post_json("/ledgers/credit/events", event_body(firm, n, ago=n * 20)).status_code == 201
    standing = keeper.get(f"/ledgers/credit/subjects/{firm.pk}").json()
    assert (standing["score"], standing["level"], standing["black_list"]) == (50, "D", True)
    assert sorted(e["reason"] for e in standing["black_list_reasons"]) == [f"处罚 {n}" for n in range(1, 6)]
    lists = keeper.get("/ledgers/credit/lists", district=DISTRICT).json()
    assert [s["subject"]["name"] for s in lists["black"]] == [firm.name] and lists["red"] == []


def test_an_objection_upheld_through_the_api_withdraws_the_event_and_an_old_one_is_repaired(as_user):
    shop_keeper()
    keeper, firm = as_user("dept_zhifa"), company()
    recent = keeper.post_json("/ledgers/credit/events", event_body(firm, 1)).json()
    old = keeper.post_json("/ledgers/credit/events", event_body(firm, 2, ago=200)).json()
    assert keeper.post_json(f"/ledgers/credit/events/{recent['id']}/objection", {"text": "认定有误"}).status_code == 200
    decided = keeper.post_json(f"/ledgers/credit/events/{recent['id']}/decision", {"upheld": True, "decision": "成立"})
    assert decided.json()["status"] == "withdrawn"
    repaired = keeper.post_json(f"/ledgers/credit/events/{old['id']}/repair", {"decision": "已整改，准予修复"})
    assert repaired.json()["status"] == "repaired"
    standing = keeper.get(f"/ledgers/credit/subjects/{firm.pk}").json()
    assert standing["score"] == 100 and standing["events"] == []
    assert {e["status"] for e in standing["history"]} == {"withdrawn", "repaired"}  # kept on record
    again = keeper.post_json(f"/ledgers/credit/events/{old['id']}/repair", {"decision": "再修复"})
    assert again.status_code == 400 and again.json()["code"] == "bad_status"


def test_bad_credit_events_are_refused_in_chinese_and_nothing_is_written(as_user):
    shop_keeper()
    keeper, firm = as_user("dept_zhifa"), company()
    wrong_kind = keeper.post_json("/ledgers/credit/events", {**event_body(firm), "kind": "fine"})
    assert wrong_kind.status_code == 400 and "信用事项类别不正确" in wrong_kind.json()["detail"]
    future = keeper.post_json("/ledgers/credit/events", event_body(firm, ago=-3))
    assert future.status_code == 400 and "不能晚于今天" in future.json()["detail"]
    outsider = as_user("operator").post_json("/ledgers/credit/events", event_body(firm))
    assert outsider.status_code in (403, 404)
    assert not CreditEvent.objects.exists()


def test_the_export_masks_persons_and_identity_numbers_and_is_for_keepers_only(as_user):
    shop_keeper()
    keeper, firm, someone = as_user("dept_zhifa"), company(), person()
    keeper.post_json("/ledgers/credit/events", event_body(firm, 1))
    keeper.post_json("/ledgers/credit/events", event_body(someone, 2))
    response = keeper.get("/ledgers/credit/export", district=DISTRICT, format="csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["统一社会信用代码或证件号码", "名称", "决定/事项", "日期", "决定机关", "分值", "状态"]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {firm.name, "张**"}
    assert by_name["张**"][0] == "**************1234" and by_name[firm.name][0].endswith(firm.id_last4)
    assert by_name[firm.name][4] == AUTHORITY and by_name[firm.name][5] == "-10"
    assert AuditEntry.objects.filter(action="privacy.personal_data_exported", target="ledgers.credit_list").exists()
    xlsx = keeper.get("/ledgers/credit/export", district=DISTRICT, format="xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = keeper.get("/ledgers/credit/export", district=DISTRICT, format="pdf")
    assert pdf.status_code == 400 and "不支持的格式" in pdf.json()["detail"]
    assert as_user("operator").get("/ledgers/credit/export", district=DISTRICT).status_code in (403, 404)


def test_duty_rates_through_the_api(as_user):
    shop_keeper()
    Shop.objects.bulk_create(
        shops(3, lng=120.9, lat=30.5, prefix="A", duty_letter_signed_on=timezone.localdate())
        + shops(1, lng=120.9, lat=30.5, prefix="B")
    )
    body = as_user("dept_zhifa").get("/ledgers/frontage/rates", district=DISTRICT).json()
    assert body["total"] == {**body["total"], "shops": 4, "signed": 3, "rate": 75.0}


def test_a_keeper_drafts_previews_confirms_and_reads_a_reminder_run_and_others_may_not(as_user):
    shop_keeper()
    rows = shops(4, lng=120.9, lat=30.5, road="武原大街")
    for i, shop in enumerate(rows):
        shop.contact_phone = f"1390000000{i}" if i < 3 else "88886666"
    Shop.objects.bulk_create(rows)
    assert as_user("shift_leader").post_json("/ledgers/reminders", {"road": "武原大街"}).status_code == 403
    keeper = as_user("dept_zhifa")
    drafted = keeper.post_json(
        "/ledgers/reminders", {"road": "武原大街", "text": "{{ name }}：请保持{{ road }}门前整洁"}
    )
    assert drafted.status_code == 201, drafted.content
    body = drafted.json()
    assert body["counts"] == {"queued": 3, "no_phone": 1, "already_reminded": 0}
    assert body["preview"][0] == "商铺S0：请保持武原大街门前整洁" and body["no_phone"][0]["code"] == "S000003"
    confirmed = keeper.post_json(f"/ledgers/reminders/{body['batch']}/confirm").json()
    assert confirmed["counts"] == {"queued": 3, "no_phone": 1, "already_reminded": 0}
    assert Message.objects.count() == 3
    assert {r["phone"] for r in confirmed["shops"]} == {
        "139****0000",
        "139****0001",
        "139****0002",
        "888*6666",
    }
    second = keeper.post_json("/ledgers/reminders", {"grid": rows[0].grid_code}).json()
    assert second["batch"] is None and second["counts"]["already_reminded"] == 3
    both = keeper.post_json("/ledgers/reminders", {"road": "武原大街", "grid": rows[0].grid_code})
    assert both.status_code == 400 and "只选一项" in both.json()["detail"]
