"""Haiyan's own special campaigns (专项行动) for the demo city, from the annexes of its plan (seed 002).

Five campaigns — 破墙开店, 停车秩序, 流动摊贩, 户外广告, 犬类管理 — with their dated phases (调查摸底 / 集中整治 /
巩固提升), lead and partner units from the demo departments, tasks per responsible unit and sub-district, and
targets of every kind: live case rules over the classes the demo history reports, tagged cases, a fixed item
list, activity records with one month missing, reviewed counts and milestones, and entries awaiting review.

The demo history is random and relative to "now", so the campaign year is too: it is the twelve months whose
ninth month is the build month (the campaigns are named after the build year). The build day therefore always
lies in the 集中整治 or 巩固提升 phase, the 90 days of history inside the year, and the mix the overview should
show holds whatever the day: the reviewed counts and milestones are fixed (some met, some behind, exactly one
overdue: the second quarter's road of 破墙开店), while the goals of live case targets are set from what the
history gives (half the sub-districts ahead of their goal, half behind).
Written like the demo city, as plain rows in one transaction with one audit row, not through the services: the
entries, records and reviews are back-dated to when they would have happened (a service stamps them "now", and a
month-end snapshot counts only what was reviewed by the month's end), and the finished months are then frozen.
"""

from __future__ import annotations

import calendar
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from xiuhua.accounts.models import Department, User
from xiuhua.campaigns.choices import CaseCount, Frequency, Measure, ReportPeriod, Review, TaggedCases
from xiuhua.campaigns.measures import measure_target
from xiuhua.campaigns.models import (
    ActivityRecord,
    Campaign,
    CampaignCase,
    CampaignPhase,
    CampaignTask,
    CaseRule,
    ManualEntry,
    ProgressReport,
    Target,
    TargetItem,
)
from xiuhua.campaigns.progress import campaign_progress
from xiuhua.campaigns.record_measures import periods
from xiuhua.campaigns.snapshots import freeze_finished_months
from xiuhua.campaigns.tallies import rebuild_stale_tallies
from xiuhua.cases.models import Case
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError
from xiuhua.platform import demo_data as facts
from xiuhua.platform.demo_campaign_plans import PLANS
from xiuhua.territory.choices import DivisionLevel
from xiuhua.territory.models import Division
from xiuhua.worktime.clock import SHANGHAI

BUILD_MONTH = 9  # the build day falls in the ninth month of the campaign year
PHASE_NAMES = ("调查摸底", "集中整治", "巩固提升")
PHASE_PLAN = (Decimal(10), Decimal(85), Decimal(100))  # cumulative percent planned by each phase's end
VENDING = ["09001", "09005", "09006", "09022"]  # 游商, 店外经营, 占道经营, 占道促销
ADS = ["07003", "07006", "07007"]  # 户外广告, 牌匾标识, 标语宣传品
ONE = Decimal(1)


@dataclass
class DemoCampaigns:
    campaigns: int = 0
    tasks: int = 0
    targets: int = 0
    tagged: int = 0
    items: int = 0
    records: int = 0
    entries: int = 0
    pending: int = 0
    reports: int = 0
    codes: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # targets by status when built
    snapshots: int = 0


