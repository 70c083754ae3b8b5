"""Leases on periodic jobs: a job runs in one worker at a time, however many workers a deployment starts.

A lease is a row per job (`JobLease`): taking it is one conditional UPDATE (free, expired or already ours), which
is atomic on PostgreSQL and SQLite alike, so two workers racing for a job cannot both win. A worker killed while
running a job leaves the lease until it expires; then another worker takes the job over.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from xiuhua.core.models import JobLease


def new_holder() -> str:
    """A name for one worker loop: readable (host, pid) and unique (two loops in one process differ too)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def take(name: str, holder: str, seconds: float) -> bool:
    """Hold the lease on `name` for `seconds` if it is free, expired or already ours; whether we hold it."""
    now = timezone.now()
    until = now + timedelta(seconds=seconds)
    # The first take creates the row; of two workers creating it at once one gets IntegrityError, and Django's
    # get_or_create then reads the row the other wrote: held by that one, the update below does not take it.
    if JobLease.objects.get_or_create(name=name, defaults={"holder": holder, "until": until})[1]:
        return True
    taken = JobLease.objects.filter(Q(until__lte=now) | Q(holder=holder), name=name).update(holder=holder, until=until)
    return taken == 1


def hold_until(name: str, holder: str, until: datetime) -> None:
    """Keep (or shorten) our lease on `name` to `until`: after a run, until the job is next due."""
    JobLease.objects.filter(name=name, holder=holder).update(until=until)


def release(name: str, holder: str) -> None:
    JobLease.objects.filter(name=name, holder=holder).update(until=timezone.now())
