# ruff: noqa: F811 (the admin_session fixture of the platform's admin tests)
"""The ledgers' admin pages render in Chinese, and their verbose names and choices have Chinese labels."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

from xiuhua.accounts.models import Department
from xiuhua.ledgers import choices
from xiuhua.ledgers.models import LEDGER_MODELS, LedgerKeeper
from xiuhua.platform.tests.test_admin import admin_session  # noqa: F401

pytestmark = pytest.mark.django_db
PAGES = [f"ledgers/{model._meta.model_name}" for model in LEDGER_MODELS.values()] + [
    "ledgers/subject", "ledgers/ledgerkeeper", "ledgers/ladderstep", "ledgers/creditrule", "ledgers/ledgerphoto",
    "ledgers/ledgerchange", "ledgers/inspection", "ledgers/enforcementdocument", "ledgers/creditevent",
]  # fmt: skip
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.mark.parametrize("page", PAGES)
def test_the_ledgers_admin_pages_render_in_chinese(admin_session, page):
    response = admin_session.get(f"/admin/{page}/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"


def test_the_keeper_page_offers_a_chinese_ledger_choice(admin_session):
    LedgerKeeper.objects.create(ledger="dog", department=Department.objects.order_by("pk").first())
    page = admin_session.get("/admin/ledgers/ledgerkeeper/add/").content.decode()
    assert "沿街商铺" in page and "摊贩管控区" in page


def test_every_verbose_name_and_choice_label_of_the_ledgers_is_chinese():
    """Every label the models give (`_()`); fields left to Django's automatic name are not shown to users."""
    with translation.override("zh-hans"):
        labels = []
        for model in apps.get_app_config("ledgers").get_models():
            if isinstance(model._meta.verbose_name, Promise):
                labels += [str(model._meta.verbose_name), str(model._meta.verbose_name_plural)]
            labels += [str(f.verbose_name) for f in model._meta.fields if isinstance(f.verbose_name, Promise)]
        for enum in vars(choices).values():
            if isinstance(enum, type) and hasattr(enum, "choices") and enum.__module__ == choices.__name__:
                labels += [str(label) for _, label in enum.choices]
    english = sorted({label for label in labels if LATIN_WORD.search(label.replace("GeoJSON", ""))})
    assert english == []


def test_a_records_admin_page_shows_it_read_only_without_the_contact(admin_session):
    from xiuhua.accounts.models import User
    from xiuhua.ledgers.records import create_record
    from xiuhua.territory.models import UnitGrid

    point = UnitGrid.objects.order_by("code").first().geometry.representative_point()
    admin = User.objects.get(username="admin")
    shop = create_record(admin, "shop", {"code": "SP1", "name": "小吃店", "contact_phone": "13812345678",
                                         "lng": point.x, "lat": point.y})  # fmt: skip
    dog = create_record(admin, "dog", {"code": "D1", "name": "旺财", "breed": "柴犬", "lng": point.x, "lat": point.y})
    page = admin_session.get(f"/admin/ledgers/shop/{shop.pk}/change/")
    assert page.status_code == 200 and "13812345678" not in page.content.decode()
    assert admin_session.get(f"/admin/ledgers/dog/{dog.pk}/change/").status_code == 200