def campaign_year(today: date) -> tuple[date, date]:
    """The twelve months whose `BUILD_MONTH`-th month holds `today`: first and last day."""
    start = _add_months(today.replace(day=1), 1 - BUILD_MONTH)
    return start, _month_end(_add_months(start, 11))


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class _Builder:
    """Writes one campaign after another; `month(n)` is the first day of the campaign year's n-th month."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.today = timezone.localtime(now, SHANGHAI).date()
        self.start, self.end = campaign_year(self.today)
        self.district = Division.objects.get(level=DivisionLevel.DISTRICT, code=facts.DISTRICT[0])
        self.units = {d.short_name: d for d in Department.objects.all()}
        self.users = {u.username: u for u in User.objects.filter(is_demo=True)}
        self.leader = self.users.get("leader")
        self.result = DemoCampaigns()
        self.campaign: Campaign | None = None

    def month(self, n: int) -> date:
        return _add_months(self.start, n - 1)

    def month_end(self, n: int) -> date:
        return _month_end(self.month(n))

    def moment(self, day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour), SHANGHAI)

    def unit_user(self, short_name: str) -> User | None:
        return self.users.get(f"dept_{short_name}")

    # -- campaigns, phases, tasks, targets

    def open_campaign(self, code: str) -> Campaign:
        """The campaign of `PLANS[code]` with its units, 专班 members and three phases."""
        plan = PLANS[code]
        campaign = Campaign.objects.create(
            code=code,
            year=self.today.year,
            name=plan.name,
            goal=plan.goal,
            scope_text=plan.scope,
            public=plan.public,
            district=self.district,
            starts_on=self.start,
            ends_on=self.end,
            created_by=self.leader,
        )
        campaign.lead_units.set([self.units[s] for s in plan.lead])
        campaign.partner_units.set([self.units[s] for s in plan.partners if s in self.units])
        members = [self.leader] + [self.unit_user(s) for s in plan.lead]
        campaign.members.set([m for m in members if m is not None])
        self.campaign = campaign
        self.result.campaigns += 1
        self.result.codes.append(code)
        self._phases(plan.phase_months)
        return campaign

    def _phases(self, months: tuple[int, int, int]) -> None:
        """Three phases of `months` months each (summing to 12), in order."""
        first = 1
        for name, length, plan in zip(PHASE_NAMES, months, PHASE_PLAN, strict=True):
            CampaignPhase.objects.create(
                campaign=self.campaign,
                name=f"{name}阶段",
                starts_on=self.month(first),
                ends_on=self.month_end(first + length - 1),
                plan_percent=plan,
            )
            first += length

    def task(self, code: str, name: str, unit: str, *, parent=None, subdistrict=None, due=None, weight=ONE):
        self.result.tasks += 1
        return CampaignTask.objects.create(
            campaign=self.campaign,
            parent=parent,
            code=code,
            name=name,
            responsible_unit=self.units.get(unit),
            subdistrict=subdistrict,
            due_on=due or self.end,
            weight=weight,
        )

    def target(self, task: CampaignTask, name: str, measure: str, goal, unit_label: str, **fields) -> Target:
        fields.setdefault("due_on", task.due_on)
        self.result.targets += 1
        return Target.objects.create(
            task=task, name=name, measure=measure, goal=Decimal(goal), unit_label=unit_label, **fields
        )

    def case_target(self, task, name: str, goal, unit_label: str, rule: dict, **fields) -> Target:
        measure = Measure.CASE_RATE if rule.get("out_of") else Measure.CASE_COUNT
        target = self.target(task, name, measure, goal, unit_label, **fields)
        CaseRule.objects.create(target=target, **rule)
        return target

    # -- what the units did

    def entries(self, target: Target, values: list[tuple[int, int]], *, pending: int = 0, points: str = "") -> None:
        """Approved entries (month, value), then one awaiting review this month if `pending`."""
        unit = target.task.responsible_unit
        by = self.unit_user(unit.short_name) if unit else None
        reviewer = self.unit_user(self.campaign.lead_units.first().short_name)
        rows = [(self.month(m) + timedelta(days=14), v, Review.APPROVED) for m, v in values]
        if pending:
            rows.append((self.today - timedelta(days=1), pending, Review.PENDING))
        for day, value, state in rows:
            approved = state == Review.APPROVED
            entered = self.moment(day, 16) if approved else self.now - timedelta(hours=2)
            ManualEntry.objects.create(
                target=target,
                value=Decimal(value),
                occurred_on=day,
                note="附现场照片及点位清单" if points else "按月汇总上报",
                points_geojson=points,
                state=state,
                entered_by=by,
                entered_at=entered,
                reviewed_by=reviewer if approved else None,
                reviewed_at=self.moment(day + timedelta(days=1)) if approved else None,
                review_note="经核实，数据属实" if approved else "",
            )
            self.result.entries += 1
            self.result.pending += not approved

    def records(self, target: Target, days: list[date], title: str, units: list[str]) -> None:
        by = self.unit_user(target.task.responsible_unit.short_name)
        for n, day in enumerate(days):
            record = ActivityRecord.objects.create(
                target=target,
                held_on=day,
                title=title,
                people=12 + n % 7 * 3,
                findings="查处违法行为若干，现场责令整改" if n % 2 else "发现问题已当场处置",
                recorded_by=by,
                recorded_at=self.moment(day, 17),
            )
            record.units.set([self.units[s] for s in units])
        self.result.records += len(days)

    def tag(self, cases: list[Case], note: str) -> None:
        CampaignCase.objects.bulk_create(
            [
                CampaignCase(campaign=self.campaign, case=c, tagged_by=self.leader, tagged_at=self.now, note=note)
                for c in cases
            ]
        )
        self.result.tagged += len(cases)

    def measured(self, target: Target) -> Decimal:
        return measure_target(target, self.now).value or Decimal(0)


def history_cases(codes: list[str], limit: int, fill: tuple[str, ...] = ()) -> list[Case]:
    """The newest registered demo-history cases of these classes, then of the `fill` classes when too few."""
    found: list[Case] = []
    for group in (codes, list(fill)):
        cases = Case.objects.filter(case_class__code__in=group, stats__registered_at__isnull=False)
        found += list(cases.exclude(pk__in=[c.pk for c in found]).order_by("-reported_at", "-id")[: limit - len(found)])
    return found


# -- the five campaigns


def _shops(b: _Builder) -> None:
    """破墙开店: one road a quarter; the second quarter's road missed its date (the one overdue target)."""
    b.open_campaign("PQKD")
    wuyuan = Division.objects.filter(code="330424001").first()
    roads = ("天宁寺路（百尺路至天宁寺路段）", "长邮路", "油厂弄（天宁寺路至城北路）", "文昌路")
    for quarter, road in enumerate(roads, start=1):
        due = b.month_end(quarter * 3)
        task = b.task(f"{quarter}", f"第{quarter}季度：{road}整治", "wuyuan", subdistrict=wuyuan, due=due)
        name = f"{road}破墙开店整治完成"
        target = b.target(task, name, Measure.MILESTONE, 1, "项", starts_on=b.month(quarter * 3 - 2))
        if quarter == 1:
            b.entries(target, [(3, 1)])
        elif quarter == 3:
            b.entries(target, [], pending=1)  # done, awaiting the lead unit's review
    task = b.task("5", "沿街店外经营案件处置", "zhifa", weight=Decimal(2))
    rule = {"class_codes": ["09005"], "counts": CaseCount.CLOSED, "out_of": CaseCount.REGISTERED}
    b.case_target(task, "店外经营案件结案率", 90, "%", rule)


