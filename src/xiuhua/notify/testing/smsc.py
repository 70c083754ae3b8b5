"""A small SMSC speaking SMPP 3.4 on a loopback port, for the tests and the bench (not for production).

It accepts bind_transceiver / bind_transmitter / bind_receiver (checking the password), answers submit_sm with
a message id, sends a deliver_sm delivery receipt after a configurable delay, answers enquire_link and unbind,
and can be told to refuse (an error status for a destination, or for all), to throttle (ESME_RTHROTTLED for the
next N submits), to report a destination undeliverable, to drop every connection, or to take a submit and
close the connection before answering it (`vanish_after_submits`). Like a real SMSC, a receipt
that was not acknowledged (deliver_sm_resp) — the ESME gone, or it answered with an error — is kept and sent
again once the ESME binds again. Every accepted submit is recorded (destination, decoded text, UDH reference),
so a test can count what reached the SMSC.

PDUs are built and parsed with smpplib's own PDU classes.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import random
import socket
import struct
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

import smpplib.consts as c
from smpplib import smpp
from smpplib.client import SimpleSequenceGenerator

BINDS = {"bind_transceiver": True, "bind_receiver": True, "bind_transmitter": False}  # receives receipts?


@dataclass(frozen=True)
class Submit:
    destination: str
    text: str  # this part's text, decoded
    data_coding: int
    message_id: str
    udh_ref: int | None = None  # concatenation reference, None for a message in one part
    part: int = 1
    parts: int = 1


@dataclass(order=True)
class Receipt:
    due: float
    order: int
    system_id: str = ""
    message_id: str = ""
    destination: str = ""
    state: str = "DELIVRD"


def decode_short_message(data: bytes, data_coding: int, esm_class: int) -> tuple[str, int | None, int, int]:
    """(text, UDH reference, part, parts) of a submit's short_message."""
    ref, part, parts = None, 1, 1
    if esm_class & c.SMPP_GSMFEAT_UDHI and data:
        header, data = data[1 : 1 + data[0]], data[1 + data[0] :]
        if header[:2] == b"\x00\x03":
            ref, parts, part = header[2], header[3], header[4]
        elif header[:2] == b"\x08\x04":
            ref, parts, part = struct.unpack(">H", header[2:4])[0], header[4], header[5]
    text = data.decode("utf-16-be" if data_coding == c.SMPP_ENCODING_ISO10646 else "latin-1", "replace")
    return text, ref, part, parts


