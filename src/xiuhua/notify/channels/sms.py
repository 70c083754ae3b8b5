"""SMS over SMPP 3.4 (smpplib): the protocol carrier gateways and Chinese SMS platforms accept.

One bound transceiver session per worker: submit_sm for each message (UCS-2, split into concatenated parts
with a UDH when longer than one SMS), deliver_sm receipts read back on the same session, enquire_link when
idle. A receipt is acknowledged to the SMSC only after it was recorded: one read while a submit waited for its
answer is held until the next `poll` (after the sender recorded the message as sent), and one never
acknowledged (worker killed) is sent again by the SMSC after the next bind.

A message in several parts is sent as several submits; its provider id is their ids joined by ","
(outbox.mark_sent keeps one MessagePart per id, and the message settles when the receipts of all parts are in).
"""

from __future__ import annotations

import logging
import re
import select
import socket
import time

import smpplib.client
import smpplib.consts as c
import smpplib.exceptions
import smpplib.gsm
import smpplib.smpp
from django.conf import settings
from django.db import transaction

from xiuhua.notify.channels.base import Outgoing, PermanentFailure, ReceiptSink, TemporaryFailure

log = logging.getLogger("xiuhua.messages.sms")

UNCERTAIN = "发送过程中断，无法确认是否已发出；请核实后在发件箱重发"
THROTTLING = {c.SMPP_ESME_RTHROTTLED, c.SMPP_ESME_RMSGQFUL, c.SMPP_ESME_RSYSERR}
REFUSALS = {
    c.SMPP_ESME_RINVDSTADR: "手机号码无效（短信中心拒收：目标号码无效）",
    c.SMPP_ESME_RINVSRCADR: "发送号码无效（短信中心拒收：请检查 XIUHUA_SMPP_SOURCE_ADDR）",
    c.SMPP_ESME_RINVMSGLEN: "短信内容过长，短信中心拒收",
    c.SMPP_ESME_RSUBMITFAIL: "短信中心拒收（提交失败）",
}
BIND_REFUSALS = {
    c.SMPP_ESME_RINVPASWD: "短信中心拒绝登录：密码错误",
    c.SMPP_ESME_RINVSYSID: "短信中心拒绝登录：账号（system_id）错误",
    c.SMPP_ESME_RALYBND: "短信中心拒绝登录：该账号已登录",
}
# Final states of a delivery receipt ("stat:" in its text, or the message_state TLV).
RECEIPT_STATES = {
    "DELIVRD": (True, ""),
    "UNDELIV": (False, "运营商回执：无法送达（停机、关机或空号）"),
    "EXPIRED": (False, "运营商回执：超过有效期仍未送达"),
    "REJECTD": (False, "运营商回执：被运营商拒收"),
    "DELETED": (False, "运营商回执：已被短信中心删除"),
    "UNKNOWN": (False, "运营商回执：送达状态未知"),
}
MESSAGE_STATES = {2: "DELIVRD", 3: "EXPIRED", 4: "DELETED", 5: "UNDELIV", 7: "UNKNOWN", 8: "REJECTD"}
RECEIPT_TEXT = re.compile(rb"id:(?P<id>\S+).*?stat:(?P<stat>[A-Z]+)", re.DOTALL)
RECEIPT_ESM = 0x04  # esm_class bits 2-5: SMSC delivery receipt


