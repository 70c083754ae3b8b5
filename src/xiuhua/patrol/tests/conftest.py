from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.patrol.services import PointIn
from xiuhua.territory.models import UnitGrid

STEP_DEG = 0.0003  # about 29 m of longitude at 30.5° N, 33 m of latitude


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=settings.DEMO_PASSWORD)
    return client


@pytest.fixture
def inspector(demo_city) -> User:
    return User.objects.get(username="inspector")


@pytest.fixture
def beat(inspector) -> tuple[float, float]:
    """The centre of a unit grid in the inspector's patrol area."""
    grid = UnitGrid.objects.filter(community__code__startswith=inspector.scope_division_codes[0]).first()
    centre = grid.geometry.centroid
    return centre.x, centre.y


def walk(start: tuple[float, float], at: datetime, steps: int, *, every_s: int = 30, dlng: float = STEP_DEG):
    """Points every `every_s` seconds moving east by `dlng` degrees per point (about 1 m/s by default)."""
    return [PointIn(at + timedelta(seconds=every_s * i), start[0] + dlng * i, start[1], 5.0) for i in range(steps)]


_test_start: dict[str, datetime] = {}


@pytest.fixture(autouse=True)
def _one_reference_time_per_test():
    """All of a test's `minutes_ago` count back from one moment: two calls a second apart must not make an hour
    3,599 or 3,601 seconds long."""
    _test_start["now"] = timezone.now().replace(microsecond=0)


def minutes_ago(minutes: float) -> datetime:
    return _test_start["now"] - timedelta(minutes=minutes)
