"""The public description of a case: what Open311 and the public pages show instead of the description.

Filled at intake with phone numbers, ID-card numbers and e-mail addresses removed; the centre's operators and
shift leaders may rewrite it. Every edit is an audit row with the text before and after.
"""

from __future__ import annotations

from django.db import transaction

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.cases import queries
from xiuhua.cases.models import Case
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError, PermissionDenied
from xiuhua.core.limits import too_long_message

EDITOR_ROLES = frozenset({Role.OPERATOR, Role.SHIFT_LEADER})
MAX_PUBLIC_DESCRIPTION = 4000
EDIT_ACTION = "case.public_description_edited"


def may_edit_public_description(user: User) -> bool:
    return getattr(user, "role", None) in EDITOR_ROLES


def edit_public_description(user: User, number: str, text: str) -> Case:
    """Set the case's public text (the viewer must see the case); audited with before and after."""
    if not may_edit_public_description(user):
        raise PermissionDenied("只有受理员、值班长可以修改公开描述")
    text = (text or "").strip()
    if "\x00" in text:
        raise DomainError("公开描述含有不可见的控制字符", code="invalid_field")
    if len(text) > MAX_PUBLIC_DESCRIPTION:
        raise DomainError(too_long_message("公开描述", MAX_PUBLIC_DESCRIPTION, len(text)), code="text_too_long")
    case = queries.case_for(user, number)
    with transaction.atomic():
        before = Case.objects.select_for_update().values_list("public_description", flat=True).get(pk=case.pk)
        Case.objects.filter(pk=case.pk).update(public_description=text)
        record_audit(user, EDIT_ACTION, target=case.number, summary="修改案卷公开描述", before=before, after=text)
    case.public_description = text
    return case
