"""Models shared by every domain: the audit trail (who, what, when, from where, with what result).

Audit rows are append-only: the ORM refuses changes here, and database triggers (core.append_only) refuse them
for any client. Each row carries a SHA-256 hash over its predecessor's hash and its own content, one chain for
the whole table, so `xiuhua audit verify` finds a row changed with the triggers out of the way.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiuhua.core.chain import GENESIS, digest, lock_chain, utc_text
from xiuhua.core.context import client_address

# pg_advisory_xact_lock key of the audit chain ("xh" + "audit" in ASCII, any fixed number would do).
AUDIT_CHAIN_LOCK = 0x7868_6175_6469_74


class Result(models.TextChoices):
    SUCCESS = "success", _("success")
    FAILURE = "failure", _("failure")


def audit_content(row: Any) -> dict[str, Any]:
    """What the hash of an audit row covers. Not the actor's id: it becomes NULL when the user is deleted;
    the username copied as text stands for the actor. Not the row id: the chain position binds the order."""
    return {
        "at": utc_text(row.at),
        "actor": row.actor_username,
        "action": row.action,
        "target": row.target,
        "summary": row.summary,
        "details": row.details,
        "ip": row.ip,
        "result": row.result,
    }


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("audit entries are immutable")

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db):
            lock_chain(self.db, AUDIT_CHAIN_LOCK)
            prev = AuditEntry.last_hash(self.db)
            for obj in objs:
                obj.seal(prev)
                prev = obj.hash
            return super().bulk_create(objs, *args, **kwargs)


class AuditEntry(models.Model):
    """One security-relevant event or write to base data. Written once; never changed."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_username = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.CharField(_("address"), max_length=45, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.SUCCESS)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("audit entries are immutable")
        using = kwargs.get("using") or router.db_for_write(AuditEntry, instance=self)
        with transaction.atomic(using=using):
            lock_chain(using, AUDIT_CHAIN_LOCK)
            self.seal(AuditEntry.last_hash(using))
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("audit entries are immutable")

    @staticmethod
    def last_hash(using: str) -> str:
        last = AuditEntry.objects.using(using).order_by("-id").values_list("hash", flat=True).first()
        return last or GENESIS

    def seal(self, prev_hash: str) -> None:
        self.at = self.at or timezone.now()
        self.ip = self.ip or client_address.get()
        if not self.actor_username and self.actor_id:
            self.actor_username = self.actor.get_username()
        self.prev_hash = prev_hash
        self.hash = digest(prev_hash, audit_content(self))


class JobLease(models.Model):
    """Which worker may run a periodic job, until when (core.leases): several workers never run one job at once."""

    name = models.CharField(_("job"), max_length=64, primary_key=True)
    holder = models.CharField(_("holder"), max_length=120, blank=True)
    until = models.DateTimeField(_("held until"))

    class Meta:
        verbose_name = _("job lease")
        verbose_name_plural = _("job leases")

    def __str__(self) -> str:
        return f"{self.name} → {self.holder} ({self.until:%Y-%m-%d %H:%M:%S})"