def _parking(b: _Builder) -> None:
    """停车秩序: spaces counted by hand with their points; 违停 tickets monthly; 僵尸车 from cases and tags."""
    b.open_campaign("TCZZ")
    spaces_task = b.task("1", "新增、修复机动车位", "zhujian")
    spaces = b.target(spaces_task, "新增、修复机动车位", Measure.MANUAL_COUNT, 300, "个")
    b.entries(spaces, [(4, 120), (6, 95), (8, 97)], pending=40, points=_points(b, 4))
    bikes = b.task("2", "施划非机动车停车位", "chengtou")
    b.entries(b.target(bikes, "施划非机动车停车位", Measure.MANUAL_COUNT, 50, "处"), [(5, 9), (7, 13)])
    tickets = b.target(b.task("3", "违停查处", "jiaojing"), "查处违停", Measure.MANUAL_COUNT, 10000, "辆次")
    b.entries(tickets, [(m, 820 + 37 * m) for m in range(1, BUILD_MONTH)])
    zombies = b.task("4", "僵尸车清理", "zhifa")
    rule = {"class_codes": ["06034"], "counts": CaseCount.CLOSED, "tagged": TaggedCases.ALSO}
    # Most were towed before the platform counted them (the baseline); the rest come from cases.
    b.case_target(zombies, "清理僵尸车", 60, "辆", rule, baseline=Decimal(38))
    b.tag(history_cases(["06034"], 3, fill=("09009",)), "长期停放的僵尸车")
    rule = {"class_codes": ["09009"], "counts": CaseCount.CLOSED_ON_TIME, "out_of": CaseCount.REGISTERED}
    b.case_target(b.task("5", "机动车乱停放案件按时办结", "zhifa"), "机动车乱停放案件按时结案率", 90, "%", rule)


def _points(b: _Builder, count: int) -> str:
    """A few points in the county seat, where the new spaces were marked."""
    x, y = (b.district.min_lng + b.district.max_lng) / 2, (b.district.min_lat + b.district.max_lat) / 2
    points = [
        {"type": "Point", "coordinates": [round(x + 0.001 * n, 6), round(y - 0.0007 * n, 6)]} for n in range(count)
    ]
    return json.dumps({"type": "GeometryCollection", "geometries": points})


