"""Writing campaigns through the API: a leader builds a campaign, its tasks and targets; bad input is refused in
Chinese with nothing written; a partner unit edits only the tasks it answers for."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from xiuhua.campaigns.models import Campaign, CampaignCase, ManualEntry, Target, TargetItem
from xiuhua.campaigns.tests.helpers import build_campaign
from xiuhua.cases.tests.conftest import photo

CAMPAIGN = {
    "code": "ZX09",
    "year": 2026,
    "name": "违法建筑整治",
    "district_code": "330424",
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
    "lead_units": ["zhifa"],
    "partner_units": ["wuyuan"],
}
RULE_TARGET = {
    "name": "整改安全隐患150处",
    "measure": "case_count",
    "goal": 150,
    "due_on": "2026-12-31",
    "rule": {"class_codes": ["01"], "counts": "closed"},
}


def built(leader) -> tuple[int, int]:
    created = leader.post_json("/campaigns", CAMPAIGN)
    assert created.status_code == 201, created.content.decode()
    campaign_id = created.json()["id"]
    task = leader.post_json(f"/campaigns/{campaign_id}/tasks", {"code": "1", "name": "隐患整改"})
    assert task.status_code == 201, task.content.decode()
    return campaign_id, task.json()["id"]


def test_a_leader_builds_a_campaign_with_a_task_a_case_target_and_a_tagged_case(as_user, loop, demo_city):
    leader = as_user("leader")
    campaign_id, task_id = built(leader)
    target = leader.post_json(f"/campaigns/tasks/{task_id}/targets", RULE_TARGET)
    assert target.status_code == 201, target.content.decode()
    assert target.json()["rule"]["class_codes"] == ["01"]
    case = loop.report()
    tagged = leader.post_json(f"/campaigns/{campaign_id}/cases", {"case": case.number})
    assert tagged.status_code == 201, tagged.content.decode()
    assert CampaignCase.objects.filter(campaign_id=campaign_id, case=case).exists()
    assert leader.post_json(f"/campaigns/{campaign_id}/cases", {"case": case.number}).status_code == 400
    assert [t["case"] for t in leader.get(f"/campaigns/{campaign_id}/cases").json()] == [case.number]
    changed = leader.client.put(
        f"/api/v1/campaigns/{campaign_id}",
        {**CAMPAIGN, "name": "违建整治"},
        content_type="application/json",
        **leader.auth,
    )
    assert changed.status_code == 200 and changed.json()["name"] == "违建整治"
    tree = leader.get(f"/campaigns/{campaign_id}").json()
    assert tree["tasks"][0]["targets"][0]["name"] == "整改安全隐患150处"


def test_a_rule_matching_no_class_is_refused_in_chinese_and_nothing_is_written(as_user, demo_city):
    leader = as_user("leader")
    _campaign_id, task_id = built(leader)
    bad = {**RULE_TARGET, "rule": {"class_codes": ["98765"], "counts": "closed"}}
    response = leader.post_json(f"/campaigns/tasks/{task_id}/targets", bad)
    assert response.status_code == 400
    assert "98765" in response.json()["detail"] and "不存在" in response.json()["detail"]
    assert not Target.objects.exists()


def test_a_target_with_no_measure_is_refused_in_chinese_and_nothing_is_written(as_user, demo_city):
    leader = as_user("leader")
    _campaign_id, task_id = built(leader)
    response = leader.post_json(f"/campaigns/tasks/{task_id}/targets", {**RULE_TARGET, "measure": "", "rule": None})
    assert response.status_code == 400
    assert "计量方式" in response.json()["detail"]
    assert not Target.objects.exists()


def test_an_item_list_with_unknown_work_orders_is_refused_row_by_row_and_nothing_is_written(as_user, demo_city):
    leader = as_user("leader")
    _campaign_id, task_id = built(leader)
    petitions = {**RULE_TARGET, "name": "信访化解率90%", "measure": "list_rate", "goal": 90, "rule": None}
    target_id = leader.post_json(f"/campaigns/tasks/{task_id}/targets", petitions).json()["id"]
    rows = "编号,标题,工单号\nXF-001,噪音扰民,ZJ-NOPE-1\nXF-002,占道经营,\nXF-003,油烟,ZJ-NOPE-2\n"
    upload = SimpleUploadedFile("信访清单.csv", rows.encode("utf-8"))
    response = leader.post_form(f"/campaigns/targets/{target_id}/items/import", {"file": upload})
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(2, "工单号"), (4, "工单号")]
    assert "ZJ-NOPE-1" in response.json()["detail"] and "未写入任何数据" in response.json()["detail"]
    assert not TargetItem.objects.exists()

    good = SimpleUploadedFile("信访清单.csv", "编号,标题\nXF-001,噪音扰民\nXF-002,占道经营\n".encode())
    assert leader.post_form(f"/campaigns/targets/{target_id}/items/import", {"file": good}).status_code == 200
    item = leader.get(f"/campaigns/targets/{target_id}/items").json()[0]
    resolved = leader.post_json(f"/campaigns/items/{item['id']}/resolve", {"note": "已调解，当事人签字"})
    assert resolved.status_code == 200 and resolved.json()["resolved_at"]


def test_a_partner_unit_enters_counts_only_on_its_own_tasks_and_the_lead_unit_reviews_them(
    as_user, demo_city, media_in_tmp
):
    campaign = build_campaign()
    own = campaign.tasks.get(code="2").targets.get()  # 武原街道's parking spaces
    other = campaign.tasks.get(code="1.1").targets.get()  # 执法局's zombie cars
    town = as_user("dept_wuyuan")
    fields = {"value": "40", "occurred_on": "2026-11-20", "files": [photo("车位.jpg")]}
    entry = town.post_form(f"/campaigns/targets/{own.pk}/entries", fields)
    assert entry.status_code == 201, entry.content.decode()
    refused = town.post_json(
        f"/campaigns/targets/{other.pk}/entries", {"value": 5, "occurred_on": "2026-11-20", "note": "清理"}
    )
    assert refused.status_code == 403
    assert town.post_json(f"/campaigns/entries/{entry.json()['id']}/review", {"accept": True}).status_code == 403
    approved = as_user("dept_zhifa").post_json(f"/campaigns/entries/{entry.json()['id']}/review", {"accept": True})
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert ManualEntry.objects.filter(target=other).count() == 1  # only the fixture's own
    assert town.post_json("/campaigns", CAMPAIGN).status_code == 403
    assert Campaign.objects.count() == 1


def test_records_links_and_untagging_go_through_the_api(as_user, loop, demo_city):
    leader = as_user("leader")
    campaign_id, task_id = built(leader)
    monthly = {"name": "每月联合检查", "measure": "recurrence", "goal": 12, "due_on": "2026-12-31"}
    monthly.update(frequency="month", per_period=1)
    target_id = leader.post_json(f"/campaigns/tasks/{task_id}/targets", monthly).json()["id"]
    record = {"held_on": "2026-03-12", "title": "3月联合检查", "unit_codes": ["zhifa", "wuyuan"], "people": 24}
    created = leader.post_json(f"/campaigns/targets/{target_id}/records", {**record, "findings": "发现问题 5 处"})
    assert created.status_code == 201, created.content.decode()
    assert [r["title"] for r in leader.get(f"/campaigns/targets/{target_id}/records").json()] == ["3月联合检查"]

    petitions = {"name": "信访化解", "measure": "list_rate", "goal": 90, "due_on": "2026-06-30"}
    list_id = leader.post_json(f"/campaigns/tasks/{task_id}/targets", petitions).json()["id"]
    upload = SimpleUploadedFile("清单.csv", "编号,标题\nXF-9,噪音\n".encode())
    leader.post_form(f"/campaigns/targets/{list_id}/items/import", {"file": upload})
    item_id = TargetItem.objects.get().pk
    case = loop.report()
    linked = leader.post_json(f"/campaigns/items/{item_id}/link", {"case": case.number})
    assert linked.status_code == 200 and linked.json()["case"] == case.number
    assert leader.post_json(f"/campaigns/items/{item_id}/link", {"case": "0000000000000"}).status_code == 400

    leader.post_json(f"/campaigns/{campaign_id}/cases", {"case": case.number})
    untagged = leader.client.delete(f"/api/v1/campaigns/{campaign_id}/cases/{case.number}", **leader.auth)
    assert untagged.status_code == 204 and not CampaignCase.objects.exists()


def test_a_partner_unit_cannot_change_the_task_tree(as_user, demo_city):
    campaign = build_campaign()
    town = as_user("dept_wuyuan")
    own = campaign.tasks.get(code="2")
    change = {"code": "2", "name": "改名"}
    response = town.client.put(f"/api/v1/campaigns/tasks/{own.pk}", change, "application/json", **town.auth)
    assert response.status_code == 403
    assert town.post_json(f"/campaigns/{campaign.pk}/tasks", {"code": "9", "name": "新任务"}).status_code == 403
    own.refresh_from_db()
    assert own.name == "武原街道新增停车位" and campaign.tasks.count() == 4
