"""The demo history: cases reported in the past and played through the real workflow."""

import csv
import random
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from xiuhua.cases.choices import CaseStatus
from xiuhua.cases.models import Case, CaseEvent
from xiuhua.cases.tests.conftest import media_in_tmp  # noqa: F401  (photos go to a temporary folder)
from xiuhua.platform.demo_history import build_demo_history
from xiuhua.platform.demo_texts import TEXT_CLASSES, Place, describe
from xiuhua.territory.services import forget_grid_index

pytestmark = pytest.mark.django_db
CATALOGUE = Path(__file__).resolve().parents[2] / "catalog" / "data" / "catalog-gbt-47678.5-2026.csv"


def test_template_classes_are_real_catalogue_classes_and_every_template_renders():
    with CATALOGUE.open(encoding="utf-8") as f:
        names = {(row["kind"], row["code"]): row["name"] for row in csv.DictReader(f)}
    rng = random.Random(0)
    place = Place("海滨路", 12, "城东社区", "朝阳街")
    assert len(TEXT_CLASSES) >= 40
    for text_class in TEXT_CLASSES:
        assert names.get((text_class.kind, text_class.code)) == text_class.name, text_class.code
        for voice, templates in (("citizen", text_class.citizen), ("inspector", text_class.inspector)):
            assert templates, (text_class.code, voice)
            texts = {describe(text_class, voice, place, rng) for _ in range(40)}
            assert all("{" not in t and ("海滨路" in t or "城东社区" in t) for t in texts)
            assert len(texts) > 3  # the slots make texts vary


def test_a_small_history_reaches_every_status_through_events(demo_city):
    end = timezone.now()
    result = build_demo_history(30, seed=3, days=20, end=end)
    cases = list(Case.objects.all())
    assert result.cases == len(cases) == 30
    assert sum(result.by_status.values()) == 30
    assert result.closed > 0 and result.by_status[CaseStatus.CLOSED] == result.closed
    for case in cases:
        events = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
        assert events[0].action == "report" and events[0].at == case.reported_at
        assert events[-1].to_status == case.status, case.number
        assert all(a.at <= b.at for a, b in zip(events, events[1:], strict=False))
        assert end - timedelta(days=20) <= case.reported_at and events[-1].at < end
        assert case.description and "{" not in case.description
    closed = [c for c in cases if c.status == CaseStatus.CLOSED]
    # Closed by the shift leader after a passed check, or by the operator approving an inspector's self-handling.
    assert all(c.events.filter(action__in=["close", "approve"], to_status="closed").exists() for c in closed)
    assert len({c.case_class_id for c in cases}) > 5


def test_same_seed_and_end_give_the_same_history(demo_city):
    end = timezone.now()
    build_demo_history(8, seed=5, days=10, end=end)
    first = list(Case.objects.order_by("number").values_list("description", "status"))
    assert len(first) == 8
    # A second history appends; its cases repeat the first one's texts and stories.
    build_demo_history(8, seed=5, days=10, end=end)
    second = list(Case.objects.order_by("reported_at", "id").values_list("description", "status"))[1::2]
    assert sorted(second) == sorted(first)


def test_demo_command_builds_the_history_it_is_asked_for(db, capsys):
    forget_grid_index()
    try:
        call_command("demo", "--grids", "40", "--components", "60", "--history", "6")
    finally:
        forget_grid_index()
    out = capsys.readouterr().out
    assert "历史案卷已生成：6 件" in out
    assert Case.objects.count() == 6
