"""Personal data at rest: what the database holds, what users see, repeat callers, key rotation and wrong keys."""

import importlib

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from xiuhua.cases.models import Case
from xiuhua.core import crypto
from xiuhua.core.personal_data import encrypt_existing, key_ids_in_use
from xiuhua.intake.channels.hotline.models import WorkOrder

pytestmark = pytest.mark.django_db

NAME, PHONE = "欧阳娜娜", "13957312345"


@pytest.fixture(autouse=True)
def fresh_keys(settings):
    crypto.forget_keys()
    yield
    crypto.forget_keys()


def use_keys(settings, current: str, previous: str = "") -> None:
    settings.XIUHUA_DATA_KEY, settings.XIUHUA_DATA_KEY_PREVIOUS = current, previous
    crypto.forget_keys()


def raw_row(table: str, pk: int, *columns: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


def report_through_api(as_user, spot, **extra) -> Case:
    body = {"class_code": "01001", "kind": "event", "description": "垃圾堆积", "lng": spot[0], "lat": spot[1]}
    response = as_user("operator").post_json("/reports", {**body, **extra})
    assert response.status_code == 201, response.content
    return Case.objects.get(number=response.json()["number"])


def test_the_database_holds_neither_the_reporters_name_nor_phone_but_the_centre_reads_them(as_user, spot):
    case = report_through_api(as_user, spot, reporter_name=NAME, reporter_phone=PHONE)
    name, phone, digest = raw_row("cases_case", case.pk, "reporter_name", "reporter_phone", "reporter_phone_digest")
    row = f"{name}{phone}{digest}"
    assert NAME not in row and PHONE not in row and "2345" not in row
    assert name.startswith("x1:") and phone.startswith("x1:") and len(digest) == 64
    shown = as_user("operator").get(f"/cases/{case.number}").json()["reporter"]
    assert (shown["name"], shown["phone"]) == (NAME, PHONE)
    assert (case.reporter_name, case.reporter_phone) == (NAME, PHONE)


def test_the_same_name_is_a_different_ciphertext_each_time(loop):
    first, second = loop.report(reporter_name=NAME), loop.report(reporter_name=NAME)
    assert raw_row("cases_case", first.pk, "reporter_name") != raw_row("cases_case", second.pk, "reporter_name")


def test_a_blank_contact_stays_blank_with_no_digest(loop):
    case = loop.report()
    assert raw_row("cases_case", case.pk, "reporter_name", "reporter_phone", "reporter_phone_digest") == ("", "", "")
    assert Case.objects.filter(reporter_phone="").filter(pk=case.pk).exists()


def test_a_hotline_callers_name_and_phone_are_encrypted_in_the_work_order(as_user, spot):
    from xiuhua.intake.channels.hotline.tests.test_hotline_channel import ORDER

    response = as_user("operator").post_json("/hotline/orders", {**ORDER, "lng": spot[0], "lat": spot[1]})
    assert response.status_code == 201, response.content
    order = WorkOrder.objects.get(order_number=ORDER["order_number"])
    raw = "".join(raw_row("intake_workorder", order.pk, "caller_name", "caller_phone", "caller_phone_digest"))
    assert ORDER["caller_name"] not in raw and ORDER["caller_phone"] not in raw
    assert (order.caller_name, order.caller_phone) == (ORDER["caller_name"], ORDER["caller_phone"])
    assert order.caller_phone_digest == crypto.phone_digest(ORDER["caller_phone"])
    case_raw = "".join(raw_row("cases_case", order.case_id, "reporter_name", "reporter_phone"))
    assert ORDER["caller_phone"] not in case_raw and ORDER["caller_name"] not in case_raw


def test_repeat_callers_are_counted_by_digest_whatever_the_phone_looks_like(loop):
    loop.report(reporter_phone="13900000009")
    second = loop.report(reporter_phone="+86 139-0000-0009", class_code="06010")
    third = loop.report(reporter_phone="139 0000 0009", class_code="06010")
    other = loop.report(reporter_phone="13900000008", class_code="06010")
    assert (second.repeat_caller_count, third.repeat_caller_count, other.repeat_caller_count) == (1, 2, 0)


def test_filtering_on_an_encrypted_value_is_refused_instead_of_matching_nothing(loop):
    loop.report(reporter_phone=PHONE)
    with pytest.raises(FieldError, match="digest"):
        Case.objects.filter(reporter_phone=PHONE).count()
    with pytest.raises(FieldError, match="digest"):
        Case.objects.filter(reporter_name__contains="欧阳").count()
    assert Case.objects.filter(reporter_phone_digest=crypto.phone_digest(PHONE)).count() == 1


def test_rotation_re_encrypts_every_row_under_the_new_key_and_keeps_lookups_working(loop, settings):
    old = settings.XIUHUA_DATA_KEY
    case = loop.report(reporter_name=NAME, reporter_phone=PHONE)
    old_token = raw_row("cases_case", case.pk, "reporter_phone")[0]
    new = crypto.new_key_text()
    use_keys(settings, new, previous=old)
    call_command("rotate_data_key")
    new_id = crypto.key_id(crypto.parse_key(new, "test"))
    assert key_ids_in_use() == {new_id: 2}
    use_keys(settings, new)  # the old key is gone from the configuration
    case.refresh_from_db()
    assert (case.reporter_name, case.reporter_phone) == (NAME, PHONE)
    assert raw_row("cases_case", case.pk, "reporter_phone")[0] != old_token
    assert loop.report(reporter_phone=PHONE, class_code="06010").repeat_caller_count == 1


def test_a_row_under_an_unknown_key_is_a_clear_error_not_garbage(loop, settings):
    case = loop.report(reporter_name=NAME, reporter_phone=PHONE)
    written_by = crypto.key_id(crypto.keyring().current)
    use_keys(settings, crypto.new_key_text())
    with pytest.raises(crypto.DataKeyError, match=f"{written_by}.*XIUHUA_DATA_KEY"):
        Case.objects.get(pk=case.pk)
    with pytest.raises(CommandError, match=written_by):
        call_command("rotate_data_key")


def test_a_malformed_key_is_refused_with_its_setting_named(settings):
    use_keys(settings, "c2hvcnQ=")
    with pytest.raises(crypto.DataKeyError, match="XIUHUA_DATA_KEY.*32"):
        crypto.encrypt("x")


def test_a_tampered_ciphertext_is_reported_as_tampered(loop):
    case = loop.report(reporter_phone=PHONE)
    token = raw_row("cases_case", case.pk, "reporter_phone")[0]
    flipped = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET reporter_phone = %s WHERE id = %s", [flipped, case.pk])
    with pytest.raises(crypto.DataKeyError, match="篡改"):
        Case.objects.get(pk=case.pk)


def test_the_migration_encrypts_rows_written_in_plain_before_it(loop):
    case = loop.report()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET reporter_name = %s, reporter_phone = %s WHERE id = %s", [NAME, PHONE, case.pk]
        )
    migration = importlib.import_module("xiuhua.cases.migrations.0012_encrypt_reporter_contacts")
    encrypt_existing(migration.TABLES, connection)
    name, phone, digest = raw_row("cases_case", case.pk, "reporter_name", "reporter_phone", "reporter_phone_digest")
    assert name.startswith("x1:") and phone.startswith("x1:") and digest == crypto.phone_digest(PHONE)
    case.refresh_from_db()
    assert (case.reporter_name, case.reporter_phone) == (NAME, PHONE)


