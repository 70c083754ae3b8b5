"""A history of cases for the demo city, every one driven through the real workflow.

`build_demo_history(count, seed, days)` reports `count` cases at random moments of the last `days` days
(mostly working hours; hotline calls also in the evening and at weekends) and plays each one's story
forward with `report_by_staff` and `apply_action`, passing `now=` so every event carries its historical
time. Most cases go round the whole loop and close; some are declined, voided, verified false, returned,
extended, suspended, reworked after a failed check, handled late, or left stuck and urged. A story stops
at the first step whose moment would be after "now", so recent cases stay open at every stage. Finally
the time-limit timers that fell due in the past are swept at their due moments (overdue marks, warnings).

Descriptions come from `xiuhua.platform.demo_texts`; they are generated, so they are more regular than
real hotline transcripts and inspector notes.
"""

from __future__ import annotations

import contextlib
import io
import random
import time as timer
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from xiuhua.accounts.choices import DepartmentKind, Role
from xiuhua.accounts.models import Department, User
from xiuhua.accounts.queries import sees_division_code
from xiuhua.cases.choices import CALLBACK_SOURCES, Source
from xiuhua.cases.choices import CaseStatus as S
from xiuhua.cases.models import Case, CaseStats, Timer
from xiuhua.cases.timers import sweep
from xiuhua.cases.workflow import apply_action
from xiuhua.catalog.models import CaseClass, Component
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.services import ReportInput
from xiuhua.platform import demo_data as facts
from xiuhua.platform.demo_texts import TEXT_CLASSES, Place, TextClass, describe
from xiuhua.territory.models import Road, StreetAddress
from xiuhua.worktime.clock import SHANGHAI, WorkCalendar, current_calendar

WORKING = "working_hours"
# Who brings cases in, and how often (inspectors find most of them; then the 12345 hotline).
SOURCES = {
    Source.INSPECTOR: 55,
    Source.HOTLINE_12345: 30,
    Source.CITIZEN: 7,
    Source.HOTLINE_12319: 4,
    Source.VIDEO: 3,
    Source.MEDIA: 1,
}
INSPECTOR_VOICE = {Source.INSPECTOR, Source.VIDEO}
SATISFACTION = {
    "very_satisfied": 40,
    "satisfied": 38,
    "basically_satisfied": 14,
    "dissatisfied": 6,
    "very_dissatisfied": 2,
}
# Probabilities of the side paths of a story; everything else goes straight round the loop.
ODDS = {
    "self_handle": 0.06,  # of inspector reports
    "decline_intake": 0.04,
    "void": 0.01,
    "verify": 0.6,  # of citizen and hotline reports
    "verify_false": 0.12,
    "decline_register": 0.03,
    "return": 0.04,
    "extension": 0.05,
    "suspension": 0.01,
    "stuck": 0.02,
    "late": 0.1,
    "rework": 0.08,
}
DECLINE_INTAKE = (
    "非城市管理职责范围，已告知来电人向相关部门反映",
    "描述不清，无法确定具体位置",
    "重复上报，已在处理中",
    "属物业管理区域内部问题，已告知联系物业",
)
DECLINE_REGISTER = ("不符合立案条件", "问题已自行消失", "经研判属私人纠纷，不予立案")
RETURN_REASONS = ("经现场查看不属于本单位职责，请改派属地街道", "该区域由属地负责管理，申请回退")
REPORT_BACK_NOTES = ("已处置完毕", "已清理", "已整改到位", "已责令当事人整改，现场恢复", "已修复", "已清运")
CHECK_FAIL_NOTES = ("现场仍有残留，未处置到位", "问题反弹，需再次处置", "整改不彻底")


@dataclass
class HistoryResult:
    cases: int
    actions: int
    seconds: float
    by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    swept_timers: int = 0

    @property
    def closed(self) -> int:
        return self.by_status.get(S.CLOSED, 0)


class _Paused(Exception):
    """The story's next step lies after "now": the case stays where it is."""


