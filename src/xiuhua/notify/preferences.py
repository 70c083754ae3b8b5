"""通知设置: which outside channels each staff user keeps on for each kind of message that concerns their role.

The inbox always gets every notice; a user can only narrow the outside channels the kind's route allows
(`XIUHUA_MESSAGE_ROUTES`, channels switched on), never widen them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from xiuhua.accounts.choices import Role
from xiuhua.accounts.privacy import mask_phone
from xiuhua.core.errors import DomainError
from xiuhua.notify.channels.base import enabled_channel_codes
from xiuhua.notify.models import MessageChannel, MessageKind, NotificationPreference
from xiuhua.notify.routing import routed_channels, user_address

K = MessageKind
# The kinds of message each role receives (cases.steps / cases.timers notify calls). Requests are made by
# departments and operators (self-handling), approved by dispatchers, shift leaders and operators.
KINDS_BY_ROLE: dict[str, list[str]] = {
    Role.DEPARTMENT: [K.TASK, K.URGE, K.WARNING, K.OVERDUE, K.REFUSED, K.DECISION, K.INFO],
    Role.INSPECTOR: [K.TASK, K.WARNING, K.OVERDUE, K.INFO],
    Role.OPERATOR: [K.TASK, K.APPROVAL, K.WARNING, K.OVERDUE, K.REFUSED, K.DECISION, K.INFO],
    Role.SHIFT_LEADER: [K.TASK, K.APPROVAL, K.WARNING, K.OVERDUE, K.VITAL_SIGN],
    Role.DISPATCHER: [K.APPROVAL, K.URGE, K.WARNING, K.OVERDUE, K.VITAL_SIGN],
    Role.COMMANDER: [K.OVERDUE, K.VITAL_SIGN, K.INFO],
    Role.LEADER: [K.OVERDUE, K.VITAL_SIGN, K.INFO],
    Role.SYSADMIN: [K.VITAL_SIGN, K.INFO],
    Role.SECADMIN: [K.INFO],
    Role.AUDITOR: [K.INFO],
}
MISSING_ADDRESS = {
    MessageChannel.SMS: "未登记手机号码，短信无法送达",
    MessageChannel.WECOM: "未登记政务微信账号，政务微信消息无法送达",
    MessageChannel.EMAIL: "未登记电子邮件地址，邮件无法送达",
}


def kinds_for(user) -> list[str]:
    return KINDS_BY_ROLE.get(user.role, [K.INFO])


@dataclass(frozen=True)
class ChannelChoice:
    code: str
    label: str
    on: bool


@dataclass(frozen=True)
class KindRow:
    kind: str
    label: str
    channels: list[ChannelChoice]


@dataclass(frozen=True)
class Address:
    channel: str
    label: str
    shown: str  # masked for a phone; "" when missing
    missing_note: str


def preference_rows(user) -> list[KindRow]:
    """One row per kind that concerns the user's role: the allowed outside channels and whether each is on."""
    muted = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "muted_channels"))
    labels = dict(MessageChannel.choices)
    rows = []
    for kind in kinds_for(user):
        off = set(muted.get(kind, []))
        choices = [ChannelChoice(code, labels[code], code not in off) for code in routed_channels(kind)]
        rows.append(KindRow(kind, MessageKind(kind).label, choices))
    return rows


def addresses(user) -> list[Address]:
    """Where the user receives on each outside channel switched on (a phone masked), with a note when missing."""
    labels = dict(MessageChannel.choices)
    shown = []
    for code in enabled_channel_codes():
        if code not in MISSING_ADDRESS:
            continue
        value = user_address(user, code)
        display = mask_phone(value) if value and code == MessageChannel.SMS else value
        shown.append(Address(code, labels[code], display, "" if value else MISSING_ADDRESS[code]))
    return shown


def save_preferences(user, chosen: dict[str, list[str]]) -> None:
    """Keep on, for each kind of the user's role, exactly the channels in `chosen[kind]` (a kind left out has
    every outside channel off). A channel the route does not allow, or a kind not for this role, is refused."""
    own = kinds_for(user)
    labels = dict(MessageChannel.choices)
    for kind, channels in chosen.items():
        if kind not in own:
            raise DomainError("所选消息类别不属于您的岗位，无法设置", code="kind_not_allowed")
        allowed = routed_channels(kind)
        for channel in channels:
            if channel == MessageChannel.INBOX:
                continue  # always on; a posted checkbox for it changes nothing
            if channel not in allowed:
                name = labels.get(channel, "未知渠道")
                raise DomainError(f"「{MessageKind(kind).label}」不能通过「{name}」发送", code="channel_not_allowed")
    existing = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "muted_channels"))
    with transaction.atomic():
        for kind in own:
            allowed = routed_channels(kind)
            # Channels muted earlier but not on the route now stay muted, should the route return.
            kept = {c for c in existing.get(kind, []) if c not in allowed}
            muted = sorted(kept | (set(allowed) - set(chosen.get(kind, []))))
            if muted:
                NotificationPreference.objects.update_or_create(
                    user=user, kind=kind, defaults={"muted_channels": muted}
                )
            else:
                NotificationPreference.objects.filter(user=user, kind=kind).delete()
