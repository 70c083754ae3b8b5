"""A real SMTP server for tests and benchmarks (aiosmtpd on 127.0.0.1, a free port): it keeps every mail it
accepts, and can be told to refuse a recipient (550), to answer 421 to the next N messages, or to keep each
accepted mail and answer only after a delay (a slow server: the client may time out on a mail it delivered).

    with TestSMTPServer() as server:
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        ...
        [mail] = server.received()   # email.message.EmailMessage, headers decoded
"""

from __future__ import annotations

import asyncio
import email
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    peer: tuple  # the client's address and port: one per connection

    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.content, policy=default_policy)  # type: ignore[return-value]


@dataclass
class MailHandler:
    """The server's behaviour: what it accepted, and what it is told to refuse."""

    refused: set[str] = field(default_factory=set)  # recipients answered 550
    busy_messages: int = 0  # the next N messages answered 421 at DATA
    answer_delay: float = 0.0  # seconds between keeping a mail and answering 250
    on_data: Callable[[], None] | None = None  # called (in the server's thread) as each mail arrives
    envelopes: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address.lower() in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.on_data is not None:
            self.on_data()
        with self.lock:
            if self.busy_messages > 0:
                self.busy_messages -= 1
                return "421 4.7.0 Too many messages, try again later"
            self.envelopes.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content, tuple(session.peer))
            )
            delay = self.answer_delay
        if delay:
            await asyncio.sleep(delay)
        return "250 Message accepted for delivery"


class PortZeroController(Controller):
    """aiosmtpd's Controller on port 0: the port the system chose is read back before the readiness check
    connects to it."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class TestSMTPServer:
    __test__ = False  # not a pytest test class

    def __init__(self, host: str = "127.0.0.1") -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
        self.handler = MailHandler()
        self.controller = PortZeroController(self.handler, hostname=host, port=0)
        self.host = host

    @property
    def port(self) -> int:
        return self.controller.port

    def start(self) -> TestSMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> TestSMTPServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def refuse(self, address: str) -> None:
        self.handler.refused.add(address.lower())

    def be_busy(self, messages: int) -> None:
        with self.handler.lock:
            self.handler.busy_messages = messages

    def answer_slowly(self, seconds: float) -> None:
        with self.handler.lock:
            self.handler.answer_delay = seconds

    def received(self) -> list[EmailMessage]:
        with self.handler.lock:
            return [envelope.message() for envelope in self.handler.envelopes]

    def envelopes(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.envelopes)
