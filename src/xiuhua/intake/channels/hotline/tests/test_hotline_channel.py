"""12345/12319 work orders: taken in by API and Excel, their hotline steps read off the loop."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xiuhua.cases.models import Case, CaseStats
from xiuhua.cases.tests.conftest import photo
from xiuhua.intake.channels.hotline.models import WorkOrder

pytestmark = pytest.mark.django_db

# An order as the 12345 platform pushes it (fields mapped to ours by the integration account).
ORDER = {
    "hotline": "12345",
    "order_number": "ZJ3304242611230017",
    "order_type": "complaint",
    "urgency": "very_urgent",
    "content": "来电人反映海滨东路一处供水井盖松动，车辆经过哐哐响，存在安全隐患，要求尽快处理。",
    "caller_name": "王先生",
    "caller_phone": "13905731234",
    "confidential": True,
    "class_code": "01001",
    "kind": "event",
    "received_at": "2026-11-23T09:12:00+08:00",
    "hotline_deadline": "2026-11-30T17:30:00+08:00",
}


def push(as_user, spot, **changes):
    return as_user("operator").post_json("/hotline/orders", {**ORDER, "lng": spot[0], "lat": spot[1], **changes})


def test_an_order_becomes_an_urgent_case_and_a_resend_does_not_duplicate_it(as_user, spot):
    first = push(as_user, spot)
    again = push(as_user, spot)
    assert (first.status_code, again.status_code) == (201, 200)
    case = Case.objects.get(number=first.json()["case_number"])
    assert (case.source, case.urgency, case.reporter_confidential) == ("hotline_12345", "urgent", True)
    assert again.json()["case_number"] == case.number and Case.objects.count() == 1


def test_a_consultation_answered_on_the_call_is_recorded_without_a_case(as_user, spot):
    response = push(
        as_user,
        spot,
        order_number="ZX-0001",
        order_type="consultation",
        class_code="",
        answered_on_call=True,
        answer="已告知：大件垃圾可预约上门清运，电话 0573-86000000",
    )
    body = response.json()
    assert body["state"] == "answered" and body["case_number"] is None
    assert body["steps"] == [
        {
            "step": "办结",
            "at": body["steps"][0]["at"],
            "note": "当场答复",
            "reply": "已告知：大件垃圾可预约上门清运，电话 0573-86000000",
        }
    ]
    assert not Case.objects.exists()


def test_hotline_steps_follow_the_loop_with_both_satisfaction_scores(as_user, spot, loop):
    number = push(as_user, spot).json()["case_number"]
    case = Case.objects.get(number=number)
    loop.act(case, "accept", loop.p.operator)
    loop.act(case, "register", loop.p.shift_leader)
    loop.act(case, "dispatch", loop.p.dispatcher, department="zhifa")
    loop.act(case, "request_extension", loop.p.zhifa, extension_value=2, extension_unit="days", note="需更换井座")
    loop.act(case, "approve", loop.p.dispatcher)
    loop.act(case, "report_back", loop.p.zhifa, files=[photo()], note="已更换井盖并加固")
    loop.act(case, "check", loop.p.operator)
    loop.act(case, "check", loop.p.inspector, files=[photo()], result=True)
    loop.act(case, "close", loop.p.shift_leader)
    operator = as_user("operator")
    callback = operator.post_json(
        f"/hotline/orders/12345/{ORDER['order_number']}/callback",
        {"satisfaction": "satisfied", "service_satisfaction": "very_satisfied", "note": "市民表示满意"},
    )
    assert callback.status_code == 200, callback.content
    steps = callback.json()["steps"]
    assert [s["step"] for s in steps] == ["签收", "延期", "办结", "回访"]
    assert steps[2]["reply"] == "已更换井盖并加固"
    assert (steps[3]["satisfaction"], steps[3]["service_satisfaction"]) == ("satisfied", "very_satisfied")
    stats = CaseStats.objects.get(case=case)
    assert (stats.satisfaction_score, stats.service_satisfaction_score) == (80, 100)


def test_a_declined_order_shows_as_returned_with_the_reason(as_user, spot, loop):
    number = push(as_user, spot).json()["case_number"]
    loop.act(Case.objects.get(number=number), "decline", loop.p.operator, note="属供水公司产权，已告知来电人")
    steps = as_user("operator").get(f"/hotline/orders/12345/{ORDER['order_number']}").json()["steps"]
    assert steps == [{"step": "退单", "at": steps[0]["at"], "note": "属供水公司产权，已告知来电人"}]


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"order_type": "chat"}, "order_type", 422),
        ({"content": ""}, "content", 400),
        ({"order_number": ""}, "order_number", 400),
        ({"received_at": "2026-11-23T09:12:00"}, "received_at", 400),
    ],
)
def test_a_bad_order_names_the_field_and_stores_nothing(as_user, spot, change, field, status):
    response = push(as_user, spot, **change)
    assert response.status_code == status
    assert field in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_departments_cannot_push_or_read_orders(as_user, spot):
    department = as_user("dept_zhifa")
    assert department.post_json("/hotline/orders", {**ORDER, "lng": spot[0], "lat": spot[1]}).status_code == 403
    assert as_user("dept_zhifa").get("/hotline/orders").status_code == 403


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "工单编号",
            "热线",
            "受理时间",
            "来电人",
            "联系电话",
            "诉求类型",
            "紧急程度",
            "诉求内容",
            "经度",
            "纬度",
            "小类代码",
            "部件/事件",
            "当场答复",
            "答复内容",
        ]
    )
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_rows(spot, n=3):
    return [
        [
            f"GD{i:04d}",
            "12345",
            "2026-11-23 09:30",
            "李女士",
            "13800000000",
            "投诉",
            "一般",
            f"第{i}处供水井盖破损",
            spot[0],
            spot[1],
            "01001",
            "事件",
            "否",
            "",
        ]
        for i in range(n)
    ]


def upload(as_user, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("12345工单导出.xlsx", data)
    return as_user("operator").post_form("/hotline/orders/import", {"file": file})


def test_an_excel_export_imports_once_however_often_it_is_uploaded(as_user, spot):
    data = xlsx(export_rows(spot))
    assert upload(as_user, data).json()["created"] == 3
    assert upload(as_user, data).json() | {"summary": ""} == {"created": 0, "unchanged": 3, "summary": ""}
    assert Case.objects.filter(source="hotline_12345").count() == 3


def test_a_bad_row_rejects_the_whole_file_naming_row_and_column(as_user, spot):
    rows = export_rows(spot)
    rows[1][5] = "闲聊"
    rows[2][10] = "99999"
    response = upload(as_user, xlsx(rows))
    assert response.status_code == 400
    messages = [(e["row"], e["column"]) for e in response.json()["errors"]]
    assert (3, "诉求类型") in messages and (4, "小类代码") in messages
    assert not WorkOrder.objects.exists() and not Case.objects.exists()


def test_the_import_command_exits_non_zero_on_a_bad_file(people, tmp_path, spot):
    bad = tmp_path / "orders.xlsx"
    rows = export_rows(spot, 1)
    rows[0][1] = "110"
    bad.write_bytes(xlsx(rows))
    with pytest.raises(CommandError):
        call_command("import_work_orders", str(bad))
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(export_rows(spot, 2)))
    call_command("import_work_orders", str(good), user="operator")
    assert WorkOrder.objects.count() == 2
