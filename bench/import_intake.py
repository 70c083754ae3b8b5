"""Live report latency with no import vs during a 12345 Excel import, same run, same server.

`POST /api/v1/reports` is served by waitress in this process and called over real HTTP by `--clients` clients,
each sending one report every `--interval` seconds (a steady live load, not a saturating one). First without an
import for `--baseline-seconds`, then while `xiuhua import_work_orders` imports a generated export of
`--orders` rows (default 3,000) in another process, as the worker would. Latency is counted for the reports
sent while the import writes (after its whole-file check) and, separately, for the whole import.

Prints one JSON object. Examples:
    .venv/bin/python bench/import_intake.py --orders 3000
    .venv/bin/python bench/import_intake.py --database-url postgres://…/xiuhua_bench --orders 3000
    .venv/bin/python bench/import_intake.py --orders 300 --baseline-seconds 5   # a quick check
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=0, help="rows per import transaction (0: the importer's)")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--grids", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between one client's reports")
    parser.add_argument("--baseline-seconds", type=float, default=20)
    return parser.parse_args()


class LiveLoad:
    """Clients sending reports at a steady pace; each answer's latency is kept with the moment it was sent."""

    def __init__(self, port: int, token: str, bodies: list[dict], clients: int, interval: float) -> None:
        self.port, self.token, self.bodies = port, token, bodies
        self.clients, self.interval = clients, interval
        self.samples: list[tuple[float, float, int, str]] = []  # (sent at, seconds, status, error)
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.sent = 0
        self.lock = threading.Lock()

    def start(self) -> None:
        self.stop.clear()
        self.threads = [threading.Thread(target=self._client) for _ in range(self.clients)]
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _next_body(self) -> dict:
        with self.lock:
            self.sent += 1
            return self.bodies[self.sent % len(self.bodies)] | {"description": f"导入期间的上报 第 {self.sent} 件"}

    def _client(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        while not self.stop.is_set():
            body = json.dumps(self._next_body())
            sent = time.monotonic()
            try:
                connection.request("POST", "/api/v1/reports", body, headers)
                response = connection.getresponse()
                payload = response.read()
                status, error = response.status, "" if response.status == 201 else payload[:200].decode()
            except OSError as exc:
                status, error = 0, str(exc)
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            took = time.monotonic() - sent
            self.samples.append((sent, took, status, error))
            self.stop.wait(max(0.0, self.interval - took))
        connection.close()


def summary(samples: list[tuple[float, float, int, str]]) -> dict:
    if not samples:
        return {"reports": 0}
    ms = sorted(s[1] * 1000 for s in samples)
    failures = [s for s in samples if s[2] != 201]
    return {
        "reports": len(samples),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
        "max_ms": round(ms[-1], 1),
        "failures": len(failures),
        "first_failure": [f"{s[2]} {s[3]}" for s in failures[:1]],
    }


def run_import(path: Path, batch: int) -> tuple[subprocess.Popen, list[float]]:
    """`xiuhua import_work_orders` in its own process; returns it and a list that gets the moment writes began."""
    args = [str(path), "--user", "operator"] + (["--batch", str(batch)] if batch else [])
    code = (
        "import sys, django; django.setup(); from django.core.management import call_command; "
        f"call_command('import_work_orders', *{args!r})"
    )
    process = subprocess.Popen(
        [sys.executable, "-u", "-c", code], env=os.environ.copy(), stdout=subprocess.PIPE, text=True
    )
    writing: list[float] = []

    def watch() -> None:  # the first progress line means the whole-file check is over and rows are being written
        for line in process.stdout:
            if line.startswith("已写入") and not writing:
                writing.append(time.monotonic())
            print(line.rstrip(), file=sys.stderr)

    threading.Thread(target=watch, daemon=True).start()
    return process, writing


def main() -> None:
    from intake import _export, report_bodies
    from loop import configure, prepare
    from measure import serve, token

    args = parse_args()
    workdir = configure(args)
    prepare(args)
    from django.db import connection

    from xiuhua.cases.models import Case
    from xiuhua.intake.channels.hotline.importer import batch_size

    export = workdir / "orders.xlsx"
    export.write_bytes(_export(args.orders, args.seed))
    server = serve(4)
    load = LiveLoad(
        server.effective_port, token("operator"), report_bodies(500, args.seed + 1), args.clients, args.interval
    )
    load.start()
    time.sleep(2)  # warm-up: the first requests load code and caches
    load.finish()
    load.samples = []
    load.start()
    time.sleep(args.baseline_seconds)
    load.finish()
    baseline = summary(load.samples)

    load.samples = []
    load.start()
    started = time.monotonic()
    process, writing = run_import(export, args.batch)
    code = process.wait()
    ended = time.monotonic()
    load.finish()
    time.sleep(0.5)  # let waitress finish answering the last request before its sockets close
    server.close()
    writes_from = writing[0] if writing else started
    during_writes = [s for s in load.samples if writes_from <= s[0] <= ended]
    out = {
        "database": connection.vendor,
        "clients": args.clients,
        "interval_s": args.interval,
        "orders": args.orders,
        "batch": args.batch or batch_size(),
        "no_import": baseline,
        "during_import_writes": summary(during_writes),
        "during_whole_import": summary(load.samples),
        "import_seconds": round(ended - started, 1),
        "import_write_seconds": round(ended - writes_from, 1),
        "import_exit_code": code,
        "cases": Case.objects.count(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
