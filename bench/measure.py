"""Per-request measurement for the write-path benchmarks (`bench/intake.py`, `bench/loop.py`).

`MeasureMiddleware` is put outermost in the project's middleware stack by `serve()`. For each request that carries an
`X-Bench-Label` header it records, on the server side:

- statements: every SQL statement the request sent, BEGIN / COMMIT / SAVEPOINT included (Django's query log, as
  `CaptureQueriesContext` and the test suite's query counts see them);
- app CPU: `time.thread_time()` of the request thread (waitress runs the whole request, middleware included, in one
  thread; on SQLite the database's own CPU runs in that thread too and is taken out, see below);
- database CPU: on PostgreSQL the CPU of the request's backend process (`pg_backend_pid()`, utime + stime from
  `/proc/<pid>/stat`, read before and after: 10 ms clock ticks, so only its mean over many requests is meaningful);
  on SQLite, which runs in-process, the thread CPU spent inside execute calls (COMMIT is not an execute call and
  stays in app CPU);
- server time: wall time from the outermost middleware in to out (the upload is already read by waitress).

The client side (`run_clients`) sends requests from several threads over keep-alive HTTP and records round-trip
times, `summary()` puts both together per label: count, failures, rate, statements, CPU, p50/p95.
With XIUHUA_BENCH_SQL=1 in the environment each request's SQL is kept too (`statements_of(label)`), to see which
statements a figure counts.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

TICK = os.sysconf("SC_CLK_TCK")
SHOW_SQL = bool(os.environ.get("XIUHUA_BENCH_SQL"))  # keep each request's statements (`statements_of(label)`)


@dataclass
class Record:
    label: str
    status: int
    statements: int
    app_cpu: float
    db_cpu: float
    server: float
    sql: list[str] = field(default_factory=list)


RECORDS: list[Record] = []
CLIENT_TIMES: dict[str, list[float]] = defaultdict(list)
_lock = threading.Lock()


def _backend_cpu(pid: int) -> float:
    """User + system CPU seconds of a local PostgreSQL backend so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15 of the line)


def _backend_pid(connection) -> int:
    """The backend's process id, asked once per database connection (not counted as a statement of a request)."""
    raw = connection.connection
    if getattr(connection, "_bench_raw", None) is not raw:
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            connection._bench_pid = cursor.fetchone()[0]
        connection._bench_raw = raw
    return connection._bench_pid


@dataclass
class _InExecute:
    """An execute wrapper adding up the thread CPU spent inside execute calls (SQLite's own work)."""

    cpu: float = 0.0
    calls: int = field(default=0)

    def __call__(self, execute, sql, params, many, context):
        started = time.thread_time()
        try:
            return execute(sql, params, many, context)
        finally:
            self.cpu += time.thread_time() - started
            self.calls += 1


class MeasureMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        label = request.headers.get("X-Bench-Label")
        if not label:
            return self.get_response(request)
        from django.db import connection

        wall, cpu = time.perf_counter(), time.thread_time()
        connection.ensure_connection()  # the request would open it anyway; asking the backend's pid must not count
        postgres = connection.vendor == "postgresql"
        pid = _backend_pid(connection) if postgres else 0
        db_before = _backend_cpu(pid) if postgres else 0.0
        in_execute = _InExecute()
        logged, connection.force_debug_cursor = connection.force_debug_cursor, True
        connection.queries_log.clear()
        try:
            with connection.execute_wrapper(in_execute):
                response = self.get_response(request)
            statements = len(connection.queries_log)
            sql = [q["sql"] for q in connection.queries_log] if SHOW_SQL else []
        finally:
            connection.force_debug_cursor = logged
        # The connection is closed later (request_finished); on PostgreSQL the backend is still the same one.
        db_cpu = (_backend_cpu(pid) - db_before) if postgres else in_execute.cpu
        app_cpu = time.thread_time() - cpu - (0.0 if postgres else in_execute.cpu)
        record = Record(label, response.status_code, statements, app_cpu, db_cpu, time.perf_counter() - wall, sql)
        with _lock:
            RECORDS.append(record)
        return response


def serve(threads: int):
    """Waitress with the project's WSGI app, MeasureMiddleware outermost and the bench URL conf (`floor`)."""
    import logging

    from django.conf import settings

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 1": clients wait, as meant
    settings.MIDDLEWARE = ["measure.MeasureMiddleware", *settings.MIDDLEWARE]
    settings.ROOT_URLCONF = "floor"
    from django.core.wsgi import get_wsgi_application
    from waitress import create_server

    server = create_server(get_wsgi_application(), host="127.0.0.1", port=0, threads=threads)
    threading.Thread(target=server.run, daemon=True).start()
    return server


