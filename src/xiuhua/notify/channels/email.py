"""E-mail over SMTP, through Django's own SMTP mail backend (the standard EMAIL_HOST, EMAIL_PORT,
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL and EMAIL_TIMEOUT settings).

One connection is opened by `open()` and reused for every message; a connection idle for a minute is closed
(servers drop idle clients after a few minutes, and a dropped connection would cost a retry) and opened again
at the next message. Once the mail's content went out after DATA, a timeout or a dropped connection leaves it
unknown whether the server took it: the message fails for a person to check rather than being sent twice.
SMTP has no delivery receipts: a message the server accepted counts as delivered, and its
provider id is the Message-ID header this channel wrote, the id a mail log or a bounce names.
"""

from __future__ import annotations

import contextlib
import html
import secrets
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend

from xiuhua.notify.channels.base import Outgoing, PermanentFailure, ReceiptSink, TemporaryFailure

# Without EMAIL_TIMEOUT a silent server would hold the worker forever.
DEFAULT_TIMEOUT = 10.0
IDLE_SECONDS = 60.0
DEFAULT_SUBJECT = "数字城管通知"
UNCERTAIN = "邮件服务器未应答或连接中断，无法确认是否已发出；请核实后在发件箱重发"


class DataTracking:
    """Remembers whether the current mail reached the DATA command: from then on the server may have it."""

    data_started = False

    def data(self, msg):  # smtplib's name
        self.data_started = True
        return super().data(msg)  # type: ignore[misc]


class TrackingSMTP(DataTracking, smtplib.SMTP):
    pass


class TrackingSMTPSSL(DataTracking, smtplib.SMTP_SSL):
    pass


class TrackingBackend(EmailBackend):
    """Django's SMTP backend on connections that tell whether DATA was sent."""

    @property
    def connection_class(self):
        return TrackingSMTPSSL if self.use_ssl else TrackingSMTP


def from_address() -> str:
    return getattr(settings, "XIUHUA_EMAIL_FROM", "") or settings.DEFAULT_FROM_EMAIL


def smtp_reason(code: int, text: bytes | str) -> str:
    """「（550 No such user）」: the server's own words, kept short, for the centre to read."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"（{code} {' '.join(str(text).split())[:120]}）"


def failure_of(error: Exception) -> TemporaryFailure | PermanentFailure:
    """What an SMTP error means for the message: 5xx about this message is final, anything else passes."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        if 500 <= code < 600:
            return PermanentFailure(f"邮件服务器拒收该收件地址{smtp_reason(code, text)}")
        return TemporaryFailure(f"邮件服务器暂不接收该收件地址{smtp_reason(code, text)}")
    if isinstance(error, smtplib.SMTPSenderRefused):
        # The sender address concerns every message (a setting to fix): keep them all queued meanwhile.
        return TemporaryFailure(
            f"邮件服务器拒绝发件地址 {error.sender}{smtp_reason(error.smtp_code, error.smtp_error)}"
        )
    if isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600:
        return PermanentFailure(f"邮件服务器拒收该邮件{smtp_reason(error.smtp_code, error.smtp_error)}")
    if isinstance(error, smtplib.SMTPAuthenticationError):
        why = smtp_reason(error.smtp_code, error.smtp_error)
        return TemporaryFailure(f"邮件服务器登录失败，请检查 EMAIL_HOST_USER 和 EMAIL_HOST_PASSWORD{why}")
    if isinstance(error, smtplib.SMTPResponseException):
        return TemporaryFailure(f"邮件服务器暂时不可用{smtp_reason(error.smtp_code, error.smtp_error)}")
    # smtplib reports a read that timed out as a lost connection; the cause says which it was.
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        return TemporaryFailure(f"连接邮件服务器超时（{settings.EMAIL_HOST}:{settings.EMAIL_PORT}）")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return TemporaryFailure("与邮件服务器的连接已断开")
    return TemporaryFailure(f"无法连接邮件服务器 {settings.EMAIL_HOST}:{settings.EMAIL_PORT}（{type(error).__name__}）")


def html_body(outgoing: Outgoing) -> str:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in outgoing.text.splitlines() if line.strip())
    if outgoing.link:
        link = html.escape(outgoing.link, quote=True)
        paragraphs += f'<p><a href="{link}">查看详情：{link}</a></p>'
    return f'<html><body style="font-family: sans-serif">{paragraphs}</body></html>'


def build_message(outgoing: Outgoing, sender: str, connection: EmailBackend) -> EmailMultiAlternatives:
    """A UTF-8 mail with the text, and the case link both in the text and as an HTML link."""
    text = outgoing.text if not outgoing.link else f"{outgoing.text}\n\n查看详情：{outgoing.link}"
    domain = sender.rpartition("@")[2].strip("> ") or "localhost"
    message = EmailMultiAlternatives(
        subject=outgoing.title or DEFAULT_SUBJECT,
        body=text,
        from_email=sender,
        to=[outgoing.address],
        connection=connection,
        # Written here, not by Django, so that it is known: it is the message's provider id.
        headers={"Message-ID": f"<xiuhua.{outgoing.message_id}.{secrets.token_hex(6)}@{domain}>"},
    )
    message.attach_alternative(html_body(outgoing), "text/html")
    return message


class EmailChannel:
    code = "email"
    has_receipts = False

    def __init__(self) -> None:
        self.sender = from_address()
        self.backend: EmailBackend | None = None
        self.last_used = 0.0

    def open(self) -> None:
        if self.backend is not None and self.backend.connection is not None:
            return
        backend = TrackingBackend(fail_silently=False, timeout=settings.EMAIL_TIMEOUT or DEFAULT_TIMEOUT)
        try:
            backend.open()
        except (OSError, smtplib.SMTPException) as error:
            with contextlib.suppress(OSError, smtplib.SMTPException):  # a half-open connection may not close cleanly
                backend.close()
            raise failure_of(error) from error
        self.backend, self.last_used = backend, time.monotonic()

    def send(self, outgoing: Outgoing) -> str:
        self.open()  # again after an idle close
        assert self.backend is not None
        message = build_message(outgoing, self.sender, self.backend)
        connection = self.backend.connection
        connection.data_started = False
        try:
            self.backend.send_messages([message])
        except (OSError, smtplib.SMTPException) as error:
            failure = failure_of(error)
            if connection.data_started and not isinstance(error, smtplib.SMTPResponseException):
                # No answer to the mail's content: the server may have taken it. A retry could send it twice.
                self.close()
                raise PermanentFailure(UNCERTAIN) from error
            if isinstance(failure, TemporaryFailure):
                self.close()  # the next message starts on a fresh connection
            raise failure from error
        finally:
            self.last_used = time.monotonic()
        return message.extra_headers["Message-ID"]

    def poll(self, on_receipt: ReceiptSink, timeout: float) -> None:
        """No receipts over SMTP; lets go of a connection that has been idle for a while."""
        if self.backend is not None and time.monotonic() - self.last_used > IDLE_SECONDS:
            self.close()

    def close(self) -> None:
        backend, self.backend = self.backend, None
        if backend is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):  # a broken connection is gone either way
                backend.close()
