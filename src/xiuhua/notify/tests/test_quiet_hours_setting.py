"""A malformed XIUHUA_MESSAGE_QUIET_HOURS is reported by a system check, in Chinese, and never fails the action
that queues a message: until it is corrected there are no quiet hours."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks

from xiuhua.cases.tests.conftest import sh
from xiuhua.notify import outbox, pacing
from xiuhua.notify.checks import check_quiet_hours
from xiuhua.notify.models import MessageStatus
from xiuhua.notify.outbox import Draft


@pytest.mark.parametrize("value", ["21:00~08:00", "21-08-09", "25:00-08:00", "晚上九点到早上八点"])
def test_a_malformed_quiet_hours_setting_is_a_system_check_error_in_chinese(settings, value):
    settings.XIUHUA_MESSAGE_QUIET_HOURS = value
    [error] = check_quiet_hours()
    assert error.id == "xiuhua.notify.E001" and "免打扰时段" in error.msg and "21:00-08:00" in error.hint
    assert "xiuhua.notify.E001" in {message.id for message in run_checks()}


@pytest.mark.parametrize("value", ["21:00-08:00", " 22:30 - 07:00 ", ""])
def test_a_well_formed_or_empty_quiet_hours_setting_passes_the_check(settings, value):
    settings.XIUHUA_MESSAGE_QUIET_HOURS = value
    assert check_quiet_hours() == []


@pytest.mark.django_db
def test_with_a_malformed_setting_a_citizen_sms_at_night_is_queued_at_once_not_refused(settings, caplog):
    settings.XIUHUA_MESSAGE_QUIET_HOURS = "21:00~08:00"
    pacing._quiet_window.cache_clear()  # it logs once per value: make this test see it
    draft = Draft(channel="sms", kind="citizen_receipt", text="您反映的问题已受理", address="13900001111")
    message = outbox.queue(draft, now=sh(2026, 11, 2, 22, 30))
    assert message.status == MessageStatus.QUEUED and message.not_before is None
    assert "XIUHUA_MESSAGE_QUIET_HOURS" in caplog.text
