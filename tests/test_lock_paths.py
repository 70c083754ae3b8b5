"""Every `select_for_update` in the code is reached through the API, the admin or the CLI.

SQLite ignores row locks, so a lock PostgreSQL refuses (FOR UPDATE on the nullable side of an outer join) is a 500
in production that only CI's PostgreSQL run can catch — and only if a test goes down that path. The last test keeps
the list below in step with the code: a new `select_for_update` without a test that reaches it fails the suite.
"""

import importlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from xiuhua.accounts.models import ApiKey, User
from xiuhua.cases.models import Case, CaseEvent, Timer
from xiuhua.cases.tests.conftest import as_user, media_in_tmp, spot  # noqa: F401
from xiuhua.intake.channels.hotline.models import WorkOrder

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[1] / "src" / "xiuhua"

# Where each lock is taken → the tests that reach it from outside (module path::test function).
LOCK_PATHS = {
    "cases/workflow.py": ["xiuhua.cases.tests.test_api_loop::test_a_case_goes_round_the_whole_loop_through_the_api"],
    "cases/public_text.py": [
        "xiuhua.intake.open311.tests.test_publication::test_the_operator_edits_the_public_text_and_the_edit_is_audited"
    ],
    "cases/timers.py": ["tests.test_lock_paths::test_a_due_timer_fires_once_through_the_sweep_command"],
    "accounts/services.py": [
        "xiuhua.accounts.tests.test_api_keys::test_a_revoked_key_no_longer_works",
        "tests.test_lock_paths::test_a_key_added_inactive_in_the_admin_is_revoked",
    ],
    "intake/channels/hotline/adapter.py": [
        "tests.test_lock_paths::test_an_order_without_a_class_becomes_a_case_when_transferred_through_the_api",
        "tests.test_lock_paths::test_transferring_an_order_twice_is_a_conflict_not_an_error",
    ],
    "patrol/services.py": [
        "xiuhua.patrol.tests.test_api::test_an_inspector_goes_on_duty_sends_points_and_goes_off_with_a_token"
    ],
    "intake/channels/alerts/adapter.py": [
        "xiuhua.intake.channels.alerts.tests.test_alerts_channel::test_repeats_within_the_window_fold_into_the_open_case"
    ],
    # Claiming messages: a real `xiuhua send_messages` process; a long SMS's part receipts: the channel sender the
    # command runs, against the local SMSC.
    "notify/outbox.py": [
        "xiuhua.notify.tests.test_worker_kill::test_a_worker_killed_mid_batch_and_restarted_sends_every_message_exactly_once",
        "xiuhua.notify.tests.test_sms::test_a_200_character_text_is_one_message_in_concatenated_parts_delivered_when_every_part_is",
    ],
    "notify/batches.py": [
        "xiuhua.notify.tests.test_batches::test_the_page_reads_an_upload_previews_it_masked_and_queues_it_on_confirmation",
        "xiuhua.notify.tests.test_batches::test_the_command_resumes_unfinished_batches",
    ],
    # Campaign writes: through the services here; the campaigns API's tests reach the same paths over HTTP.
    "campaigns/services.py": [
        "xiuhua.campaigns.tests.test_services::test_tasks_form_a_tree_without_cycles_and_unique_numbers"
    ],
    "campaigns/items.py": [
        "xiuhua.campaigns.tests.test_services::test_an_imported_619_item_list_with_558_resolved_by_30_june_is_90_1_percent_and_met"
    ],
    "campaigns/entries.py": [
        "xiuhua.campaigns.tests.test_services::test_a_partner_unit_enters_counts_only_on_its_own_tasks_and_the_lead_unit_reviews_them"
    ],
    "notify/resends.py": [
        "xiuhua.notify.tests.test_outbox_page::test_resending_a_failed_message_queues_a_new_one_and_is_audited",
        "xiuhua.notify.tests.test_outbox_page::test_only_a_failed_message_can_be_resent_through_the_api",
    ],
    "campaigns/reporting.py": [
        "xiuhua.campaigns.tests.test_api_reports::test_a_returned_report_can_be_sent_again_but_a_pending_one_cannot",
        "xiuhua.campaigns.tests.test_api_reports::test_a_partner_unit_submits_a_monthly_report_and_the_lead_unit_accepts_it",
    ],
    "campaigns/review.py": [
        "xiuhua.campaigns.tests.test_api_review::test_continuing_copies_phases_tasks_targets_and_rules_into_next_year_without_the_records",
    ],
    # The worker's job, and `xiuhua campaign_supervision` by hand.
    # Numbers are taken when the documents API issues (and a failed re-inspection issues the next step).
    "ledgers/numbering.py": [
        "xiuhua.ledgers.tests.test_identity_and_numbers::test_numbers_run_per_kind_and_year_and_a_rolled_back_document_takes_none",
        "xiuhua.ledgers.tests.test_documents_api::test_numbers_are_unique_and_gapless_per_kind_and_year_around_refusals_and_cancellations",
    ],
    "ledgers/documents.py": [
        "xiuhua.ledgers.tests.test_documents_api::test_a_failed_reinspection_through_the_api_issues_an_order_to_correct",
        "xiuhua.ledgers.tests.test_documents_api::test_delivery_is_recorded_with_method_time_and_photo_once",
    ],
    "ledgers/inspections.py": [
        "xiuhua.ledgers.tests.test_documents_api::test_an_inspection_with_a_failed_item_raises_a_case_at_the_shop_in_one_tap"
    ],
    "campaigns/tallies.py": [
        "xiuhua.campaigns.tests.test_tallies::test_tagging_a_case_makes_the_campaigns_tallies_stale_until_the_worker_rebuilds_them",
        "xiuhua.campaigns.tests.test_tallies::test_the_command_recounts_every_tally_after_a_repair_outside_the_workflow",
    ],
    "ledgers/records.py": [
        "xiuhua.ledgers.tests.test_registry_records::test_the_change_history_keeps_the_phone_masked",
        "xiuhua.ledgers.tests.test_registry_records::test_photos_are_stored_with_their_stage_and_a_non_picture_is_refused",
    ],
    "ledgers/subjects.py": [
        "xiuhua.ledgers.tests.test_registry_parties::test_a_keeper_corrects_a_party_keeping_its_identity_and_may_not_take_another_partys_number"
    ],
    "campaigns/supervision.py": [
        "xiuhua.campaigns.tests.test_supervision::test_a_sub_district_behind_plan_gets_exactly_one_supervision_notice",
    ],
    # Objection, decision and repair of a credit event; confirming a reminder run (the district's row).
    "ledgers/credit.py": [
        "xiuhua.ledgers.tests.test_credit_api::test_an_objection_upheld_through_the_api_withdraws_the_event_and_an_old_one_is_repaired"
    ],
    "ledgers/reminders.py": [
        "xiuhua.ledgers.tests.test_credit_api::test_a_keeper_drafts_previews_confirms_and_reads_a_reminder_run_and_others_may_not"
    ],
}

