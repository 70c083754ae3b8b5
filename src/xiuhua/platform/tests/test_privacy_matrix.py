"""Every demo role × every surface showing a case or work order × confidential / normal contact.

Four objects: a confidential and a normal citizen report, a confidential and a normal hotline order (each
become a case); all accepted, registered and dispatched to 执法. Each cell asserts what the response body shows
of the contact (full / masked / hidden / absent, by its distinctive name and phone) and that exactly one audit
row is written for a full view of a confidential contact on one object (none otherwise). The world is built
once for the module (inside a transaction rolled back at the end); each test runs in its own savepoint.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import ApiToken, User, hash_secret
from xiuhua.accounts.privacy import CONFIDENTIAL_VIEW_ACTION, HIDDEN_TEXT, mask_name, mask_phone
from xiuhua.cases.derivatives import build_pending_derivatives
from xiuhua.cases.models import Case
from xiuhua.cases.tests.conftest import jpeg_bytes
from xiuhua.cases.workflow import apply_action
from xiuhua.core.models import AuditEntry
from xiuhua.intake.channels.citizen.adapter import report_by_citizen
from xiuhua.intake.channels.hotline.adapter import WorkOrderInput, take_work_order
from xiuhua.intake.channels.hotline.models import WorkOrder
from xiuhua.intake.services import ReportInput
from xiuhua.territory.models import UnitGrid

FULL, MASKED, HIDDEN, ABSENT = "full", "masked", "hidden", "absent"
VIEWERS = ("admin", "operator", "shift_leader", "dispatcher", "inspector", "leader", "dept_zhifa", "far_operator")
ALL_VIEWERS = (*VIEWERS, "anonymous")
# The rule on the detail of one case or order: (confidential, normal).
DETAIL_RULE = {
    "admin": (HIDDEN, MASKED),
    "operator": (FULL, FULL),
    "shift_leader": (FULL, FULL),
    "dispatcher": (HIDDEN, FULL),
    "inspector": (HIDDEN, MASKED),
    "leader": (HIDDEN, MASKED),
    "dept_zhifa": (HIDDEN, MASKED),
    "far_operator": (HIDDEN, MASKED),  # an operator whose scope is another district
    "anonymous": (ABSENT, ABSENT),
}
# Lists never show a confidential contact in full.
LIST_RULE = {viewer: (HIDDEN if conf == FULL else conf, normal) for viewer, (conf, normal) in DETAIL_RULE.items()}
NO_CONTACT = {viewer: (ABSENT, ABSENT) for viewer in ALL_VIEWERS}

CONF_TEXT = "小区门口垃圾堆了三天，我住3栋502，电话13911112222，身份证330424199001011234，邮箱ouyang@example.com"
NORMAL_TEXT = "路边垃圾没人清，可以打0573-86661234找我"


@dataclass(frozen=True)
class Thing:
    key: str
    name: str
    phone: str
    confidential: bool
    number: str  # the case number
    case_pk: int
    lookup_code: str
    order: str = ""  # "12345/<order number>" for hotline orders
    order_pk: int = 0


@dataclass(frozen=True)
class Surface:
    key: str
    path: str  # formatted with the Thing
    api: bool = False
    rule: dict | None = None
    detail: bool = False  # a full confidential view here is audited
    orders_only: bool = False
    staff_page: bool = True  # False: requested without signing in (public surfaces)
    must_see: tuple[str, ...] = ()  # viewers that must get the page (200)
    out_of_scope: tuple[str, ...] = ()  # viewers for whom the item must not be there at all (data scope)


SURFACES = (
    Surface("api_case", "/api/v1/cases/{t.number}", api=True, rule=DETAIL_RULE, detail=True,
            must_see=("admin", "operator", "shift_leader", "dispatcher", "leader")),
    Surface("api_case_list", "/api/v1/cases?limit=500", api=True, rule=NO_CONTACT),
    Surface("api_hotline_list", "/api/v1/hotline/orders?limit=500", api=True, rule=LIST_RULE, orders_only=True,
            must_see=("admin", "operator", "shift_leader", "dispatcher", "leader", "far_operator"),
            out_of_scope=("far_operator",)),
    Surface("api_hotline_detail", "/api/v1/hotline/orders/{t.order}", api=True, rule=DETAIL_RULE, detail=True,
            orders_only=True, must_see=("admin", "operator", "shift_leader", "dispatcher", "leader"),
            out_of_scope=("far_operator",)),
    Surface("case_page", "/cases/{t.number}/", rule=DETAIL_RULE, detail=True,
            must_see=("operator", "shift_leader", "dispatcher", "leader")),
    Surface("centre_intake_panel", "/centre/intake/?case={t.number}", rule=DETAIL_RULE, detail=True,
            must_see=("operator", "shift_leader")),
    Surface("centre_dispatch_panel", "/centre/dispatch/?case={t.number}", rule=DETAIL_RULE, detail=True,
            must_see=("dispatcher",)),
    Surface("department_page", "/department/", rule=NO_CONTACT, must_see=("dept_zhifa",)),
    Surface("mobile_case_page", "/m/cases/{t.number}/", rule=NO_CONTACT),
    Surface("admin_case", "/admin/cases/case/{t.case_pk}/change/", rule=DETAIL_RULE, detail=True, must_see=("admin",)),
    Surface("admin_order", "/admin/intake/workorder/{t.order_pk}/change/", rule=DETAIL_RULE, detail=True,
            orders_only=True, must_see=("admin",)),
    Surface("open311_list", "/open311/v2/requests.json?extensions=true", rule=NO_CONTACT, staff_page=False),
    Surface("open311_list_xml", "/open311/v2/requests.xml", rule=NO_CONTACT, staff_page=False),
    Surface("open311_detail", "/open311/v2/requests/{t.number}.json?extensions=true", rule=NO_CONTACT,
            staff_page=False),
    Surface("open311_updates", "/open311/v2/servicerequestupdates.json", rule=NO_CONTACT, staff_page=False),
    Surface("public_status", "/public/cases/{t.number}/?code={t.lookup_code}", rule=NO_CONTACT, staff_page=False),
    Surface("citizen_api_status", "/api/v1/public/cases/{t.number}?code={t.lookup_code}", rule=NO_CONTACT,
            staff_page=False),
)  # fmt: skip
THINGS = ("citizen_confidential", "citizen_normal", "hotline_confidential", "hotline_normal")


def _spot() -> tuple[float, float]:
    centre = UnitGrid.objects.order_by("code").first().geometry.representative_point()
    return centre.x, centre.y


def _to_dispatched(number: str, users: dict[str, User]) -> Case:
    apply_action(number, "accept", users["operator"], {})
    apply_action(number, "register", users["shift_leader"], {})
    return apply_action(number, "dispatch", users["dispatcher"], {"department": "zhifa"})


def _citizen(key: str, name: str, phone: str, confidential: bool, text: str, users) -> Thing:
    lng, lat = _spot()
    data = ReportInput(
        class_code="06010", kind="event", description=text, lng=lng, lat=lat, address="武原街道海滨东路 1 号",
        reporter_name=name, reporter_phone=phone, reporter_confidential=confidential,
    )  # fmt: skip
    photo = _jpeg(f"{key}.jpg")
    case = report_by_citizen(data, [photo], client=f"matrix-{key}").case
    case = _to_dispatched(case.number, users)
    return Thing(key, name, phone, confidential, case.number, case.pk, case.lookup_code)


def _jpeg(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def _hotline(key: str, name: str, phone: str, confidential: bool, users) -> Thing:
    lng, lat = _spot()
    data = WorkOrderInput(
        hotline="12345", order_number=f"M-{key}", order_type="complaint", content="井盖松动，车辆经过响声大",
        caller_name=name, caller_phone=phone, confidential=confidential, class_code="06010", kind="event",
        lng=lng, lat=lat, address="武原街道海滨东路 2 号",
    )  # fmt: skip
    order, _ = take_work_order(data, users["operator"])
    case = _to_dispatched(order.case.number, users)
    return Thing(key, name, phone, confidential, case.number, case.pk, case.lookup_code, f"12345/M-{key}", order.pk)


def _build() -> dict:
    from xiuhua.platform.demo import build_demo_city

    build_demo_city(grids=120, components=600, seed=7)
    users = {u.username: u for u in User.objects.filter(username__in=VIEWERS)}
    users["far_operator"] = User.objects.create_user(
        "far_operator", password="Far-away-1", role=Role.OPERATOR, scope_division_codes=["110101"]
    )
    things = {
        "citizen_confidential": _citizen("citizen_confidential", "欧阳保密", "13911112222", True, CONF_TEXT, users),
        "citizen_normal": _citizen("citizen_normal", "诸葛普通", "13655556666", False, NORMAL_TEXT, users),
        "hotline_confidential": _hotline("hotline_confidential", "司马机密", "13733334444", True, users),
        "hotline_normal": _hotline("hotline_normal", "上官公开", "13577778888", False, users),
    }
    tokens = {}
    for username, user in users.items():
        key = secrets.token_urlsafe(24)
        ApiToken.objects.create(user=user, key_hash=hash_secret(key), expires_at=timezone.now() + timedelta(days=1))
        tokens[username] = key
    return {"users": users, "things": things, "tokens": tokens}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city and the four objects, built once; rolled back when the module is done."""
    from xiuhua.territory.services import forget_grid_index
    from xiuhua.worktime.clock import forget_calendar

    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            forget_grid_index()
            forget_calendar()
            yield _build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            forget_grid_index()
            forget_calendar()


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def _request(world, surface: Surface, viewer: str, thing: Thing):
    client = Client()
    path = surface.path.format(t=thing)
    headers = {}
    if surface.staff_page and viewer != "anonymous":
        if surface.api:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {world['tokens'][viewer]}"
        else:
            client.force_login(world["users"][viewer])
    if surface.key == "open311_updates":  # needs a client key; any app's view is the public one
        from xiuhua.accounts.services import create_api_key

        path += f"?api_key={create_api_key('matrix-app')[1]}"
    return client.get(path, **headers)


