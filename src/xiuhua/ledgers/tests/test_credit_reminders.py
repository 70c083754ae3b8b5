"""门前三包 reminders by SMS: one per shop per day, shops without a usable number listed, pacing by the outbox."""

from __future__ import annotations

from datetime import datetime
from unittest import mock

import pytest

from xiuhua.core.errors import DomainError, NotFound, PermissionDenied
from xiuhua.ledgers import reminders
from xiuhua.ledgers.models import Shop
from xiuhua.ledgers.reminders import Selection
from xiuhua.ledgers.tests.credit_fixtures import shop_keeper, shops
from xiuhua.notify import batches
from xiuhua.notify.models import Message, MessageStatus
from xiuhua.worktime.clock import SHANGHAI

pytestmark = pytest.mark.django_db
ROAD = "武原大街"
# 2,298 without a usable mobile number: none at all, a landline, a number too short.
UNUSABLE = ["", "0573-86123456", "1381234"]


def zhanggong_shops(total: int = 9279, valid: int = 6981) -> None:
    rows = shops(total, lng=120.94, lat=30.52, road=ROAD)
    for i, shop in enumerate(rows):
        shop.contact_phone = f"139{i:08d}" if i < valid else UNUSABLE[i % len(UNUSABLE)]
    Shop.objects.bulk_create(rows, batch_size=2000)


def test_9279_shops_with_6981_valid_phones_queue_6981_and_a_second_run_the_same_day_queues_none(demo_city):
    keeper = shop_keeper()
    zhanggong_shops()
    batch, plan = reminders.draft_reminders(keeper, Selection(road=ROAD))
    assert plan.counts() == {"queued": 6981, "no_phone": 2298, "already_reminded": 0}
    assert Message.objects.count() == 0  # a draft queues nothing
    reminders.confirm_reminders(keeper, batch.pk)
    assert Message.objects.filter(batch=batch, status=MessageStatus.QUEUED).count() == 6981
    result = reminders.reminder_result(keeper, batch.pk)
    assert result["counts"] == {"queued": 6981, "no_phone": 2298, "already_reminded": 0}
    assert {r["phone"] for r in result["shops"] if r["outcome"] == "no_phone"} == {"", "057*****3456", "1381234"}

    again, second = reminders.draft_reminders(keeper, Selection(road=ROAD))
    assert again is None and second.counts() == {"queued": 0, "no_phone": 2298, "already_reminded": 6981}
    assert Message.objects.count() == 6981


def test_the_text_names_the_shop_and_its_road(demo_city):
    keeper = shop_keeper()
    zhanggong_shops(total=2, valid=2)
    batch, _plan = reminders.draft_reminders(keeper, Selection(grid=Shop.objects.first().grid_code),
                                             text="{{ name }}：请保持{{ road }}门前整洁")  # fmt: skip
    reminders.confirm_reminders(keeper, batch.pk)
    message = Message.objects.order_by("pk").first()
    assert "商铺S0：请保持武原大街门前整洁" in message.text
    assert message.variables["shop"] == Shop.objects.get(code="S000000").pk


def test_shops_reminded_after_a_run_was_drafted_are_left_out_when_it_is_confirmed(demo_city):
    keeper = shop_keeper()
    zhanggong_shops(total=3, valid=3)
    first, _ = reminders.draft_reminders(keeper, Selection(road=ROAD))
    second, _ = reminders.draft_reminders(keeper, Selection(road=ROAD))
    reminders.confirm_reminders(keeper, first.pk)
    with pytest.raises(DomainError, match="今天都已提醒过"):
        reminders.confirm_reminders(keeper, second.pk)
    assert Message.objects.count() == 3


def test_a_run_confirmed_in_quiet_hours_is_held_until_morning(demo_city, settings):
    settings.XIUHUA_MESSAGE_QUIET_HOURS = "21:00-08:00"
    keeper = shop_keeper()
    zhanggong_shops(total=1, valid=1)
    batch, _ = reminders.draft_reminders(keeper, Selection(road=ROAD))
    late = datetime(2026, 12, 7, 22, 30, tzinfo=SHANGHAI)
    with mock.patch("django.utils.timezone.now", return_value=late):
        reminders.confirm_reminders(keeper, batch.pk)
    message = Message.objects.get()
    assert message.not_before == datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI)


def test_only_keepers_of_the_shops_ledger_send_reminders(demo_city, people):
    zhanggong_shops(total=2, valid=2)
    with pytest.raises(PermissionDenied):
        reminders.draft_reminders(people.shift_leader, Selection(road=ROAD))
    with pytest.raises(PermissionDenied):
        reminders.draft_reminders(people.zhujian, Selection(road=ROAD))
    assert Message.objects.count() == 0


def test_a_shop_reminder_batch_uploaded_on_the_outbox_page_is_not_a_reminder_run(demo_city):
    keeper = shop_keeper()
    uploaded = batches.draft_batch(keeper, kind="shop_reminder", channel="sms", title="提醒", text="{{ name }}：请整洁",
                                   recipients=[batches.Recipient("老张面馆", "13800001111")])  # fmt: skip
    with pytest.raises(NotFound):
        reminders.confirm_reminders(keeper, uploaded.pk)
    assert Message.objects.count() == 0
