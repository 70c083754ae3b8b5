"""Who gets what: the outside channels a notice goes out on, by its kind (`XIUHUA_MESSAGE_ROUTES`), limited to
the channels switched on (`XIUHUA_MESSAGE_CHANNELS`) and to those each user keeps on (通知设置,
NotificationPreference), and the address each user has on each channel."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from xiuhua.notify.channels.base import enabled_channel_codes
from xiuhua.notify.models import MessageChannel, NotificationPreference
from xiuhua.notify.outbox import Draft, queue_many


def routed_channels(kind: str) -> list[str]:
    """The outside channels of a message kind that are switched on, in the route's order."""
    enabled = set(enabled_channel_codes())
    return [code for code in settings.XIUHUA_MESSAGE_ROUTES.get(kind, []) if code in enabled]


def user_address(user, channel: str) -> str:
    """Where `user` receives on `channel` ("" when they have no address there)."""
    if channel == MessageChannel.SMS:
        return user.phone
    if channel == MessageChannel.WECOM:
        return user.wecom_userid
    if channel == MessageChannel.EMAIL:
        return user.email
    return ""


def site_link(path: str) -> str:
    """An absolute link for a message read outside the browser ("" without XIUHUA_SITE_URL)."""
    base = settings.XIUHUA_SITE_URL.rstrip("/")
    return f"{base}{path}" if base and path else ""


def notice_text(draft) -> str:
    return f"{draft.title}。{draft.body}" if draft.body else draft.title


def message_variables(draft) -> dict:
    """A notice's template variables: those its sender gave (case, class, address, deadline …), with the case
    number and the notice's body filled in when the sender left them out."""
    variables = {name: str(value) for name, value in (draft.variables or {}).items() if value not in (None, "")}
    if draft.subject:
        variables.setdefault("case", draft.subject)
    if draft.body:
        variables.setdefault("body", draft.body)
    return variables


def muted_channels(users: list, kind: str) -> dict[int, set[str]]:
    """The channels each user switched off for `kind` (user id → channels): one query for all of them."""
    rows = NotificationPreference.objects.filter(user__in=[user.pk for user in users], kind=kind)
    return {user_id: set(muted) for user_id, muted in rows.values_list("user_id", "muted_channels")}


def queue_for_users(users: Iterable, draft) -> int:
    """Queue `draft` (a NoticeDraft) on each routed outside channel of each user that the user keeps on;
    returns the messages queued. A bounded number of queries however many users and channels (queue_many)."""
    kind = draft.message_kind
    channels = routed_channels(kind)
    if not channels:
        return 0
    users = list(users)
    muted = muted_channels(users, kind)
    now = timezone.now()
    link = site_link(f"/cases/{draft.subject}/") if draft.subject else ""
    variables = message_variables(draft)
    drafts = []
    for user in users:
        for channel in channels:
            if channel in muted.get(user.pk, ()):
                continue
            drafts.append(
                Draft(
                    channel=channel,
                    kind=draft.message_kind,
                    text=notice_text(draft),
                    title=draft.title,
                    address=user_address(user, channel),
                    recipient=user,
                    link=link,
                    subject_type="case" if draft.subject else "",
                    subject=draft.subject,
                    caused_at=now,
                    variables=variables,
                    urgent=draft.urgent,
                )
            )
    return len(queue_many(drafts, now=now))
