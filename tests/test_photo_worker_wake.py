"""In the embedded single-process setup (`xiuhua serve --worker`), a report's photo gets its thumbnail promptly.

A real `xiuhua serve --worker` process answers three reports with a photo, two seconds apart. The worker's periodic
photo job runs every 5 seconds: it could serve at most two of three 1.5-second windows, so the thumbnails appearing
within 1.5 s of each answer show that the commit itself woke the in-process builder.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from tests.test_durability import database_url, free_port
from xiuhua.cases.models import CaseAttachment
from xiuhua.cases.tests.conftest import jpeg_bytes
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WINDOW_SECONDS = 1.5


def multipart(fields: dict[str, str], photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="scene.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wait_until_answering(port: int, process: subprocess.Popen, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "server exited"
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/cases")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


def test_serve_with_worker_makes_a_reported_photos_thumbnail_within_a_second_or_two(demo_city, client, tmp_path):
    token = client.post(
        "/api/v1/auth/token",
        {"username": "inspector", "password": settings.DEMO_PASSWORD},
        content_type="application/json",
    ).json()["token"]
    point = UnitGrid.objects.order_by("code").first().geometry.representative_point()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "XIUHUA_VAR_DIR": str(settings.VAR_DIR)}
    command = [sys.executable, "-m", "xiuhua.platform.cli", "serve", "--port", str(port), "--threads", "2", "--worker"]
    with (tmp_path / "server.log").open("ab") as log:
        # Its own process group: the server's web and background processes are all stopped with it below (a
        # background worker left behind would go on taking job leases in the next test's database).
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_answering(port, server)
        for n in range(3):
            fields = {"class_code": "01001", "kind": "event", "description": f"第 {n} 处垃圾"}
            fields.update(lng=str(point.x), lat=str(point.y))
            body, content_type = multipart(fields, jpeg_bytes((640 + n, 480)))  # distinct bytes each
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
            conn.request("POST", "/api/v1/reports", body, headers)
            response = conn.getresponse()
            answer = json.loads(response.read())
            assert response.status == 201, answer
            answered = time.monotonic()
            photo = CaseAttachment.objects.filter(case__number=answer["number"])
            while not photo.exclude(thumbnail="").exists():
                assert time.monotonic() - answered < WINDOW_SECONDS, f"report {n}: no thumbnail within the window"
                time.sleep(0.05)
            assert photo.get().public_file  # the reported scene: its public copy too
            time.sleep(max(0.0, 2.0 - (time.monotonic() - answered)))
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
