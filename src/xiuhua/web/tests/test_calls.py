"""Call-taking pages on the server side: who may open them, each suggestion endpoint, and the three save paths
(a call, a leader's assignment, a 12345 import) through the channel adapters the API uses."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xiuhua.cases.choices import Action
from xiuhua.cases.models import Case
from xiuhua.intake.channels.hotline.adapter import WorkOrderInput, take_work_order
from xiuhua.intake.channels.hotline.models import WorkOrder
from xiuhua.intake.channels.hotline.tests.test_hotline_channel import export_rows, xlsx
from xiuhua.intake.tests.test_classifier import close_demo_cases, fresh_model_cache  # noqa: F401
from xiuhua.routing.services import route_case
from xiuhua.territory.models import StreetAddress

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city(shared_demo_city):
    """Every test here uses the demo city and none commits: one city for the module (conftest.module_demo_city),
    each test in a savepoint of it."""
    return shared_demo_city


CALLS = "/centre/calls/"
JSON = {"HTTP_ACCEPT": "application/json"}
PHONE = "13905731234"


@pytest.fixture
def closed_cases(people) -> list[str]:
    """The classifier tests' 60 closed cases, played in this test's own city (the rest of this module needs none)."""
    return close_demo_cases(people)


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=settings.DEMO_PASSWORD)
    return client


@pytest.fixture
def operator(demo_city) -> Client:
    return signed_in("operator")


@pytest.fixture
def address(demo_city) -> StreetAddress:
    return StreetAddress.objects.select_related("road").order_by("road__code", "number").first()


def call(**changes) -> dict:
    return {
        "hotline": "12345",
        "order_number": "12345-20261207-0001",
        "caller_phone": PHONE,
        "caller_name": "王先生",
        "order_type": "complaint",
        "urgency": "normal",
        "content": "路边电线杆上贴满了开锁办证的小广告",
        "class_code": "07001",
        "kind": "event",
        **changes,
    }


def test_operators_and_shift_leaders_have_the_call_pages_in_their_menu(demo_city):
    for username in ("operator", "shift_leader"):
        html = signed_in(username).get("/centre/intake/").content.decode()
        for url in (CALLS, CALLS + "assign/", CALLS + "import/"):
            assert f'href="{url}"' in html
    assert f'href="{CALLS}"' not in signed_in("dispatcher").get("/cases/").content.decode()


def test_other_roles_are_refused_in_chinese_pages_and_endpoints_alike(demo_city):
    department = signed_in("dept_zhifa")
    page = department.get(CALLS)
    assert page.status_code == 403 and "接听登记只对受理员、值班长开放" in page.content.decode()
    answer = department.get(CALLS + "addresses/", {"q": "路"}, **JSON)
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    assert Client().get(CALLS + "classes/", {"q": "垃圾"}, **JSON).status_code == 401
    assert department.post(CALLS + "save/", call()).status_code == 403
    assert not WorkOrder.objects.exists()


def test_the_call_page_starts_with_a_fresh_order_number_and_the_caller_number_focused(operator):
    html = operator.get(CALLS).content.decode()
    assert 'id="call-phone"' in html and "autofocus" in html.split('id="call-phone"')[1].split(">")[0]
    assert 'name="order_number" maxlength="40" size="28"\n               value="12345-' in html


def test_address_suggestions_give_house_numbers_after_a_road_name(operator, address):
    road = address.road.name
    items = operator.get(CALLS + "addresses/", {"q": f"{road}{address.number}"}, **JSON).json()["items"]
    assert items[0] == {
        "label": f"{road}{address.number}号",
        "lng": round(address.lng, 7),
        "lat": round(address.lat, 7),
        "precision": "address",
    }
    roads = operator.get(CALLS + "addresses/", {"q": road[:2]}, **JSON).json()["items"]
    assert roads and all(item["precision"] in ("road", "community") for item in roads)
    assert any(item["label"].startswith(road) for item in roads)


def test_address_suggestions_refuse_empty_and_overlong_text_in_chinese(operator):
    empty = operator.get(CALLS + "addresses/", {"q": " "}, **JSON)
    long = operator.get(CALLS + "addresses/", {"q": "路" * 61}, **JSON)
    assert (empty.status_code, empty.json()["detail"]) == (400, "请输入要查找的文字")
    assert (long.status_code, long.json()["detail"]) == (400, "查询文字最多 60 字")


def test_class_search_finds_catalogue_classes_by_name_and_code(operator):
    by_name = operator.get(CALLS + "classes/", {"q": "小广告"}, **JSON).json()["items"]
    assert by_name[0] | {"major": ""} == {
        "code": "07001",
        "kind": "event",
        "name": "非法小广告",
        "kind_label": "事件",
        "major": "",
        "confidence": None,
    }
    by_code = operator.get(CALLS + "classes/", {"q": "0700"}, **JSON).json()["items"]
    assert {i["code"] for i in by_code} >= {"07001", "07002"}
    too_long = operator.get(CALLS + "classes/", {"text": "x" * 2001}, **JSON)
    assert too_long.status_code == 400 and "最多" in too_long.json()["detail"]


def test_the_class_picker_offers_the_classifiers_top_three_before_the_catalogue(closed_cases):
    from xiuhua.intake.classifier import train

    train(seed=1)
    text = "永安路电线杆和配电箱上贴满了开锁、办证的小广告，撕了又贴"
    items = signed_in("operator").get(CALLS + "classes/", {"text": text, "q": "垃圾"}, **JSON).json()["items"]
    suggested = [i for i in items if i["confidence"] is not None]
    assert len(suggested) == 3 and items[:3] == suggested
    assert suggested[0]["code"] == "07001"
    assert any(i["confidence"] is None and "垃圾" in i["name"] for i in items[3:])


def test_the_callers_earlier_orders_and_cases_show_with_a_confidential_one_kept_quiet(operator, people, address):
    earlier = WorkOrderInput(
        hotline="12345",
        order_number="OLD-1",
        order_type="complaint",
        content="海滨路口垃圾桶满溢无人清运",
        caller_name="王先生",
        caller_phone=PHONE,
        class_code="06010",
        kind="event",
        lng=address.lng,
        lat=address.lat,
    )
    order, _created = take_work_order(earlier, people.operator)
    secret = WorkOrderInput(
        hotline="12319",
        order_number="OLD-2",
        order_type="consultation",
        content="咨询本人家门口的违建拆除进度",
        caller_name="赵女士",
        caller_phone="+86 139-0573-1234",
        confidential=True,
        answered_on_call=True,
        answer="已告知",
    )
    take_work_order(secret, people.operator)
    take_work_order(WorkOrderInput("12345", "OTHER", "help", "别人的来电", caller_phone="13800000000"), people.operator)

    html = operator.get(CALLS + "caller/", {"caller_phone": "139 0573 1234"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-order="OLD-1"' in html and 'data-order="OLD-2"' in html and "OTHER" not in html
    assert f'data-case="{order.case.number}"' in html and "海滨路口垃圾桶满溢" in html
    assert "违建拆除进度" not in html and "赵女士" not in html  # a confidential caller stays out of the list
    assert "王先生" in html and "（保密）" in html
    new = operator.get(CALLS + "caller/", {"caller_phone": "13700000000"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="caller-new"' in new.content.decode()
    bad = operator.get(CALLS + "caller/", {"caller_phone": "abc"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "来电号码应为 3 到 20 位数字" in bad.content.decode()


def test_the_caller_history_keeps_to_the_users_data_scope(people, address):
    take_work_order(
        WorkOrderInput(
            "12345",
            "SCOPED",
            "complaint",
            "小广告",
            caller_phone=PHONE,
            class_code="07001",
            kind="event",
            lng=address.lng,
            lat=address.lat,
        ),
        people.operator,
    )
    case = WorkOrder.objects.get(order_number="SCOPED").case
    people.operator.scope_division_codes = ["330424999"]  # a sub-district the case is not in
    people.operator.save(update_fields=["scope_division_codes"])
    html = signed_in("operator").get(CALLS + "caller/", {"caller_phone": PHONE}).content.decode()
    assert case.number not in html and "SCOPED" not in html


def test_possible_duplicates_list_open_cases_of_the_class_nearby(operator, loop):
    existing = loop.report(class_code="07001")
    query = {"class_code": "07001", "kind": "event", "lng": loop.spot[0], "lat": loop.spot[1]}
    html = operator.get(CALLS + "duplicates/", query, HTTP_HX_REQUEST="true").content.decode()
    assert f'data-number="{existing.number}"' in html
    other = operator.get(CALLS + "duplicates/", {**query, "class_code": "06010"}).content.decode()
    assert 'data-testid="no-duplicates"' in other
    unknown = operator.get(CALLS + "duplicates/", {**query, "class_code": "99999"})
    assert unknown.status_code == 400 and "未知的分类代码" in unknown.content.decode()
    waiting = operator.get(CALLS + "duplicates/", {"class_code": "07001"}).content.decode()
    assert "duplicate" not in waiting.replace("duplicates", "")


def test_a_call_with_a_class_becomes_a_case_at_the_routed_department_once(operator, address):
    body = call(address=f"{address.road.name}{address.number}号", lng=address.lng, lat=address.lat)
    first = operator.post(CALLS + "save/", body)
    assert first.status_code == 201, first.content.decode()
    answer = first.json()
    order = WorkOrder.objects.get(order_number=answer["order_number"])
    case = Case.objects.get(number=answer["case_number"])
    assert order.case == case and order.state == "transferred" and case.source == "hotline_12345"
    assert route_case(case, case.reported_at).lead.short_name == "zhifa"
    assert answer["department"] == "海盐县综合行政执法局"
    assert answer["next_order_number"].startswith("12345-") and answer["next_order_number"] != order.order_number
    assert case.events.get(action=Action.REPORT).note.startswith("12345 工单")
    again = operator.post(CALLS + "save/", body)
    assert (again.status_code, again.json()["created"]) == (200, False) and Case.objects.count() == 1


def test_a_consultation_answered_on_the_call_is_recorded_without_a_case(operator):
    body = call(order_type="consultation", answered_on_call="1", answer="大件垃圾可预约上门清运", class_code="")
    response = operator.post(CALLS + "save/", body)
    assert response.status_code == 201 and response.json()["case_number"] is None
    order = WorkOrder.objects.get()
    assert (order.state, order.answer, order.case) == ("answered", "大件垃圾可预约上门清运", None)
    assert not Case.objects.exists()


def test_a_call_without_a_class_waits_for_one(operator):
    response = operator.post(CALLS + "save/", call(class_code="", kind=""))
    assert response.status_code == 201 and response.json()["state"] == "awaiting_class"
    assert not Case.objects.exists()


def save_without_a_class(operator: Client, address: StreetAddress) -> str:
    place = {"address": f"{address.road.name}{address.number}号", "lng": address.lng, "lat": address.lat}
    response = operator.post(CALLS + "save/", call(class_code="", kind="", **place))
    assert response.status_code == 201 and response.json()["state"] == "awaiting_class"
    return response.json()["order_number"]


def test_a_call_saved_without_a_class_is_found_on_the_intake_workbench_and_classified_into_a_case(operator, address):
    order_number = save_without_a_class(operator, address)

    bench = operator.get("/centre/intake/").content.decode()
    assert 'href="/centre/calls/awaiting/" data-testid="link-awaiting-class"' in bench
    assert 'data-testid="count-awaiting-class">1<' in bench
    listed = operator.get(CALLS + "awaiting/").content.decode()
    assert f'data-order="{order_number}"' in listed and "待分类工单" in listed

    response = operator.post(f"{CALLS}awaiting/12345/{order_number}/", {"class_code": "01001", "kind": "event"})

    assert response.status_code == 302 and response["Location"] == CALLS + "awaiting/"
    order = WorkOrder.objects.select_related("case__case_class").get(order_number=order_number)
    assert (order.state, order.case.case_class.code, order.case.source) == ("transferred", "01001", "hotline_12345")
    after = operator.get(response["Location"]).content.decode()
    assert f"转为案卷 {order.case.number}" in after and f'data-order="{order_number}"' not in after
    assert 'data-testid="count-awaiting-class">0<' in operator.get("/centre/intake/").content.decode()


def test_a_suggested_class_is_picked_with_one_press(operator, address):
    order = WorkOrder.objects.get(order_number=save_without_a_class(operator, address))
    WorkOrder.objects.filter(pk=order.pk).update(
        suggested_classes=[{"code": "01002", "kind": "event", "name": "积存垃圾渣土", "confidence": 0.8}]
    )
    assert 'name="pick" value="01002:event"' in operator.get(CALLS + "awaiting/").content.decode()

    operator.post(f"{CALLS}awaiting/12345/{order.order_number}/", {"pick": "01002:event"})

    order.refresh_from_db()
    assert order.state == "transferred" and order.case.case_class.code == "01002"


def test_classifying_an_order_with_an_unknown_class_or_twice_says_why_in_chinese(operator, address):
    order_number = save_without_a_class(operator, address)
    url = f"{CALLS}awaiting/12345/{order_number}/"

    unknown = operator.post(url, {"class_code": "99999"})
    assert unknown.status_code == 400 and "未知的分类代码「99999」" in unknown.content.decode()
    assert not Case.objects.exists()
    operator.post(url, {"class_code": "01001", "kind": "event"})
    twice = operator.post(url, {"class_code": "01001", "kind": "event"})
    assert twice.status_code == 409 and "无需再转办" in twice.content.decode()
    assert operator.post(f"{CALLS}awaiting/12345/nope/", {"class_code": "01001"}).status_code == 404


def test_a_call_saved_without_a_class_or_a_place_gets_its_address_when_classified(operator, address):
    order_number = operator.post(CALLS + "save/", call(class_code="", kind="")).json()["order_number"]
    assert 'data-testid="order-address"' in operator.get(CALLS + "awaiting/").content.decode()
    url = f"{CALLS}awaiting/12345/{order_number}/"

    nowhere = operator.post(url, {"class_code": "07001", "kind": "event"})
    assert nowhere.status_code == 400 and not Case.objects.exists()
    words = f"{address.road.name}{address.number}号"
    assert operator.post(url, {"class_code": "07001", "kind": "event", "address": words}).status_code == 302

    order = WorkOrder.objects.select_related("case").get(order_number=order_number)
    assert order.state == "transferred" and order.address == order.case.address == words


def test_only_call_takers_open_the_orders_waiting_for_a_class(demo_city):
    assert signed_in("dispatcher").get(CALLS + "awaiting/").status_code == 403
    assert signed_in("shift_leader").get(CALLS + "awaiting/").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"content": ""}, "content", "诉求内容"),
        ({"content": "长" * 2001}, "content", "2000"),
        ({"caller_name": "名" * 51}, "caller_name", "50"),
        ({"class_code": "7001"}, "class_code", "分类"),
        ({"lng": "121.0"}, "lat", "经度和纬度"),
        ({"answered_on_call": "1", "answer": "已答复"}, "", "只有咨询类工单可以当场答复办结"),
    ],
)
def test_a_bad_call_is_refused_in_chinese_and_stores_nothing(operator, changes, field, message):
    response = operator.post(CALLS + "save/", call(**changes))
    assert response.status_code == 400
    assert message in response.json()["detail"] and response.json().get("field", "") == field
    assert not WorkOrder.objects.exists() and not Case.objects.exists()


def test_a_leaders_assignment_recorded_by_the_operator_goes_to_the_named_unit(operator, address):
    form = {
        "leader": "王副县长",
        "department": "shuiwu",
        "address": f"{address.road.name}{address.number}号",
        "description": "领导电话交办：供水井盖松动，尽快处理",
        "class_code": "01001",
        "kind": "event",
        "urgency": "urgent",
        "idempotency_key": "k-1",
    }
    response = operator.post(CALLS + "assign/", form, follow=True)
    case = Case.objects.get()
    assert case.source == "leader" and case.urgency == "urgent"
    assert route_case(case, case.reported_at).lead.short_name == "shuiwu"
    details = case.events.get(action=Action.REPORT).details
    assert details["assigned_by"] == "王副县长" and details["recorded_by"]
    assert f"已登记王副县长的交办：案卷 {case.number}" in response.content.decode()
    operator.post(CALLS + "assign/", form)
    assert Case.objects.count() == 1  # the same form sent twice


def test_an_assignment_without_its_leader_is_refused_in_chinese(operator, address):
    form = {"leader": "", "description": "交办", "class_code": "01001", "kind": "event", "urgency": "urgent"}
    response = operator.post(CALLS + "assign/", {**form, "lng": address.lng, "lat": address.lat})
    assert response.status_code == 400 and "交办领导" in response.content.decode()
    assert not Case.objects.exists()


def _import_in_worker(operator, data: bytes) -> str:
    """Upload on the page, let the worker's job run it, and return the job's page."""
    from xiuhua.intake.imports import run_queued_imports

    response = operator.post(CALLS + "import/", {"file": SimpleUploadedFile("12345工单导出.xlsx", data)})
    assert response.status_code == 302, response.content
    run_queued_imports()
    return operator.get(response["Location"]).content.decode()


def test_the_import_page_lists_every_bad_row_and_stores_nothing(operator, spot):
    rows = export_rows(spot)
    rows[1][5] = "闲聊"
    html = _import_in_worker(operator, xlsx(rows))
    assert 'data-status="failed"' in html and html.count('data-testid="import-row-error"') == 1
    assert "诉求类型" in html and "<td>3</td>" in html
    assert not WorkOrder.objects.exists()


def test_the_import_page_counts_what_it_imported(operator, spot):
    html = _import_in_worker(operator, xlsx(export_rows(spot)))
    assert 'data-status="done"' in html and "新增 3 条" in html
    assert WorkOrder.objects.count() == 3 == Case.objects.filter(source="hotline_12345").count()
