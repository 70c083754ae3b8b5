"""Intake through `xiuhua serve` with 1 and with N worker processes: reports per second over real HTTP.

Same run, same database, same demo city: for each worker count a real `xiuhua serve --workers W` (gunicorn) is
started as a subprocess on a free port, warmed up, and `--clients` concurrent clients post `POST /api/v1/reports`
(the bodies of bench/intake.py); then it is stopped with SIGTERM. N defaults to the CPUs available.

Prints one JSON object. Examples:
    .venv/bin/python bench/serve.py --reports 600
    .venv/bin/python bench/serve.py --reports 600 --workers 1,2,4 --database-url postgres://…/xiuhua_bench
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=600, help="reports per worker count")
    parser.add_argument("--workers", default="", help="worker counts to compare, e.g. 1,2,4 (default: 1 and the CPUs)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process")
    parser.add_argument("--clients", type=int, default=6, help="concurrent HTTP clients (4–8)")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--grids", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--orders", type=int, default=0, help=argparse.SUPPRESS)  # bench/loop.py's prepare
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [sys.executable, "-m", "xiuhua.platform.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--threads", str(threads)]
    process = subprocess.Popen(
        command, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"xiuhua serve --workers {workers} exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/cases")
            conn.getresponse().read()
            conn.close()
            return process, port
        except OSError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("the server did not start")


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def post_all(port: int, token: str, bodies: list[dict], latencies: list[float], failures: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for body in bodies:
        started = time.perf_counter()
        conn.request("POST", "/api/v1/reports", json.dumps(body), headers)
        response = conn.getresponse()
        payload = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 201:
            failures.append(f"{response.status} {payload[:200]!r}")
    conn.close()


def in_parallel(clients: int, bodies: list[dict], target) -> float:
    threads = [threading.Thread(target=target, args=(bodies[i::clients],)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def measure(workers: int, args: argparse.Namespace, token: str, bodies: list[dict]) -> dict:
    process, port = start_server(workers, args.threads)
    try:
        warmup, bodies = bodies[: args.clients * 3], bodies[args.clients * 3 :]
        in_parallel(args.clients, warmup, lambda share: post_all(port, token, share, [], []))  # every process warm
        latencies: list[float] = []
        failures: list[str] = []
        seconds = in_parallel(args.clients, bodies, lambda share: post_all(port, token, share, latencies, failures))
    finally:
        stop_server(process)
    latencies.sort()
    return {
        "workers": workers,
        "threads": args.threads,
        "reports": len(bodies),
        "seconds": round(seconds, 2),
        "per_second": round(len(bodies) / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
        "failures": len(failures),
        "first_failure": failures[:1],
    }


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from intake import report_bodies  # the same reports as bench/intake.py
    from loop import configure, prepare  # the same throw-away database and demo city
    from measure import token as api_token

    args = parse_args()
    configure(args)
    prepare(args)
    from django.db import connection, connections

    from xiuhua.platform.processes import available_cpus

    counts = [int(n) for n in args.workers.split(",")] if args.workers else sorted({1, available_cpus()})
    token = api_token("operator")
    per_run = args.reports + args.clients * 3
    bodies = report_bodies(per_run * len(counts), args.seed)
    vendor = connection.vendor
    connections.close_all()  # the servers write to the same database; this process only watches
    runs = [measure(n, args, token, bodies[i * per_run : (i + 1) * per_run]) for i, n in enumerate(counts)]
    out = {
        "database": vendor,
        "cpus_available": available_cpus(),
        "clients": args.clients,
        "cache": os.environ.get("XIUHUA_CACHE_URL") or "unset: memory with 1 worker, a shared file cache with more",
        "runs": runs,
        "speedup": round(runs[-1]["per_second"] / runs[0]["per_second"], 2),
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
