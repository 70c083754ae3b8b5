"""Security costs on intake: a password-guessing flood, and encryption of personal data.

A real `xiuhua serve` process (waitress, 8 threads) is started on the benchmark database; four client threads
post reports (`POST /api/v1/reports`, as bench/intake.py does) for `--seconds` each phase:

1. alone: reports accepted per second with nobody else on the server;
2. flood: the same while `--guessers` threads guess passwords of real accounts, half on `POST /api/v1/auth/token`
   and half on the web login form (CSRF token and cookie fetched as a browser does). flood_ratio = flood / alone;
   goal ≥ 0.8.
3. encrypted, then plaintext: two fresh server processes one after the other, the second with the personal-data
   cipher replaced by the identity; encryption_cost = 1 − encrypted / plaintext. The swap is made by this script
   in the server process it starts (`--serve` below, with XIUHUA_BENCH_PLAINTEXT=1); the platform has no switch
   for it. Plaintext runs last: its rows are stored in the clear, which an encrypting server would refuse to read.

Each server gets 2 s of unmeasured reports first (grid index, templates, lazy imports). On a shared machine rates
drift by tens of per cent within a run (compare alone and encrypted), far more than the cipher costs; so the
cipher's own time per report is measured in this process too (cipher_microseconds_per_report).

Prints one JSON object. Examples:
    .venv/bin/python bench/security.py                      # SQLite, 10 s a phase (≈ 1½ min)
    .venv/bin/python bench/security.py --seconds 30 --database-url postgres://…/xiuhua_bench
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
GUESSED_ACCOUNTS = ("operator", "shift_leader", "dispatcher", "inspector", "leader", "admin")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each measured phase")
    parser.add_argument("--guessers", type=int, default=6)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--grids", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-plaintext", action="store_true", help="no encryption comparison")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)  # the server process itself
    return parser.parse_args()


# --- the server process ----------------------------------------------------------------------------------------


def serve(port: int) -> None:
    """Run in the child: `xiuhua serve`, with the cipher made the identity when the bench asks for plaintext."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiuhua.platform.settings")
    django.setup()
    from django.core.management import call_command

    with plaintext() if os.environ.get("XIUHUA_BENCH_PLAINTEXT") == "1" else contextlib.nullcontext():
        call_command("serve", host="127.0.0.1", port=port, threads=8)


def plaintext() -> contextlib.AbstractContextManager:
    """The one hook: personal data written and read as is while the server runs."""
    if not cipher_present():  # a platform without encryption at rest: both variants are the same
        return contextlib.nullcontext()
    from xiuhua.core import crypto  # the cipher behind the encrypted model fields

    return crypto.plaintext_for_benchmark()


