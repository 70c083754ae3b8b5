"""The public channel under abuse: the address counts whatever the client says, and the district has a ceiling."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xiuhua.cases.models import Case
from xiuhua.cases.worker import JOBS
from xiuhua.intake.channels.citizen.tests.test_citizen_channel import post_report, wechat_form
from xiuhua.intake.models import RateWindow
from xiuhua.intake.ratelimit import prune_rate_windows

pytestmark = pytest.mark.django_db


def test_a_new_x_client_id_does_not_reset_the_address_count(demo_city, spot, settings):
    settings.XIUHUA_CITIZEN_RATE = (2, 3600)
    client = Client(REMOTE_ADDR="10.9.9.9")
    assert post_report(client, wechat_form(spot), HTTP_X_CLIENT_ID="phone-1").status_code == 201
    assert post_report(client, wechat_form(spot), HTTP_X_CLIENT_ID="phone-2").status_code == 201
    refused = post_report(client, wechat_form(spot), HTTP_X_CLIENT_ID="phone-3")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert post_report(client, wechat_form(spot)).status_code == 429, "nor does leaving the header out"
    assert Case.objects.count() == 2


def test_the_district_ceiling_refuses_many_addresses_with_a_chinese_message(demo_city, spot, settings):
    settings.XIUHUA_ANON_REPORTS_PER_MINUTE = 3
    statuses = [post_report(Client(REMOTE_ADDR=f"10.0.0.{n}"), wechat_form(spot)).status_code for n in range(1, 5)]
    assert statuses == [201, 201, 201, 429]
    refused = post_report(Client(REMOTE_ADDR="10.0.0.99"), wechat_form(spot))
    assert refused.status_code == 429 and "全区市民上报已达每分钟 3 件的上限" in refused.json()["detail"]


def test_old_rate_windows_are_pruned_by_a_worker_job(db):
    now = timezone.now()
    RateWindow.objects.create(client="citizen:old", window_start=now - timedelta(days=2), count=5)
    RateWindow.objects.create(client="citizen:live", window_start=now - timedelta(minutes=30), count=1)
    assert "prune_rate_windows" in JOBS
    assert prune_rate_windows(now) == 1
    assert list(RateWindow.objects.values_list("client", flat=True)) == ["citizen:live"]
