"""Edge cases of the loop: rework rounds, late requests, scopes of dispatch, and input that must be a clear 4xx."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.cases.models import Case
from xiuhua.cases.numbering import next_case_number
from xiuhua.cases.queries import CaseFilters, filter_cases
from xiuhua.cases.tests.conftest import photo, sh
from xiuhua.core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_a_rework_round_needs_new_after_photos(loop):
    case = loop.to_handled()
    loop.act(case, "check", loop.p.operator)
    loop.act(case, "check", loop.p.inspector, files=[photo()], result=False, note="仍有垃圾")
    with pytest.raises(DomainError, match="反馈需上传处置后照片"):
        loop.act(case, "report_back", loop.p.zhifa, note="已处理")


def test_case_numbers_run_per_district(db):
    now = timezone.now()
    assert next_case_number("330424", now)[8:] == "00001"
    assert next_case_number("330481", now)[8:] == "00001"
    assert next_case_number("330424", now)[8:] == "00002"


def test_a_reworked_case_with_time_left_is_not_listed_as_overdue(loop, people):
    start = timezone.now() - timedelta(days=30)
    case = loop.to_dispatched(now=start)
    loop.act(case, "report_back", people.zhifa, now=start + timedelta(days=20), files=[photo()])
    loop.act(case, "check", people.operator)
    case = loop.act(case, "check", people.inspector, files=[photo()], result=False, note="未清理干净")
    assert case.stats.handling_overdue is True  # the first round was late, for evaluation
    assert not filter_cases(people.leader, CaseFilters(overdue=True)).exists()


def test_no_extension_once_the_limit_has_passed(loop, people):
    start = sh(2026, 11, 2, 9, 0)
    case = loop.to_dispatched(now=start)
    with pytest.raises(DomainError, match="超期，不能再延期"):
        loop.act(
            case,
            "request_extension",
            people.zhifa,
            now=start + timedelta(days=10),
            note="来不及",
            extension_value=1,
            extension_unit="days",
        )


def test_a_department_account_without_a_department_sees_no_cases(loop, as_user, settings):
    loop.report()
    User.objects.create_user("orphan", password=settings.DEMO_PASSWORD, role="department")
    assert as_user("orphan").get("/cases").json()["count"] == 0


def test_a_sub_district_only_gets_cases_inside_it(loop, people):
    case = loop.to_registered()
    with pytest.raises(DomainError, match="不在海盐县百步镇辖区内"):
        loop.act(case, "dispatch", people.dispatcher, department="baibu")
    case = loop.act(case, "dispatch", people.dispatcher, department="wuyuan")
    assert case.lead_department.short_name == "wuyuan"


def test_a_scoped_dispatcher_cannot_send_to_another_sub_district(loop, people, settings):
    case = loop.to_registered()
    dispatcher = User.objects.create_user("baibu_dispatcher", role="dispatcher", scope_division_codes=["330424001"])
    with pytest.raises(DomainError, match="没有简码为「baibu」的在用部门"):
        loop.act(case, "dispatch", dispatcher, department="baibu")


def test_a_void_request_stops_the_clock_and_a_refusal_restarts_it(loop, people):
    case = loop.to_dispatched(now=sh(2026, 11, 2, 9, 0))
    case = loop.act(case, "request_void", people.dispatcher, now=sh(2026, 11, 2, 10, 0), note="疑似重复")
    assert case.handling_running_since is None
    case = loop.act(case, "refuse", people.shift_leader, now=sh(2026, 11, 3, 10, 0), note="不重复")
    assert case.status == "dispatched" and case.handling_running_since == sh(2026, 11, 3, 10, 0)


BAD_QUERIES = [
    ({"reported_to": "9999-12-31"}, 400, "超出范围"),
    ({"reported_from": "0001-01-01"}, 400, "超出范围"),
    ({"offset": "100000000000000000000"}, 422, "offset"),
    ({"light": "purple"}, 422, "light"),
]


@pytest.mark.parametrize(("query", "status", "message"), BAD_QUERIES)
def test_bad_list_queries_are_clear_errors(as_user, query, status, message):
    response = as_user("operator").get("/cases", **query)
    assert response.status_code == status and message in response.json()["detail"]


def test_bad_bodies_are_clear_errors(as_user, loop):
    operator = as_user("operator")
    huge = operator.post_json("/me/notices/read", {"ids": [10**20]})
    assert huge.status_code == 422
    report = {"class_code": "01001", "kind": "event", "lng": loop.spot[0], "lat": loop.spot[1]}
    nul = operator.post_json("/reports", {**report, "description": "垃圾\x00"})
    assert nul.status_code == 400 and "空字符" in nul.json()["detail"]
    long_key = operator.post_json("/reports", {**report, "description": "垃圾"}, HTTP_IDEMPOTENCY_KEY="k" * 300)
    assert long_key.status_code == 400 and "Idempotency-Key" in long_key.json()["detail"]
    extra = operator.post_json("/reports", {**report, "description": "垃圾", "colour": "red"})
    assert extra.status_code == 422 and extra.json()["detail"] == "请求参数不正确：colour：不认识的字段"
    assert Case.objects.count() == 0