def _jpeg(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


PHOTOS = {"before": _jpeg((150, 120, 90)), "after": _jpeg((90, 150, 110)), "check": _jpeg((100, 110, 160))}


def photo(kind: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{kind}.jpg", PHOTOS[kind], content_type="image/jpeg")


@dataclass
class _Spot:
    place: Place
    lng: float
    lat: float
    address: str
    component_code: str = ""


class _Places:
    """House numbers of the demo roads (with their community) and surveyed components near them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.roads = list(Road.objects.values_list("name", flat=True)) or ["县前街"]
        rows = StreetAddress.objects.filter(unit_grid__isnull=False).values_list(
            "road__name", "number", "lng", "lat", "unit_grid_id", "unit_grid__community__name"
        )
        self.addresses = list(rows)
        if not self.addresses:
            raise DomainError("演示城市没有门牌数据，无法生成历史案卷", code="no_addresses")
        self.by_grid: dict[int, list[tuple]] = defaultdict(list)
        for row in self.addresses:
            self.by_grid[row[4]].append(row)
        self.components = self._components()

    def _components(self) -> dict[str, list[tuple[str, float, float, int]]]:
        codes = [t.code for t in TEXT_CLASSES if t.kind == "component"]
        found: dict[str, list[tuple[str, float, float, int]]] = defaultdict(list)
        rows = Component.objects.filter(case_class__kind="component", case_class__code__in=codes).values_list(
            "case_class__code", "code", "lng", "lat", "unit_grid_id"
        )
        for class_code, code, lng, lat, grid_id in rows.iterator():
            if grid_id in self.by_grid:
                found[class_code].append((code, lng, lat, grid_id))
        return found

    def spot(self, text_class: TextClass) -> _Spot:
        candidates = self.components.get(text_class.code) if text_class.kind == "component" else None
        if candidates and self.rng.random() < 0.8:
            code, lng, lat, grid_id = self.rng.choice(candidates)
            road, number, _lng, _lat, _grid, community = self.rng.choice(self.by_grid[grid_id])
            return _Spot(self._place(road, number, community), lng, lat, f"{road}{number}号附近", code)
        road, number, lng, lat, _grid, community = self.rng.choice(self.addresses)
        return _Spot(self._place(road, number, community), lng, lat, f"{road}{number}号")

    def _place(self, road: str, number: int, community: str) -> Place:
        others = [r for r in self.roads if r != road] or [road]
        return Place(road, number, community or "", self.rng.choice(others))


class _Story:
    """Plays one case forward, step by step, never past `end`."""

    def __init__(self, users: dict[str, User], rng: random.Random, calendar: WorkCalendar, end: datetime) -> None:
        self.users = users
        self.rng = rng
        self.calendar = calendar
        self.end = end
        self.actions = 0
        self.subdistrict_units = dict(
            Department.objects.filter(kind=DepartmentKind.SUBDISTRICT).values_list("division_code", "short_name")
        )

    def later(self, moment: datetime, low: int, high: int) -> datetime:
        """A moment `low`–`high` working minutes after `moment` (the centre works office hours)."""
        return self.calendar.add(moment, timedelta(minutes=self.rng.uniform(low, high)), WORKING)

    def act(self, case: Case, action: str, who: str, at: datetime, files: list | None = None, **params) -> Case:
        if at >= self.end:
            raise _Paused
        self.actions += 1
        return apply_action(case.number, action, self.users[who], params, files=files, now=at)

    def patroller(self, case: Case) -> str:
        """The demo inspector whose patrol area holds the case's grid (each sees only their beat)."""
        for name, user in sorted(self.users.items()):
            if user.role == Role.INSPECTOR and sees_division_code(user, case.grid_code):
                return name
        return "inspector"

    def chance(self, key: str) -> bool:
        return self.rng.random() < ODDS[key]

    def play(self, case: Case) -> None:
        with contextlib.suppress(_Paused):
            self._play(case)

    def _play(self, case: Case) -> None:
        t = case.reported_at
        if case.status == S.SELF_HANDLED:
            self.act(case, "approve", "operator", self.later(t, 5, 90))
            return
        if self.chance("decline_intake"):
            self.act(case, "decline", "operator", self.later(t, 3, 40), note=self.rng.choice(DECLINE_INTAKE))
            return
        case = self.act(case, "accept", "operator", t := self.later(t, 3, 40))
        if self.chance("void"):
            case = self.act(case, "request_void", "operator", t := self.later(t, 5, 60), note="重复案卷，已合并处理")
            self.act(case, "approve", "shift_leader", self.later(t, 10, 120))
            return
        if case.source not in INSPECTOR_VOICE and self.chance("verify"):
            case, t, true = self._verify(case, t)
            if not true:
                self.act(case, "decline", "shift_leader", self.later(t, 5, 60), note="经核实问题不属实")
                return
        if self.chance("decline_register"):
            self.act(case, "decline", "shift_leader", self.later(t, 5, 60), note=self.rng.choice(DECLINE_REGISTER))
            return
        case = self.act(case, "register", "shift_leader", t := self.later(t, 5, 60))
        case = self.act(case, "dispatch", "dispatcher", t := self.later(t, 5, 45))
        case, t = self._handle(case, t)
        self._finish(case, t)

    def _verify(self, case: Case, t: datetime) -> tuple[Case, datetime, bool]:
        case = self.act(case, "verify", "operator", t := self.later(t, 3, 20))
        true = not self.chance("verify_false")
        who = self.patroller(case)
        case = self.act(case, "verify", who, t := self.later(t, 20, 240), [photo("before")], result=true)
        return case, t, true

    def _department(self, case: Case) -> str:
        return f"dept_{case.lead_department.short_name}"

    def _handle(self, case: Case, t: datetime) -> tuple[Case, datetime]:
        """From dispatch to report-back: returns, extensions, suspensions and stuck cases branch off here."""
        if self.chance("return"):
            case, t = self._return(case, t)
        dept = self._department(case)
        case = self.act(case, "handle", dept, t := self.later(t, 10, 120))
        if self.chance("extension"):
            case, t = self._extend(case, t, dept)
        if self.chance("suspension"):
            note = "涉及产权纠纷，需长期协调"
            case = self.act(case, "request_suspension", dept, t := self.later(t, 30, 240), note=note)
            self.act(case, "approve", "dispatcher", self.later(t, 10, 120))
            raise _Paused
        if self.chance("stuck"):
            self._urge_later(case)
            raise _Paused
        return self._report_back(case, t, dept)

    def _extend(self, case: Case, t: datetime, dept: str) -> tuple[Case, datetime]:
        """Ask for 1–3 more days and get them, if both happen before the limit runs out (it cannot be later)."""
        asked = self.later(t, 10, 60)
        granted = self.later(asked, 10, 90)
        if case.handling_deadline is None or granted >= case.handling_deadline:
            return case, t
        days = {"extension_value": self.rng.randint(1, 3), "extension_unit": "days"}
        case = self.act(case, "request_extension", dept, asked, note="需协调多个部门，申请延期", **days)
        return self.act(case, "approve", "dispatcher", granted), granted

    def _return(self, case: Case, t: datetime) -> tuple[Case, datetime]:
        lead = case.lead_department
        home = self.subdistrict_units.get(case.subdistrict.code if case.subdistrict_id else "", "")
        target = "zhifa" if lead.kind == DepartmentKind.SUBDISTRICT or not home else home
        case = self.act(
            case, "request_return", self._department(case), t := self.later(t, 20, 180), note=RETURN_REASONS[0]
        )
        case = self.act(case, "approve", "dispatcher", t := self.later(t, 10, 90), department=target)
        return case, t

    def _urge_later(self, case: Case) -> None:
        """A leader presses a department whose case has run past its limit."""
        if case.handling_deadline is not None:
            at = self.later(case.handling_deadline, 60, 600)
            self.act(case, "urge", "leader", at, note="该案卷已超期，请加快处置并反馈")

    def _report_back(self, case: Case, t: datetime, dept: str) -> tuple[Case, datetime]:
        at = self._handling_done(case, t)
        note = self.rng.choice(REPORT_BACK_NOTES)
        return self.act(case, "report_back", dept, at, [photo("after")], note=note), at

    def _handling_done(self, case: Case, t: datetime) -> datetime:
        """When the department reports back: mostly within the limit, sometimes after it."""
        deadline = case.handling_deadline
        if deadline is None:
            return self.later(t, 30, 480)
        if self.chance("late") or deadline <= t:
            return self.later(max(deadline, t), 30, 900)
        span = self.calendar.elapsed(t, deadline, WORKING)
        if span > timedelta(minutes=10):
            return self.calendar.add(t, span * self.rng.uniform(0.15, 0.9), WORKING)
        return t + (deadline - t) * self.rng.uniform(0.2, 0.9)

    def _finish(self, case: Case, t: datetime) -> None:
        """Check (with rework rounds after a failed check), close, and call back the citizen."""
        dept = self._department(case)
        reworks = (2 if self.rng.random() < 0.1 else 1) if self.chance("rework") else 0
        for round_ in range(reworks + 1):
            passed = round_ == reworks
            case = self.act(case, "check", "operator", t := self.later(t, 5, 60))
            note = "处置到位" if passed else self.rng.choice(CHECK_FAIL_NOTES)
            at = t = self.later(t, 20, 300)
            case = self.act(case, "check", self.patroller(case), at, [photo("check")], result=passed, note=note)
            if not passed:
                case = self.act(case, "handle", dept, t := self.later(t, 10, 120))
                case, t = self._report_back(case, t, dept)
        case = self.act(case, "close", "shift_leader", t := self.later(t, 5, 90))
        if case.source in CALLBACK_SOURCES:
            satisfaction = self.rng.choices(list(SATISFACTION), weights=list(SATISFACTION.values()))[0]
            self.act(case, "callback", "operator", self.later(t, 30, 480), satisfaction=satisfaction)


def _check_text_classes() -> None:
    """Refuse a catalogue that lacks one of the template classes (a city may have deactivated it)."""
    wanted = {(t.kind, t.code) for t in TEXT_CLASSES}
    active = CaseClass.objects.filter(active=True, code__in=[code for _k, code in wanted])
    missing = sorted(wanted - set(active.values_list("kind", "code")))
    if missing:
        raise DomainError(f"分类目录中缺少演示历史用到的小类：{'、'.join(code for _k, code in missing)}")


def _report_moments(
    count: int, days: int, end: datetime, calendar: WorkCalendar, rng: random.Random
) -> list[tuple[datetime, str]]:
    """`count` report moments in the last `days` days, oldest first: inspectors patrol in working hours on
    workdays; the hotline and citizens call from 07:00 to 22:00 on any day."""
    first_day = (end - timedelta(days=days)).astimezone(SHANGHAI).date()
    span = (end.astimezone(SHANGHAI).date() - first_day).days + 1
    workdays = [d for d in (first_day + timedelta(n) for n in range(span)) if calendar.is_workday(d)] or [first_day]
    moments = []
    while len(moments) < count:
        source = rng.choices(list(SOURCES), weights=list(SOURCES.values()))[0]
        if source in INSPECTOR_VOICE:
            moment = _within_windows(rng.choice(workdays), calendar, rng)
        else:
            day = first_day + timedelta(rng.randrange(span))
            moment = datetime.combine(day, time(7), SHANGHAI) + timedelta(minutes=rng.uniform(0, 15 * 60))
        if end - timedelta(days=days) <= moment < end:
            moments.append((moment, source))
    return sorted(moments, key=lambda m: m[0])


def _within_windows(day: date, calendar: WorkCalendar, rng: random.Random) -> datetime:
    start, stop = rng.choice(calendar.windows)
    opening = datetime.combine(day, start, SHANGHAI)
    length = (datetime.combine(day, stop, SHANGHAI) - opening).total_seconds()
    return opening + timedelta(seconds=rng.uniform(0, length))


def _caller(rng: random.Random) -> tuple[str, str]:
    return f"{rng.choice(facts.SURNAMES)}{rng.choice('先生女士')}", f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def _report(users: dict[str, User], places: _Places, moment: datetime, source: str, rng: random.Random) -> Case:
    text_class = rng.choices(TEXT_CLASSES, weights=[t.weight for t in TEXT_CLASSES])[0]
    spot = places.spot(text_class)
    voice = "inspector" if source in INSPECTOR_VOICE else "citizen"
    data = ReportInput(
        class_code=text_class.code,
        kind=text_class.kind,
        description=describe(text_class, voice, spot.place, rng),
        lng=spot.lng,
        lat=spot.lat,
        address=spot.address,
        component_code=spot.component_code,
    )
    if source == Source.INSPECTOR:
        data.self_handled = rng.random() < ODDS["self_handle"]
        after = [photo("after")] if data.self_handled else None
        return report_by_staff(users["inspector"], data, [photo("before")], after_photos=after, now=moment).case
    data.source = source
    if source in CALLBACK_SOURCES:
        data.reporter_name, data.reporter_phone = _caller(rng)
        data.reporter_confidential = rng.random() < 0.1
    return report_by_staff(users["operator"], data, now=moment).case


def _sweep_past(end: datetime) -> int:
    """Fire the timers that fell due before `end`, each at its own due moment, as the worker would have."""
    # Firing creates no timers, so the list of due moments taken now is complete.
    pending = Timer.objects.filter(fired_at__isnull=True, due_at__lt=end)
    due_moments = sorted(set(pending.values_list("due_at", flat=True)))
    fired = 0
    for due in due_moments:
        fired += sum(sweep(now=due).values())
    return fired


def _users() -> dict[str, User]:
    users = {u.username: u for u in User.objects.filter(is_demo=True, is_active=True)}
    needed = ["operator", "shift_leader", "dispatcher", "inspector", "leader"]
    missing = [n for n in needed if n not in users]
    if missing or not any(u.role == Role.DEPARTMENT for u in users.values()):
        raise DomainError(f"缺少演示账号：{'、'.join(missing) or '部门账号'}，请先载入演示城市")
    return users


@transaction.atomic
def build_demo_history(count: int, seed: int = 1, days: int = 90, end: datetime | None = None) -> HistoryResult:
    """Report `count` cases over the last `days` days and play each through the workflow; one transaction."""
    if count < 0:
        raise DomainError("历史案卷数量不能为负数")
    if days < 1:
        raise DomainError("历史天数至少为 1")
    started = timer.perf_counter()
    end = end or timezone.now()
    rng = random.Random(seed)
    calendar = current_calendar()
    _check_text_classes()
    users, places = _users(), _Places(rng)
    story = _Story(users, rng, calendar, end)
    numbers = []
    for moment, source in _report_moments(count, days, end, calendar, rng):
        case = _report(users, places, moment, source, rng)
        story.play(case)
        numbers.append(case.number)
    swept = _sweep_past(end)
    created = Case.objects.filter(number__in=numbers)
    result = HistoryResult(
        cases=len(numbers),
        actions=story.actions + len(numbers),
        seconds=round(timer.perf_counter() - started, 1),
        by_status=dict(Counter(created.values_list("status", flat=True))),
        overdue=CaseStats.objects.filter(case__in=created, handling_overdue=True).count(),
        swept_timers=swept,
    )
    record_audit(None, "demo.history", target=facts.DISTRICT[0], summary=f"cases={count} seed={seed} days={days}")
    return result
