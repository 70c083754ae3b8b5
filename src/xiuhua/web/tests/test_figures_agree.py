"""One data set, every surface: the dashboard, the big screen, the department workbench, the case list behind each
figure, the map legend, the monthly report and the evaluation show the same live figures (`cases.live`)."""

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from xiuhua.cases.models import Case
from xiuhua.cases.tests.conftest import photo
from xiuhua.cases.timers import sweep
from xiuhua.evaluation.periods import parse_period
from xiuhua.evaluation.services import evaluate
from xiuhua.reports.monthly import build_monthly
from xiuhua.worktime.clock import SHANGHAI

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=settings.DEMO_PASSWORD)
    return client


@pytest.fixture
def city(loop, people, settings):
    """Two cases overdue now (zhifa, dispatched 30 days ago), one due soon (zhujian), one handled on time and one
    handled late (zhifa), one in time, one waiting at a centre step past its limit, and a citizen report."""
    settings.XIUHUA_OVERVIEW_CACHE_SECONDS = 0
    settings.XIUHUA_REPORT_CACHE_SECONDS = 0
    now = timezone.now()
    month_ago = now - timedelta(days=30)
    cases = {
        "overdue_1": loop.to_dispatched(now=month_ago),
        "overdue_2": loop.to_dispatched(now=month_ago),
        "due_soon": loop.to_dispatched(department="zhujian"),
        "on_time": loop.to_handled(),
        "in_time": loop.to_dispatched(),
        "centre_late": loop.to_registered(now=now - timedelta(days=3)),
        "citizen": loop.report(source="citizen"),
    }
    late = loop.to_dispatched(now=month_ago)
    loop.act(late, "handle", people.zhifa)
    cases["handled_late"] = loop.act(late, "report_back", people.zhifa, files=[photo("after.jpg")], note="已清运")
    # The 80 % point of a working-day limit is hard to hit from a test: put the warning time of this case in the past.
    Case.objects.filter(pk=cases["due_soon"].pk).update(handling_warning_at=now - timedelta(minutes=5))
    sweep()  # the timers mark the overdue ones (the evaluation reads that mark)
    return cases


def count_of(client: Client, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    return page.context["table"].page.paginator.count


def test_every_surface_shows_the_same_figures(city, people):
    leader = signed_in("leader")

    # Dashboard (its figures endpoint) and big screen.
    board = leader.get("/dashboard/figures/?view=dashboard")
    o = board.context["o"]
    assert (o.overdue_now, o.due_soon_now, o.handled_month, o.handled_on_time_month) == (2, 1, 2, 1)
    assert o.on_time_rate == pytest.approx(1 / 4)  # 1 on time ÷ (2 handled + 2 overdue now)
    html = board.content.decode()
    assert re.search(r'data-testid="overdue-now" href="[^"]*">2<', html)
    assert re.search(r'data-testid="due-soon" href="[^"]*">1<', html)
    screen = leader.get("/screen/").context["o"]
    assert (screen.overdue_now, screen.due_soon_now, screen.on_time_rate) == (2, 1, o.on_time_rate)
    channels = {source: n for source, _label, n in o.channels_month}

    # Every count on the dashboard leads to a case list of exactly that many cases.
    links = board.context["links"]
    for period, counts in (("today", o.today), ("month", o.month)):
        for figure in ("reported", "registered", "dispatched", "closed", "overdue"):
            assert count_of(leader, links[period][figure]) == getattr(counts, figure), (period, figure)
    assert count_of(leader, links["open"]) == o.open_cases
    assert count_of(leader, links["overdue_now"]) == 2
    assert count_of(leader, links["due_soon"]) == 1
    assert count_of(leader, links["handled"]) == o.handled_month
    assert count_of(leader, links["handled_on_time"]) == o.handled_on_time_month
    for source, url in links["channels"].items():
        assert count_of(leader, url) == channels[source], source
    for grid in o.top_grids:
        assert count_of(leader, links["grids"][grid.code]) == grid.count
    for status, n in o.open_by_status:
        assert count_of(leader, links["statuses"][status]) == n

    # The department workbench: its figures, its overdue tab, and the lists behind them.
    zhifa = signed_in("dept_zhifa")
    figures = zhifa.get("/department/figures/")
    month = figures.context["figures"]
    assert (month.handled, month.handled_on_time, month.overdue_open) == (2, 1, 2)
    assert month.on_time_rate == o.on_time_rate  # every handled and overdue case is zhifa's
    assert "25%" in figures.content.decode()
    tabs = {v["name"]: v["count"] for v in zhifa.get("/department/").context["views"]}
    assert tabs["overdue"] == 2
    for name, url in figures.context["links"].items():
        assert count_of(zhifa, url) == getattr(month, name), name

    # The map legend: red is overdue now, yellow due soon; the centre step past its limit is apart.
    points = json.loads(leader.get("/map/cases.geojson").content)["features"]
    lights = [feature["properties"]["l"] for feature in points]
    assert (lights.count("red"), lights.count("yellow"), lights.count("late")) == (2, 1, 1)

    # The monthly report of this month.
    today = timezone.now().astimezone(SHANGHAI).date()
    report = build_monthly(people.leader, parse_period(f"{today:%Y-%m}"))
    totals = report["totals"]
    assert (totals["handled"], totals["handled_on_time"], totals["open_overdue"]) == (2, 1, 2)
    assert totals["on_time_rate"] == pytest.approx(o.on_time_rate, abs=1e-4)
    assert report["overdue"]["open_overdue"] == 2
    assert {row["source"]: row["count"] for row in totals["by_source"]} == channels
    assert report["hotline"]["cases_from_12345"] == channels["hotline_12345"]

    # The evaluation over the days of the data set: the same handled, on-time and overdue counts for zhifa.
    first = (timezone.now() - timedelta(days=31)).astimezone(SHANGHAI).date()
    rows = {row.key: row for row in evaluate("department", parse_period(f"{first}..{today}")).rows}
    values = rows[str(people.zhifa.department_id)].values
    assert (values["handled"], values["handled_on_time"], values["overdue_unhandled"]) == (2, 1, 2)


def test_the_dashboard_links_carry_the_filters_of_their_definition(city):
    links = signed_in("leader").get("/dashboard/").context["links"]

    assert urlsplit(links["overdue_now"]).query == "overdue=true"
    assert urlsplit(links["due_soon"]).query == "due_soon=true"
    assert "date_field=late" in links["month"]["overdue"] and "date_field=registered" in links["today"]["registered"]
