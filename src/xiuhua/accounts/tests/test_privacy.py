"""The privacy rule on its own: who sees a contact full, masked, hidden or not at all; and text redaction."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.accounts.privacy import (
    HIDDEN_TEXT,
    Visibility,
    contact_visibility,
    payload_for,
    redact_text,
    shown_contact,
)

HERE = "330424001001001"  # a grid code inside district 330424
FULL, MASKED, HIDDEN, ABSENT = Visibility.FULL, Visibility.MASKED, Visibility.HIDDEN, Visibility.ABSENT


def user(role: str, scope: tuple[str, ...] = ("330424",), pk: int = 7, superuser: bool = False) -> User:
    return User(pk=pk, username=f"u{pk}", role=role, scope_division_codes=list(scope), is_superuser=superuser)


@pytest.mark.parametrize(
    ("role", "confidential", "normal"),
    [
        (Role.OPERATOR, FULL, FULL),
        (Role.SHIFT_LEADER, FULL, FULL),
        (Role.DISPATCHER, HIDDEN, FULL),
        (Role.INSPECTOR, HIDDEN, MASKED),
        (Role.DEPARTMENT, HIDDEN, MASKED),
        (Role.LEADER, HIDDEN, MASKED),
        (Role.COMMANDER, HIDDEN, MASKED),
        (Role.SYSADMIN, HIDDEN, MASKED),
        (Role.SECADMIN, HIDDEN, MASKED),
        (Role.AUDITOR, HIDDEN, MASKED),
    ],
)
def test_each_role_in_scope_sees_confidential_and_normal_contacts_as_the_rule_says(role, confidential, normal):
    viewer = user(role)
    assert contact_visibility(viewer, confidential=True, division_code=HERE) == confidential
    assert contact_visibility(viewer, confidential=False, division_code=HERE) == normal


def test_a_superuser_gets_no_more_than_their_role():
    viewer = user(Role.SYSADMIN, superuser=True)
    assert contact_visibility(viewer, confidential=True, division_code=HERE) == HIDDEN


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SHIFT_LEADER, Role.DISPATCHER])
def test_the_centre_outside_its_scope_sees_normal_contacts_masked_and_confidential_ones_hidden(role):
    viewer = user(role, scope=("110101",))
    assert contact_visibility(viewer, confidential=False, division_code=HERE) == MASKED
    assert contact_visibility(viewer, confidential=True, division_code=HERE) == HIDDEN


def test_a_subdistrict_scope_covers_only_its_own_cases():
    viewer = user(Role.OPERATOR, scope=("330424001",))
    assert contact_visibility(viewer, confidential=True, division_code=HERE) == FULL
    assert contact_visibility(viewer, confidential=True, division_code="330424002001001") == HIDDEN


def test_lists_never_show_a_confidential_contact_in_full():
    viewer = user(Role.OPERATOR)
    assert contact_visibility(viewer, confidential=True, division_code=HERE, in_list=True) == HIDDEN
    assert contact_visibility(viewer, confidential=False, division_code=HERE, in_list=True) == FULL


def test_the_account_that_entered_the_report_sees_its_own_contact():
    viewer = user(Role.INSPECTOR, pk=42)
    assert contact_visibility(viewer, confidential=True, division_code=HERE, entered_by_id=42) == FULL
    assert contact_visibility(viewer, confidential=True, division_code=HERE, entered_by_id=43) == HIDDEN


@pytest.mark.parametrize("viewer", [None, AnonymousUser()])
def test_the_public_never_gets_a_contact(viewer):
    contact = shown_contact(viewer, "陈小明", "13812342345", confidential=False, division_code=HERE)
    assert (contact.name, contact.phone, contact.visibility) == ("", "", ABSENT)


def test_masked_and_hidden_contacts_read_as_the_centre_writes_them():
    masked = shown_contact(user(Role.LEADER), "陈小明", "13812342345", confidential=False, division_code=HERE)
    hidden = shown_contact(user(Role.LEADER), "陈小明", "13812342345", confidential=True, division_code=HERE)
    assert (masked.name, masked.phone) == ("陈**", "138****2345")
    assert (hidden.name, hidden.phone) == (HIDDEN_TEXT, HIDDEN_TEXT)


def test_an_empty_contact_stays_empty_when_hidden():
    hidden = shown_contact(user(Role.LEADER), "", "", confidential=True, division_code=HERE)
    assert (hidden.name, hidden.phone) == ("", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13812345678找我", "电话[已隐去]找我"),
        ("手机 +86 138-1234-5678", "手机 [已隐去]"),
        ("座机0573-86661234或(0571)88886666", "座机[已隐去]或[已隐去]"),
        ("身份证33042419900101123X", "身份证[已隐去]"),
        ("邮箱 a.b+c@example.com.cn 谢谢", "邮箱 [已隐去] 谢谢"),
        ("案卷2026120700001已处理，3栋502门口", "案卷2026120700001已处理，3栋502门口"),
        ("井盖丢了200多天", "井盖丢了200多天"),
    ],
)
def test_redaction_removes_phones_id_numbers_and_emails_but_not_other_numbers(text, expected):
    assert redact_text(text) == expected


def test_a_logged_payload_shows_contacts_as_a_list_would():
    payload = {"json": {"name": "陈小明", "phone": "13812342345", "confidential": True, "description": "x"}}
    normal = {"form": {"name": ["陈小明"], "phone": ["13812342345"]}}
    operator, leader = user(Role.OPERATOR), user(Role.LEADER)
    assert payload_for(operator, payload, division_code="330424")["json"]["phone"] == HIDDEN_TEXT
    assert payload_for(operator, normal, division_code="330424")["form"]["phone"] == ["13812342345"]
    assert payload_for(leader, normal, division_code="330424")["form"] == {"name": ["陈**"], "phone": ["138****2345"]}
