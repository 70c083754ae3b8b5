"""`xiuhua serve` with worker processes: gunicorn run from Python (its custom-application API), not a shell line.

One report costs ~20 ms of CPU in Python, so one process tops out near 50 reports/s whatever its threads; N
processes use N cores. gunicorn's master forks the web worker processes and restarts one that dies. Background
jobs (`--worker`) run beside them in exactly one child process of the master (`xiuhua worker`, and
`xiuhua send_messages` when outside message channels are on), started when the master is ready and stopped
with it — never in every web worker.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

log = logging.getLogger("xiuhua.serve")
# %(p)s is the worker's pid: the access log shows which process answered.
ACCESS_LOG_FORMAT = '%(h)s pid=%(p)s "%(r)s" %(s)s %(b)s %(M)sms'


def available_cpus() -> int:
    """The CPUs this process may run on (a container's or taskset's limit, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class BackgroundProcesses:
    """The background job processes of one server: started once by the master, restarted if one dies (timers
    would stop firing), stopped with the master."""

    def __init__(self, commands: list[list[str]], env: dict[str, str], check_every: float = 5.0) -> None:
        self.commands = commands
        self.env = env
        self.check_every = check_every
        self.running: list[subprocess.Popen] = []
        self.stopping = threading.Event()

    def spawn(self, command: list[str]) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "xiuhua.platform.cli", *command], env=self.env)

    def start(self) -> None:
        self.running = [self.spawn(command) for command in self.commands]
        # A thread that only polls and spawns (exec at once): nothing of it is used by forked web workers.
        threading.Thread(target=self.watch, name="xiuhua-background-watch", daemon=True).start()

    def watch(self) -> None:
        while not self.stopping.wait(self.check_every):
            for i, process in enumerate(self.running):
                # poll() also notices a child the gunicorn master reaped itself (ECHILD counts as exited).
                if process.poll() is not None and not self.stopping.is_set():
                    log.error("后台进程 %s 已退出（%s），重新启动", " ".join(self.commands[i]), process.returncode)
                    self.running[i] = self.spawn(self.commands[i])

    def signal_stop(self) -> None:
        """Tell every background process to stop (SIGTERM: it finishes the job in hand and hands its leases over)."""
        self.stopping.set()
        for process in self.running:
            if process.poll() is None:
                process.terminate()

    def stop(self, grace: float = 30.0) -> None:
        self.signal_stop()
        for process in self.running:
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running = []


class XiuhuaServer(BaseApplication):
    """gunicorn serving the platform's WSGI application with the given settings."""

    def __init__(self, options: dict[str, Any], background: BackgroundProcesses | None = None) -> None:
        self.options = options
        self.background = background
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        # Each web process makes the thumbnails of the photos it took in, just after commit, in a thread of its own
        # (the worker's periodic job is the safety net), so pages show them within a second.
        self.cfg.set("post_worker_init", self._hook(_start_photo_builder))
        if self.background is not None:
            self.cfg.set("when_ready", self._hook(lambda: self.background.start()))
            self.cfg.set("on_exit", self._hook(lambda: self.background.stop()))

    @staticmethod
    def _hook(action: Callable[[], None]) -> Callable[[Any], None]:
        def hook(server: Any) -> None:
            action()

        return hook

    def run(self) -> None:
        _Arbiter(self).run()

    def load(self) -> Any:
        from xiuhua.platform.wsgi import application

        return application


def gunicorn_options(host: str, port: int, workers: int, threads: int, timeout: int, access_log: str) -> dict:
    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        # gthread: each process answers `threads` requests at once (waiting on the database or a slow phone).
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": timeout,
        "graceful_timeout": 30,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "xiuhua",
        "control_socket_disable": True,  # several servers on one machine would share ~/.gunicorn/gunicorn.ctl
    }
    if access_log:
        options.update(accesslog=access_log, access_log_format=ACCESS_LOG_FORMAT)
    return options


def _start_photo_builder() -> None:
    from xiuhua.cases.derivatives import start_builder_thread

    start_builder_thread(threading.Event())


class _Arbiter(Arbiter):
    """gunicorn's master, telling the background processes to stop as soon as it is told to, not after its web
    workers have drained (gunicorn's `on_exit`): a sender would otherwise go on to the next message meanwhile."""

    def _stop_background(self) -> None:
        if self.app.background is not None:
            self.app.background.signal_stop()

    def handle_term(self) -> None:
        self._stop_background()
        super().handle_term()

    def handle_int(self) -> None:
        self._stop_background()
        super().handle_int()

    def handle_quit(self) -> None:
        self._stop_background()
        super().handle_quit()