def shown(body: str, thing: Thing) -> str:
    """What the body shows of the thing's contact."""
    full = thing.name in body or thing.phone in body
    masked = mask_phone(thing.phone) in body or mask_name(thing.name) in body
    if full:
        assert thing.name in body and thing.phone in body, "name and phone go together"
        return FULL
    if masked:
        return MASKED
    return HIDDEN if HIDDEN_TEXT in body else ABSENT


def _cells():
    for surface in SURFACES:
        viewers = ALL_VIEWERS if surface.staff_page else ("anonymous",)
        for viewer in viewers:
            for key in THINGS:
                if surface.orders_only and not key.startswith("hotline"):
                    continue
                yield pytest.param(surface, viewer, key, id=f"{surface.key}-{viewer}-{key}")


@pytest.mark.parametrize(("surface", "viewer", "key"), list(_cells()))
def test_what_each_role_sees_of_each_contact_on_each_surface(world, db, surface, viewer, key):
    thing = world["things"][key]
    target = thing.number if not surface.key.startswith(("api_hotline", "admin_order")) else thing.order
    target = target.replace("/", "-")
    audits_before = AuditEntry.objects.filter(action=CONFIDENTIAL_VIEW_ACTION, target=target).count()

    response = _request(world, surface, viewer, thing)

    assert response.status_code in (200, 302, 401, 403, 404), (response.status_code, _text(response)[:300])
    if viewer in surface.must_see:
        assert response.status_code == 200, _text(response)[:300]
    conf, normal = surface.rule[viewer]
    visible = response.status_code == 200 and viewer not in surface.out_of_scope
    expected = (conf if thing.confidential else normal) if visible else ABSENT
    body = _text(response)
    assert shown(body, thing) == expected
    audits = AuditEntry.objects.filter(action=CONFIDENTIAL_VIEW_ACTION, target=target).count() - audits_before
    audited = surface.detail and thing.confidential and expected == FULL
    assert audits == (1 if audited else 0)


