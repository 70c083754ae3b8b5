"""An accepted report survives the server being killed (SIGKILL) under load, and a resend never doubles it.

A real `xiuhua serve` (gunicorn: a master and its worker processes) runs against the test database — committed data,
hence a transactional test — while four clients post reports with Idempotency-Key headers. Midway the server (every
process of it) is killed with SIGKILL, restarted, and every report is sent again with its key. Then: every report
answered 2xx before the kill still exists with the number it was given, every key has exactly one case, and nothing
else was created.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from xiuhua.accounts.models import User
from xiuhua.cases.models import Case, CaseEvent
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CLIENTS = 4
REPORTS_PER_CLIENT = 50
KILL_AFTER = 60  # acknowledged reports before the kill: well into the load, well before its end


def database_url() -> str:
    """The test database as a URL the server process can open (the test run renamed it `test_…`)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = f"{quote(db['USER'])}:{quote(db['PASSWORD'])}@" if db["USER"] else ""
    return f"postgres://{user}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`xiuhua serve` in its own process on a free loopback port."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "XIUHUA_VAR_DIR": str(settings.VAR_DIR),  # the same secret key and data key as this process
            "XIUHUA_LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "xiuhua.platform.cli", "serve", "--port", str(self.port), "--threads", "4"]
        with log.open("ab") as out:
            # Its own process group: the server is gunicorn's master and its worker processes, all killed at once.
            self.process = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_until_answering()

    def _wait_until_answering(self, seconds: float = 40) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(errors="replace")[-2000:]
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/v1/cases")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("server did not start:\n" + self.log.read_text(errors="replace")[-2000:])

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


@dataclass
class Outcome:
    """What the clients saw: key → case number for every 2xx, and the keys whose request got no answer."""

    numbers: dict[str, str] = field(default_factory=dict)
    created: dict[str, bool] = field(default_factory=dict)
    unanswered: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def send(port: int, token: str, reports: list[tuple[str, dict]], outcome: Outcome) -> None:
    """One client posting its reports in turn; it stops at the first request the server does not answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for i, (key, body) in enumerate(reports):
        try:
            conn.request("POST", "/api/v1/reports", json.dumps(body), {**headers, "Idempotency-Key": key})
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            with outcome.lock:
                outcome.unanswered.extend(k for k, _ in reports[i:])
            return
        with outcome.lock:
            if response.status in (200, 201):
                answer = json.loads(payload)
                outcome.numbers[key] = answer["number"]
                outcome.created[key] = answer["created"]
            else:
                outcome.errors.append(f"{key}: {response.status} {payload[:300]!r}")
    conn.close()


def run_clients(port: int, token: str, reports: list[tuple[str, dict]], outcome: Outcome) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=send, args=(port, token, reports[i::CLIENTS], outcome), daemon=True)
        for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    return threads


@pytest.fixture
def reports(demo_city) -> list[tuple[str, dict]]:
    points = [g.geometry.representative_point() for g in UnitGrid.objects.order_by("code")[:40]]
    return [
        (
            f"durability-{i:04d}",
            {
                "class_code": "01001",
                "kind": "event",
                "description": f"第 {i} 处路面有暴露垃圾",
                "lng": points[i % len(points)].x,
                "lat": points[i % len(points)].y,
                "source": "hotline_12345",
                "reporter_phone": f"139{i:08d}",
            },
        )
        for i in range(CLIENTS * REPORTS_PER_CLIENT)
    ]


def test_no_report_is_lost_or_doubled_when_the_server_is_killed_under_load(reports, client, tmp_path):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "operator", "password": settings.DEMO_PASSWORD},
        content_type="application/json",
    )
    token = response.json()["token"]
    operator = User.objects.get(username="operator")
    cases_before = Case.objects.count()
    log = tmp_path / "server.log"

    server = Server(log)
    try:
        before = Outcome()
        threads = run_clients(server.port, token, reports, before)
        deadline = time.monotonic() + 30
        while len(before.numbers) < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill()
        for thread in threads:
            thread.join(30)
    finally:
        server.kill()
    assert not before.errors, before.errors[:3]
    assert KILL_AFTER <= len(before.numbers) < len(reports), "the kill came outside the load"
    assert before.unanswered, "no request was cut off by the kill"

    server = Server(log)
    try:
        after = Outcome()
        for thread in run_clients(server.port, token, reports, after):
            thread.join(60)
    finally:
        server.kill()
    assert not after.errors and not after.unanswered, (after.errors[:3], after.unanswered[:3])

    # 0 lost: what was acknowledged before the kill is still there, under the same number, and is not re-created.
    for key, number in before.numbers.items():
        assert after.numbers[key] == number and after.created[key] is False, key
    # 0 duplicated: one case per key, nothing without a key, one report event per case.
    keys = [key for key, _ in reports]
    mine = Case.objects.filter(intake_key__startswith=f"user:{operator.pk}:")
    stored = dict(mine.values_list("intake_key", "number"))
    assert stored == {f"user:{operator.pk}:{key}": after.numbers[key] for key in keys}
    assert Case.objects.count() == cases_before + len(keys)
    assert CaseEvent.objects.filter(case__number__in=stored.values(), action="report").count() == len(keys)
