"""How a party's personal data is shown: `accounts.privacy.contact_visibility` with one more input, `keeper`.

An organisation's name (and address) is public. A person's name, phone and address, and anyone's phone, are FULL
for the desk roles in scope and for users of a department that keeps a ledger the party appears in, within scope;
MASKED (陈**, 138****5678, the address's first 6 characters + "…") for other staff; ABSENT for anonymous viewers.
The change history stores personal fields masked whoever reads it (`masked_for_history`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from xiuhua.accounts.choices import Role
from xiuhua.accounts.privacy import Visibility, contact_visibility, mask_name, mask_phone
from xiuhua.accounts.queries import sees_division_code
from xiuhua.ledgers.choices import SubjectKind
from xiuhua.ledgers.models import LEDGER_MODELS, Subject
from xiuhua.ledgers.queries import kept_ledgers

# Fields of ledger records and parties that are personal data: masked in the history and in exports.
PERSONAL_NAME_FIELDS = frozenset({"contact_name"})
PERSONAL_PHONE_FIELDS = frozenset({"phone", "contact_phone"})
ADDRESS_SHOWN = 6

Appearances = dict[int, list[tuple[str, str]]]


def mask_address(address: str) -> str:
    return address[:ADDRESS_SHOWN] + "…" if len(address) > ADDRESS_SHOWN else address


def masked_for_history(field: str, value: Any) -> Any:
    """A value as the change history keeps it: personal data masked."""
    if not isinstance(value, str) or not value:
        return value
    if field in PERSONAL_PHONE_FIELDS:
        return mask_phone(value)
    if field in PERSONAL_NAME_FIELDS:
        return mask_name(value)
    return value


def appearances(subject_ids: Iterable[int]) -> Appearances:
    """For each party, the (ledger, grid code) of every record it stands behind: one query per ledger."""
    ids = list(set(subject_ids))
    found: Appearances = defaultdict(list)
    if not ids:
        return found
    for kind, model in LEDGER_MODELS.items():
        for subject_id, grid_code in model.objects.filter(subject_id__in=ids).values_list("subject_id", "grid_code"):
            found[subject_id].append((kind, grid_code))
    return found


def record_visibility(viewer: Any, kind: str, grid_code: str) -> Visibility:
    """The rule for personal data held on a record of `kind` in `grid_code` (a shop's contact)."""
    return contact_visibility(viewer, confidential=False, division_code=grid_code, keeper=kind in kept_ledgers(viewer))


def subject_visibility(
    viewer: Any, subject: Subject, places: list[tuple[str, str]], printing: bool = False
) -> Visibility:
    """The rule for one party, placed by the records it appears in (its district when it has none).

    `printing`: the viewer prints an enforcement document for the party. The paper is handed to the party and
    must name it, so an inspector (who issues 提醒单 on the street) in whose scope the party is sees it in full
    there — and only there: lists, pages and exports keep the rule above."""
    kept = kept_ledgers(viewer)
    in_scope = [(k, g) for k, g in places if sees_division_code(viewer, g)]
    kept_in_scope = [g for k, g in in_scope if k in kept]
    code = (kept_in_scope or [g for _, g in in_scope] or [subject.district.code])[0]
    issuer = printing and getattr(viewer, "role", "") == Role.INSPECTOR and sees_division_code(viewer, code)
    return contact_visibility(viewer, confidential=False, division_code=code, keeper=bool(kept_in_scope) or issuer)


def shown_subject(
    viewer: Any, subject: Subject, places: list[tuple[str, str]] | None = None, printing: bool = False
) -> dict:
    """The party as this viewer may see it; `places` from `appearances` (looked up when not given)."""
    if places is None:
        places = appearances([subject.pk]).get(subject.pk, [])
    seen = subject_visibility(viewer, subject, places, printing)
    person = subject.kind == SubjectKind.PERSON
    shown = {
        "id": subject.pk,
        "kind": subject.kind,
        "kind_label": str(SubjectKind(subject.kind).label),
        "id_kind": subject.id_kind,
        "id_last4": subject.id_last4 if seen != Visibility.ABSENT else "",
        "district": subject.district.name,
        "visibility": str(seen),
        "ledgers": sorted({k for k, _ in places}),
    }
    shown.update(_personal(subject, seen, person))
    return shown


def _personal(subject: Subject, seen: Visibility, person: bool) -> dict:
    if seen == Visibility.FULL:
        return {
            "name": subject.name,
            "phone": subject.phone,
            "address": subject.address,
            "legal_representative": subject.legal_representative,
        }
    public_name = "" if person else subject.name
    public_address = "" if person else subject.address
    if seen == Visibility.MASKED:
        return {
            "name": mask_name(subject.name) if person else subject.name,
            "phone": mask_phone(subject.phone),
            "address": mask_address(subject.address) if person else subject.address,
            "legal_representative": mask_name(subject.legal_representative),
        }
    return {"name": public_name, "phone": "", "address": public_address, "legal_representative": ""}


def shown_contact_fields(viewer: Any, kind: str, grid_code: str, name: str, phone: str) -> dict:
    """A record's contact (a shop's) under the rule."""
    seen = record_visibility(viewer, kind, grid_code)
    if seen == Visibility.FULL:
        return {"contact_name": name, "contact_phone": phone}
    if seen == Visibility.MASKED:
        return {"contact_name": mask_name(name), "contact_phone": mask_phone(phone)}
    return {"contact_name": "", "contact_phone": ""}
