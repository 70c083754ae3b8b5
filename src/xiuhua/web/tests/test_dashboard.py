"""The leader dashboard and the big screen on the server side: who may open them, what they show, the poll."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.web.tests.test_shell import signed_in

pytestmark = pytest.mark.django_db

PAGES = ["/dashboard/", "/screen/", "/dashboard/figures/"]


@pytest.fixture(autouse=True)
def fresh_figures(settings):
    """Figures computed at each request (the shared cache is tested on its own below)."""
    cache.clear()
    settings.XIUHUA_OVERVIEW_CACHE_SECONDS = 0
    yield
    cache.clear()


@pytest.fixture
def commander(demo_city) -> Client:
    User.objects.create_user("commander", password=settings.DEMO_PASSWORD, role=Role.COMMANDER)
    return signed_in("commander")


@pytest.mark.parametrize("username", ["leader", "shift_leader", "dispatcher", "admin"])
@pytest.mark.parametrize("path", PAGES)
def test_leaders_and_the_command_centre_open_the_dashboard_and_screen(demo_city, username, path):
    assert signed_in(username).get(path).status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_a_commander_opens_them_too(commander, path):
    assert commander.get(path).status_code == 200


@pytest.mark.parametrize("username", ["dept_zhifa", "dept_wuyuan", "inspector", "operator"])
@pytest.mark.parametrize("path", PAGES)
def test_departments_inspectors_and_operators_are_refused_with_a_reason(demo_city, username, path):
    response = signed_in(username).get(path)

    assert response.status_code == 403
    assert User.objects.get(username=username).get_role_display() in response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(demo_city, path):
    response = Client().get(path)

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_leaders_and_commanders_start_at_the_dashboard(demo_city, commander):
    assert signed_in("leader").get("/")["Location"] == "/dashboard/"
    assert commander.get("/")["Location"] == "/dashboard/"


def test_the_command_centre_keeps_its_workbench_first_and_has_the_dashboard_in_the_menu(demo_city):
    client = signed_in("dispatcher")

    assert client.get("/")["Location"] != "/dashboard/"
    assert 'href="/dashboard/"' in client.get("/map/").content.decode()
    assert 'href="/dashboard/"' not in signed_in("operator").get("/map/").content.decode()


def test_the_dashboard_shows_todays_figures(loop, people):
    loop.report()
    loop.to_dispatched()

    page = signed_in("leader").get("/dashboard/")

    figures = page.context["o"]
    assert (figures.today.reported, figures.today.registered, figures.today.dispatched) == (2, 1, 1)
    html = page.content.decode()
    assert 'data-testid="counts-today"' in html and 'data-figure="reported">2<' in html
    assert 'id="chart-json"' in html and 'data-testid="trend-chart"' in html
    assert page.context["charts"]["trend"]["series"][0]["data"][-1] == 2


def test_the_poll_answers_every_figure_for_an_out_of_band_swap(loop):
    loop.report()

    html = signed_in("leader").get("/dashboard/figures/?view=screen").content.decode()

    for element in ("figure-counts", "figure-kpis", "figure-top-grids", "figure-as-of", "figure-chart-data"):
        assert f'id="{element}"' in html
    assert html.count('hx-swap-oob="true"') == 5
    assert "<html" not in html


def test_the_big_screen_has_no_shell_and_polls_every_minute(demo_city):
    html = signed_in("leader").get("/screen/").content.decode()

    assert 'class="big-screen"' in html and 'data-testid="screen"' in html
    assert 'id="app-menu"' not in html
    assert 'data-refresh-seconds="60"' in html and 'data-figures-url="/dashboard/figures/?view=screen"' in html


def test_each_open_status_has_its_own_colour_on_the_status_chart(loop, people):
    for _ in range(2):
        loop.report()
    loop.to_registered()
    loop.to_dispatched()

    statuses = signed_in("leader").get("/screen/").context["charts"]["statuses"]

    colours = [s["itemStyle"]["color"] for s in statuses]
    assert len(statuses) == 3 and len(set(colours)) == 3


def test_each_slice_and_class_bar_links_to_a_case_list_of_exactly_its_cases(loop, people):
    loop.report(class_code="01001")
    loop.report(class_code="01001")
    loop.to_registered(class_code="01002")
    loop.to_dispatched(class_code="01002")
    leader = signed_in("leader")

    for path in ("/dashboard/", "/screen/"):
        charts = leader.get(path).context["charts"]
        for status in charts["statuses"]:
            assert listed(leader, status["link"]) == status["value"], status["name"]
        classes = charts["classes"]
        assert len(classes["links"]) == len(classes["counts"]) == 2
        for link, count in zip(classes["links"], classes["counts"], strict=True):
            assert "class_code=" in link and listed(leader, link) == count
    assert sorted(charts["classes"]["counts"]) == [2, 2]


def listed(client: Client, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    return page.context["table"].page.paginator.count


def test_no_two_open_statuses_share_a_colour_or_come_close():
    from itertools import combinations

    from xiuhua.cases.mapping import OPEN_STATUSES
    from xiuhua.web.palette import STATUS_COLOURS

    def rgb(colour: str) -> tuple[int, int, int]:
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)

    def distance(a: str, b: str) -> float:  # "redmean": a cheap approximation of perceived difference
        (r1, g1, b1), (r2, g2, b2) = rgb(a), rgb(b)
        mean = (r1 + r2) / 2
        return (
            (2 + mean / 256) * (r1 - r2) ** 2 + 4 * (g1 - g2) ** 2 + (2 + (255 - mean) / 256) * (b1 - b2) ** 2
        ) ** 0.5

    assert set(OPEN_STATUSES) <= set(STATUS_COLOURS)
    closest = min(distance(STATUS_COLOURS[a], STATUS_COLOURS[b]) for a, b in combinations(OPEN_STATUSES, 2))
    assert closest > 75


def test_a_scoped_leader_sees_only_their_divisions(loop, spot):
    loop.report()
    User.objects.create_user(
        "far_leader", password=settings.DEMO_PASSWORD, role=Role.LEADER, scope_division_codes=["330424106"]
    )

    page = signed_in("far_leader").get("/dashboard/")

    assert page.context["o"].today.reported == 0
    assert signed_in("leader").get("/dashboard/").context["o"].today.reported == 1


def test_figures_are_shared_for_a_while_by_users_who_see_the_same_cases(loop, settings):
    settings.XIUHUA_OVERVIEW_CACHE_SECONDS = 30
    User.objects.create_user(
        "wuyuan_leader", password=settings.DEMO_PASSWORD, role=Role.LEADER, scope_division_codes=["330424001"]
    )
    first = signed_in("leader").get("/dashboard/").context["o"]
    loop.report()

    shared = signed_in("shift_leader").get("/dashboard/").context["o"]  # the same district, a moment later

    assert (shared.as_of, shared.today.reported) == (first.as_of, 0)
    assert signed_in("wuyuan_leader").get("/dashboard/").context["o"].today.reported == 1  # another scope
    cache.clear()
    assert signed_in("leader").get("/dashboard/").context["o"].today.reported == 1
