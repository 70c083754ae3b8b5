"""A citizen rates a closed case with its lookup code: once, never before closing, never without the code, and
without touching the case or the operator's callback."""

import pytest

from xiuhua.core.errors import DomainError, NotFound
from xiuhua.intake.channels.citizen.adapter import report_by_citizen
from xiuhua.intake.channels.citizen.models import CitizenRating
from xiuhua.intake.channels.citizen.rating import AlreadyRated, rate_case
from xiuhua.intake.services import ReportInput

pytestmark = pytest.mark.django_db


def citizen_case(spot, key: str = "k1"):
    data = ReportInput(class_code="06010", description="路边垃圾", lng=spot[0], lat=spot[1])
    return report_by_citizen(data, [], client="test-client", idempotency_key=key).case


def test_a_closed_case_is_rated_once_with_its_score(loop, spot):
    case = loop.close(citizen_case(spot))

    rating = rate_case(case.number, case.lookup_code.lower(), "basically_satisfied", " 还行 ")

    assert (rating.satisfaction, rating.score, rating.comment) == ("basically_satisfied", 50, "还行")
    with pytest.raises(AlreadyRated) as refused:
        rate_case(case.number, case.lookup_code, "satisfied")
    assert refused.value.status_code == 409


def test_an_open_case_cannot_be_rated_yet(loop, spot):
    case = citizen_case(spot)

    with pytest.raises(DomainError, match="办结后才能评价"):
        rate_case(case.number, case.lookup_code, "satisfied")


def test_a_wrong_code_or_choice_is_refused(loop, spot):
    case = loop.close(citizen_case(spot))

    with pytest.raises(NotFound):
        rate_case(case.number, "WRONGCOD", "satisfied")
    with pytest.raises(DomainError, match="请选择满意程度"):
        rate_case(case.number, case.lookup_code, "great")
    with pytest.raises(DomainError, match="评价内容不能超过 500 字"):
        rate_case(case.number, case.lookup_code, "satisfied", "好" * 501)
    assert not CitizenRating.objects.exists()


def test_a_report_merged_into_a_closed_case_can_be_rated(loop, spot):
    parent = citizen_case(spot, "parent")
    merged = citizen_case(spot, "merged")
    loop.act(parent, "accept", loop.p.operator)
    loop.act(merged, "merge", loop.p.operator, parent=parent.number)
    loop.close(parent)

    assert rate_case(merged.number, merged.lookup_code, "satisfied").case_id == merged.pk


def test_the_rating_leaves_the_case_and_its_callback_alone(loop, spot):
    case = loop.close(citizen_case(spot))
    version = case.version

    rate_case(case.number, case.lookup_code, "dissatisfied")

    case.refresh_from_db()
    assert case.version == version and case.stats.callback_at is None and case.stats.satisfaction == ""


def test_ratings_are_listed_read_only_in_the_admin(loop, spot, client, settings):
    case = loop.close(citizen_case(spot))
    rating = rate_case(case.number, case.lookup_code, "satisfied")
    assert client.login(username="admin", password=settings.DEMO_PASSWORD)

    listing = client.get("/admin/intake/citizenrating/")

    assert listing.status_code == 200 and case.number in listing.content.decode()
    assert client.post(f"/admin/intake/citizenrating/{rating.pk}/delete/", {"post": "yes"}).status_code == 403
