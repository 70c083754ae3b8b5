"""Fixtures for case tests: the demo city's people, photos, and a case at a given point of the loop."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from xiuhua.accounts.models import Department, User
from xiuhua.cases.workflow import apply_action
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.services import ReportInput
from xiuhua.territory.models import UnitGrid
from xiuhua.worktime.clock import forget_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def jpeg_bytes(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (120, 140, 90), exif=None) -> bytes:
    """A real JPEG, as a phone would send (optionally with EXIF)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG", quality=80, exif=exif or Image.Exif())
    return buffer.getvalue()


JPEG = jpeg_bytes()


def photo(name: str = "scene.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


def patrolling_inspector(case) -> User:
    """The demo inspector whose beat holds the case's grid (an inspector checks only there)."""
    from xiuhua.accounts.queries import sees_division_code

    inspectors = User.objects.filter(role="inspector", is_active=True).order_by("username")
    return next(u for u in inspectors if sees_division_code(u, case.grid_code))


def sh(*parts: int) -> datetime:
    """An instant given in Asia/Shanghai local time."""
    return datetime(*parts, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    forget_calendar()
    yield
    forget_calendar()


class People:
    def __init__(self) -> None:
        self.operator = User.objects.get(username="operator")
        self.shift_leader = User.objects.get(username="shift_leader")
        self.dispatcher = User.objects.get(username="dispatcher")
        self.inspector = User.objects.get(username="inspector")
        self.leader = User.objects.get(username="leader")
        self.zhifa = User.objects.get(username="dept_zhifa")
        self.zhujian = User.objects.get(username="dept_zhujian")

    @staticmethod
    def department(short_name: str) -> Department:
        return Department.objects.get(short_name=short_name)


@pytest.fixture
def people(demo_city) -> People:
    return People()


@pytest.fixture
def spot(demo_city) -> tuple[float, float]:
    """A point inside the first unit grid of the demo city."""
    grid = UnitGrid.objects.order_by("code").first()
    centre = grid.geometry.representative_point()
    return centre.x, centre.y


class Loop:
    """Drives one case round the loop with the demo accounts; each method is one action."""

    def __init__(self, people: People, spot: tuple[float, float]) -> None:
        self.p = people
        self.spot = spot

    def report(self, now: datetime | None = None, class_code: str = "01001", kind: str = "event", **extra):
        data = ReportInput(
            class_code=class_code,
            kind=kind,
            description="路面有暴露垃圾",
            lng=self.spot[0],
            lat=self.spot[1],
            address="武原街道海滨东路 1 号",
            **extra,
        )
        case = report_by_staff(self.p.operator, data, now=now).case
        return case

    def report_by_inspector(self, now: datetime | None = None):
        data = ReportInput(
            class_code="01001", kind="event", description="墙面有小广告", lng=self.spot[0], lat=self.spot[1]
        )
        case = report_by_staff(self.p.inspector, data, [photo("before.jpg")], now=now).case
        return case

    def act(self, case, action: str, actor: User, now: datetime | None = None, files=None, **params):
        return apply_action(case.number, action, actor, params, files=files, now=now)

    def to_registered(self, now: datetime | None = None, **report):
        case = self.report(now=now, **report)
        self.act(case, "accept", self.p.operator, now=now)
        return self.act(case, "register", self.p.shift_leader, now=now)

    def to_dispatched(self, now: datetime | None = None, department: str = "zhifa", **report):
        case = self.to_registered(now=now, **report)
        return self.act(case, "dispatch", self.p.dispatcher, now=now, department=department)

    def to_handled(self, now: datetime | None = None, **report):
        case = self.to_dispatched(now=now, **report)
        self.act(case, "handle", self.p.zhifa, now=now)
        return self.act(case, "report_back", self.p.zhifa, now=now, files=[photo("after.jpg")], note="已清运")

    def to_checked(self, now: datetime | None = None, **report):
        case = self.to_handled(now=now, **report)
        self.act(case, "check", self.p.operator, now=now)
        return self.act(case, "check", self.p.inspector, now=now, files=[photo("check.jpg")], result=True)

    def close(self, case, now: datetime | None = None):
        """A case from any channel, reported or accepted, round the rest of the loop to closed."""
        case.refresh_from_db()
        if case.status == "reported":
            self.act(case, "accept", self.p.operator, now=now)
        self.act(case, "register", self.p.shift_leader, now=now)
        self.act(case, "dispatch", self.p.dispatcher, now=now, department="zhifa")
        self.act(case, "report_back", self.p.zhifa, now=now, files=[photo("after.jpg")], note="已清运")
        self.act(case, "check", self.p.operator, now=now)
        self.act(case, "check", self.p.inspector, now=now, files=[photo("check.jpg")], result=True)
        return self.act(case, "close", self.p.shift_leader, now=now)


@pytest.fixture
def loop(people, spot) -> Loop:
    return Loop(people, spot)


class ApiClient:
    """The JSON API as one demo account sees it."""

    def __init__(self, client, username: str, password: str) -> None:
        self.client = client
        self.username = username
        response = client.post(
            "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}

    def get(self, path: str, **query):
        return self.client.get(f"/api/v1{path}", query, **self.auth)

    def post_json(self, path: str, body: dict | None = None, **headers):
        return self.client.post(f"/api/v1{path}", body or {}, content_type="application/json", **self.auth, **headers)

    def post_form(self, path: str, fields: dict, **headers):
        return self.client.post(f"/api/v1{path}", fields, **self.auth, **headers)

    def act(self, number: str, action: str, photos: list | None = None, **fields):
        if photos:
            return self.post_form(f"/cases/{number}/actions/{action}", {**fields, "photos": photos})
        return self.post_json(f"/cases/{number}/actions/{action}", fields)


@pytest.fixture
def as_user(demo_city, client, settings):
    """as_user("dispatcher") → an ApiClient logged in as that demo account."""
    from django.test import Client

    def login(username: str) -> ApiClient:
        return ApiClient(Client(), username, settings.DEMO_PASSWORD)

    return login