def test_a_confidential_citizen_report_is_on_no_public_surface_in_any_form(world, db):
    thing = world["things"]["citizen_confidential"]
    secrets_in_text = ("13911112222", "330424199001011234", "ouyang@example.com", "3栋502", "1391111", "欧阳")
    case = Case.objects.get(pk=thing.case_pk)
    photo_ids = list(case.attachments.values_list("pk", flat=True))
    public = [s for s in SURFACES if not s.staff_page and not s.key.startswith(("public_", "citizen_"))]
    for surface in public:
        response = _request(world, surface, "anonymous", thing)
        body = _text(response)
        if surface.key == "open311_detail":
            assert response.status_code == 404  # the error names the number asked for, nothing more
        else:
            assert thing.number not in body, surface.key
        for secret in secrets_in_text:
            assert secret not in body, (surface.key, secret)
    for photo_id in photo_ids:
        assert Client().get(f"/open311/v2/media/{photo_id}").status_code == 404


def test_the_citizens_own_status_page_shows_the_public_text_and_no_contact(world, db):
    thing = world["things"]["citizen_confidential"]
    body = _text(_request(world, SURFACES[-2], "anonymous", thing))
    assert thing.number in body and "[已隐去]" in body
    for secret in ("13911112222", "330424199001011234", "ouyang@example.com", "欧阳保密"):
        assert secret not in body


