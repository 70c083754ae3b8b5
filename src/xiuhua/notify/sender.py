"""The message worker: one loop per outside channel that claims due messages, sends them and records what the
provider answers (including delivery receipts), until told to stop.

It never sends a message twice: a row is claimed by one worker, and stamped (`outbox.hand_over`) just before
it goes to the provider; a worker killed between that stamp and recording the answer leaves one row `sending`
and stamped, which a later worker fails for a person to check instead of resending. The rest of its batch,
never stamped, goes back to the queue (outbox.recover_interrupted).
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import socket
import threading
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.db.models import F
from django.utils import timezone

from xiuhua.notify import outbox
from xiuhua.notify.channels.base import Channel, PermanentFailure, TemporaryFailure, load_channel
from xiuhua.notify.models import ChannelHealth, Message, MessageStatus

log = logging.getLogger("xiuhua.messages")


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def note_health(channel: str, problem: str = "") -> None:
    """Remember whether the provider was reachable; `since` changes only when the answer does."""
    now = timezone.now()
    health, created = ChannelHealth.objects.get_or_create(
        channel=channel, defaults={"reachable": not problem, "problem": problem, "since": now, "checked_at": now}
    )
    if created:
        return
    changed = health.reachable == bool(problem)
    ChannelHealth.objects.filter(pk=channel).update(
        reachable=not problem, problem=problem[:300], checked_at=now, **({"since": now} if changed else {})
    )


def release(messages: list[Message], worker: str) -> None:
    """Give claimed but unsent messages back to the queue, their attempt not counted."""
    if messages:
        Message.objects.filter(
            pk__in=[m.pk for m in messages], status=MessageStatus.SENDING, claimed_by=worker, handed_at__isnull=True
        ).update(status=MessageStatus.QUEUED, claimed_by="", sending_at=None, attempts=F("attempts") - 1)


class ChannelSender:
    """Sends the outbox of one channel through one channel instance."""

    def __init__(self, code: str, *, channel: Channel | None = None, worker: str = "", batch_size: int = 100):
        self.code = code
        self.channel = channel or load_channel(code)
        self.worker = worker or worker_id()
        self.batch_size = batch_size
        self.opened = False

    def ensure_open(self) -> bool:
        if self.opened:
            return True
        try:
            self.channel.open()
        except TemporaryFailure as failure:
            note_health(self.code, failure.reason)
            return False
        self.opened = True
        note_health(self.code)
        return True

    def drop_connection(self) -> None:
        try:
            self.channel.close()
        except Exception:  # closing a broken connection may fail again; it is gone either way
            log.debug("closing %s failed", self.code, exc_info=True)
        self.opened = False

    def send_batch(self, stop: threading.Event | None = None) -> int:
        """Claim and send one batch; returns the number of messages handed over. Once `stop` is set, the
        message in hand is finished and the rest of the batch goes back to the queue."""
        claimed = outbox.claim(self.code, self.worker, self.batch_size)
        handed = 0
        for index, message in enumerate(claimed):
            if stop is not None and stop.is_set():
                release(claimed[index:], self.worker)
                return handed
            if not outbox.hand_over(message):
                log.warning("message %s on %s was taken back from this worker before sending", message.pk, self.code)
                continue
            try:
                provider_id = self.channel.send(outbox.outgoing(message))
            except PermanentFailure as failure:
                outbox.mark_failed(message, failure.reason)
                continue
            except TemporaryFailure as failure:
                outbox.mark_retry(message, failure.reason, failure.retry_after)
                release(claimed[index + 1 :], self.worker)  # the provider is not taking messages now: stop this batch
                note_health(self.code, failure.reason)
                self.drop_connection()
                return handed
            except Exception:  # a bug or an unexpected answer must not stop the worker, nor be retried in a loop
                log.exception("sending message %s on %s failed", message.pk, self.code)
                outbox.mark_retry(message, "发送程序异常，稍后重试")
                continue
            outbox.mark_sent(message, provider_id, delivered=not self.channel.has_receipts)
            handed += 1
        return handed

    def run_once(self, poll_timeout: float = 0.0, stop: threading.Event | None = None) -> int:
        """One round: recover interrupted messages, send what is due, read receipts."""
        outbox.recover_interrupted(self.code, older_than=timedelta(seconds=settings.XIUHUA_MESSAGE_LEASE_SECONDS))
        if not self.ensure_open():
            return 0
        handed = self.send_batch(stop)
        if self.opened:
            try:
                self.channel.poll(lambda pid, ok, why: outbox.record_receipt(self.code, pid, ok, why), poll_timeout)
            except TemporaryFailure as failure:
                note_health(self.code, failure.reason)
                self.drop_connection()
        return handed

    def run(self, stop: threading.Event, poll_seconds: float | None = None) -> None:
        """Rounds until `stop` is set. With nothing due, a channel with receipts waits on its connection for
        them; the others sleep."""
        wait = settings.XIUHUA_MESSAGE_POLL_SECONDS if poll_seconds is None else poll_seconds
        try:
            while not stop.is_set():
                listens = self.opened and self.channel.has_receipts
                try:
                    handed = self.run_once(poll_timeout=wait if listens else 0.0, stop=stop)
                except Exception:  # e.g. the database restarting: log, wait, go on
                    log.exception("message worker round on %s failed", self.code)
                    handed, listens = 0, False
                finally:
                    close_old_connections()
                if not handed and not listens:
                    stop.wait(wait)
        finally:
            self.drop_connection()


def start_sender_threads(codes: list[str], stop: threading.Event, batch_size: int = 100) -> list[threading.Thread]:
    """One daemon thread per channel (the embedded `make run` setup and `xiuhua send_messages`)."""
    threads = []
    for code in codes:
        sender = ChannelSender(code, batch_size=batch_size)
        thread = threading.Thread(target=sender.run, args=(stop,), name=f"xiuhua-messages-{code}", daemon=True)
        thread.start()
        threads.append(thread)
    return threads


def stop_at_exit(stop: threading.Event, threads: list[threading.Thread], grace: float = 30.0) -> None:
    """For sender threads inside another program (`serve --worker`): SIGTERM or SIGINT sets `stop` and ends the
    main loop (SystemExit), and at interpreter exit the threads get `grace` seconds to finish the message in
    hand: a daemon thread still running then would be cut off mid-send, its message left for recovery.

    Only from the main thread (Python sets signal handlers there)."""

    def finish() -> None:
        stop.set()
        for thread in threads:
            thread.join(grace)

    def on_signal(signum: int, frame: object) -> None:
        stop.set()
        raise SystemExit(0)  # waitress closes on SystemExit; `finish` then runs at exit

    atexit.register(finish)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
