"""Periodic jobs are leased: two workers never run one job at once, and a stopped worker's jobs are taken over."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections
from django.utils import timezone

from xiuhua.cases.worker import PeriodicJob, run_leased, run_worker
from xiuhua.core import leases
from xiuhua.core.models import JobLease

# Transactional: the worker closes its connections after each job. serialized_rollback like every transactional
# test here: the next one finds the migrations' data back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_job_held_by_one_worker_is_not_run_by_another():
    runs = []
    job = PeriodicJob("test-job", lambda: runs.append(1))
    assert run_leased(job, "worker-a", every=60)
    assert not run_leased(job, "worker-b", every=60)  # a's lease lasts until the job is next due
    assert runs == [1]
    assert run_leased(job, "worker-a", every=60)  # a itself runs it at its next turn
    assert runs == [1, 1]
    assert JobLease.objects.get(name="test-job").holder == "worker-a"


def test_another_worker_takes_a_job_over_when_its_lease_expires():
    runs = []
    job = PeriodicJob("test-job", lambda: runs.append(1))
    assert run_leased(job, "worker-a", every=60)
    JobLease.objects.filter(name="test-job").update(until=timezone.now() - timedelta(seconds=1))  # a died
    assert run_leased(job, "worker-b", every=60)
    assert runs == [1, 1] and JobLease.objects.get(name="test-job").holder == "worker-b"


def test_a_worker_still_running_a_job_keeps_it_from_the_others():
    seen = []

    def job_body() -> None:
        seen.append(leases.take("test-job", "worker-b", 60))  # b tries while a runs it

    assert run_leased(PeriodicJob("test-job", job_body), "worker-a", every=0)
    assert seen == [False]


def test_a_worker_stopped_on_purpose_hands_its_jobs_over_at_once(monkeypatch):
    from xiuhua.cases import worker

    runs = []
    monkeypatch.setattr(worker, "JOBS", {"test-job": PeriodicJob("test-job", lambda: runs.append(1), every=3600)})
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(stop, 3600))
    thread.start()
    deadline = timezone.now() + timedelta(seconds=20)
    while not runs and timezone.now() < deadline:
        stop.wait(0.05)
    stop.set()
    thread.join(20)
    assert runs == [1]
    assert leases.take("test-job", "worker-b", 60)  # not an hour later


def test_two_workers_racing_for_a_job_run_it_once():
    runs = []
    barrier = threading.Barrier(2)
    job = PeriodicJob("test-race", lambda: runs.append(1))
    won = []

    def worker(name: str) -> None:
        try:
            barrier.wait()
            won.append(run_leased(job, name, every=60))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker, args=(f"worker-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(won) == [False, True]
    assert runs == [1]
