"""Model fields for personal data: encrypted on write, plain on read, and a keyed digest to look values up by.

Ordinary model use is unchanged (`case.reporter_phone` is the number); only queries change: a filter on the
plain value cannot match a randomised ciphertext, so it must go through the digest column
(`reporter_phone_digest=crypto.phone_digest(phone)`). The field refuses such filters rather than let them match
nothing in silence. Blank stays blank in the database (nothing to hide; `filter(field="")` keeps working).
"""

from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from xiuhua.core import crypto


class EncryptedTextField(models.TextField):
    """Text stored as an AES-GCM token (see core.crypto). `max_length` bounds the plain text in forms only."""

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _BlankOnlyExact
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: filter on its digest column, not with '{lookup_name}'"
        )


class _BlankOnlyExact(Exact):
    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(f"{self.lhs.target.name} is encrypted: filter on its digest column instead")
        return super().get_prep_lookup()


class PhoneDigestField(models.CharField):
    """HMAC of the phone in `source`, filled on every save (and bulk_create) so lookups by equality still work."""

    description = "Keyed digest of a phone number"

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = crypto.phone_digest(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
