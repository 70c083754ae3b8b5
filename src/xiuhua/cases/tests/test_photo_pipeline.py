"""Photos off the request path: originals stored once by hash before the transaction, derivatives made by the
worker's job after commit, placeholders until then, and unreferenced files swept after a grace period."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from xiuhua.cases.attachments import original_name
from xiuhua.cases.derivatives import build_pending_derivatives, pending_derivatives, sweep_orphans
from xiuhua.cases.models import Case, CaseAttachment
from xiuhua.cases.photos import THUMBNAIL_MAX_SIDE
from xiuhua.cases.tests.conftest import jpeg_bytes, photo
from xiuhua.cases.tests.test_photos import exif_with_gps, opened
from xiuhua.core.errors import DomainError
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.services import ReportInput

pytestmark = pytest.mark.django_db


def report_body(spot, *photos) -> dict:
    return {
        "class_code": "01001",
        "kind": "event",
        "description": "路面有暴露垃圾",
        "lng": spot[0],
        "lat": spot[1],
        "photos": list(photos),
    }


def noisy_jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    """A JPEG whose scan data is long (random pixels), so cutting it leaves a valid header and half a picture."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def stored_originals() -> list[str]:
    names = []
    for first in default_storage.listdir("originals")[0]:
        for second in default_storage.listdir(f"originals/{first}")[0]:
            folder = f"originals/{first}/{second}"
            names += [f"{folder}/{name}" for name in default_storage.listdir(folder)[1]]
    return names


def test_the_same_photo_in_two_reports_is_stored_once_under_its_hash(as_user, spot):
    inspector = as_user("inspector")
    bytes_ = jpeg_bytes(exif=exif_with_gps())

    for _ in range(2):
        upload = SimpleUploadedFile("scene.jpg", bytes_, content_type="image/jpeg")
        assert inspector.post_form("/reports", report_body(spot, upload)).status_code == 201

    first, second = CaseAttachment.objects.order_by("id")
    assert first.case_id != second.case_id and first.file.name == second.file.name
    assert (
        first.file.name
        == original_name(first.sha256, "image/jpeg")
        == f"originals/{first.sha256[:2]}/" + (f"{first.sha256[2:4]}/{first.sha256}.jpg")
    )
    assert stored_originals() == [first.file.name]
    assert opened(first.file).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the original is kept as evidence


def test_a_retried_report_with_its_key_stores_its_photo_once(as_user, spot):
    inspector = as_user("inspector")
    answers = [
        inspector.post_form("/reports", report_body(spot, photo()), HTTP_IDEMPOTENCY_KEY="phone-42") for _ in range(2)
    ]

    assert [a.status_code for a in answers] == [201, 200]
    assert CaseAttachment.objects.count() == 1 and len(stored_originals()) == 1


