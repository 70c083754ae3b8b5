"""The department workbench and the case page on the server side: who may open them, what they list, the map data."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from xiuhua.accounts.models import User
from xiuhua.cases.tests.conftest import photo

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=settings.DEMO_PASSWORD)
    return client


def rows_of(page: str) -> list[str]:
    """Case numbers of the lead-case table rows, in order."""
    return re.findall(r'data-case="(\d+)" data-testid="case-row"', page)


def section(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</section>", start)]


def test_a_department_user_starts_on_the_department_workbench(demo_city):
    response = signed_in("dept_zhifa").get("/", follow=True)

    assert response.redirect_chain[-1][0] == "/department/"
    assert 'data-testid="month-figures"' in response.content.decode()


@pytest.mark.parametrize("username", ["operator", "dispatcher", "inspector", "leader"])
def test_other_roles_may_not_open_the_department_workbench_or_its_figures(demo_city, username):
    client = signed_in(username)

    assert client.get("/department/").status_code == 403
    assert client.get("/department/figures/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_from_the_workbench(demo_city):
    assert Client().get("/department/")["Location"] == "/login/?next=/department/"


def test_the_workbench_lists_our_cases_by_deadline_and_not_other_departments(loop, people):
    now = timezone.now()
    later = loop.to_dispatched(now=now - timedelta(minutes=5))
    sooner = loop.to_dispatched(now=now - timedelta(days=1))
    theirs = loop.to_dispatched(department="zhujian")

    page = signed_in("dept_zhifa").get("/department/").content.decode()

    assert rows_of(page) == [sooner.number, later.number]
    assert theirs.number not in page


def test_cases_we_assist_on_are_listed_apart_without_actions(loop, people):
    case = loop.to_registered()
    loop.act(case, "dispatch", people.dispatcher, department="zhujian", assisting=["zhifa"])

    page = signed_in("dept_zhifa").get("/department/").content.decode()

    assert case.number not in rows_of(page)
    assisted = section(page, "assisted-cases")
    assert case.number in assisted and "data-action=" not in assisted


def test_quick_filters_narrow_the_lead_cases(loop, people):
    waiting = loop.to_dispatched()
    started = loop.to_dispatched()
    loop.act(started, "handle", people.zhifa)
    reported = loop.to_handled()
    overdue = loop.to_dispatched(now=timezone.now() - timedelta(days=30))
    client = signed_in("dept_zhifa")

    def listed(show: str) -> set[str]:
        return set(rows_of(client.get(f"/department/?show={show}").content.decode()))

    assert listed("to_handle") == {waiting.number, overdue.number}
    assert listed("handling") == {started.number}
    assert listed("reported_back") == {reported.number}
    assert listed("overdue") == {overdue.number}
    assert listed("open") == listed("nonsense") == {waiting.number, started.number, reported.number, overdue.number}


def test_every_quick_filter_count_links_to_a_case_list_of_exactly_its_cases(loop, people):
    loop.to_dispatched()
    started = loop.to_dispatched()
    loop.act(started, "handle", people.zhifa)
    asking = loop.to_dispatched()
    loop.act(asking, "request_extension", people.zhifa, extension_value=2, extension_unit="days", note="需停电施工")
    loop.to_handled()
    loop.to_dispatched(now=timezone.now() - timedelta(days=30))
    loop.to_dispatched(department="zhujian")  # another department's: in no count of ours
    client = signed_in("dept_zhifa")

    page = client.get("/department/")

    for view in page.context["views"]:
        listed = client.get(view["cases"])
        assert listed.status_code == 200, view["cases"]
        numbers = {case.number for case in listed.context["table"].page.paginator.object_list}
        shown = set(rows_of(client.get(f"/department/?show={view['name']}").content.decode()))
        assert (len(numbers), numbers) == (view["count"], shown), view["name"]
        assert f'data-testid="count-{view["name"]}"' in page.content.decode()
    assert {v["name"]: v["count"] for v in page.context["views"]} == {
        "open": 5,
        "to_handle": 2,
        "handling": 2,
        "reported_back": 1,
        "overdue": 1,
    }


def test_a_quick_filter_asked_by_htmx_returns_only_the_table(loop, people):
    loop.to_dispatched()

    page = signed_in("dept_zhifa").get("/department/?show=to_handle", HTTP_HX_REQUEST="true").content.decode()

    assert page.lstrip().startswith('<div id="dept-cases"') and "month-figures" not in page


def test_the_workbench_fetches_this_months_figures_once_drawn(loop, people):
    loop.to_handled()
    loop.to_dispatched(now=timezone.now() - timedelta(days=30))
    client = signed_in("dept_zhifa")

    assert 'hx-get="/department/figures/"' in section(client.get("/department/").content.decode(), "month-figures")
    figures = client.get("/department/figures/").content.decode()

    def figure(name: str) -> str:
        return re.search(rf'data-figure="{name}".*?figure-value[^>]*>([^<]+)<', figures, re.S).group(1)

    # The overdue open case counts as not on time: 1 ÷ (1 handled + 1 overdue), not 100 %.
    assert figure("handled") == "1" and figure("overdue_open") == "1" and figure("on_time_rate") == "50%"


def test_acting_from_the_workbench_comes_back_to_it(loop, people):
    case = loop.to_dispatched()

    response = signed_in("dept_zhifa").post(
        f"/cases/{case.number}/act/handle/", {"version": case.version, "next": "/department/?show=to_handle"}
    )

    assert response.status_code == 302 and response["Location"] == "/department/?show=to_handle"
    case.refresh_from_db()
    assert case.status == "handling"


def test_a_department_cannot_open_another_departments_case_or_its_place(loop, people):
    case = loop.to_dispatched(department="zhujian")
    zhifa, zhujian = signed_in("dept_zhifa"), signed_in("dept_zhujian")

    assert zhifa.get(f"/cases/{case.number}/").status_code == 404
    assert zhifa.get(f"/cases/{case.number}/place.geojson").status_code == 404
    assert zhujian.get(f"/cases/{case.number}/").status_code == 200
    assert zhujian.get(f"/cases/{case.number}/place.geojson").status_code == 200


def test_the_place_is_the_case_point_inside_its_grid_with_neighbours(loop, people):
    case = loop.to_dispatched()

    response = signed_in("dept_zhifa").get(f"/cases/{case.number}/place.geojson")

    assert response["Content-Type"] == "application/geo+json"
    features = response.json()["features"]
    roles = [f["properties"]["role"] for f in features]
    grid = next(f for f in features if f["properties"]["role"] == "grid")
    point = next(f for f in features if f["properties"]["role"] == "case")
    # A district-wide department has no data scope: it sees the case sent to it, not the grids around it.
    assert roles.count("grid") == 1 and roles.count("case") == 1 and roles.count("neighbour") == 0
    assert grid["properties"]["code"] == case.grid_code and grid["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert point["geometry"]["coordinates"] == pytest.approx([case.lng, case.lat])
    around = signed_in("dispatcher").get(f"/cases/{case.number}/place.geojson").json()["features"]
    assert [f["properties"]["role"] for f in around].count("neighbour") >= 1, "the district's dispatcher sees them"


def test_anonymous_visitors_get_no_place(loop):
    case = loop.report()

    assert Client().get(f"/cases/{case.number}/place.geojson").status_code == 302


def test_the_case_page_puts_photos_before_and_after_side_by_side(loop, people):
    case = loop.report_by_inspector()
    for action, actor in (("accept", people.operator), ("register", people.shift_leader)):
        loop.act(case, action, actor)
    loop.act(case, "dispatch", people.dispatcher, department="zhifa")
    loop.act(case, "report_back", people.zhifa, files=[photo("after.jpg")], note="已清理")
    before, after = case.attachments.order_by("pk")

    page = signed_in("dept_zhifa").get(f"/cases/{case.number}/").content.decode()

    assert f"/attachments/{before.pk}/" in section(page, "photos").split('data-testid="photos-after"')[0]
    assert f"/attachments/{after.pk}/" in page.split('data-testid="photos-after"')[1].split("</section>")[0]


def test_the_case_page_masks_the_reporter_for_departments_and_shows_the_pending_request(loop, people):
    case = loop.to_dispatched(reporter_name="张三丰", reporter_phone="13812345678")
    loop.act(case, "request_extension", people.zhifa, extension_value=2, extension_unit="days", note="需协调")

    page = signed_in("dept_zhifa").get(f"/cases/{case.number}/").content.decode()

    reporter = page.split('data-testid="reporter">')[1].split("</dd>")[0]
    assert "张**" in reporter and "138****5678" in reporter
    assert "张三丰" not in page and "13812345678" not in page
    request = section(page, "pending-request")
    assert "需协调" in request and "2" in request


def test_the_case_page_timeline_shows_role_status_change_and_deadline(loop, people):
    case = loop.to_dispatched()

    page = signed_in("dept_zhifa").get(f"/cases/{case.number}/").content.decode()
    dispatch = page.split('data-action="dispatch"')[1].split("</li>")[0]

    assert people.dispatcher.display_name in dispatch
    local_deadline = timezone.localtime(case.handling_deadline).strftime("%Y-%m-%d %H:%M")
    assert local_deadline in dispatch
    assert 'data-testid="handling-limit"' in page and 'data-testid="case-map"' in page


def test_a_department_user_without_a_department_is_refused_the_workbench(demo_city):
    user = User.objects.create_user("dept_nobody", password="x-pass-123", role="department")
    client = Client()
    client.force_login(user)

    assert client.get("/department/").status_code == 403


def test_time_left_counts_working_time_in_hours_and_natural_time_in_days():
    from xiuhua.web.templatetags.xiuhua_case import time_left

    with translation.override("en"):  # the source strings, whatever the Chinese catalogue says
        working = time_left(-30 * 60, "working_days")
        natural = time_left(timedelta(hours=26, minutes=5), "natural_days")

    assert "overdue by 30 h of working time" in working and "text-danger" in working
    assert "1 d 2 h left" in natural


def test_a_workbench_row_fetches_an_action_form_only_for_its_own_open_action(loop, people):
    mine = loop.to_dispatched()
    theirs = loop.to_dispatched(department="zhujian")
    client = signed_in("dept_zhifa")

    form = client.get(f"/department/act/{mine.number}/report_back/?next=/department/%3Fshow%3Dto_handle")

    assert form.status_code == 200
    page = form.content.decode()
    assert f'action="/cases/{mine.number}/act/report_back/"' in page and 'capture="environment"' in page
    assert 'value="/department/?show=to_handle"' in page and " open>" in page
    assert client.get(f"/department/act/{theirs.number}/report_back/").status_code == 404
    assert client.get(f"/department/act/{mine.number}/close/").status_code == 409
    assert signed_in("dispatcher").get(f"/department/act/{mine.number}/handle/").status_code == 403


def test_an_action_form_never_sends_the_user_off_site(loop, people):
    case = loop.to_dispatched()

    page = signed_in("dept_zhifa").get(f"/department/act/{case.number}/handle/?next=https://evil.example.com/")

    assert 'value="/department/"' in page.content.decode() and "evil" not in page.content.decode()
