"""The callback (回访) and the citizen's own rating on the case page, for the centre and the department, with the
privacy rule applied to the people's words; the operator calling back sees the citizen's rating on the form."""

import pytest
from django.test import Client

from xiuhua.intake.channels.citizen.rating import rate_case
from xiuhua.web.tests.test_public import reported
from xiuhua.web.tests.test_shell import signed_in

pytestmark = pytest.mark.django_db

PHONE = "13857312345"


@pytest.fixture
def closed_citizen_case(loop, spot):
    case = reported(Client(), spot)
    loop.close(case)
    return case


def test_the_operator_sees_the_citizens_rating_on_the_callback_form(closed_citizen_case):
    case = closed_citizen_case
    rate_case(case.number, case.lookup_code, "dissatisfied", f"垃圾还在，请回电 {PHONE}")

    page = signed_in("operator").get(f"/cases/{case.number}/").content.decode()

    form_note = page.split('data-testid="callback-citizen-rating"', 1)[1].split("</div>", 1)[0]
    assert "不满意" in form_note and f"垃圾还在，请回电 {PHONE}" in form_note


def test_the_callback_form_says_when_the_citizen_has_not_rated(closed_citizen_case):
    page = signed_in("operator").get(f"/cases/{closed_citizen_case.number}/").content.decode()

    assert "市民尚未评价" in page.split('data-testid="callback-citizen-rating"', 1)[1].split("</div>", 1)[0]


def test_the_callback_and_the_rating_show_on_the_case_page_for_centre_and_department(closed_citizen_case, loop):
    case = closed_citizen_case
    rate_case(case.number, case.lookup_code, "very_satisfied", "很快就清理了")
    loop.act(
        case, "callback", loop.p.operator, satisfaction="basically_satisfied", note=f"市民说基本满意，留电 {PHONE}"
    )

    for username in ("operator", "dispatcher", "leader", "dept_zhifa"):
        page = signed_in(username).get(f"/cases/{case.number}/").content.decode()
        feedback = page.split('data-testid="feedback"', 1)[1].split("</section>", 1)[0]
        assert "回访与评价" in page
        assert "基本满意" in feedback and "市民说基本满意" in feedback, username
        assert "非常满意" in feedback and "很快就清理了" in feedback, username


def test_a_department_reads_the_callers_words_without_their_phone_number(closed_citizen_case, loop):
    case = closed_citizen_case
    loop.act(case, "callback", loop.p.operator, satisfaction="dissatisfied", note=f"请再联系我 {PHONE}")

    department = signed_in("dept_zhifa").get(f"/cases/{case.number}/").content.decode()
    operator = signed_in("operator").get(f"/cases/{case.number}/").content.decode()

    assert PHONE not in department.split('data-testid="feedback"', 1)[1].split("</section>", 1)[0]
    assert "请再联系我 [已隐去]" in department
    assert f"请再联系我 {PHONE}" in operator


def test_a_case_before_its_callback_says_so(closed_citizen_case):
    page = signed_in("dept_zhifa").get(f"/cases/{closed_citizen_case.number}/").content.decode()

    assert "尚未回访" in page and "市民尚未评价" in page
