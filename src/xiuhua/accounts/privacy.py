"""Who sees a reporter's or caller's personal data: the one rule every surface goes through.

A contact (name, phone) is shown FULL, MASKED (陈** / 138****5678) or HIDDEN (「（保密）」):

- 保密 (confidential): FULL only for operators and shift leaders whose data scope covers the case; HIDDEN for
  everyone else, whatever their role or superuser flag. Each full view of one confidential contact is audited
  (`note_full_view`); lists never show confidential contacts in full, so they write no audit rows.
- Normal: FULL for operators, shift leaders and dispatchers within scope (they call people back), and for a
  `keeper` within scope (a user of a department that keeps a ledger the person appears in: enforcement officers
  print the party on a document); MASKED for every other staff account.
- The account that entered the report (an inspector) sees its own contact in full.
- Anonymous viewers and public surfaces never get a contact (ABSENT).

Also here: `redact_text`, which removes phone numbers, ID-card numbers and e-mail addresses from free text
(the public description of a case).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from xiuhua.accounts.choices import Role
from xiuhua.accounts.queries import sees_division_code
from xiuhua.core.audit import record_audit

HIDDEN_TEXT = "（保密）"
REDACTED_TEXT = "[已隐去]"
CONFIDENTIAL_VIEW_ACTION = "privacy.confidential_contact_viewed"
# Where the contact was shown, as the auditor reads it in the summary (the code stays in the entry's details).
SURFACE_NAMES = {"case_page": "案卷页", "case_form_pdf": "案卷表单（PDF）", "centre_panel": "指挥中心面板",
                 "mobile_case": "监督员手机案卷页"}  # fmt: skip

# Roles that call reporters back: they need the number.
SEES_CONFIDENTIAL = frozenset({Role.OPERATOR, Role.SHIFT_LEADER})
SEES_NORMAL = frozenset({Role.OPERATOR, Role.SHIFT_LEADER, Role.DISPATCHER})


class Visibility(StrEnum):
    FULL = "full"
    MASKED = "masked"
    HIDDEN = "hidden"
    ABSENT = "absent"


@dataclass(frozen=True)
class Contact:
    """A contact as one viewer may see it."""

    name: str
    phone: str
    visibility: Visibility
    confidential: bool

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "phone": self.phone, "visibility": str(self.visibility)}


def mask_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise a number, not to call it."""
    if len(phone) <= 6:
        return "*" * max(len(phone) - 2, 0) + phone[-2:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def _is_staff_viewer(viewer: Any) -> bool:
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False) and getattr(viewer, "role", ""))


def contact_visibility(
    viewer: Any,
    *,
    confidential: bool,
    division_code: str,
    entered_by_id: int | None = None,
    in_list: bool = False,
    keeper: bool = False,
) -> Visibility:
    """The rule. `division_code` is the most precise code of the case's place (its grid code), checked against
    the viewer's data scope; `in_list` is true on queues and lists, where confidential contacts stay hidden;
    `keeper` says the viewer's department keeps a ledger the person appears in (ledgers.privacy)."""
    if not _is_staff_viewer(viewer):
        return Visibility.ABSENT
    if entered_by_id is not None and viewer.pk == entered_by_id:
        return Visibility.FULL
    in_scope = sees_division_code(viewer, division_code or "")
    if confidential:
        if viewer.role in SEES_CONFIDENTIAL and in_scope and not in_list:
            return Visibility.FULL
        return Visibility.HIDDEN
    if (viewer.role in SEES_NORMAL or keeper) and in_scope:
        return Visibility.FULL
    return Visibility.MASKED


def shown_contact(
    viewer: Any,
    name: str,
    phone: str,
    *,
    confidential: bool,
    division_code: str,
    entered_by_id: int | None = None,
    in_list: bool = False,
) -> Contact:
    """The contact with the rule applied (no audit: see `note_full_view`)."""
    seen = contact_visibility(
        viewer, confidential=confidential, division_code=division_code, entered_by_id=entered_by_id, in_list=in_list
    )
    if seen == Visibility.FULL:
        return Contact(name, phone, seen, confidential)
    if seen == Visibility.MASKED:
        return Contact(mask_name(name), mask_phone(phone), seen, confidential)
    if seen == Visibility.HIDDEN:
        return Contact(HIDDEN_TEXT if name else "", HIDDEN_TEXT if phone else "", seen, confidential)
    return Contact("", "", seen, confidential)


def note_full_view(viewer: Any, contact: Contact, target: str, surface: str) -> None:
    """One audit row per view of a confidential contact in full (not per field); nothing otherwise."""
    if contact.confidential and contact.visibility == Visibility.FULL and (contact.name or contact.phone):
        record_audit(
            viewer,
            CONFIDENTIAL_VIEW_ACTION,
            target=target,
            summary=f"查看保密联系人：{SURFACE_NAMES.get(surface, surface)}",
            surface=surface,
        )


# Mobile numbers (optionally +86), landlines with an area code, 18-digit ID-card numbers, e-mail addresses.
# Digit look-arounds keep case numbers and other long digit runs from being cut in the middle.
_ID_CARD = r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"
_MOBILE = r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)"
_LANDLINE = r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[-\s]?\d{7,8}(?!\d)"
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
_PERSONAL = re.compile("|".join((_EMAIL, _ID_CARD, _MOBILE, _LANDLINE)))


def redact_text(text: str) -> str:
    """The text with phone numbers, ID-card numbers and e-mail addresses replaced by 「[已隐去]」."""
    return _PERSONAL.sub(REDACTED_TEXT, text or "")


# Keys under which a refused payload (the intake log) carries a contact, and the keys saying it is confidential.
CONTACT_KEYS = frozenset(
    {"name", "phone", "caller_name", "caller_phone", "reporter_name", "reporter_phone", "first_name", "last_name"}
    | {"email"}
)
CONFIDENTIAL_KEYS = ("confidential", "reporter_confidential")
_TRUE = {"true", "1", "yes", "on", "是"}


def _asks_confidential(data: dict) -> bool:
    return any(str(data.get(key, "")).strip().lower() in _TRUE for key in CONFIDENTIAL_KEYS)


def payload_for(viewer: Any, payload: Any, *, division_code: str) -> Any:
    """A stored request payload (intake log) with every contact value under the rule, as in a list (confidential
    contacts hidden from everyone, normal ones full for the desk roles in scope, masked for other staff)."""
    if isinstance(payload, list):
        return [payload_for(viewer, item, division_code=division_code) for item in payload]
    if not isinstance(payload, dict):
        return payload
    seen = contact_visibility(
        viewer, confidential=_asks_confidential(payload), division_code=division_code, in_list=True
    )
    shown = {}
    for key, value in payload.items():
        if key in CONTACT_KEYS and isinstance(value, str | list):
            shown[key] = _value_as_seen(key, value, seen)
        else:
            shown[key] = payload_for(viewer, value, division_code=division_code)
    return shown


def _value_as_seen(key: str, value: Any, seen: Visibility) -> Any:
    if isinstance(value, list):  # form fields arrive as lists of strings
        return [_value_as_seen(key, item, seen) for item in value]
    if not isinstance(value, str) or not value or seen == Visibility.FULL:
        return value
    if seen == Visibility.MASKED:
        return mask_phone(value) if key.endswith("phone") else mask_name(value)
    return HIDDEN_TEXT
