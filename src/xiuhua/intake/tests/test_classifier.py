"""The text classifier: trained on closed cases driven through the workflow, measured, stored, served."""

import random

import pytest
from django.core.management import call_command
from django.db import transaction

from xiuhua.accounts.models import User
from xiuhua.cases.tests.conftest import People, patrolling_inspector, photo
from xiuhua.cases.workflow import apply_action
from xiuhua.intake import classifier
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.classifier import suggest_classes, train
from xiuhua.intake.models import ClassifierModel
from xiuhua.intake.services import ReportInput
from xiuhua.platform.demo_texts import TEXT_CLASSES, Place, describe
from xiuhua.territory.models import StreetAddress
from xiuhua.worktime.clock import forget_calendar

pytestmark = pytest.mark.django_db
CLASSES = ("06010", "07001", "09009", "01037")  # 暴露垃圾, 非法小广告, 机动车乱停放, 路灯 (component)
PER_CLASS = 15
CLEAR_AD = "永安路电线杆和配电箱上贴满了开锁、办证的小广告，撕了又贴"


@pytest.fixture(autouse=True)
def media_in_tmp(module_media):
    """Replaces the per-test media root of the case fixtures by the module's (the shared photos live there)."""
    forget_calendar()
    yield
    forget_calendar()


@pytest.fixture(autouse=True)
def fresh_model_cache():
    classifier.forget_model()
    yield
    classifier.forget_model()


def close_case(people, text_class, description: str, address: StreetAddress) -> None:
    """Report a case as the operator and drive it round the loop to closed, one action at a time."""
    data = ReportInput(
        class_code=text_class.code,
        kind=text_class.kind,
        description=description,
        lng=address.lng,
        lat=address.lat,
        source="hotline_12345",
    )
    case = report_by_staff(people.operator, data).case
    steps = [
        ("accept", people.operator, {}, None),
        ("register", people.shift_leader, {}, None),
        ("dispatch", people.dispatcher, {"department": "zhifa"}, None),
        ("handle", people.zhifa, {}, None),
        ("report_back", people.zhifa, {"note": "已处置"}, [photo("after.jpg")]),
        ("check", people.operator, {}, None),
        ("check", patrolling_inspector(case), {"result": True}, [photo("check.jpg")]),
        ("close", people.shift_leader, {}, None),
    ]
    for action, actor, params, files in steps:
        apply_action(case.number, action, actor, params, files=files)


def close_demo_cases(people) -> list[str]:
    """PER_CLASS closed cases for each of four classes, described by the demo text generator."""
    rng = random.Random(11)
    addresses = list(StreetAddress.objects.select_related("road", "unit_grid__community"))
    roads = sorted({a.road.name for a in addresses})
    texts = []
    for text_class in [t for t in TEXT_CLASSES if t.code in CLASSES]:
        for _ in range(PER_CLASS):
            address = rng.choice(addresses)
            place = Place(address.road.name, address.number, address.unit_grid.community.name, rng.choice(roads))
            text = describe(text_class, rng.choice(["citizen", "inspector"]), place, rng)
            close_case(people, text_class, text, address)
            texts.append(text)
    return texts


@pytest.fixture(scope="module")
def classifier_city(django_db_setup, django_db_blocker, module_media):
    """The demo city and its 60 closed cases, built once per module (played through the workflow, they were most
    of each test's time).

    They are written inside a transaction held open for the module and rolled back after its last test; each test
    runs in a savepoint of it (as Django's `setUpTestData`), so no test sees another's writes or models."""
    from xiuhua.platform.demo import build_demo_city
    from xiuhua.territory.services import forget_grid_index

    with django_db_blocker.unblock(), transaction.atomic():
        forget_grid_index()
        forget_calendar()
        city = build_demo_city(grids=120, components=600, seed=7)
        texts = close_demo_cases(People())
        yield city, texts
        transaction.set_rollback(True)
        forget_grid_index()
        forget_calendar()


