"""Reading campaigns through the API: the list with live progress, the task tree with each target's measurement,
and the drill-down whose count equals the figure."""

from __future__ import annotations

from xiuhua.campaigns.tests.conftest import case_target, copies_of, make_campaign, make_task, sh, tag


def hazards(loop, closed: int = 12):
    campaign = make_campaign()
    target = case_target(make_task(campaign), goal=150)
    open_case = loop.report(now=sh(2026, 3, 1, 9))
    tag(campaign, [open_case, *copies_of(open_case, closed, closed_at=sh(2026, 3, 20, 10), status="closed")])
    return campaign, target


def test_the_list_shows_each_visible_campaign_with_its_progress(as_user, loop):
    campaign, _target = hazards(loop)
    response = as_user("leader").get("/campaigns", year=2026)
    assert response.status_code == 200, response.content.decode()
    [row] = response.json()
    assert (row["id"], row["code"]) == (campaign.pk, "ZX01")
    assert row["progress"] == 8.0  # 12 of 150
    assert as_user("leader").get("/campaigns", year=2025).json() == []
    assert as_user("leader").get("/campaigns", status="nonsense").status_code == 400


def test_the_detail_gives_the_task_tree_with_each_targets_measurement_and_rule(as_user, loop):
    campaign, target = hazards(loop)
    body = as_user("dept_zhifa").get(f"/campaigns/{campaign.pk}").json()
    [task] = body["tasks"]
    [line] = task["targets"]
    assert line["id"] == target.pk and line["measurement"]["value"] == 12.0
    assert line["progress"]["progress"] == 8.0 and line["rule"]["counts"] == "closed"
    assert [u["code"] for u in body["lead_units"]] == ["zhifa"]


def test_the_drill_down_lists_as_many_case_numbers_as_the_figure_counts(as_user, loop):
    campaign, target = hazards(loop, closed=7)
    leader = as_user("leader")
    page = leader.get(f"/campaigns/targets/{target.pk}/cases", limit=5).json()
    assert page["count"] == 7 and len(page["items"]) == 5
    rest = leader.get(f"/campaigns/targets/{target.pk}/cases", limit=5, offset=5).json()
    assert len({i["number"] for i in page["items"] + rest["items"]}) == 7


def test_a_campaign_out_of_scope_is_not_found(as_user, loop):
    campaign, target = hazards(loop)
    outsider = as_user("dept_shuiwu")  # a company with no scope and no part in the campaign
    assert outsider.get(f"/campaigns/{campaign.pk}").status_code == 404
    assert outsider.get(f"/campaigns/targets/{target.pk}/cases").status_code == 404
    assert outsider.get("/campaigns").json() == []
