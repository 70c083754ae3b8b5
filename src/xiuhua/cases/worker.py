"""The background worker: a small registry of periodic jobs, run until told to stop.

Each job is a function without arguments run every `every` seconds (the worker's interval when not given): the
timer sweep here, and what other apps register from their `AppConfig.ready` (the report builder). A failed run
is logged and retried at its next turn; it never stops the other jobs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import close_old_connections
from django.utils import timezone

from xiuhua.cases.timers import sweep
from xiuhua.core import leases

log = logging.getLogger("xiuhua.worker")
SWEEP_INTERVAL_SECONDS = 60.0
# A job still running after this long is presumed dead (its worker killed) and may be taken by another worker.
RUNNING_LEASE_SECONDS = 15 * 60


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Callable[[], object]  # what it returns, when truthy, is logged
    every: float | None = None  # seconds between runs; None: the worker's interval


JOBS: dict[str, PeriodicJob] = {}


def register(name: str, run: Callable[[], object], every: float | None = None) -> None:
    """Add a periodic job (registering a name again replaces it)."""
    JOBS[name] = PeriodicJob(name, run, every)


register("sweep", sweep)


def run_job(job: PeriodicJob) -> None:
    """Run one job once; an exception is logged, not raised."""
    try:
        result = job.run()
        if result:
            log.info("%s: %s", job.name, dict(result) if isinstance(result, dict) else result)
    except Exception:  # one bad run must not stop warnings for every later case, nor the other jobs
        log.exception("%s failed", job.name)
    finally:
        close_old_connections()


def run_leased(job: PeriodicJob, holder: str, every: float) -> bool:
    """Run `job` if no other worker holds it; then keep it until it is next due. Whether it ran here.

    Several workers (a second `xiuhua worker`, or one per machine) are then safe: each job runs in one of them
    at a time and about once per `every` in all; when the worker holding a job stops, another takes it over.
    """
    try:
        if not leases.take(job.name, holder, RUNNING_LEASE_SECONDS):
            return False
    except Exception:  # the database is away: try again at the next turn
        log.exception("%s: lease not taken", job.name)
        close_old_connections()
        return False
    run_job(job)
    try:
        leases.hold_until(job.name, holder, timezone.now() + timedelta(seconds=every))
    except Exception:  # the lease then expires on its own
        log.exception("%s: lease not renewed", job.name)
    finally:
        close_old_connections()
    return True


def run_worker(stop: threading.Event, interval: float = SWEEP_INTERVAL_SECONDS) -> None:
    """Run each registered job when it is due (and no other worker runs it), until `stop` is set."""
    holder = leases.new_holder()
    due: dict[str, float] = {}
    held: set[str] = set()
    while not stop.is_set():
        for job in list(JOBS.values()):
            if time.monotonic() >= due.get(job.name, 0.0):
                every = job.every or interval
                if run_leased(job, holder, every):
                    held.add(job.name)
                due[job.name] = time.monotonic() + every
        stop.wait(max(0.0, min(due.values(), default=time.monotonic() + interval) - time.monotonic()))
    if held:
        release_all(held, holder)


def release_all(names: set[str], holder: str) -> None:
    """A worker stopped on purpose hands its jobs over at once (not when each would next be due)."""
    try:
        for name in sorted(names):
            leases.release(name, holder)
    except Exception:  # they expire on their own
        log.exception("leases not released")
    finally:
        close_old_connections()


def start_worker_thread(interval: float = SWEEP_INTERVAL_SECONDS) -> threading.Event:
    """Run the worker in a daemon thread of this process (the embedded `make run` setup); returns its stop event.

    A second thread builds photo derivatives as soon as a commit links a photo (the periodic job is the safety net).
    """
    from xiuhua.cases.derivatives import start_builder_thread  # derivatives needs the models, loaded by now

    stop = threading.Event()
    start_builder_thread(stop)
    threading.Thread(target=run_worker, args=(stop, interval), name="xiuhua-worker", daemon=True).start()
    return stop
