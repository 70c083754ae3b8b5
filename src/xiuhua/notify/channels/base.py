"""The one interface every outside channel (SMS, WeCom, e-mail) implements, and the registry that picks them.

A channel is a plug-in named in `XIUHUA_MESSAGE_CHANNELS` ({"sms": "dotted.path.Class", ...}); a channel not
named there is off, and no message is queued for it. The message worker holds one instance per channel: it
`open()`s it, `send()`s each claimed message, lets it `poll()` for what the provider sends back (delivery
receipts), and `close()`s it when stopping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Outgoing:
    """What a channel needs to send one message (the outbox row, decrypted and rendered)."""

    message_id: int
    address: str  # phone number, e-mail address or WeCom user id
    title: str
    text: str
    link: str = ""  # absolute link to what the message is about (the case page), "" when none
    provider_template_id: str = ""
    variables: dict = field(default_factory=dict)
    urgent: bool = False


class TemporaryFailure(Exception):
    """The provider could not take the message now (outage, throttling, expired session): try again later.
    `reason` is shown to the centre in Chinese; `retry_after` (seconds) overrides the backoff when the provider
    says how long to wait."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """The message can never be sent as it is (malformed number, unknown user, refused text). `reason` in Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# A receipt as a channel reports it: (provider message id, delivered?, reason in Chinese when not delivered).
ReceiptSink = Callable[[str, bool, str], None]


class Channel(Protocol):
    code: str
    # True when the provider later confirms delivery (SMPP receipts): a sent message then waits for its receipt.
    # False when the successful hand-over is all there will ever be (WeCom, SMTP): it counts as delivered.
    has_receipts: bool

    def open(self) -> None:
        """Connect (and bind, log in, fetch a token). May raise TemporaryFailure."""

    def send(self, outgoing: Outgoing) -> str:
        """Hand one message to the provider; returns the provider's message id ("" when it gives none)."""

    def poll(self, on_receipt: ReceiptSink, timeout: float) -> None:
        """Read what the provider sent back for up to `timeout` seconds, calling `on_receipt` for each receipt;
        also keeps the connection alive. Channels without receipts just return."""

    def close(self) -> None: ...


def enabled_channel_codes() -> list[str]:
    """The outside channels switched on by settings, in their configured order."""
    return list(getattr(settings, "XIUHUA_MESSAGE_CHANNELS", {}))


def load_channel(code: str) -> Channel:
    """A fresh instance of the channel configured under `code` (KeyError when it is not configured)."""
    return import_string(settings.XIUHUA_MESSAGE_CHANNELS[code])()
