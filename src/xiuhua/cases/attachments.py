"""Photos and other files attached to a case at a stage: checked by content, stored by their hash.

In the request a file is checked cheaply (magic bytes, size, an image's header and a draft decode) and its original
is written under a name derived from its sha256 (`originals/ab/cd/<sha256>.<ext>`) *before* the action's
transaction: a retried upload finds its bytes already there and is stored once; the row linking it commits with
the action. Public copies and thumbnails are made by the worker after commit (cases/derivatives.py); files that no
row references (an action rolled back) are removed by the sweep there after a grace period.
Files go through Django's storage API (local disk by default, any storage backend in STORAGES later).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet

from xiuhua.cases.choices import AttachmentStage
from xiuhua.cases.models import Case, CaseAttachment, CaseEvent
from xiuhua.cases.photos import declared_pixels, verify_image
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


_EXTENSIONS = {content_type: ext for _magic, _offset, content_type, ext in _SIGNATURES}
ORIGINALS_DIR = "originals"


def detect_content_type(head: bytes) -> str | None:
    for magic, offset, content_type, _ext in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return content_type
    return None


def public_photos() -> QuerySet[CaseAttachment]:
    """Photos anyone may see: the reported scene ("before"), as its metadata-free public copy."""
    return CaseAttachment.objects.filter(stage=AttachmentStage.BEFORE).exclude(public_file="")


def needs_public_copy(stage: str, content_type: str) -> bool:
    """Only the reported scene is ever shown publicly; report-back and check photos never get a public copy."""
    return stage == AttachmentStage.BEFORE and content_type.startswith("image/")


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    content_type: str
    sha256: str
    stored_name: str = ""  # the original's name in storage, once written (`accept_uploads`)


def check_uploads(files: Iterable[UploadedFile | CheckedUpload]) -> list[CheckedUpload]:
    """Each file with its detected type and hash; nothing is written.

    Refuses empty, too large, non-media and damaged files (images: a draft decode, see photos.verify_image).
    Files already checked pass through as they are.
    """
    files = list(files)
    if len(files) > MAX_ATTACHMENTS_PER_ACTION:
        raise DomainError(
            f"一次最多上传 {MAX_ATTACHMENTS_PER_ACTION} 个附件，本次 {len(files)} 个", code="too_many_files"
        )
    if all(isinstance(item, CheckedUpload) for item in files):
        return list(files)
    checked = []
    for upload in files:
        upload = upload.upload if isinstance(upload, CheckedUpload) else upload
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
    return [_verified(upload, content_type, name) for upload, content_type, name in checked]


def accept_uploads(files: Iterable[UploadedFile | CheckedUpload]) -> list[CheckedUpload]:
    """Check the files and write their originals; call it before the transaction that links them to a case."""
    return [item if item.stored_name else _with_original(item) for item in check_uploads(files)]


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


def _verified(upload: UploadedFile, content_type: str, name: str) -> CheckedUpload:
    if content_type.startswith("image/"):
        verify_image(upload, name)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(upload, content_type, digest.hexdigest())


def original_name(sha256: str, content_type: str) -> str:
    """Where the original with this hash lives: originals/ab/cd/<sha256>.<ext>."""
    return f"{ORIGINALS_DIR}/{sha256[:2]}/{sha256[2:4]}/{sha256}.{_EXTENSIONS[content_type]}"


def _with_original(checked: CheckedUpload) -> CheckedUpload:
    """Write the original unless the same bytes are already stored (a retried upload, the same photo twice).

    A file of another size under the name is what a process killed mid-write leaves: it is replaced.
    """
    upload, name = checked.upload, original_name(checked.sha256, checked.content_type)
    if default_storage.exists(name):
        if default_storage.size(name) == upload.size:
            _touch(name)
            return CheckedUpload(upload, checked.content_type, checked.sha256, name)
        default_storage.delete(name)
    upload.seek(0)
    stored = default_storage.save(name, upload)  # another name only if a concurrent upload won the race
    upload.seek(0)
    return CheckedUpload(upload, checked.content_type, checked.sha256, stored)


def _touch(name: str) -> None:
    """Renew a reused file's age, so the orphan sweep cannot take it before the new row commits."""
    # A storage without local paths raises NotImplementedError: there the grace period alone has to cover it.
    with contextlib.suppress(NotImplementedError, OSError):
        os.utime(default_storage.path(name))


def store_attachments(
    case: Case, event: CaseEvent, files: list[CheckedUpload], stage: str, actor, now: datetime
) -> list[CaseAttachment]:
    """Link the (already written) originals to the case; derivatives follow in the worker after commit."""
    stored = []
    for checked in accept_uploads(files):
        upload = checked.upload
        image = checked.content_type.startswith("image/")
        attachment = CaseAttachment(
            case=case,
            event=event,
            stage=stage,
            original_name=(upload.name or "")[:200],
            content_type=checked.content_type,
            size=upload.size,
            sha256=checked.sha256,
            uploaded_by=actor,
            uploaded_at=now,
            derived_at=None if image else now,
        )
        attachment.file.name = checked.stored_name
        stored.append(attachment)
    CaseAttachment.objects.bulk_create(stored)
    if any(item.derived_at is None for item in stored):
        from xiuhua.cases.derivatives import wake_builder  # derivatives imports this module

        transaction.on_commit(wake_builder)
    return stored