def _vending(b: _Builder) -> None:
    """流动摊贩: persuasion per sub-district (live; half ahead, half behind), ≥ 3 actions a month, case counts."""
    b.open_campaign("LDTF")
    parent = b.task("1", "规劝、查处流动摊贩和占道经营", "zhifa", weight=Decimal(3))
    _per_subdistrict(b, parent)
    _monthly_reports(b)
    # A recurrence's goal is the number of periods to meet: every month of the year.
    task = b.task("2", "每月开展专项整治", "zhifa")
    monthly = b.target(
        task, "每月至少开展3次专项整治", Measure.RECURRENCE, 12, "个月", frequency=Frequency.MONTH, per_period=3
    )
    missing = BUILD_MONTH - 4  # one month with no action recorded at all
    days = [b.month(m) + timedelta(days=d) for m in range(1, BUILD_MONTH) if m != missing for d in (4, 12, 20)]
    days += [d for d in (b.month(BUILD_MONTH) + timedelta(days=2),) if d < b.today]
    b.records(monthly, days, "流动摊贩专项整治行动", ["zhifa", "shichang"])
    simple = b.target(b.task("3", "办理简易程序案件", "zhifa"), "简易程序案件", Measure.MANUAL_COUNT, 180, "起")
    b.entries(simple, [(m, 17) for m in range(1, BUILD_MONTH)])
    general = b.target(b.task("4", "办理一般程序案件", "zhifa"), "一般程序案件", Measure.MANUAL_COUNT, 80, "起")
    b.entries(general, [(2, 9), (5, 12), (7, 10)])


