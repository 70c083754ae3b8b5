"""A killed worker leaves no reported photo without its public copy once the job runs again.

Reports with phone-sized photos are committed (their derivatives are left to the worker), then a real
`xiuhua worker` process — against the test database, hence a transactional test — starts making public copies and
thumbnails and is killed with SIGKILL in the middle of that work. Running the job again finishes every row: each
photo of the reported scene has its public copy and a thumbnail, and no row is left pending.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.test_durability import database_url
from xiuhua.cases.derivatives import build_pending_derivatives, pending_derivatives
from xiuhua.cases.models import CaseAttachment
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.services import ReportInput
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHOTOS = 16


def phone_photo(n: int) -> SimpleUploadedFile:
    """A 2-megapixel JPEG of noise: distinct bytes each (so each is its own original) and slow enough to encode
    that the kill lands while the worker is busy."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1600, 1200), os.urandom(1600 * 1200 * 3)).save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(f"scene-{n}.jpg", buffer.getvalue(), content_type="image/jpeg")


def start_worker(log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "XIUHUA_VAR_DIR": str(settings.VAR_DIR),  # the same media directory as this process
        "XIUHUA_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "xiuhua.platform.cli", "worker", "--interval", "1"]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def derived() -> int:
    return CaseAttachment.objects.filter(derived_at__isnull=False).count()


def test_a_killed_worker_leaves_no_reported_photo_without_its_public_copy_after_restart(demo_city, tmp_path):
    from xiuhua.accounts.models import User

    inspector = User.objects.get(username="inspector")
    point = UnitGrid.objects.order_by("code").first().geometry.representative_point()
    for n in range(PHOTOS):
        data = ReportInput(class_code="01001", kind="event", description="路面有暴露垃圾", lng=point.x, lat=point.y)
        report_by_staff(inspector, data, [phone_photo(n)])
    assert pending_derivatives().count() == PHOTOS

    log = tmp_path / "worker.log"
    worker = start_worker(log)
    deadline = time.monotonic() + 120
    while derived() == 0:
        assert worker.poll() is None, log.read_text(errors="replace")[-2000:]
        assert time.monotonic() < deadline, "the worker made no derivative in time"
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(10)
    left = pending_derivatives().count()
    assert 0 < left < PHOTOS  # killed in the middle of the work

    assert build_pending_derivatives() == left  # the job run again (a restarted worker)

    photos = CaseAttachment.objects.filter(stage="before")
    assert photos.count() == PHOTOS and pending_derivatives().count() == 0
    for photo in photos:
        assert photo.public_file and photo.thumbnail, photo.pk
        with photo.public_file.open("rb") as stored:
            assert Image.open(stored).format == "JPEG"
