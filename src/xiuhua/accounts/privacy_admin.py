"""The Django admin under the privacy rule: model admins showing a reporter or caller never print the raw fields.

A model admin mixes in `ContactAdminMixin`, names the raw contact fields and says how the viewing admin user
sees the contact (`shown_contact_for`); the change page then shows one read-only field with the rule applied,
and a full view of a confidential contact is audited like on every other surface.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.privacy import Contact, note_full_view

_CACHE = "_xiuhua_contact_field"


class ContactAdminMixin:
    """For read-only model admins with personal contact fields."""

    contact_fields: tuple[str, ...] = ()

    def shown_contact_for(self, obj: Any, viewer: Any) -> Contact:  # pragma: no cover - each admin says how
        raise NotImplementedError

    def contact_target(self, obj: Any) -> str:
        return str(obj)

    def _contact_field(self, request: HttpRequest) -> Callable[[Any], str]:
        # The same callable for get_fields and get_readonly_fields of one request (the admin compares them).
        field = getattr(request, _CACHE, None)
        if field is None:

            def contact(obj: Any) -> str:
                shown = self.shown_contact_for(obj, request.user)
                note_full_view(request.user, shown, self.contact_target(obj), "admin")
                return " ".join(part for part in (shown.name, shown.phone) if part) or "—"

            contact.short_description = _("contact")  # type: ignore[attr-defined]
            setattr(request, _CACHE, contact)
            field = contact
        return field

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*(super().get_exclude(request, obj) or ()), *self.contact_fields]  # type: ignore[misc]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list:
        fields = [f for f in super().get_fields(request, obj) if f not in self.contact_fields]  # type: ignore[misc]
        return [*fields, self._contact_field(request)]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list:
        return [*super().get_readonly_fields(request, obj), self._contact_field(request)]  # type: ignore[misc]