class Session(smpplib.client.Client):
    """smpplib's client with delivery receipts held, not acknowledged, until `ack` after they were recorded."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        # A fixed logger name: smpplib otherwise names one per client (by id), and loggers are never freed,
        # so a worker reconnecting for months would grow without bound.
        super().__init__(host, port, timeout=timeout, logger_name="smpp.Client", allow_unknown_opt_params=True)
        self.held: list = []

    def connect(self) -> None:
        super().connect()
        # Small PDUs written back to back (acknowledgements, then a submit) must not wait for Nagle's algorithm.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _message_received(self, pdu) -> None:
        self.held.append(pdu)

    def ack(self, pdu, status: int = c.SMPP_ESME_ROK) -> None:
        resp = smpplib.smpp.make_pdu("deliver_sm_resp", client=self, status=status)
        resp.sequence = pdu.sequence
        self.send_pdu(resp)


def parse_receipt(pdu) -> tuple[str, str] | None:
    """(message id, final state) of a deliver_sm receipt; None for anything else (a reply, an interim state)."""
    if not (pdu.esm_class or 0) & RECEIPT_ESM:
        return None
    found = RECEIPT_TEXT.search(pdu.short_message or b"")
    message_id = pdu.receipted_message_id or (found and found["id"]) or b""
    state = MESSAGE_STATES.get(pdu.message_state) or (found["stat"].decode() if found else "")
    if isinstance(message_id, bytes):
        message_id = message_id.decode("ascii", "replace")
    message_id = message_id.strip("\0 ")
    return (message_id, state) if message_id and state in RECEIPT_STATES else None


class SmppChannel:
    code = "sms"
    has_receipts = True

    def __init__(self) -> None:
        self.session: Session | None = None
        self.last_activity = 0.0

    # --- connection -------------------------------------------------------------------------------------

    def open(self) -> None:
        host, port = settings.XIUHUA_SMPP_HOST, settings.XIUHUA_SMPP_PORT
        session = Session(host, port, settings.XIUHUA_SMPP_TIMEOUT)
        try:
            session.connect()
            session.bind_transceiver(
                system_id=settings.XIUHUA_SMPP_SYSTEM_ID,
                password=settings.XIUHUA_SMPP_PASSWORD,
                system_type=settings.XIUHUA_SMPP_SYSTEM_TYPE,
            )
        except smpplib.exceptions.PDUError as error:
            session.disconnect()
            status = error.args[1] if len(error.args) > 1 else 0
            raise TemporaryFailure(BIND_REFUSALS.get(status, f"短信中心拒绝登录（错误码 0x{status:08X}）")) from None
        except (smpplib.exceptions.ConnectionError, OSError):
            session.disconnect()
            raise TemporaryFailure(f"无法连接短信中心 {host}:{port}") from None
        self.session = session
        self.last_activity = time.monotonic()

    def close(self) -> None:
        session, self.session = self.session, None
        if session is None:
            return
        try:
            unbind = smpplib.smpp.make_pdu("unbind", client=session)
            session.send_pdu(unbind)
            session._socket.settimeout(1.0)
            while session.read_pdu().command != "unbind_resp":  # receipts read now stay unacknowledged: resent
                pass
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError):
            pass  # unbinding a broken connection fails; it is gone either way
        finally:
            session.disconnect()

    def _broken(self) -> None:
        """Forget a connection that failed; held receipts were not acknowledged, so the SMSC sends them again."""
        session, self.session = self.session, None
        if session is not None:
            session.disconnect()

    # --- sending ----------------------------------------------------------------------------------------

    def send(self, outgoing: Outgoing) -> str:
        if self.session is None:
            self.open()  # nothing of this message went out yet: re-binding first is safe
        self._read_available()  # a connection the SMSC closed shows here, before anything is submitted
        if self.session is None:
            self.open()
        parts, encoding, esm_class = smpplib.gsm.make_parts(outgoing.text, encoding=c.SMPP_ENCODING_ISO10646)
        ids = []
        for index, part in enumerate(parts):
            ids.append(self._submit(outgoing.address, part, encoding, esm_class, first=index == 0))
        return ",".join(ids)

    def _submit(self, address: str, part: bytes, encoding: int, esm_class: int, *, first: bool) -> str:
        """Submit one part; returns its message id. Once a first part went out, a later part's failure cannot
        be retried without sending the first again, so it fails the message for a person."""
        partial = "长短信只发出了一部分；请核实后在发件箱重发"
        for attempt in range(3):
            status, message_id = self._submit_once(address, part, encoding, esm_class, first=first)
            if status == c.SMPP_ESME_ROK:
                return message_id
            if status in THROTTLING:
                if first:
                    raise TemporaryFailure(
                        "短信中心限流或繁忙，稍后重试", retry_after=settings.XIUHUA_SMPP_THROTTLE_SECONDS
                    )
                time.sleep(min(1.0, settings.XIUHUA_SMPP_THROTTLE_SECONDS) * (attempt + 1))
                continue
            reason = REFUSALS.get(status) or f"短信中心拒收（错误码 0x{status:08X}：{c.DESCRIPTIONS.get(status, '')}）"
            raise PermanentFailure(reason if first else f"{partial}（{reason}）")
        raise PermanentFailure(f"{partial}（短信中心持续限流）")

    def _submit_once(self, address: str, part: bytes, encoding: int, esm_class: int, *, first: bool):
        session = self.session
        try:
            pdu = session.send_message(
                source_addr_ton=c.SMPP_TON_ALNUM if not settings.XIUHUA_SMPP_SOURCE_ADDR.isdigit() else c.SMPP_TON_UNK,
                source_addr=settings.XIUHUA_SMPP_SOURCE_ADDR,
                dest_addr_ton=c.SMPP_TON_UNK,
                dest_addr_npi=c.SMPP_NPI_ISDN,
                destination_addr=address,
                short_message=part,
                data_coding=encoding,
                esm_class=esm_class,
                registered_delivery=c.SMPP_SMSC_DELIVERY_RECEIPT_BOTH,
            )
        except (smpplib.exceptions.ConnectionError, OSError):
            self._broken()
            if first:  # the submit did not leave: nothing was sent
                raise TemporaryFailure("与短信中心的连接已断开，重新连接后重试") from None
            raise PermanentFailure(UNCERTAIN) from None
        try:
            resp = self._await(pdu.sequence)
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError):
            # The submit left but its answer did not come: the SMSC may have taken it. Never resend blindly.
            self._broken()
            raise PermanentFailure(UNCERTAIN) from None
        message_id = resp.message_id or b""
        return resp.status, message_id.decode("ascii", "replace") if isinstance(message_id, bytes) else message_id

    def _await(self, sequence: int):
        """Read until the answer to `sequence`; receipts read meanwhile are held for the next poll."""
        while True:
            pdu = self.session.read_pdu()
            if pdu.command in ("submit_sm_resp", "generic_nack") and pdu.sequence == sequence:
                self.last_activity = time.monotonic()
                return pdu
            self._dispatch(pdu)

    def _dispatch(self, pdu) -> None:
        session = self.session
        if pdu.command == "deliver_sm":
            session._message_received(pdu)
        elif pdu.command == "enquire_link":
            session._enquire_link_received(pdu)
        elif pdu.command == "unbind":  # the SMSC is closing the session
            resp = smpplib.smpp.make_pdu("unbind_resp", client=session)
            resp.sequence = pdu.sequence
            session.send_pdu(resp)
            raise smpplib.exceptions.ConnectionError("unbound by the SMSC")

    def _read_available(self) -> None:
        """Read what is waiting without blocking; a dropped connection is forgotten (re-bound on next use)."""
        try:
            while self.session and select.select([self.session._socket], [], [], 0)[0]:
                self._dispatch(self.session.read_pdu())
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError):
            self._broken()

    # --- receipts and keep-alive ------------------------------------------------------------------------

    def poll(self, on_receipt: ReceiptSink, timeout: float) -> None:
        """Record held receipts, then wait up to `timeout` for more; returns soon after something arrived so
        that a busy worker goes back to sending."""
        if self.session is None:
            raise TemporaryFailure("与短信中心的连接已断开")
        deadline = time.monotonic() + timeout
        try:
            self._read_available()
            if self.session is None:
                raise smpplib.exceptions.ConnectionError("connection dropped")
            if self._settle_held(on_receipt):
                return  # receipts came in while sending: back to sending, without waiting for more
            while True:
                self._keep_alive()
                remaining = deadline - time.monotonic()
                ready = select.select([self.session._socket], [], [], max(0.0, min(remaining, 1.0)))[0]
                if ready:
                    self._dispatch(self.session.read_pdu())
                    self.last_activity = time.monotonic()
                    self._read_available()
                    if self.session is None:
                        raise smpplib.exceptions.ConnectionError("connection dropped")
                    self._settle_held(on_receipt)
                    return
                if remaining <= 0:
                    return
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError):
            self._broken()
            raise TemporaryFailure("与短信中心的连接已断开") from None

    def _settle_held(self, on_receipt: ReceiptSink) -> int:
        """Record the held receipts in one transaction, then acknowledge them: a receipt is acknowledged only
        once recorded, and one commit for many receipts keeps up with a fast SMSC."""
        held = list(self.session.held) if self.session else []
        if not held:
            return 0
        with transaction.atomic():
            for pdu in held:
                receipt = parse_receipt(pdu)
                if receipt:
                    message_id, state = receipt
                    delivered, reason = RECEIPT_STATES[state]
                    on_receipt(message_id, delivered, reason)
        for pdu in held:
            self.session.ack(pdu)
        del self.session.held[: len(held)]
        return len(held)

    def _keep_alive(self) -> None:
        if time.monotonic() - self.last_activity >= settings.XIUHUA_SMPP_ENQUIRE_LINK_SECONDS:
            self.session.send_pdu(smpplib.smpp.make_pdu("enquire_link", client=self.session))
            self.last_activity = time.monotonic()
