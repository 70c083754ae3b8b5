"""The evaluation page and its drill-down: who may open it, what it shows, and that every figure is its case list."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.evaluation.indicators import INDICATORS, formula
from xiuhua.evaluation.periods import previous_month
from xiuhua.platform.demo_history import build_demo_history
from xiuhua.territory.models import Division
from xiuhua.web.tests.test_shell import signed_in

pytestmark = pytest.mark.django_db

FIGURE_LINK = re.compile(r'<a href="(/cases/\?[^"]+)"[^>]*data-figure="count">([\d,]+)</a>')
DRILL_COUNT = re.compile(r'data-testid="drill-count">(\d+)<')


@pytest.fixture(scope="module")
def evaluated_city(django_db_setup, django_db_blocker):
    """The demo city and two months of cases played through the real workflow, built once per module.

    They are written inside a transaction held open for the module and rolled back after its last test; each
    test runs in a savepoint of it (as Django's `setUpTestData`), so no test sees another's writes, and the 160
    cases are played once instead of once per test (it was a quarter of the suite's time on PostgreSQL)."""
    from xiuhua.platform.demo import build_demo_city
    from xiuhua.territory.services import forget_grid_index

    with django_db_blocker.unblock(), transaction.atomic():
        forget_grid_index()
        city = build_demo_city(grids=120, components=600, seed=7)
        build_demo_history(160, seed=5, days=64)
        yield city, previous_month(timezone.now())
        transaction.set_rollback(True)
        forget_grid_index()


@pytest.fixture
def demo_city(db, evaluated_city):
    """This module's demo city is the shared one, history included."""
    return evaluated_city[0]


@pytest.fixture
def history(db, evaluated_city):
    """The last complete month, fully inside the shared history."""
    return evaluated_city[1]


@pytest.fixture
def subdistrict_leader(demo_city) -> Client:
    subdistrict = Division.objects.filter(level="subdistrict").order_by("code").first()
    User.objects.create_user(
        "leader_sub", password=settings.DEMO_PASSWORD, role=Role.LEADER, scope_division_codes=[subdistrict.code]
    )
    return signed_in("leader_sub")


def figure_links(page: str) -> list[tuple[str, int]]:
    return [(html.unescape(url), int(text.replace(",", ""))) for url, text in FIGURE_LINK.findall(page)]


def listed(client: Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    return int(DRILL_COUNT.search(response.content.decode())[1])


@pytest.mark.parametrize("username", ["leader", "shift_leader", "dispatcher", "admin"])
def test_leaders_and_the_command_centre_find_the_evaluation_in_their_menu(demo_city, username):
    client = signed_in(username)

    assert 'href="/evaluation/"' in client.get("/cases/").content.decode()
    assert client.get("/evaluation/").status_code == 200


@pytest.mark.parametrize("username", ["operator", "inspector", "dept_zhifa"])
def test_operators_inspectors_and_departments_are_refused_with_a_reason(demo_city, username):
    client = signed_in(username)
    response = client.get("/evaluation/")

    assert response.status_code == 403
    assert User.objects.get(username=username).get_role_display() in response.content.decode()
    assert 'href="/evaluation/"' not in client.get("/cases/").content.decode()


def test_a_bad_period_is_a_400_with_the_reason_in_chinese(demo_city):
    response = signed_in("leader").get("/evaluation/?type=department&period=2026-13")

    assert response.status_code == 400
    assert "“2026-13”不是有效的统计周期" in response.content.decode()


def test_an_unknown_object_type_is_a_400(demo_city):
    assert signed_in("leader").get("/evaluation/?type=planets").status_code == 400


@pytest.mark.parametrize("period", ["2026-Q3", "2026", "2026-10-01..2026-10-15"])
def test_quarters_years_and_ranges_of_days_are_accepted(demo_city, period):
    response = signed_in("leader").get(f"/evaluation/?type=subdistrict&period={period}")

    assert response.status_code == 200
    assert f'value="{period}"' in response.content.decode()


def test_the_ranking_shows_ranks_grades_formulas_and_the_indicator_notes(history):
    page = signed_in("leader").get(f"/evaluation/?type=department&period={history.code}").content.decode()

    assert 'data-testid="ranking"' in page
    assert 'data-testid="indicator-notes"' in page
    with translation.override("zh-hans"):
        rate_formula = formula(INDICATORS["handle_on_time_rate"])
    assert page.count(f'title="{rate_formula}"') == 1  # the column header's tooltip
    assert f'<dd class="mb-2">{rate_formula}</dd>' in page  # the notes
    assert 'id="scores-json"' in page
    assert re.search(r'class="badge text-bg-\w+ grade">[A-E]<', page)


@pytest.mark.parametrize("object_type", ["subdistrict", "grid", "department", "inspector", "operator",
                                         "shift_leader", "dispatcher"])  # fmt: skip
def test_every_figure_opens_a_case_list_of_exactly_that_many_cases(history, object_type):
    client = signed_in("leader")
    page = client.get(f"/evaluation/?type={object_type}&period={history.code}").content.decode()
    links = figure_links(page)
    assert links, "the ranking has figures to open"
    nonzero = [(url, n) for url, n in links if n]
    sample = nonzero[:: max(len(nonzero) // 40, 1)] + [(url, n) for url, n in links if not n][:3]

    if object_type in ("subdistrict", "grid", "department"):
        assert "need_handle" in {parse_qs(urlsplit(url).query)["indicator"][0] for url, _ in links}
    for url, shown in sample:
        assert listed(client, url) == shown, url


def test_a_scoped_leader_sees_the_same_counts_in_the_ranking_and_the_lists(history, subdistrict_leader):
    page = subdistrict_leader.get(f"/evaluation/?type=community&period={history.code}").content.decode()
    links = [(url, n) for url, n in figure_links(page) if n]

    assert links
    for url, shown in links[:: max(len(links) // 30, 1)]:
        assert listed(subdistrict_leader, url) == shown, url


def test_the_drill_down_banner_names_the_indicator_the_object_and_the_period(history):
    client = signed_in("leader")
    page = client.get(f"/evaluation/?type=department&period={history.code}").content.decode()
    url, shown = next((url, n) for url, n in figure_links(page) if "indicator=need_handle&" in url and n)
    body = client.get(url).content.decode()

    banner = re.search(r'data-testid="drill-down">(.*?)</div>', body, re.S)[1]
    with translation.override("zh-hans"):
        label = str(INDICATORS["need_handle"].label)
    assert label in banner and history.code in banner and f">{shown}<" in banner
    assert f'href="/evaluation/?type=department&amp;period={history.code}"' in banner


def test_other_case_list_filters_narrow_a_figures_cases_further(history):
    client = signed_in("leader")
    page = client.get(f"/evaluation/?type=district&period={history.code}").content.decode()
    url, shown = next((url, n) for url, n in figure_links(page) if "indicator=report&" in url)

    only_closed = listed(client, url + "&status=closed")
    assert 0 < only_closed < shown


def test_an_incomplete_or_unknown_drill_down_is_a_400(demo_city):
    client = signed_in("leader")

    assert client.get("/cases/?indicator=report&object_type=district").status_code == 400
    assert client.get("/cases/?indicator=nope&object_type=district&object=1&period=2026-10").status_code == 400
    assert client.get("/cases/?indicator=report&object_type=district&object=1&period=10-2026").status_code == 400
