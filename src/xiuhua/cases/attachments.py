"""Photos and other files attached to a case at a stage: checked by content, stored with their hash.

Files go through Django's storage API (local disk by default, any storage backend in STORAGES later).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from xiuhua.cases.choices import AttachmentStage
from xiuhua.cases.models import Case, CaseAttachment, CaseEvent
from xiuhua.cases.photos import declared_pixels, decode_image, public_copy
from xiuhua.core.errors import DomainError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_ACTION = 9
# One request's uploads together (settings XIUHUA_PHOTO_MAX_TOTAL_BYTES / _PIXELS override these).
DEFAULT_MAX_TOTAL_BYTES = 30 * 1024 * 1024
DEFAULT_MAX_TOTAL_PIXELS = 100_000_000

# Magic bytes → (content type, extension). Only what a phone camera or recorder produces is taken.
_SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"WEBP", 8, "image/webp", "webp"),
    (b"ftypheic", 4, "image/heic", "heic"),
    (b"ftypmif1", 4, "image/heic", "heic"),
    (b"ftypisom", 4, "video/mp4", "mp4"),
    (b"ftypmp42", 4, "video/mp4", "mp4"),
    (b"ftypM4A ", 4, "audio/mp4", "m4a"),
    (b"#!AMR", 0, "audio/amr", "amr"),
)


def detect_content_type(head: bytes) -> str | None:
    for magic, offset, content_type, _ext in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return content_type
    return None


def public_photos() -> QuerySet[CaseAttachment]:
    """Photos anyone may see: the reported scene ("before"), as its metadata-free public copy."""
    return CaseAttachment.objects.filter(stage=AttachmentStage.BEFORE).exclude(public_file="")


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    content_type: str
    public_copy: bytes | None = None  # images only: re-encoded, no metadata
    public_content_type: str = ""


def check_uploads(files: Iterable[UploadedFile]) -> list[CheckedUpload]:
    """Each file with its detected type and, for images, the public copy.

    Refuses empty, too large, non-media and undecodable files before anything is written.
    """
    files = list(files)
    if len(files) > MAX_ATTACHMENTS_PER_ACTION:
        raise DomainError(
            f"一次最多上传 {MAX_ATTACHMENTS_PER_ACTION} 个附件，本次 {len(files)} 个", code="too_many_files"
        )
    checked = []
    for upload in files:
        name = upload.name or "附件"
        if not upload.size:
            raise DomainError(f"附件「{name}」是空文件", code="bad_attachment")
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise DomainError(
                f"附件「{name}」有 {upload.size / 1048576:.1f} MB，超过上限 {MAX_ATTACHMENT_BYTES // 1048576} MB",
                code="bad_attachment",
            )
        upload.seek(0)
        content_type = detect_content_type(upload.read(16))
        upload.seek(0)
        if content_type is None:
            raise DomainError(
                f"附件「{name}」不是照片、视频或录音（支持 JPEG、PNG、GIF、WebP、HEIC、MP4、AMR）",
                code="bad_attachment",
            )
        checked.append((upload, content_type, name))
    _check_totals(checked)
    return [_with_public_copy(upload, content_type, name) for upload, content_type, name in checked]


def _check_totals(files: list[tuple[UploadedFile, str, str]]) -> None:
    """Bound one request's uploads together, before any image is decoded (decoding is what costs memory)."""
    max_bytes = getattr(settings, "XIUHUA_PHOTO_MAX_TOTAL_BYTES", DEFAULT_MAX_TOTAL_BYTES)
    total = sum(upload.size for upload, _type, _name in files)
    if total > max_bytes:
        raise DomainError(
            f"本次上传的附件合计 {total / 1048576:.1f} MB，超过每次合计上限 {max_bytes / 1048576:.0f} MB"
            "（XIUHUA_PHOTO_MAX_TOTAL_BYTES）",
            code="too_large",
        )
    max_pixels = getattr(settings, "XIUHUA_PHOTO_MAX_TOTAL_PIXELS", DEFAULT_MAX_TOTAL_PIXELS)
    pixels = sum(declared_pixels(upload, name) for upload, kind, name in files if kind.startswith("image/"))
    if pixels > max_pixels:
        raise DomainError(
            f"本次上传的照片合计 {pixels / 1e6:.1f} 百万像素，超过每次合计上限 {max_pixels / 1e6:.0f} 百万像素"
            "（XIUHUA_PHOTO_MAX_TOTAL_PIXELS）",
            code="too_large",
        )


def _with_public_copy(upload: UploadedFile, content_type: str, name: str) -> CheckedUpload:
    if not content_type.startswith("image/"):
        return CheckedUpload(upload, content_type)
    image = decode_image(upload.read(), name)
    upload.seek(0)
    copy, copy_type = public_copy(image)
    return CheckedUpload(upload, content_type, copy, copy_type)


def store_attachments(
    case: Case, event: CaseEvent, files: list[CheckedUpload], stage: str, actor, now: datetime
) -> list[CaseAttachment]:
    stored = []
    for checked in files:
        upload = checked.upload
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        attachment = CaseAttachment(
            case=case,
            event=event,
            stage=stage,
            original_name=(upload.name or "")[:200],
            content_type=checked.content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
            uploaded_at=now,
        )
        attachment.file.save(upload.name or "attachment", upload, save=False)
        if checked.public_copy is not None:
            extension = "png" if checked.public_content_type == "image/png" else "jpg"
            attachment.public_content_type = checked.public_content_type
            attachment.public_file.save(f"public.{extension}", ContentFile(checked.public_copy), save=False)
        attachment.save()
        stored.append(attachment)
    return stored