class Connection:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.seq = SimpleSequenceGenerator()
        self.write_lock = threading.Lock()
        self.system_id = ""
        self.receives = False
        self.unacked: dict[int, Receipt] = {}

    def send(self, pdu) -> None:
        with self.write_lock:
            self.sock.sendall(pdu.generate())

    def read(self):
        head = self._exact(4)
        length = struct.unpack(">L", head)[0]
        return smpp.parse_pdu(head + self._exact(length - 4), client=self.seq, allow_unknown_opt_params=True)

    def _exact(self, size: int) -> bytes:
        chunks = []
        while size:
            chunk = self.sock.recv(size)
            if not chunk:
                raise ConnectionError("closed")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        with contextlib.suppress(OSError):  # already closed by the other side
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class Smsc:
    """Start with `Smsc(...).start()` (or as a context manager); `host`/`port` are then set."""

    def __init__(self, system_id: str = "xiuhua", password: str = "secret", receipt_delay: float = 0.0) -> None:
        self.system_id, self.password, self.receipt_delay = system_id, password, receipt_delay
        self.host, self.port = "127.0.0.1", 0
        self.submits: list[Submit] = []
        self.submit_times: list[float] = []  # time.perf_counter() of each accepted submit (for the bench)
        self.refused: list[tuple[str, int]] = []  # (destination, status) of every submit answered with an error
        self.binds = 0
        self.failing: dict[str, int] = {}  # destination → error status
        self.fail_all_status: int | None = None
        self.throttle_left = 0
        self.throttle_status = c.SMPP_ESME_RTHROTTLED
        self.undeliverable: set[str] = set()
        self.vanish_after_submits = 0  # take the next N submits, then close the connection without answering
        self.receipts_acked = 0
        self._ids = itertools.count(1)
        self._prefix = f"{random.randrange(16**4):04x}"
        self._lock = threading.Condition()
        self._connections: list[Connection] = []
        self._due: list[Receipt] = []
        self._waiting: dict[str, list[Receipt]] = defaultdict(list)  # per system_id: no receiving session now
        self._order = itertools.count()
        self._stopping = threading.Event()

    # --- life -------------------------------------------------------------------------------------------

    def start(self) -> Smsc:
        self._listener = socket.create_server((self.host, 0))
        self.port = self._listener.getsockname()[1]
        for target in (self._accept, self._deliver):
            threading.Thread(target=target, daemon=True, name=f"smsc-{target.__name__}").start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._listener.close()
        self.drop()
        with self._lock:
            self._lock.notify_all()

    def __enter__(self) -> Smsc:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- controls and findings for tests ----------------------------------------------------------------

    def throttle(self, submits: int, status: int = c.SMPP_ESME_RTHROTTLED) -> None:
        self.throttle_left, self.throttle_status = submits, status

    def fail(self, destination: str | None = None, status: int = c.SMPP_ESME_RINVDSTADR) -> None:
        """Refuse submits to `destination` (all submits when None) with `status`."""
        if destination is None:
            self.fail_all_status = status
        else:
            self.failing[destination] = status

    def drop(self) -> None:
        """Close every connection at once, as a network failure or an SMSC restart would."""
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()

    def messages(self) -> list[tuple[str, str]]:
        """(destination, whole text) per message, concatenated parts joined."""
        whole: dict[tuple, list[Submit]] = {}
        for submit in list(self.submits):
            key = (submit.destination, submit.udh_ref) if submit.udh_ref is not None else (submit.message_id,)
            whole.setdefault(key, []).append(submit)
        return [
            (parts[0].destination, "".join(p.text for p in sorted(parts, key=lambda p: p.part)))
            for parts in whole.values()
        ]

    def wait_for(self, condition, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.01)
        return condition()

    # --- protocol ---------------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = Connection(sock)
            with self._lock:
                self._connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True, name="smsc-session").start()

    def _serve(self, conn: Connection) -> None:
        try:
            while True:
                pdu = conn.read()
                if self._answer(conn, pdu) is False:
                    return
        except (OSError, ConnectionError, struct.error):
            pass
        finally:
            self._gone(conn)

    def _answer(self, conn: Connection, pdu) -> bool:
        command = pdu.command
        if command in BINDS:
            return self._bind(conn, pdu)
        if command == "submit_sm":
            self._submit(conn, pdu)
        elif command == "deliver_sm_resp":
            self._acked(conn, pdu)
        elif command == "enquire_link":
            self._respond(conn, pdu, "enquire_link_resp")
        elif command == "unbind":
            self._respond(conn, pdu, "unbind_resp")
            return False
        else:
            self._respond(conn, pdu, "generic_nack", status=c.SMPP_ESME_RINVCMDID)
        return True

    def _respond(self, conn: Connection, request, command: str, status: int = c.SMPP_ESME_ROK, **fields) -> None:
        resp = smpp.make_pdu(command, client=conn.seq, status=status, **fields)
        resp.sequence = request.sequence
        conn.send(resp)

    def _bind(self, conn: Connection, pdu) -> bool:
        system_id = (pdu.system_id or b"").decode()
        if system_id != self.system_id or (pdu.password or b"").decode() != self.password:
            wrong = c.SMPP_ESME_RINVSYSID if system_id != self.system_id else c.SMPP_ESME_RINVPASWD
            self._respond(conn, pdu, f"{pdu.command}_resp", status=wrong)
            return False
        conn.system_id, conn.receives = system_id, BINDS[pdu.command]
        self._respond(conn, pdu, f"{pdu.command}_resp", system_id="xiuhua-smsc")
        with self._lock:
            self.binds += 1
            if conn.receives:  # receipts kept while nobody could take them go out now
                for receipt in self._waiting.pop(system_id, []):
                    receipt.due = time.monotonic()
                    heapq.heappush(self._due, receipt)
                self._lock.notify_all()
        return True

    def _status_for(self, destination: str) -> int:
        with self._lock:
            if self.throttle_left > 0:
                self.throttle_left -= 1
                return self.throttle_status
        if self.fail_all_status is not None:
            return self.fail_all_status
        return self.failing.get(destination, c.SMPP_ESME_ROK)

    def _submit(self, conn: Connection, pdu) -> None:
        destination = (pdu.destination_addr or b"").decode()
        status = self._status_for(destination)
        if status != c.SMPP_ESME_ROK:
            self.refused.append((destination, status))
            self._respond(conn, pdu, "submit_sm_resp", status=status)
            return
        message_id = f"{self._prefix}{next(self._ids):08x}"
        text, ref, part, parts = decode_short_message(
            pdu.short_message or b"", pdu.data_coding or 0, pdu.esm_class or 0
        )
        with self._lock:
            self.submits.append(Submit(destination, text, pdu.data_coding or 0, message_id, ref, part, parts))
            self.submit_times.append(time.perf_counter())
        if self.vanish_after_submits > 0:  # the message is taken, but its answer never reaches the ESME
            self.vanish_after_submits -= 1
            conn.close()
            return
        self._respond(conn, pdu, "submit_sm_resp", message_id=message_id)
        if pdu.registered_delivery:
            state = "UNDELIV" if destination in self.undeliverable else "DELIVRD"
            receipt = Receipt(time.monotonic() + self.receipt_delay, next(self._order), conn.system_id, message_id)
            receipt.destination, receipt.state = destination, state
            with self._lock:
                heapq.heappush(self._due, receipt)
                self._lock.notify_all()

    def _acked(self, conn: Connection, pdu) -> None:
        with self._lock:
            receipt = conn.unacked.pop(pdu.sequence, None)
            if receipt is None:
                return
            if pdu.status == c.SMPP_ESME_ROK:
                self.receipts_acked += 1
                return
            receipt.due = time.monotonic() + 0.2  # the ESME could not take it now: again a little later
            heapq.heappush(self._due, receipt)
            self._lock.notify_all()

    def _gone(self, conn: Connection) -> None:
        conn.close()
        with self._lock:
            if conn in self._connections:
                self._connections.remove(conn)
            for receipt in conn.unacked.values():  # sent to an ESME that never acknowledged it: keep it
                self._waiting[receipt.system_id].append(receipt)
            conn.unacked.clear()
            if any(self._waiting.values()):
                for receipt in self._take_waiting_for_bound():
                    heapq.heappush(self._due, receipt)
                self._lock.notify_all()

    def _take_waiting_for_bound(self) -> list[Receipt]:
        bound = {conn.system_id for conn in self._connections if conn.receives}
        taken = []
        for system_id in list(self._waiting):
            if system_id in bound:
                taken += self._waiting.pop(system_id)
        return taken

    def _deliver(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                while not self._stopping.is_set() and (not self._due or self._due[0].due > time.monotonic()):
                    self._lock.wait(timeout=(self._due[0].due - time.monotonic()) if self._due else 0.5)
                if self._stopping.is_set():
                    return
                receipt = heapq.heappop(self._due)
                conn = next((x for x in self._connections if x.receives and x.system_id == receipt.system_id), None)
                if conn is None:
                    self._waiting[receipt.system_id].append(receipt)
                    continue
                pdu = self._receipt_pdu(conn, receipt)
                conn.unacked[pdu.sequence] = receipt
            # On a closed socket the session's reader notices and keeps the unacknowledged receipt.
            with contextlib.suppress(OSError):
                conn.send(pdu)

    def _receipt_pdu(self, conn: Connection, receipt: Receipt):
        stamp = time.strftime("%y%m%d%H%M")
        text = (
            f"id:{receipt.message_id} sub:001 dlvrd:{'001' if receipt.state == 'DELIVRD' else '000'} "
            f"submit date:{stamp} done date:{stamp} stat:{receipt.state} err:000 text:"
        )
        return smpp.make_pdu(
            "deliver_sm",
            client=conn.seq,
            source_addr=receipt.destination,
            destination_addr="",
            esm_class=0x04,  # SMSC delivery receipt
            short_message=text.encode("ascii"),
            receipted_message_id=receipt.message_id,
            message_state=2 if receipt.state == "DELIVRD" else 5,
        )
