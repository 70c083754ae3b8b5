"""`xiuhua serve --workers 2` is a real multi-process server: two worker processes answer, the background jobs run
in exactly one process beside them, and SIGTERM stops all of it cleanly.

Started as a subprocess against the test database (committed data, hence a transactional test), on SQLite and on
PostgreSQL alike.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.test_durability import database_url, free_port
from xiuhua.core.models import JobLease

# serialized_rollback like every transactional test here: the next one finds the migrations' data back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def start_server(port: int, var_dir: Path, log: Path, access_log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "XIUHUA_VAR_DIR": str(var_dir)}
    env.pop("XIUHUA_CACHE_URL", None)  # the file cache serve chooses for several processes is part of the test
    command = [sys.executable, "-m", "xiuhua.platform.cli", "serve", "--port", str(port), "--workers", "2"]
    command += ["--threads", "2", "--worker", "--access-log", str(access_log)]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # a new connection: any worker may take it
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def wait_until_answering(process: subprocess.Popen, port: int, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-2000:]
        try:
            get(port, "/api/v1/cases")
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start:\n" + log.read_text(errors="replace")[-2000:])


def answering_pids(access_log: Path) -> set[str]:
    return set(re.findall(r"pid=<(\d+)>", access_log.read_text()))


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (from /proc: no extra library)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def background_processes(master: int) -> set[int]:
    """The master's `xiuhua worker` children."""
    found = set()
    for pid in children(master):
        try:
            if b"cli\x00worker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.add(pid)
        except OSError:  # gone meanwhile
            continue
    return found


def test_two_worker_processes_answer_and_sigterm_stops_them_and_the_background_worker(tmp_path):
    port, log, access_log = free_port(), tmp_path / "server.log", tmp_path / "access.log"
    process = start_server(port, tmp_path / "var", log, access_log)
    try:
        wait_until_answering(process, port, log)
        statuses: list[int] = []

        def client() -> None:
            for _ in range(10):
                statuses.append(get(port, "/api/v1/cases"))

        deadline = time.monotonic() + 60
        while len(answering_pids(access_log)) < 2 and time.monotonic() < deadline:
            threads = [threading.Thread(target=client) for _ in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        assert set(statuses) == {401}  # answered by the application (no token), not by an error page
        assert len(answering_pids(access_log)) == 2, access_log.read_text()[-2000:]
        # The background jobs ran, in one process only: every job lease names the same holder.
        deadline = time.monotonic() + 60
        while not JobLease.objects.filter(name="sweep").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        holders = set(JobLease.objects.values_list("holder", flat=True))
        assert len(holders) == 1, holders
        background = [pid for pid in children(process.pid) if str(pid) in next(iter(holders))]
        assert len(background) == 1  # a child of the master, not one of the web workers
        assert (tmp_path / "var" / "cache").is_dir()  # two processes, no XIUHUA_CACHE_URL: one shared file cache

        # A background process that dies is started again by the master (else timers would stop firing).
        os.kill(background[0], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while not (restarted := background_processes(process.pid) - {background[0]}) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(restarted) == 1, log.read_text(errors="replace")[-2000:]
        while log.read_text().count("后台任务已启动") < 2 and time.monotonic() < deadline:
            time.sleep(0.2)  # it takes SIGTERM gracefully once it runs
        workers = children(process.pid)

        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0, log.read_text(errors="replace")[-2000:]
        assert len(workers) == 3 and not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
        assert "后台任务已停止" in log.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
