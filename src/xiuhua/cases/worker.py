"""The background worker: sweeps timers every interval until told to stop."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from xiuhua.cases.timers import sweep

log = logging.getLogger("xiuhua.worker")
SWEEP_INTERVAL_SECONDS = 60.0


def run_worker(stop: threading.Event, interval: float = SWEEP_INTERVAL_SECONDS) -> None:
    """Sweep, then wait `interval` seconds, until `stop` is set; a failed sweep is logged and retried."""
    while not stop.is_set():
        try:
            fired = sweep()
            if fired:
                log.info("sweep fired %s", dict(fired))
        except Exception:  # one bad sweep must not stop warnings for every later case
            log.exception("sweep failed")
        finally:
            close_old_connections()
        stop.wait(interval)


def start_worker_thread(interval: float = SWEEP_INTERVAL_SECONDS) -> threading.Event:
    """Run the worker in a daemon thread of this process (the embedded `make run` setup); returns its stop event."""
    stop = threading.Event()
    threading.Thread(target=run_worker, args=(stop, interval), name="xiuhua-worker", daemon=True).start()
    return stop