def test_a_published_case_shows_its_public_text_and_photo(world, db):
    thing = world["things"]["citizen_normal"]
    [item] = Client().get(f"/open311/v2/requests/{thing.number}.json").json()
    assert item["description"] == "路边垃圾没人清，可以打[已隐去]找我"
    photo = Case.objects.get(pk=thing.case_pk).attachments.get()
    assert Client().get(f"/open311/v2/media/{photo.pk}").status_code == 404  # until the worker made its public copy
    build_pending_derivatives()
    assert Client().get(f"/open311/v2/media/{photo.pk}").status_code == 200
    listed = {r["service_request_id"] for r in Client().get("/open311/v2/requests.json").json()}
    assert listed == {thing.number}  # hotline cases are internal by default; the confidential one is never out


def test_an_inspector_sees_the_contact_they_entered_themselves(world, db):
    from xiuhua.intake.channels.staff.adapter import report_by_staff

    inspector = world["users"]["inspector"]
    lng, lat = _spot()
    data = ReportInput(
        class_code="06010", kind="event", description="围挡倒了", lng=lng, lat=lat,
        reporter_name="东方自填", reporter_phone="13800001111", reporter_confidential=True,
    )  # fmt: skip
    case = report_by_staff(inspector, data, [_jpeg("own.jpg")]).case
    client = Client()
    client.force_login(inspector)
    own = _text(client.get(f"/api/v1/cases/{case.number}", HTTP_AUTHORIZATION=f"Bearer {world['tokens']['inspector']}"))
    assert "东方自填" in own and "13800001111" in own
    dispatcher = _text(
        Client().get(f"/api/v1/cases/{case.number}", HTTP_AUTHORIZATION=f"Bearer {world['tokens']['dispatcher']}")
    )
    assert "东方自填" not in dispatcher and "13800001111" not in dispatcher


def test_the_work_order_list_keeps_confidential_callers_hidden_even_from_the_centre(world, db):
    body = _text(Client().get("/api/v1/hotline/orders", HTTP_AUTHORIZATION=f"Bearer {world['tokens']['operator']}"))
    assert "司马机密" not in body and "13733334444" not in body and HIDDEN_TEXT in body
    assert "上官公开" in body and "13577778888" in body
    assert not AuditEntry.objects.filter(action=CONFIDENTIAL_VIEW_ACTION).exists()
    assert WorkOrder.objects.count() == 2


@pytest.mark.parametrize(("viewer", "expected"), [("operator", HIDDEN), ("admin", HIDDEN)])
def test_the_intake_log_keeps_a_refused_confidential_reporter_hidden(world, db, viewer, expected):
    refused = {
        "class_code": "99999", "description": "垃圾", "address": "海滨东路", "name": "慕容拒收",
        "phone": "13600009999", "confidential": True,
    }  # fmt: skip
    assert Client().post("/api/v1/public/reports", refused, content_type="application/json").status_code == 400
    thing = Thing("refused", "慕容拒收", "13600009999", True, "", 0, "")
    response = Client().get("/api/v1/intake/rejections", HTTP_AUTHORIZATION=f"Bearer {world['tokens'][viewer]}")
    assert response.status_code == 200
    assert shown(_text(response), thing) == expected


def test_an_inspectors_task_notice_carries_no_contact(world, db):
    from xiuhua.notify.models import Notice

    users = world["users"]
    lng, lat = _spot()
    data = ReportInput(
        class_code="06010", kind="event", description="楼下垃圾，打我电话13911112222", lng=lng, lat=lat,
        reporter_name="欧阳保密", reporter_phone="13911112222", reporter_confidential=True,
    )  # fmt: skip
    case = report_by_citizen(data, [], client="matrix-notice").case
    apply_action(case.number, "accept", users["operator"], {})
    apply_action(case.number, "verify", users["operator"], {"inspector": "inspector"})

    [notice] = Notice.objects.filter(recipient=users["inspector"], title__contains=case.number)
    assert "13911112222" not in notice.title + notice.body and "欧阳" not in notice.title + notice.body
    # The task names the place (worked out from the point at intake), never the reporter's words with a contact.
    case.refresh_from_db()
    assert case.address and notice.body == case.address


def test_the_migration_fills_the_public_description_of_existing_cases(world, db):
    from importlib import import_module

    from django.apps import apps

    thing = world["things"]["citizen_confidential"]
    Case.objects.filter(pk=thing.case_pk).update(public_description="")
    import_module("xiuhua.cases.migrations.0012_case_public_description").backfill(apps, None)

    filled = Case.objects.get(pk=thing.case_pk).public_description
    assert filled.startswith("小区门口垃圾堆了三天，我住3栋502，电话[已隐去]，身份证[已隐去]，邮箱[已隐去]")
