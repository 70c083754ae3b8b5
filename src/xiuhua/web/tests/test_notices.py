"""The notice inbox: one row per case, 全部已读, a bell counting only what asks for action, and notices that
acting on a case answers."""

import pytest
from django.conf import settings
from django.test import Client

from xiuhua.accounts.models import User
from xiuhua.notify.models import Notice, NoticeKind
from xiuhua.web.notices import badge_count

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=settings.DEMO_PASSWORD)
    return client


def bell(page: str) -> str:
    """The number on the bell in the header, or '' without one."""
    marker = 'badge rounded-pill bg-danger">'
    return page.split(marker, 1)[1].split("<", 1)[0] if marker in page else ""


def test_the_bell_counts_tasks_urges_and_warnings_but_not_information_or_decisions(people):
    for kind in (NoticeKind.TASK, NoticeKind.URGE, NoticeKind.WARNING, NoticeKind.OVERDUE):
        Notice.objects.create(recipient=people.zhifa, kind=kind, title=str(kind))
    for kind in (NoticeKind.INFO, NoticeKind.DECISION):
        Notice.objects.create(recipient=people.zhifa, kind=kind, title=str(kind))

    page = signed_in("dept_zhifa").get("/cases/").content.decode()

    assert bell(page) == "4"


def test_notices_about_a_finished_case_are_not_counted(loop, people):
    case = loop.to_dispatched()
    assert badge_count(people.zhifa) == 1  # the dispatch task
    Notice.objects.create(recipient=people.zhifa, kind=NoticeKind.OVERDUE, title="超期", subject=case.number)
    case.status = "closed"
    case.save(update_fields=["status"])

    assert badge_count(people.zhifa) == 0


def test_the_department_reporting_back_answers_its_task_notices_for_every_user_of_the_department(loop, people):
    colleague = User.objects.create_user("zhifa2", password="x", role="department", department=people.zhifa.department)
    case = loop.to_dispatched()
    assert badge_count(people.zhifa) == 1 and badge_count(colleague) == 1

    loop.act(case, "urge", people.leader, note="请尽快处置")
    assert badge_count(people.zhifa) == 2  # a leader's urge does not answer the department's notices
    loop.act(case, "handle", people.zhifa)

    assert badge_count(people.zhifa) == 0 and badge_count(colleague) == 0
    assert Notice.objects.filter(subject=case.number, recipient=colleague, read_at__isnull=False).count() == 2


def test_acting_answers_only_notices_about_that_case(loop, people):
    first, second = loop.to_dispatched(), loop.to_dispatched()

    loop.act(first, "handle", people.zhifa)

    assert list(
        Notice.objects.filter(recipient=people.zhifa, read_at__isnull=True).values_list("subject", flat=True)
    ) == [second.number]


def test_the_notices_page_shows_one_row_per_case_with_its_latest_notice_and_count(loop, people):
    case = loop.to_dispatched()
    loop.act(case, "urge", people.leader, note="请尽快")
    loop.act(case, "urge", people.leader, note="再次督办")
    Notice.objects.create(recipient=people.zhifa, kind=NoticeKind.INFO, title="系统维护通知")

    page = signed_in("dept_zhifa").get("/notices/").content.decode()

    assert page.count('data-testid="notice-row"') == 2
    assert page.count(f'data-case="{case.number}"') == 1
    assert "再次督办" in page and "3 条消息" in page
    assert "系统维护通知" in page


def test_the_to_do_tab_leaves_out_cases_with_nothing_to_do(loop, people):
    case = loop.to_dispatched()
    Notice.objects.create(recipient=people.zhifa, kind=NoticeKind.INFO, title="系统维护通知")

    page = signed_in("dept_zhifa").get("/notices/?show=todo").content.decode()

    assert page.count('data-testid="notice-row"') == 1 and f'data-case="{case.number}"' in page


def test_one_cases_notices_are_listed_in_full(loop, people):
    case = loop.to_dispatched()
    loop.act(case, "urge", people.leader, note="请尽快")

    page = signed_in("dept_zhifa").get(f"/notices/?case={case.number}").content.decode()

    assert "督办：案卷" in page and "新派遣案卷" in page


def test_mark_all_read_clears_the_bell_and_keeps_the_notices(loop, people):
    loop.to_dispatched()
    client = signed_in("dept_zhifa")

    response = client.post("/notices/read/", {"all": "1", "next": "/notices/"}, follow=True)

    assert bell(response.content.decode()) == ""
    assert "全部已读" in response.content.decode()
    assert Notice.objects.filter(recipient=people.zhifa).count() == 1


def test_marking_one_case_read_leaves_the_others(loop, people):
    first, second = loop.to_dispatched(), loop.to_dispatched()

    signed_in("dept_zhifa").post("/notices/read/", {"case": first.number})

    assert badge_count(people.zhifa) == 1
    assert Notice.objects.get(recipient=people.zhifa, subject=second.number).read_at is None