def test_a_jpeg_cut_off_in_its_picture_data_is_refused_in_the_request(as_user, spot):
    cut = noisy_jpeg()
    upload = SimpleUploadedFile("scene.jpg", cut[: len(cut) * 2 // 3], content_type="image/jpeg")

    response = as_user("inspector").post_form("/reports", report_body(spot, upload))

    assert response.status_code == 400
    assert response.json()["detail"] == "照片「scene.jpg」已损坏，无法打开，请重新拍摄或选择"
    assert Case.objects.count() == 0 and not default_storage.exists("originals")


def test_the_report_commits_without_derivatives_and_the_job_makes_them(loop):
    case = loop.report_by_inspector()
    [attachment] = case.attachments.all()
    assert attachment.file and not attachment.public_file and not attachment.thumbnail
    assert list(pending_derivatives()) == [attachment]

    assert build_pending_derivatives() == 1

    attachment.refresh_from_db()
    assert attachment.public_file and attachment.thumbnail and attachment.derived_at is not None
    assert list(pending_derivatives()) == [] and build_pending_derivatives() == 0


def test_report_back_and_check_photos_get_a_thumbnail_but_never_a_public_copy(loop):
    case = loop.to_checked()
    build_pending_derivatives()

    after = CaseAttachment.objects.filter(case=case, stage="after")
    assert after.count() == 2
    assert all(a.thumbnail and not a.public_file and a.derived_at for a in after)


def test_thumbnail_and_public_copy_carry_no_exif_or_gps(people, spot):
    from xiuhua.cases.tests.test_photos import report_with  # builds the derivatives

    big = jpeg_bytes(size=(1600, 1200), exif=exif_with_gps())
    upload = SimpleUploadedFile("gps.jpg", big, content_type="image/jpeg")
    [attachment] = report_with(people, spot, upload).attachments.all()

    for made in (opened(attachment.thumbnail), opened(attachment.public_file)):
        assert len(made.getexif()) == 0 and "exif" not in made.info
    assert max(opened(attachment.thumbnail).size) == THUMBNAIL_MAX_SIDE


def test_pages_show_a_placeholder_until_the_thumbnail_exists(loop, client, settings):
    case = loop.report_by_inspector()
    [attachment] = case.attachments.all()
    client.login(username="operator", password=settings.DEMO_PASSWORD)
    thumb_url = f"/cases/{case.number}/attachments/{attachment.pk}/thumb/"

    before = client.get(f"/cases/{case.number}/").content.decode()
    assert 'aria-label="照片处理中"' in before and thumb_url not in before
    assert client.get(thumb_url).status_code == 404

    build_pending_derivatives()

    after = client.get(f"/cases/{case.number}/").content.decode()
    assert thumb_url in after and "照片处理中" not in after
    served = client.get(thumb_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).format == "JPEG"


def test_a_placeholder_asks_again_until_the_thumbnail_is_there_and_then_stops(loop, client, settings):
    case = loop.report_by_inspector()
    [attachment] = case.attachments.all()
    client.login(username="operator", password=settings.DEMO_PASSWORD)
    preview_url = f"/cases/{case.number}/attachments/{attachment.pk}/preview/"
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert f'hx-get="{preview_url}"' in page and 'hx-trigger="every 2s"' in page

    pending = client.get(preview_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="photo-pending"' in pending and 'hx-trigger="every 2s"' in pending

    build_pending_derivatives()

    ready = client.get(preview_url + "?cls=thumb", HTTP_HX_REQUEST="true").content.decode()
    assert f'src="/cases/{case.number}/attachments/{attachment.pk}/thumb/"' in ready and 'class="thumb"' in ready
    assert "hx-trigger" not in ready  # the poll ends with the photo


def test_a_file_the_worker_cannot_decode_is_marked_done_without_derivatives(loop):
    case = loop.report_by_inspector()
    [attachment] = case.attachments.all()
    default_storage.delete(attachment.file.name)
    default_storage.save(attachment.file.name, ContentFile(b"\xff\xd8\xff" + b"\0" * 64))  # damaged at rest

    assert build_pending_derivatives() == 1

    attachment.refresh_from_db()
    assert attachment.derived_at is not None and not attachment.thumbnail and attachment.preview == "none"


def age(name: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(default_storage.path(name), (then, then))


def test_the_sweep_removes_an_old_unreferenced_original_and_keeps_referenced_and_recent_ones(loop, settings):
    settings.XIUHUA_PHOTO_ORPHAN_GRACE_SECONDS = 3600
    case = loop.to_handled()
    build_pending_derivatives()
    kept = [n for a in case.attachments.all() for n in (a.file.name, a.public_file.name, a.thumbnail.name) if n]
    # A rolled-back action: its photo's original was written before the transaction, no row links it.
    with pytest.raises(DomainError):
        loop.act(case, "dispatch", loop.p.dispatcher, files=[SimpleUploadedFile("x.jpg", noisy_jpeg((32, 32)))])
    [orphan] = [n for n in stored_originals() if n not in kept]
    recent = default_storage.save("cases/thumbs/2026/12/recent.jpg", ContentFile(b"x"))
    for name in [*kept, orphan]:
        age(name, 7200)

    assert sweep_orphans() == 1

    assert not default_storage.exists(orphan)
    assert all(default_storage.exists(name) for name in [*kept, recent])
    assert sweep_orphans(now=timezone.now() + timedelta(hours=2)) == 1  # the recent one, once it is old


def test_reusing_a_stored_original_renews_its_age_so_the_sweep_spares_it(as_user, spot):
    inspector = as_user("inspector")
    assert inspector.post_form("/reports", report_body(spot, photo())).status_code == 201
    [name] = stored_originals()
    age(name, 7200)

    assert inspector.post_form("/reports", report_body(spot, photo())).status_code == 201

    assert default_storage.get_modified_time(name) > timezone.now() - timedelta(minutes=5)


def test_a_commit_linking_a_photo_wakes_the_in_process_builder(loop, django_capture_on_commit_callbacks):
    from xiuhua.cases import derivatives

    derivatives._wake.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        loop.report_by_inspector()
    assert not derivatives._wake.is_set()  # nothing before the commit

    for callback in callbacks:
        callback()

    assert derivatives._wake.is_set()
    derivatives._wake.clear()


def test_a_photo_that_fails_for_a_passing_reason_stays_pending_and_does_not_hold_up_the_others(people, spot):
    from unittest import mock

    from xiuhua.cases import derivatives

    data = ReportInput(class_code="01001", kind="event", description="路面有暴露垃圾", lng=spot[0], lat=spot[1])
    for n in range(2):
        upload = SimpleUploadedFile(f"p{n}.jpg", jpeg_bytes(size=(64 + n, 48)), content_type="image/jpeg")
        report_by_staff(people.inspector, data, [upload])
    first, second = CaseAttachment.objects.order_by("id")
    real = derivatives._made_files

    def storage_down_for_the_first(attachment):
        if attachment.pk == first.pk:
            raise ConnectionError("storage unreachable")
        return real(attachment)

    with mock.patch.object(derivatives, "_made_files", storage_down_for_the_first):
        assert build_pending_derivatives() == 1

    assert list(pending_derivatives()) == [first]
    second.refresh_from_db()
    assert second.thumbnail and second.public_file
    assert build_pending_derivatives() == 1 and list(pending_derivatives()) == []
