"""JSON of campaigns for the API: a campaign with its live progress, its task tree with each target's measurement
and progress. Numbers are JSON numbers (percentages and counts); no names or phones of people."""

from __future__ import annotations

from decimal import Decimal

from xiuhua.campaigns.measures import Measurement
from xiuhua.campaigns.models import Campaign, CaseRule, Target
from xiuhua.campaigns.progress import CampaignProgress, Progress, TargetLine, TaskProgress


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def unit_ref(unit) -> dict | None:
    return None if unit is None else {"code": unit.short_name, "name": unit.name}


def progress_out(progress: Progress) -> dict:
    return {
        "value": number(progress.value),
        "plan": number(progress.plan),
        "progress": number(progress.progress),
        "planned": number(progress.planned),
        "status": progress.status,
        "met": progress.met,
    }


def measurement_out(m: Measurement) -> dict:
    return {
        "value": number(m.value),
        "numerator": number(m.numerator),
        "denominator": number(m.denominator),
        "met_on": m.met_on,
        "detail": m.detail,
    }


def rule_out(rule: CaseRule | None) -> dict | None:
    if rule is None:
        return None
    return {
        "class_codes": rule.class_codes,
        "division_codes": rule.division_codes,
        "grid_codes": rule.grid_codes,
        "area_geojson": rule.area_geojson,
        "sources": rule.sources,
        "counts": rule.counts,
        "out_of": rule.out_of,
        "tagged": rule.tagged,
    }


def target_out(target: Target) -> dict:
    return {
        "id": target.pk,
        "task": target.task_id,
        "name": target.name,
        "measure": target.measure,
        "goal": number(target.goal),
        "comparator": target.comparator,
        "unit_label": target.unit_label,
        "baseline": number(target.baseline),
        "baseline_from": target.baseline_from,
        "baseline_to": target.baseline_to,
        "starts_on": target.starts_on,
        "due_on": target.due_on,
        "plan_curve": target.plan_curve,
        "weight": number(target.weight),
        "frequency": target.frequency,
        "per_period": target.per_period,
        "rule": rule_out(getattr(target, "case_rule", None)),
    }


def line_out(line: TargetLine) -> dict:
    return {**target_out(line.target), "measurement": measurement_out(line.measurement), **_progress(line.progress)}


def _progress(progress: Progress) -> dict:
    return {"progress": progress_out(progress)}


def task_out(node: TaskProgress) -> dict:
    task = node.task
    return {
        "id": task.pk,
        "code": task.code,
        "name": task.name,
        "description": task.description,
        "responsible_unit": unit_ref(task.responsible_unit),
        "subdistrict": {"code": task.subdistrict.code, "name": task.subdistrict.name} if task.subdistrict else None,
        "due_on": task.due_on,
        "weight": number(task.weight),
        **_progress(node.progress),
        "targets": [line_out(line) for line in node.targets],
        "children": [task_out(child) for child in node.children],
    }


def campaign_summary(campaign: Campaign, progress: CampaignProgress | None = None) -> dict:
    body = {
        "id": campaign.pk,
        "code": campaign.code,
        "year": campaign.year,
        "name": campaign.name,
        "status": campaign.status,
        "public": campaign.public,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "district": campaign.district.code,
        "review": campaign.review,
        "continued_from": campaign.continued_from_id,
    }
    if progress is not None:
        body.update(
            progress=number(progress.progress), planned=number(progress.planned), progress_status=progress.status
        )
    return body


def campaign_detail(progress: CampaignProgress) -> dict:
    campaign = progress.campaign
    return {
        **campaign_summary(campaign, progress),
        "goal": campaign.goal,
        "scope_text": campaign.scope_text,
        "result_text": campaign.result_text,
        "review_note": campaign.review_note,
        "lead_units": [unit_ref(u) for u in campaign.lead_units.all()],
        "partner_units": [unit_ref(u) for u in campaign.partner_units.all()],
        "phases": [
            {
                "id": p.pk,
                "name": p.name,
                "starts_on": p.starts_on,
                "ends_on": p.ends_on,
                "plan_percent": number(p.plan_percent),
            }
            for p in campaign.phases.all()
        ],
        "tasks": [task_out(node) for node in progress.tasks],
    }
