import pytest

pytestmark = pytest.mark.django_db


def test_case_page_in_admin_shows_the_timeline_and_cannot_be_edited(loop, client, settings):
    case = loop.to_dispatched()
    assert client.login(username="admin", password=settings.DEMO_PASSWORD)
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "派遣" in text and "立案" in text and 'name="_save"' not in text
    assert client.post(f"/admin/cases/case/{case.pk}/change/", {"status": "closed"}).status_code == 403
    assert client.post(f"/admin/cases/case/{case.pk}/delete/", {"post": "yes"}).status_code == 403
    case.refresh_from_db()
    assert case.status == "dispatched"