def token(username: str) -> str:
    from django.conf import settings
    from django.test import RequestFactory

    from xiuhua.accounts.services import issue_api_token

    return issue_api_token(RequestFactory().post("/api/v1/auth/token"), username, settings.DEMO_PASSWORD)[1]


def multipart(fields: dict, files: Iterable[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body (fields as text, files as (field, filename, JPEG bytes)) and its content type."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        text = value if isinstance(value, str) else json.dumps(value)
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{text}\r\n'.encode())
    for name, filename, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        )
        parts.extend([head.encode(), data, b"\r\n"])
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Request:
    """One request of a client: where, as whom, what, and under which label it is measured."""

    label: str
    path: str
    token: str = ""
    fields: dict = field(default_factory=dict)
    photos: list[tuple[str, bytes]] = field(default_factory=list)  # (filename, JPEG bytes) in field `photos`
    expect: tuple[int, ...] = (200, 201)


class Client:
    """A keep-alive HTTP connection to the bench server; records round-trip times per label."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def send(self, request: Request, failures: list[str]) -> dict:
        headers = {"X-Bench-Label": request.label}
        if request.token:
            headers["Authorization"] = f"Bearer {request.token}"
        if request.photos:
            body, headers["Content-Type"] = multipart(request.fields, [("photos", n, d) for n, d in request.photos])
        else:
            body, headers["Content-Type"] = json.dumps(request.fields).encode(), "application/json"
        started = time.perf_counter()
        self.connection.request("POST", request.path, body, headers)
        response = self.connection.getresponse()
        payload = response.read()
        with _lock:
            CLIENT_TIMES[request.label].append(time.perf_counter() - started)
        if response.status not in request.expect:
            failures.append(f"{request.label} {response.status} {payload[:300]!r}")
            return {}
        return json.loads(payload)

    def close(self) -> None:
        self.connection.close()


def run_clients(port: int, shares: list, work: Callable[[Client, object, list[str]], None]) -> tuple[float, list]:
    """Run `work(client, share, failures)` for each share in its own thread; wall seconds and failures."""
    failures: list[str] = []

    def run(share) -> None:
        client = Client(port)
        try:
            work(client, share, failures)
        finally:
            client.close()
            from django.db import connections

            connections.close_all()

    threads = [threading.Thread(target=run, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, failures


def statements_of(label: str) -> list[list[str]]:
    """The SQL of each request labelled `label` (with XIUHUA_BENCH_SQL=1 set before the run)."""
    with _lock:
        return [r.sql for r in RECORDS if r.label == label]


def reset() -> None:
    with _lock:
        RECORDS.clear()
        CLIENT_TIMES.clear()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _ms(value: float) -> float:
    return round(value * 1000, 2)


def summary(label: str) -> dict:
    """What the server and clients saw of requests labelled `label`."""
    with _lock:
        records = [r for r in RECORDS if r.label == label]
        client = list(CLIENT_TIMES.get(label, []))
    if not records:
        return {"requests": 0}
    server = [r.server for r in records]
    return {
        "requests": len(records),
        "errors": sum(1 for r in records if r.status >= 400),
        "statements": round(statistics.mean(r.statements for r in records), 1),
        "statements_max": max(r.statements for r in records),
        "cpu_ms": _ms(statistics.mean(r.app_cpu + r.db_cpu for r in records)),
        "app_cpu_ms": _ms(statistics.mean(r.app_cpu for r in records)),
        "db_cpu_ms": _ms(statistics.mean(r.db_cpu for r in records)),
        "server_p50_ms": _ms(_percentile(server, 0.5)),
        "server_p95_ms": _ms(_percentile(server, 0.95)),
        "client_p50_ms": _ms(_percentile(client, 0.5)) if client else None,
        "client_p95_ms": _ms(_percentile(client, 0.95)) if client else None,
    }


def side_by_side(real: dict, floor: dict) -> dict:
    """A figure of the real endpoint beside its floor, with the ratios that matter."""
    out = {"real": real, "floor": floor}
    if real.get("per_second") and floor.get("per_second"):
        out["rate_share_of_floor"] = round(real["per_second"] / floor["per_second"], 3)
    if real.get("cpu_ms") and floor.get("cpu_ms"):
        out["cpu_times_floor"] = round(real["cpu_ms"] / floor["cpu_ms"], 1)
    if real.get("statements") and floor.get("statements"):
        out["statements_times_floor"] = round(real["statements"] / floor["statements"], 1)
    return out
