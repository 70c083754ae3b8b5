"""What Open311 publishes, with the default XIUHUA_PUBLIC_SOURCES: accepted, non-confidential cases from the
public channels, as their public description; and the centre's edit of that text."""

from __future__ import annotations

import pytest
from django.test import Client

from xiuhua.cases.derivatives import build_pending_derivatives
from xiuhua.cases.tests.conftest import photo
from xiuhua.core.models import AuditEntry
from xiuhua.intake.channels.citizen.adapter import report_by_citizen
from xiuhua.intake.open311.tests.conftest import BASE
from xiuhua.intake.services import ReportInput


@pytest.fixture(autouse=True)
def staff_sources_published(settings):
    """Overrides the package's fixture: these tests are about the default setting."""
    settings.XIUHUA_PUBLIC_SOURCES = ["citizen", "open311"]


def citizen(loop, text: str = "路边有垃圾，电话13912345678", confidential: bool = False, photos=None):
    data = ReportInput(
        class_code="06010", kind="event", description=text, lng=loop.spot[0], lat=loop.spot[1],
        reporter_name="陈小明", reporter_phone="13812342345", reporter_confidential=confidential,
    )  # fmt: skip
    return report_by_citizen(data, photos or [], client=f"test-{text}-{confidential}").case


def published(client) -> set[str]:
    response = client.get(f"{BASE}/requests.json")
    assert response.status_code == 200, response.content
    return {item["service_request_id"] for item in response.json()}


def test_a_citizen_case_is_published_once_accepted_with_its_public_text(client, loop, people):
    case = citizen(loop)
    assert published(client) == set()

    loop.act(case, "accept", people.operator)

    [item] = client.get(f"{BASE}/requests/{case.number}.json").json()
    assert item["description"] == "路边有垃圾，电话[已隐去]"
    assert "13912345678" not in client.get(f"{BASE}/requests.json?extensions=true").content.decode()


def test_confidential_declined_hotline_and_inspector_cases_are_never_published(client, loop, people):
    secret = citizen(loop, "门口堆了垃圾", confidential=True)
    loop.act(secret, "accept", people.operator)
    declined = citizen(loop, "小区里面的垃圾")
    loop.act(declined, "decline", people.operator, note="属于物业管理范围")
    hotline = loop.report()
    loop.act(hotline, "accept", people.operator)
    inspector = loop.report_by_inspector()

    assert published(client) == set()
    for case in (secret, declined, hotline, inspector):
        assert client.get(f"{BASE}/requests/{case.number}.json").status_code == 404  # as if it did not exist


def test_the_setting_can_publish_inspector_cases(client, loop, people, settings):
    settings.XIUHUA_PUBLIC_SOURCES = ["citizen", "open311", "inspector"]
    inspector = loop.report_by_inspector()
    loop.act(inspector, "accept", people.operator)
    assert published(client) == {inspector.number}


def test_a_merged_report_follows_its_parent(client, loop, people):
    parent = citizen(loop, "路口垃圾")
    duplicate = citizen(loop, "路口又有垃圾")
    loop.act(duplicate, "merge", people.operator, parent=parent.number)
    assert published(client) == set()  # the parent still waits for acceptance

    loop.act(parent, "accept", people.operator)

    assert published(client) == {parent.number, duplicate.number}


def test_media_serves_only_the_public_copy_of_a_published_case(client, loop, people):
    case = citizen(loop, "垃圾桶满了", photos=[photo("scene.jpg")])
    [attachment] = case.attachments.all()
    build_pending_derivatives()  # the worker's job: the public copy exists, the case is not published yet
    assert client.get(f"{BASE}/media/{attachment.pk}").status_code == 404

    loop.act(case, "accept", people.operator)

    assert client.get(f"{BASE}/media/{attachment.pk}").status_code == 200


def test_the_operator_edits_the_public_text_and_the_edit_is_audited(loop, people, as_user):
    case = citizen(loop)
    loop.act(case, "accept", people.operator)
    operator = as_user("operator")

    response = operator.client.patch(
        f"/api/v1/cases/{case.number}/public",
        {"public_description": "路边有垃圾"},
        content_type="application/json",
        **operator.auth,
    )

    assert response.status_code == 200, response.content
    assert response.json()["public_description"] == "路边有垃圾"
    [item] = Client().get(f"{BASE}/requests/{case.number}.json").json()
    assert item["description"] == "路边有垃圾"
    entry = AuditEntry.objects.get(action="case.public_description_edited", target=case.number)
    assert entry.actor.username == "operator"
    assert entry.details == {"before": "路边有垃圾，电话[已隐去]", "after": "路边有垃圾"}


@pytest.mark.parametrize(
    ("username", "text", "status"),
    [("dispatcher", "路边有垃圾", 403), ("dept_zhifa", "路边有垃圾", 403), ("operator", "长" * 4001, 400)],
)
def test_other_roles_and_overlong_texts_are_refused_in_chinese(loop, as_user, username, text, status):
    case = citizen(loop)
    account = as_user(username)
    response = account.client.patch(
        f"/api/v1/cases/{case.number}/public", {"public_description": text}, content_type="application/json",
        **account.auth,
    )  # fmt: skip
    assert response.status_code in (status, 404) if username == "dept_zhifa" else response.status_code == status
    assert response.json()["detail"]
    assert not AuditEntry.objects.filter(action="case.public_description_edited").exists()


def test_the_case_page_edits_the_public_text(loop, people, client):
    case = citizen(loop)
    client.force_login(people.shift_leader)

    page = client.get(f"/cases/{case.number}/").content.decode()
    response = client.post(f"/cases/{case.number}/public/", {"public_description": "路边有一袋垃圾"})

    assert 'name="public_description"' in page
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.public_description == "路边有一袋垃圾"
    client.force_login(people.dispatcher)
    assert 'name="public_description"' not in client.get(f"/cases/{case.number}/").content.decode()
    assert client.post(f"/cases/{case.number}/public/", {"public_description": "x"}).status_code == 403
