"""The Django admin under the privacy rule: model admins showing a reporter or caller never print the raw fields.

A model admin mixes in `ContactAdminMixin`, names the raw contact fields and says how the viewing admin user
sees the contact (`shown_contact_for`); the change page then shows one read-only field with the rule applied,
and a full view of a confidential contact is audited like on every other surface. A free-text field that may
carry the same personal data (a confidential report's description) can be shown the same way (`text_field`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.privacy import Contact, note_full_view


def per_request_field(request: HttpRequest, name: str, make: Callable[[], Callable[[Any], str]]) -> Callable:
    """One read-only callable per request and name: the admin compares its fields with its read-only fields,
    so both must hold the very same object."""
    cache = request.__dict__.setdefault("_xiuhua_admin_fields", {})
    if name not in cache:
        cache[name] = make()
    return cache[name]


class ContactAdminMixin:
    """For read-only model admins with personal contact fields."""

    contact_fields: tuple[str, ...] = ()
    text_field: str = ""

    def shown_contact_for(self, obj: Any, viewer: Any) -> Contact:  # pragma: no cover - each admin says how
        raise NotImplementedError

    def shown_text_for(self, obj: Any, viewer: Any) -> str:
        return getattr(obj, self.text_field)

    def contact_target(self, obj: Any) -> str:
        return str(obj)

    def _contact_field(self, request: HttpRequest) -> Callable[[Any], str]:
        def make() -> Callable[[Any], str]:
            def contact(obj: Any) -> str:
                shown = self.shown_contact_for(obj, request.user)
                note_full_view(request.user, shown, self.contact_target(obj), "admin")
                return " ".join(part for part in (shown.name, shown.phone) if part) or "—"

            contact.short_description = _("contact")  # type: ignore[attr-defined]
            return contact

        return per_request_field(request, "contact", make)

    def _text_field(self, request: HttpRequest) -> Callable[[Any], str]:
        def make() -> Callable[[Any], str]:
            def text(obj: Any) -> str:
                return self.shown_text_for(obj, request.user)

            text.short_description = _("description")  # type: ignore[attr-defined]
            return text

        return per_request_field(request, "text", make)

    def _hidden_fields(self) -> tuple[str, ...]:
        return (*self.contact_fields, *((self.text_field,) if self.text_field else ()))

    def _shown_fields(self, request: HttpRequest) -> list[Callable]:
        return [self._contact_field(request), *([self._text_field(request)] if self.text_field else [])]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*(super().get_exclude(request, obj) or ()), *self._hidden_fields()]  # type: ignore[misc]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list:
        # The shown contact and text come in with the read-only fields.
        return [f for f in super().get_fields(request, obj) if f not in self._hidden_fields()]  # type: ignore[misc]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list:
        return [*super().get_readonly_fields(request, obj), *self._shown_fields(request)]  # type: ignore[misc]
