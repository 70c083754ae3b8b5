"""A message worker killed mid-batch and restarted sends every SMS exactly once (counted at the SMSC).

A real `xiuhua send_messages --channel sms` process runs against the test database (committed data, hence a
transactional test) and the test SMSC on a loopback port. SIGKILL midway, then a restart: every message ends
delivered, exactly once at the SMSC, except at most the one the killed worker was handing over, which ends
failed with the "cannot confirm" reason for a person (and is at the SMSC once or not at all). The rest of the
killed worker's batch was never handed over: the restarted worker sends it. SIGTERM instead: the worker
finishes the message in hand and stops; after a restart everything is delivered, exactly once. The same for the
sender threads of `xiuhua serve --worker`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from tests.test_durability import database_url, free_port

from xiuhua.notify import outbox
from xiuhua.notify.models import Message, MessageStatus
from xiuhua.notify.outbox import Draft
from xiuhua.notify.testing.smsc import Smsc
from xiuhua.notify.testing.smtp import TestSMTPServer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MESSAGES = 300
BATCH = 10  # claimed together; only one of them is being handed over at a time
UNCERTAIN = "无法确认是否已发出"


class Worker:
    """`xiuhua send_messages --channel sms` in its own process."""

    def __init__(self, smsc: Smsc, log: Path) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "XIUHUA_VAR_DIR": str(settings.VAR_DIR),  # the same data key: it decrypts the phone numbers
            "XIUHUA_LOG_LEVEL": "WARNING",
            "XIUHUA_MESSAGE_CHANNELS": json.dumps({"sms": "xiuhua.notify.channels.sms.SmppChannel"}),
            "XIUHUA_MESSAGE_LEASE_SECONDS": "2",
            "XIUHUA_MESSAGE_POLL_SECONDS": "0.1",
            "XIUHUA_SMPP_HOST": smsc.host,
            "XIUHUA_SMPP_PORT": str(smsc.port),
            "XIUHUA_SMPP_SYSTEM_ID": smsc.system_id,
            "XIUHUA_SMPP_PASSWORD": smsc.password,
        }
        command = [sys.executable, "-m", "xiuhua.platform.cli", "send_messages", "--channel", "sms"]
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [*command, "--batch-size", str(BATCH)], env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def stop(self, sig: int) -> int:
        os.kill(self.process.pid, sig)
        return self.process.wait(15)


@pytest.fixture
def smsc():
    server = Smsc(system_id="xiuhua", password="secret").start()
    yield server
    server.stop()


@pytest.fixture
def queued() -> dict[str, int]:
    """MESSAGES queued SMS, each to its own number: number → message id."""
    numbers = {}
    for n in range(MESSAGES):
        number = f"1391234{n:04d}"
        numbers[number] = outbox.queue(Draft(channel="sms", kind="task", text=f"测试短信 {n}", address=number)).pk
    return numbers


def wait_until(condition, seconds: float, worker: Worker) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert worker.process.poll() is None, worker.log.read_text(errors="replace")[-2000:]
        time.sleep(0.05)
    raise AssertionError(f"timed out; worker log:\n{worker.log.read_text(errors='replace')[-2000:]}")


def settled() -> bool:
    return not Message.objects.exclude(status__in=[MessageStatus.DELIVERED, MessageStatus.FAILED]).exists()


def test_a_worker_killed_mid_batch_and_restarted_sends_every_message_exactly_once(smsc, queued, tmp_path):
    first = Worker(smsc, tmp_path / "worker.log")
    wait_until(lambda: len(smsc.submits) >= MESSAGES // 3, 30, first)
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    at_kill = len(smsc.submits)
    assert at_kill < MESSAGES, "the kill came after the last message: nothing was mid-batch"

    second = Worker(smsc, tmp_path / "worker.log")
    wait_until(settled, 30, second)
    second.stop(signal.SIGTERM)

    at_smsc = Counter(submit.destination for submit in smsc.submits)
    assert max(at_smsc.values()) == 1, "a message reached the SMSC twice"
    delivered = set(Message.objects.filter(status=MessageStatus.DELIVERED).values_list("pk", flat=True))
    failed = list(Message.objects.filter(status=MessageStatus.FAILED))
    assert len(failed) <= 1 and all(UNCERTAIN in m.failure_reason for m in failed)
    assert len(delivered) + len(failed) == MESSAGES
    sent = {queued[number] for number in at_smsc}
    assert sent >= delivered  # every delivered one is at the SMSC, once
    assert sent - delivered <= {m.pk for m in failed}  # nothing else reached it


def test_a_worker_stopped_with_sigterm_finishes_what_it_holds_and_nothing_is_sent_twice(smsc, queued, tmp_path):
    first = Worker(smsc, tmp_path / "worker.log")
    wait_until(lambda: len(smsc.submits) >= MESSAGES // 3, 30, first)
    assert first.stop(signal.SIGTERM) == 0
    assert not Message.objects.filter(status=MessageStatus.SENDING).exists()
    assert len(smsc.submits) < MESSAGES

    second = Worker(smsc, tmp_path / "worker.log")
    wait_until(settled, 30, second)
    second.stop(signal.SIGTERM)

    at_smsc = Counter(submit.destination for submit in smsc.submits)
    assert sorted(at_smsc) == sorted(queued) and set(at_smsc.values()) == {1}
    assert Message.objects.filter(status=MessageStatus.DELIVERED).count() == MESSAGES


def test_a_stopped_web_server_lets_its_message_sender_finish_the_mail_in_hand(tmp_path):
    """`xiuhua serve --worker` (the `make run` setup) sends messages from threads of the web process: SIGTERM
    lets the mail being sent finish and be recorded, and gives the rest back to the queue."""
    with TestSMTPServer() as smtp:
        arrived = threading.Event()
        smtp.handler.on_data = arrived.set
        smtp.answer_slowly(1.0)  # the stop comes while the first mail waits for its answer
        for n in range(3):
            outbox.queue(Draft(channel="email", kind="task", text=f"测试邮件 {n}", address=f"handler{n}@example.cn"))
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "XIUHUA_VAR_DIR": str(settings.VAR_DIR),
            "XIUHUA_LOG_LEVEL": "WARNING",
            "XIUHUA_MESSAGE_CHANNELS": json.dumps({"email": "xiuhua.notify.channels.email.EmailChannel"}),
            "EMAIL_HOST": smtp.host,
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_TIMEOUT": "5",
        }
        command = [sys.executable, "-m", "xiuhua.platform.cli", "serve", "--worker", "--port", str(free_port())]
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            assert arrived.wait(60), log.read_text(errors="replace")[-2000:]
            os.kill(server.pid, signal.SIGTERM)
            assert server.wait(15) == 0, log.read_text(errors="replace")[-2000:]
        finally:
            if server.poll() is None:
                server.kill()
        assert len(smtp.received()) == 1
    statuses = Counter(Message.objects.values_list("status", flat=True))
    assert statuses == {MessageStatus.DELIVERED: 1, MessageStatus.QUEUED: 2}
    assert set(Message.objects.filter(status=MessageStatus.QUEUED).values_list("attempts", flat=True)) == {0}