ORDER_WITHOUT_CLASS = {
    "hotline": "12345",
    "order_number": "ZJ3304242612070042",
    "order_type": "complaint",
    "urgency": "normal",
    "content": "来电人反映城北路口有人占道经营，早晚高峰堵路。",
    "caller_name": "李女士",
    "caller_phone": "13905738765",
    "class_code": "",
    "received_at": "2026-12-07T09:12:00+08:00",
}


def await_class(as_user, spot):  # noqa: F811
    operator = as_user("operator")
    response = operator.post_json("/hotline/orders", {**ORDER_WITHOUT_CLASS, "lng": spot[0], "lat": spot[1]})
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "awaiting_class" and response.json()["case_number"] is None
    return operator, f"/hotline/orders/12345/{ORDER_WITHOUT_CLASS['order_number']}/transfer"


def test_an_order_without_a_class_becomes_a_case_when_transferred_through_the_api(as_user, spot):  # noqa: F811
    operator, transfer = await_class(as_user, spot)
    response = operator.post_json(transfer, {"class_code": "01001", "kind": "event"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "transferred" and body["case_status"] == "reported"
    case = Case.objects.get(number=body["case_number"])
    assert case.source == "hotline_12345" and case.case_class.code == "01001"
    assert WorkOrder.objects.get(order_number=ORDER_WITHOUT_CLASS["order_number"]).case == case


def test_transferring_an_order_twice_is_a_conflict_not_an_error(as_user, spot):  # noqa: F811
    operator, transfer = await_class(as_user, spot)
    first = operator.post_json(transfer, {"class_code": "01001", "kind": "event"})
    again = operator.post_json(transfer, {"class_code": "01001", "kind": "event"})
    assert (first.status_code, again.status_code) == (200, 409), again.content
    assert "无需再转办" in again.json()["detail"]
    assert Case.objects.count() == 1


def test_a_due_timer_fires_once_through_the_sweep_command(as_user, spot, capsys):  # noqa: F811
    response = as_user("operator").post_json(
        "/reports",
        {"class_code": "01001", "kind": "event", "description": "路面有暴露垃圾", "lng": spot[0], "lat": spot[1]},
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    # The accept stage's limit is half an hour away; move its timers into the past instead of waiting.
    Timer.objects.filter(case=case).update(due_at=timezone.now() - timedelta(minutes=1))
    call_command("sweep")
    call_command("sweep")
    assert "环节超时 1" in capsys.readouterr().out
    assert CaseEvent.objects.filter(case=case, action="mark_overdue").count() == 1


def test_a_key_added_inactive_in_the_admin_is_revoked(demo_city, client):
    client.force_login(User.objects.get(username="admin"))
    response = client.post("/admin/accounts/apikey/add/", {"name": "停用的网关"})  # the unticked box sends nothing
    assert response.status_code == 302, response.content.decode()[:500]
    assert ApiKey.objects.get(name="停用的网关").active is False


def _locks_in_src() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts:
            continue
        count = len(re.findall(r"\.select_for_update\(", path.read_text(encoding="utf-8")))
        if count:
            found[path.relative_to(SRC).as_posix()] = count
    return found


def test_every_select_for_update_in_the_code_is_reached_by_a_named_test():
    assert set(_locks_in_src()) == set(LOCK_PATHS), "a lock without a test through the API/CLI — add one here"
    for tests in LOCK_PATHS.values():
        for test in tests:
            module, function = test.split("::")
            assert callable(getattr(importlib.import_module(module), function, None)), test