@pytest.fixture
def demo_city(db, classifier_city):
    """This module's demo city is the shared one, closed cases included (no test here needs a city without them:
    the refusal for too few cases is in test_classifier_refusal.py)."""
    return classifier_city[0]


@pytest.fixture
def closed_cases(db, classifier_city) -> list[str]:
    return list(classifier_city[1])


def test_no_model_means_no_suggestions(demo_city):
    assert suggest_classes("路边有暴露垃圾") == []


def test_training_measures_stores_and_suggests(closed_cases):
    result = train(seed=1)
    model = ClassifierModel.objects.get()
    assert model.active and model.pk == result.model.pk
    assert model.case_count == len(closed_cases) == 4 * PER_CLASS
    assert model.class_count == 4
    assert model.held_out_count == 12  # a stratified 20 %
    for figure in (model.top1_accuracy, model.top3_accuracy, model.baseline_accuracy):
        assert 0.0 <= figure <= 1.0
    assert model.top1_accuracy <= model.top3_accuracy
    assert model.baseline_accuracy == pytest.approx(0.25)  # four equal classes
    assert "留出" in model.notes and "基线" in model.notes

    assert CLEAR_AD not in closed_cases
    suggestions = suggest_classes(CLEAR_AD)
    assert len(suggestions) == 3
    assert "07001" in [s.code for s in suggestions]
    assert suggestions[0].code == "07001" and suggestions[0].kind == "event" and suggestions[0].name == "非法小广告"
    assert suggestions[0].confidence >= suggestions[1].confidence >= suggestions[2].confidence
    lamp = suggest_classes("朝阳路上连续三盏路灯晚上不亮，黑漆漆的")
    assert (lamp[0].kind, lamp[0].code) == ("component", "01037")

    # A newer model replaces the old one, and each process notices without restarting.
    newer = train(seed=2).model
    assert list(ClassifierModel.objects.filter(active=True)) == [newer]
    suggest_classes(CLEAR_AD)
    assert classifier._loaded.model_id == newer.pk


def test_classify_api(closed_cases, as_user):
    operator = as_user("operator")
    response = operator.get("/intake/classify", text=CLEAR_AD)
    assert response.status_code == 200, response.content
    assert response.json() == {"suggestions": [], "model": None}

    train(seed=1)
    body = operator.get("/intake/classify", text=CLEAR_AD).json()
    assert [s["code"] for s in body["suggestions"]][0] == "07001"
    assert len(body["suggestions"]) == 3
    assert all(0 <= s["confidence"] <= 1 for s in body["suggestions"])
    assert 0 <= body["model"]["top3_accuracy"] <= 1 and body["model"]["case_count"] == 4 * PER_CLASS

    for user in ("shift_leader", "dispatcher", "admin"):
        assert as_user(user).get("/intake/classify", text="路灯不亮").status_code == 200
    empty = operator.get("/intake/classify", text="  ")
    assert empty.status_code == 400 and "请填写" in empty.json()["detail"]
    for user in ("dept_zhifa", "inspector"):
        refused = as_user(user).get("/intake/classify", text=CLEAR_AD)
        assert refused.status_code == 403 and "受理员" in refused.json()["detail"]


def test_train_classifier_command_prints_the_figures_and_the_admin_shows_them(closed_cases, capsys, client):
    call_command("train_classifier", "--seed", "1")
    out = capsys.readouterr().out
    assert f"训练案卷：{4 * PER_CLASS} 件已结案案卷，4 个小类" in out
    assert "留出 12 件" in out and "首选" in out and "前三" in out and "多数类基线：首选 25.0%" in out

    model = ClassifierModel.objects.get()
    client.force_login(User.objects.get(username="admin"))
    listing = client.get("/admin/intake/classifiermodel/")
    assert listing.status_code == 200 and f"{model.top3_accuracy:.1%}" in listing.content.decode()
    detail = client.get(f"/admin/intake/classifiermodel/{model.pk}/change/")
    assert detail.status_code == 200 and "KB" in detail.content.decode()
    assert client.get("/admin/intake/classifiermodel/add/").status_code == 403