def _per_subdistrict(b: _Builder, parent: CampaignTask) -> None:
    """One task per sub-district; goals from the history: the busier half just reached, the quieter half far off."""
    units = {d.division_code: d.short_name for d in b.units.values() if d.division_code}
    towns = list(Division.objects.filter(level=DivisionLevel.SUBDISTRICT, parent=b.district).order_by("code"))
    targets = []
    for n, town in enumerate(towns, start=1):
        task = b.task(f"1.{n}", f"{town.name}规劝查处", units.get(town.code, ""), parent=parent, subdistrict=town)
        rule = {"class_codes": VENDING, "division_codes": [town.code], "counts": CaseCount.CLOSED}
        targets.append(b.case_target(task, f"{town.name}规劝查处违法经营", 1, "次", rule))
    values = {t.pk: int(b.measured(t)) for t in targets}
    ranked = sorted(targets, key=lambda t: (-values[t.pk], t.pk))
    for rank, target in enumerate(ranked):
        value = values[target.pk]
        target.goal = Decimal(max(value, 1) if rank < (len(ranked) + 1) // 2 else 3 * value + 10)
        target.save(update_fields=["goal"])


def _monthly_reports(b: _Builder) -> None:
    """Two sub-districts' monthly reports (信息报送): the month before last reviewed, last month's awaiting review."""
    reviewer = b.unit_user("zhifa")
    for short in ("wuyuan", "qinshan"):
        unit, by = b.units.get(short), b.unit_user(short)
        if unit is None:
            continue
        for month, state in ((BUILD_MONTH - 2, Review.APPROVED), (BUILD_MONTH - 1, Review.PENDING)):
            approved = state == Review.APPROVED
            submitted = b.moment(b.month(month + 1) + timedelta(days=1)) if approved else b.now - timedelta(hours=3)
            ProgressReport.objects.create(
                campaign=b.campaign,
                unit=unit,
                period=ReportPeriod.MONTH,
                period_start=b.month(month),
                text=f"{unit.short_label or unit.name}本月开展流动摊贩巡查整治，规劝违法经营行为，清理占道摊点。",
                figures={"规劝（次）": 40 + 7 * month, "清理摊点（处）": 12 + month},
                state=state,
                submitted_by=by,
                submitted_at=submitted,
                reviewed_by=reviewer if approved else None,
                reviewed_at=submitted + timedelta(days=1) if approved else None,
                review_note="已阅，请继续保持" if approved else "",
            )
            b.result.reports += 1


def _ads(b: _Builder) -> None:
    """户外广告: 300 places (most before the platform counted), weekly reports, a list of assigned spots."""
    b.open_campaign("HWGG")
    task = b.task("1", "户外广告拆除、整改", "zhifa", weight=Decimal(2))
    rule = {"class_codes": ADS, "counts": CaseCount.CLOSED}
    target = b.case_target(task, "户外广告整治", 300, "处", rule)
    live = int(b.measured(target))
    target.baseline = Decimal(300 - live // 2)  # counted by hand before the platform: the live cases top it up
    target.save(update_fields=["baseline"])
    task = b.task("2", "每周报送整治情况", "zhifa")
    weekly = b.target(
        task, "每周报送拆除、整改情况", Measure.RECURRENCE, 1, "周", frequency=Frequency.WEEK, per_period=1
    )
    weekly.goal = Decimal(len(periods(weekly, weekly.due_on)))  # every week of the year
    weekly.save(update_fields=["goal"])
    # Every week's report on its Friday (the first week's on the first day, when that is later).
    monday = b.start - timedelta(days=b.start.weekday())
    fridays = [max(monday + timedelta(days=7 * w + 4), b.start) for w in range(60)]
    b.records(weekly, [d for d in fridays if d < b.today], "户外广告整治周报", ["zhifa"])
    _assigned_spots(b)


def _assigned_spots(b: _Builder) -> None:
    """县领导交办的问题点位: history cases (resolved when they close) and spots resolved by hand."""
    task = b.task("3", "交办问题点位销号", "zhifa")
    target = b.target(task, "交办点位整改率", Measure.LIST_RATE, 100, "%")
    cases = history_cases(ADS + ["07001"], 8)
    items = [
        TargetItem(target=target, code=f"JB-{n:03d}", title=f"{c.address or '城区'}广告问题", case=c)
        for n, c in enumerate(cases, start=1)
    ]
    resolver = b.unit_user("zhifa")
    for n, title in enumerate(("百尺北路楼顶广告牌", "城北路沿街灯箱", "海滨路围墙广告", "文昌路跨街横幅"), start=1):
        done = n <= 2
        items.append(
            TargetItem(
                target=target,
                code=f"JB-H{n:02d}",
                title=title,
                resolved_at=b.now - timedelta(days=10 * n) if done else None,
                resolved_by=resolver if done else None,
                resolution_note="已拆除，附整改前后照片" if done else "",
            )
        )
    TargetItem.objects.bulk_create(items)
    b.result.items += len(items)


def _dogs(b: _Builder) -> None:
    """犬类管理: registrations and strays counted by hand, 有效处置率 over the cases tagged as dog cases."""
    b.open_campaign("QLGL")
    register = b.target(b.task("1", "犬只登记", "gongan"), "犬只登记", Measure.MANUAL_COUNT, 500, "只")
    b.entries(register, [(3, 160), (5, 140), (7, 120)], pending=60)
    strays = b.target(b.task("2", "收容流浪犬", "wuyuan"), "收容流浪犬", Measure.MANUAL_COUNT, 1000, "只")
    b.entries(strays, [(4, 150), (6, 120), (8, 110)])
    rule = {
        "counts": CaseCount.CLOSED,
        "out_of": CaseCount.REGISTERED,
        "tagged": TaggedCases.ONLY,
    }
    b.case_target(b.task("3", "犬只扰民投诉处置", "zhifa"), "犬只扰民投诉有效处置率", 90, "%", rule)
    # Barking and dead animals, then rubbish strays tore open, when the history has too few of those.
    b.tag(history_cases(["06028", "06037"], 6, fill=("06010", "06042")), "犬只扰民、流浪犬问题")


CAMPAIGNS: tuple[Callable[[_Builder], None], ...] = (_shops, _parking, _vending, _ads, _dogs)


@transaction.atomic
def build_demo_campaigns(now: datetime | None = None) -> DemoCampaigns:
    """Haiyan's five campaigns of the year holding `now` (default: now), over the demo city and its history."""
    if not Division.objects.filter(level=DivisionLevel.DISTRICT, code=facts.DISTRICT[0]).exists():
        raise DomainError("请先载入演示城市，再生成专项行动", code="no_demo_city")
    builder = _Builder(now or timezone.now())
    if Campaign.objects.filter(year=builder.today.year, code__in=list(PLANS)).exists():
        raise DomainError("演示专项行动已存在", code="demo_campaigns_exist")
    for build in CAMPAIGNS:
        build(builder)
    result = builder.result
    lines = [
        line
        for c in Campaign.objects.filter(year=builder.today.year)
        for line in campaign_progress(c, builder.now).lines()
    ]
    result.statuses = dict(Counter(line.progress.status for line in lines))
    # The finished months frozen as the worker would have at each month's end (the 专报 and curves read them).
    result.snapshots = sum(freeze_finished_months(builder.now).values())
    # Tallied at once, as the worker would within a minute, so the demo's overview reads tallies from the start.
    rebuild_stale_tallies(builder.now, budget_seconds=None)
    record_audit(None, "demo.campaigns", target=facts.DISTRICT[0], summary=f"campaigns={result.campaigns}")
    return result