def test_generate_in_demo_mode_keeps_the_old_key_beside_the_new_one(loop, settings, tmp_path, monkeypatch):
    monkeypatch.delenv("XIUHUA_DATA_KEY", raising=False)
    settings.VAR_DIR = tmp_path
    (tmp_path / "data_key").write_text(settings.XIUHUA_DATA_KEY + "\n")
    case = loop.report(reporter_phone=PHONE)
    call_command("rotate_data_key", generate=True)
    current = (tmp_path / "data_key").read_text().strip()
    assert (tmp_path / "data_key.previous").read_text().strip() != current
    assert (tmp_path / "data_key").stat().st_mode & 0o777 == 0o600
    use_keys(settings, current)
    case.refresh_from_db()
    assert case.reporter_phone == PHONE
    with pytest.raises(CommandError, match="data_key.previous"):
        call_command("rotate_data_key", generate=True)


def test_the_benchmark_switch_stores_plain_text_only_inside_it(loop):
    with crypto.plaintext_for_benchmark():
        plain = loop.report(reporter_phone=PHONE)
        assert raw_row("cases_case", plain.pk, "reporter_phone") == (PHONE,)
    sealed = loop.report(reporter_phone=PHONE, class_code="06010")
    assert raw_row("cases_case", sealed.pk, "reporter_phone")[0].startswith("x1:")
    assert sealed.repeat_caller_count == 1  # the digest is kept either way


def test_an_open311_reporters_and_commenters_contacts_are_encrypted(client, fms_form):
    from xiuhua.intake.models import Open311Update
    from xiuhua.intake.open311.tests.conftest import BASE
    from xiuhua.intake.open311.tests.test_updates import fms_update

    reply = client.post(f"{BASE}/requests.json", fms_form).json()
    case = Case.objects.get(number=reply[0]["service_request_id"])
    raw = "".join(raw_row("cases_case", case.pk, "reporter_name", "reporter_phone", "reporter_email"))
    assert "张" not in raw and "13800000000" not in raw and "zhangsan" not in raw
    assert (case.reporter_name, case.reporter_email) == ("张三", "zhangsan@example.com")
    with connection.cursor() as cursor:
        cursor.execute("SELECT details FROM cases_caseevent WHERE case_id = %s", [case.pk])
        assert "zhangsan" not in str(cursor.fetchall())
    update = fms_update(fms_form["api_key"], case.number, phone="13800000000")
    assert client.post(f"{BASE}/servicerequestupdates.json", update).status_code == 200
    stored = Open311Update.objects.get(case=case)
    columns = ("first_name", "last_name", "email", "phone")
    raw = "".join(raw_row("intake_open311update", stored.pk, *columns))
    assert "张" not in raw and "三" not in raw and "zhangsan" not in raw and "13800000000" not in raw
    assert (stored.last_name, stored.email, stored.phone) == ("张", "zhangsan@example.com", "13800000000")
