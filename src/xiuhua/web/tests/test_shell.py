"""The staff shell on the server side: login, menu by role, scope, inbox, language, and who may open what."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from xiuhua.accounts.models import User
from xiuhua.notify.models import Notice, NoticeKind
from xiuhua.web.shell import MENU

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city(shared_demo_city):
    """Every test here uses the demo city and none commits: one city for the module (conftest.module_demo_city),
    each test in a savepoint of it."""
    return shared_demo_city


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=settings.DEMO_PASSWORD)
    return client


def test_anonymous_visitors_are_sent_to_the_login_page(demo_city):
    response = Client().get("/cases/")

    assert response.status_code == 302 and response["Location"] == "/login/?next=/cases/"


def test_the_login_page_is_chinese_by_default(demo_city):
    page = Client().get("/login/").content.decode()

    assert "登录" in page and 'lang="zh-hans"' in page


def test_logging_in_lands_on_the_first_page_of_the_role_menu(demo_city):
    client = Client()
    response = client.post("/login/", {"username": "operator", "password": settings.DEMO_PASSWORD}, follow=True)

    operator = User.objects.get(username="operator")
    assert response.redirect_chain[-1][0] == reverse(next(i for i in MENU if i.shown_to(operator)).url_name)


def test_a_wrong_password_stays_on_the_login_page_with_a_message(demo_city):
    response = Client().post("/login/", {"username": "operator", "password": "nope"})

    assert response.status_code == 200 and "请输入一个正确的" in response.content.decode()


def test_logout_needs_a_post_and_ends_the_session(demo_city):
    client = signed_in("operator")

    assert client.post("/logout/").status_code == 302
    assert client.get("/cases/").status_code == 302


def test_header_shows_the_department_as_scope_and_unread_notices(demo_city):
    user = User.objects.get(username="dept_zhifa")
    Notice.objects.create(recipient=user, kind=NoticeKind.URGE, title="督办：案卷 1", subject="")
    page = signed_in("dept_zhifa").get("/cases/").content.decode()

    assert user.department.name in page
    assert 'badge rounded-pill bg-danger">1<' in page


def test_marking_all_notices_read_clears_the_inbox_count(demo_city):
    user = User.objects.get(username="dept_zhifa")
    Notice.objects.create(recipient=user, kind=NoticeKind.URGE, title="督办")
    client = signed_in("dept_zhifa")

    client.post("/notices/read/", {"all": "1", "next": "https://evil.example.com/"})

    assert not user.notices.filter(read_at__isnull=True).exists()


def test_reading_notices_never_redirects_off_site(demo_city):
    response = signed_in("dept_zhifa").post("/notices/read/", {"all": "1", "next": "https://evil.example.com/"})

    assert response["Location"] == "/notices/"


def test_english_is_one_switch_away(demo_city):
    client = signed_in("operator")
    client.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})

    page = client.get("/cases/").content.decode()
    assert 'lang="en"' in page and "<title>Case search ·" in page and "案卷查询" not in page


def test_the_case_list_shows_only_cases_in_the_users_scope(loop, people):
    mine = loop.report()
    loop.act(mine, "accept", people.operator)
    loop.act(mine, "register", people.shift_leader)
    loop.act(mine, "dispatch", people.dispatcher, department="zhifa")
    other = loop.report()

    page = signed_in("dept_zhifa").get("/cases/").content.decode()

    assert mine.number in page and other.number not in page


def test_a_department_cannot_open_another_departments_case_page(loop, people):
    case = loop.report()
    loop.act(case, "accept", people.operator)
    loop.act(case, "register", people.shift_leader)
    loop.act(case, "dispatch", people.dispatcher, department="zhifa")
    outsider = User.objects.filter(role="department").exclude(department=people.zhifa.department).first()
    client = Client()
    client.force_login(outsider)

    assert client.get(f"/cases/{case.number}/").status_code == 404
    assert signed_in("dept_zhifa").get(f"/cases/{case.number}/").status_code == 200


def test_a_photo_is_served_only_to_users_who_may_see_its_case(loop, people):
    case = loop.report_by_inspector()
    photo = case.attachments.get()
    outsider = Client()
    outsider.force_login(User.objects.filter(role="department").first())

    assert signed_in("operator").get(f"/cases/{case.number}/attachments/{photo.pk}/").status_code == 200
    assert outsider.get(f"/cases/{case.number}/attachments/{photo.pk}/").status_code == 404


def test_bad_list_filters_are_shown_not_crashed(demo_city):
    page = signed_in("operator").get("/cases/?reported_from=1900-01-01").content.decode()

    assert "超出范围" in page


def test_an_action_posted_from_the_case_page_moves_the_case(loop, people):
    case = loop.report()
    client = signed_in("operator")

    response = client.post(f"/cases/{case.number}/act/accept/", {"version": case.version, "note": "已核对"})

    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    case.refresh_from_db()
    assert case.status == "accepted"


def test_a_refused_action_shows_the_reason_with_its_status_and_changes_nothing(loop, people):
    case = loop.report()
    client = signed_in("operator")

    response = client.post(f"/cases/{case.number}/act/decline/", {"version": case.version, "note": ""})

    assert response.status_code == 400 and "理由" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "reported"


def test_a_stale_page_is_told_someone_else_acted_first(loop, people):
    case = loop.report()
    stale_version = case.version
    loop.act(case, "accept", people.operator)

    response = signed_in("operator").post(f"/cases/{case.number}/act/accept/", {"version": stale_version})

    assert response.status_code == 409


def test_actions_on_a_case_outside_the_scope_are_not_found(loop, people):
    case = loop.report()

    response = signed_in("dept_zhifa").post(f"/cases/{case.number}/act/handle/", {"version": case.version})

    assert response.status_code == 404
