"""The patrol page (/patrol/): for the shift leader, commander and leaders; lists who is on duty in their scope."""

import pytest

from xiuhua.patrol import services
from xiuhua.patrol.tests.conftest import _one_reference_time_per_test, inspector, minutes_ago, signed_in  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_shift_leader_sees_who_is_on_duty(inspector):  # noqa: F811
    services.start_shift(inspector, minutes_ago(45))
    page = signed_in("shift_leader").get("/patrol/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="on-duty"' in html and "监督员" in html and "巡查轨迹" in html
    assert 'data-testid="on-duty-count">1<' in html


def test_the_patrol_page_is_refused_to_other_roles(demo_city):
    answer = signed_in("operator").get("/patrol/")
    assert answer.status_code == 403 and "值班长" in answer.content.decode()