class Server:
    def __init__(self, port: int, *, plain: bool = False) -> None:
        env = {**os.environ, "XIUHUA_BENCH_PLAINTEXT": "1" if plain else "0"}
        self.port = port
        log = Path(os.environ["XIUHUA_VAR_DIR"]) / "server.log"  # waitress's queue warnings would drown the JSON
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, __file__, "--serve", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited with {self.process.returncode}")
            try:
                status, _ = request(port, "GET", "/api/v1/cases")
                if status:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("server did not start within 60 s")

    def warm_up(self, token: str, bodies: list[dict]) -> None:
        """Unmeasured reports first: the first requests load the grid index, templates and lazy imports."""
        measure(self.port, token, bodies, 2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


# --- clients ---------------------------------------------------------------------------------------------------


def request(port: int, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body, headers or {})
        response = conn.getresponse()
        return response.status, (response.read(), response.getheader("Set-Cookie") or "")
    finally:
        conn.close()


def guess_api(port: int, username: str, n: int) -> int:
    body = json.dumps({"username": username, "password": f"Wrong-{n}-guess"})
    return request(port, "POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})[0]


def guess_web(port: int, username: str, n: int) -> int:
    """The login form as a browser posts it: the page first (CSRF cookie and token), then the form."""
    _status, (page, cookie) = request(port, "GET", "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    csrf = re.search(r"csrftoken=([^;]+)", cookie)
    form = urlencode(
        {"username": username, "password": f"Wrong-{n}-guess", "csrfmiddlewaretoken": token[1] if token else ""}
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf[1] if csrf else ''}"}
    return request(port, "POST", "/login/", form, headers)[0]


def guesser(port: int, index: int, stop: threading.Event, answers: Counter, lock: threading.Lock) -> None:
    guess = guess_api if index % 2 == 0 else guess_web
    accounts = itertools.cycle(GUESSED_ACCOUNTS[index % len(GUESSED_ACCOUNTS) :] + GUESSED_ACCOUNTS)
    for n in itertools.count():
        if stop.is_set():
            return
        try:
            status = guess(port, next(accounts), n)
        except OSError as exc:
            status = type(exc).__name__
        with lock:
            answers[f"{guess.__name__}:{status}"] += 1


def until(stop: threading.Event, bodies: list[dict], sent: list[int]):
    """The bodies again and again until `stop`; counts what it handed out (each one is sent and answered)."""
    for body in itertools.cycle(bodies):
        if stop.is_set():
            return
        sent[0] += 1
        yield body


CLIENTS = 4


def _client(port: int, token: str, bodies: Iterable[dict], failures: list[str]) -> None:
    """One client posting reports over one connection, keeping what was refused."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for body in bodies:
        connection.request("POST", "/api/v1/reports", json.dumps(body), headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status != 201:
            failures.append(f"{response.status} {payload[:200]!r}")
    connection.close()


def measure(port: int, token: str, bodies: list[dict], seconds: float, guessers: int = 0) -> dict:
    """Reports accepted per second by four clients over `seconds`, with `guessers` threads guessing meanwhile."""
    stop, lock, answers = threading.Event(), threading.Lock(), Counter()
    failures: list[str] = []
    counts = [[0] for _ in range(CLIENTS)]
    threads = [
        threading.Thread(target=guesser, args=(port, i, stop, answers, lock), daemon=True) for i in range(guessers)
    ]
    threads += [
        threading.Thread(target=_client, args=(port, token, until(stop, bodies[i::CLIENTS], counts[i]), failures))
        for i in range(CLIENTS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    accepted = sum(c[0] for c in counts) - len(failures)
    out = {
        "seconds": round(elapsed, 1),
        "accepted": accepted,
        "per_second": round(accepted / elapsed, 1),
        "failures": len(failures),
        "first_failure": failures[:1],
    }
    if guessers:
        out["guesses"] = dict(sorted(answers.items()))
        out["guesses_per_second"] = round(sum(answers.values()) / elapsed, 1)
    return out


def report_bodies(count: int, seed: int) -> list[dict]:
    from intake import report_bodies as hotline_reports

    return hotline_reports(count, seed, reporter_name="陈先生")  # a name too: both are encrypted


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(token: str, bodies: list[dict], *, plain: bool = False) -> Iterator[int]:
    """A fresh server process, warmed up; yields its port."""
    server = Server(free_port(), plain=plain)
    try:
        server.warm_up(token, bodies)
        yield server.port
    finally:
        server.stop()


def cipher_present() -> bool:
    import importlib.util

    return importlib.util.find_spec("xiuhua.core.crypto") is not None


def cipher_microseconds(count: int = 5000) -> float:
    """What the cipher adds to one report in this process: name and phone sealed and opened, the phone digested."""
    from xiuhua.core import crypto

    started = time.perf_counter()
    for i in range(count):
        phone = f"139{i:08d}"
        crypto.decrypt(crypto.encrypt("陈先生"))
        crypto.decrypt(crypto.encrypt(phone))
        crypto.phone_digest(phone)
    return round((time.perf_counter() - started) / count * 1e6, 1)


def main() -> None:
    args = parse_args()
    if args.serve:
        return serve(args.serve)
    sys.path.insert(0, str(BENCH))
    from loop import configure, prepare  # the same throw-away database and demo city as the other benchmarks

    configure(args)
    prepare(args)
    from django.db import connection, connections
    from measure import token as api_token

    token, bodies = api_token("operator"), report_bodies(2000, args.seed)
    out: dict = {"database": connection.vendor, "seconds_per_phase": args.seconds, "guessers": args.guessers}
    connections.close_all()
    with served(token, bodies) as port:
        out["alone"] = measure(port, token, bodies, args.seconds)
        out["flood"] = measure(port, token, bodies, args.seconds, guessers=args.guessers)
    out["flood_ratio"] = round(out["flood"]["per_second"] / max(out["alone"]["per_second"], 0.1), 2)
    if not args.skip_plaintext:
        out["cipher"] = "xiuhua.core.crypto" if cipher_present() else "absent: both runs store plaintext"
        if cipher_present():
            out["cipher_microseconds_per_report"] = cipher_microseconds()
        # Both on fresh servers, one right after the other: a server that took the flood, or one started a minute
        # earlier on a busy shared machine, is not comparable.
        with served(token, bodies) as port:
            out["encrypted"] = measure(port, token, bodies, args.seconds)
        with served(token, bodies, plain=True) as port:
            out["plaintext"] = measure(port, token, bodies, args.seconds)
        out["encryption_cost"] = round(1 - out["encrypted"]["per_second"] / max(out["plaintext"]["per_second"], 0.1), 3)
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
