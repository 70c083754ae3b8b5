"""Photos: refused when damaged, and shown to the public only as a metadata-free copy made after commit."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from xiuhua.cases.attachments import public_photos
from xiuhua.cases.derivatives import build_pending_derivatives
from xiuhua.cases.models import Case, CaseAttachment
from xiuhua.cases.photos import PUBLIC_MAX_SIDE
from xiuhua.cases.tests.conftest import jpeg_bytes
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.services import ReportInput

pytestmark = pytest.mark.django_db


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "HUAWEI"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (30.0, 31.0, 12.5),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (120.0, 56.0, 30.1),
        }
    )
    return exif


def report_with(people, spot, *uploads: SimpleUploadedFile) -> Case:
    """The report, once the worker's job has made its photos' derivatives."""
    data = ReportInput(class_code="01001", kind="event", description="路面有暴露垃圾", lng=spot[0], lat=spot[1])
    case = report_by_staff(people.inspector, data, list(uploads)).case
    build_pending_derivatives()
    return case


def opened(field) -> Image.Image:
    with field.open("rb") as stored:
        return Image.open(io.BytesIO(stored.read()))


def test_the_public_copy_has_no_gps_while_the_original_keeps_it(people, spot):
    upload = SimpleUploadedFile("scene.jpg", jpeg_bytes(exif=exif_with_gps()), content_type="image/jpeg")

    case = report_with(people, spot, upload)

    [attachment] = case.attachments.all()
    original = opened(attachment.file).getexif()
    assert original.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    public = opened(attachment.public_file)
    assert attachment.public_content_type == "image/jpeg" and public.format == "JPEG"
    assert len(public.getexif()) == 0 and "exif" not in public.info


def test_the_public_copy_is_turned_upright_and_shrunk(people, spot):
    sideways = jpeg_bytes(size=(3200, 1600), exif=exif_with_gps(orientation=6))  # camera held rotated 90°
    upload = SimpleUploadedFile("wide.jpg", sideways, content_type="image/jpeg")

    [attachment] = report_with(people, spot, upload).attachments.all()

    assert opened(attachment.public_file).size == (PUBLIC_MAX_SIDE // 2, PUBLIC_MAX_SIDE)
    assert opened(attachment.file).size == (3200, 1600)


def test_an_iphone_heic_photo_gets_a_jpeg_public_copy(people, spot):
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 90, 160)).save(buffer, format="HEIF", exif=exif_with_gps())
    upload = SimpleUploadedFile("IMG_0001.HEIC", buffer.getvalue(), content_type="image/heic")

    [attachment] = report_with(people, spot, upload).attachments.all()

    assert attachment.content_type == "image/heic"
    assert opened(attachment.public_file).format == "JPEG" and len(opened(attachment.public_file).getexif()) == 0


def test_a_transparent_png_stays_png_in_public(people, spot):
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 40), (255, 0, 0, 128)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("mark.png", buffer.getvalue(), content_type="image/png")

    [attachment] = report_with(people, spot, upload).attachments.all()

    assert attachment.public_content_type == "image/png" and opened(attachment.public_file).mode == "RGBA"


def test_a_damaged_jpeg_is_refused_and_nothing_is_stored(as_user, spot):
    broken = jpeg_bytes()[:200]  # cut off in the middle of the scan, as a dropped upload would be
    upload = SimpleUploadedFile("scene.jpg", broken, content_type="image/jpeg")
    body = {"class_code": "01001", "kind": "event", "description": "垃圾", "lng": spot[0], "lat": spot[1]}

    response = as_user("inspector").post_form("/reports", {**body, "photos": [upload]})

    assert response.status_code == 400
    assert response.json()["detail"] == "照片「scene.jpg」已损坏，无法打开，请重新拍摄或选择"
    assert Case.objects.count() == 0 and CaseAttachment.objects.count() == 0


def test_an_image_claiming_too_many_pixels_is_refused(as_user, spot):
    buffer = io.BytesIO()
    Image.new("1", (12_000, 10_000)).save(buffer, format="PNG")  # 120 MP, a few kilobytes compressed
    upload = SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")
    body = {"class_code": "01001", "kind": "event", "description": "垃圾", "lng": spot[0], "lat": spot[1]}

    response = as_user("inspector").post_form("/reports", {**body, "photos": [upload]})

    assert response.status_code == 400 and "像素过多" in response.json()["detail"]
    assert CaseAttachment.objects.count() == 0


def test_only_before_photos_with_a_public_copy_are_public(loop):
    case = loop.report_by_inspector()
    [before] = case.attachments.all()
    assert list(public_photos()) == []  # until the worker has made its public copy

    build_pending_derivatives()

    assert list(public_photos()) == [before]
    CaseAttachment.objects.filter(pk=before.pk).update(public_file="")
    assert list(public_photos()) == []


def test_photos_of_one_request_together_are_bounded_in_bytes_with_the_limit_named(as_user, spot, settings):
    settings.XIUHUA_PHOTO_MAX_TOTAL_BYTES = 2 * len(jpeg_bytes()) - 1
    photos = [SimpleUploadedFile(f"p{n}.jpg", jpeg_bytes(), content_type="image/jpeg") for n in range(2)]
    body = {"class_code": "01001", "kind": "event", "description": "垃圾", "lng": spot[0], "lat": spot[1]}

    response = as_user("inspector").post_form("/reports", {**body, "photos": photos})

    assert response.status_code == 400 and "XIUHUA_PHOTO_MAX_TOTAL_BYTES" in response.json()["detail"]
    assert "超过每次合计上限" in response.json()["detail"] and Case.objects.count() == 0


def test_photos_of_one_request_together_are_bounded_in_pixels_before_decoding(as_user, spot, settings):
    settings.XIUHUA_PHOTO_MAX_TOTAL_PIXELS = 5_000_000
    buffer = io.BytesIO()
    Image.new("1", (2_000, 2_000)).save(buffer, format="PNG")  # 4 MP each, 8 MP together
    photos = [SimpleUploadedFile(f"p{n}.png", buffer.getvalue(), content_type="image/png") for n in range(2)]
    body = {"class_code": "01001", "kind": "event", "description": "垃圾", "lng": spot[0], "lat": spot[1]}

    response = as_user("inspector").post_form("/reports", {**body, "photos": photos})

    detail = response.json()["detail"]
    assert response.status_code == 400 and "8.0 百万像素" in detail and "上限 5 百万像素" in detail
    assert CaseAttachment.objects.count() == 0
