"""Campaign tests: the demo city, a campaign of the demo district, and cases made fast where a test counts them."""

from __future__ import annotations

import itertools
from datetime import date, datetime

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import Department, User
from xiuhua.campaigns.choices import CaseCount, Measure, TaggedCases
from xiuhua.campaigns.models import Campaign, CampaignCase, CampaignTask, CaseRule, Target
from xiuhua.cases.models import Case, CaseStats
from xiuhua.cases.tests.conftest import as_user, loop, media_in_tmp, people, sh, spot  # noqa: F401
from xiuhua.territory.models import Division

__all__ = ["sh"]


def district() -> Division:
    return Division.objects.get(level="district")


def make_campaign(**fields) -> Campaign:
    values = {
        "code": "ZX01",
        "year": 2026,
        "name": "安全隐患整治",
        "district": district(),
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 12, 31),
        **fields,
    }
    campaign = Campaign.objects.create(**values)
    campaign.lead_units.add(Department.objects.get(short_name="zhifa"))
    campaign.partner_units.add(Department.objects.get(short_name="zhujian"))
    return campaign


def make_task(campaign: Campaign, code: str = "1", unit: str | None = "zhifa", **fields) -> CampaignTask:
    responsible = Department.objects.get(short_name=unit) if unit else None
    return CampaignTask.objects.create(
        campaign=campaign, code=code, name=fields.pop("name", f"任务 {code}"), responsible_unit=responsible, **fields
    )


def case_target(
    task: CampaignTask, goal: int = 150, *, measure: str = Measure.CASE_COUNT, rule: dict | None = None, **fields
) -> Target:
    values = {"name": "整改安全隐患", "goal": goal, "due_on": date(2026, 12, 31), "unit_label": "处", **fields}
    target = Target.objects.create(task=task, measure=measure, **values)
    CaseRule.objects.create(target=target, **(rule or {"counts": CaseCount.CLOSED, "tagged": TaggedCases.ONLY}))
    return target


_NUMBERS = itertools.count()


def copies_of(case: Case, count: int, **stats_fields) -> list[Case]:
    """`count` copies of a case and its statistics row, written in bulk (tests that count many closed cases)."""
    stats = CaseStats.objects.get(case=case)
    cases = []
    for _ in range(count):
        copy = Case.objects.get(pk=case.pk)
        copy.pk = None
        copy.number = f"9{next(_NUMBERS):012d}"
        copy.intake_key = None
        cases.append(copy)
    cases = Case.objects.bulk_create(cases)
    rows = []
    for copy in cases:
        row = CaseStats.objects.get(case=case)
        row.case_id = copy.pk
        for name, value in stats_fields.items():
            setattr(row, name, value)
        rows.append(row)
    CaseStats.objects.bulk_create(rows)
    assert stats.case_id == case.pk
    return cases


def tag(campaign: Campaign, cases: list[Case], when: datetime | None = None) -> None:
    when = when or sh(2026, 1, 2, 9)
    CampaignCase.objects.bulk_create([CampaignCase(campaign=campaign, case=c, tagged_at=when) for c in cases])


def commander(scope: list[str] | None = None) -> User:
    return User.objects.create(
        username="commander", role=Role.COMMANDER, scope_division_codes=scope or [district().code]
    )
