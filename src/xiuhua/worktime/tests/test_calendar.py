from datetime import date

import pytest

from xiuhua.worktime.models import DaySource, WorkDay, WorkWindow
from xiuhua.worktime.services import ensure_calendar, fallback_years, is_workday

pytestmark = pytest.mark.django_db


def test_calendar_is_seeded_for_every_year_chinese_calendar_knows():
    years = set(WorkDay.objects.filter(source=DaySource.OFFICIAL).dates("date", "year"))
    assert {d.year for d in years} == set(range(2004, 2027))
    assert WorkDay.objects.filter(date__year=2024).count() == 366


def test_national_day_is_a_holiday_and_its_make_up_saturday_a_workday():
    national_day = WorkDay.objects.get(date=date(2026, 10, 1))
    assert not national_day.is_workday
    assert national_day.holiday_name == "国庆节"
    assert is_workday(date(2026, 10, 10))  # a Saturday worked in exchange
    assert not is_workday(date(2026, 10, 7))


def test_a_year_the_library_does_not_know_falls_back_to_monday_to_friday():
    assert fallback_years() == [2027]
    assert is_workday(date(2027, 1, 4))  # Monday
    assert not is_workday(date(2027, 1, 9))  # Saturday
    assert WorkDay.objects.get(date=date(2027, 1, 4)).source == DaySource.FALLBACK


def test_seeding_again_keeps_days_entered_by_hand():
    WorkDay.objects.filter(date=date(2027, 2, 8)).update(is_workday=False, source=DaySource.MANUAL)
    ensure_calendar([2027, 2028])
    assert not WorkDay.objects.get(date=date(2027, 2, 8)).is_workday
    assert WorkDay.objects.filter(date__year=2028).count() == 366


def test_default_work_windows_are_morning_and_afternoon():
    windows = [(w.start.strftime("%H:%M"), w.end.strftime("%H:%M")) for w in WorkWindow.objects.all()]
    assert windows == [("08:30", "12:00"), ("13:30", "17:30")]


def test_admin_warns_while_a_year_is_on_the_fallback(admin_client):
    response = admin_client.get("/admin/worktime/workday/")
    assert response.status_code == 200
    assert "2027" in response.content.decode()


def test_confirming_a_fallback_year_in_the_admin_clears_the_warning(admin_client):
    WorkDay.objects.filter(date=date(2027, 2, 8)).update(is_workday=False, holiday_name="春节")
    day = WorkDay.objects.get(date=date(2027, 1, 4))
    response = admin_client.post(
        "/admin/worktime/workday/",
        {"action": "confirm_selected_years", "_selected_action": [day.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert fallback_years() == []
    assert not WorkDay.objects.get(date=date(2027, 2, 8)).is_workday
