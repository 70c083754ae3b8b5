"""Photos and other files attached to a case at a stage: checked by content, stored with their hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile

from xiuhua.cases.models import Case, CaseAttachment, CaseEvent
from xiuhua.core.errors import DomainError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_ACTION = 9

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


def check_uploads(files: Iterable[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Each file with its detected type; refuses empty, too large and non-media files before anything is written."""
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
        checked.append((upload, content_type))
    return checked


def store_attachments(
    case: Case, event: CaseEvent, files: list[tuple[UploadedFile, str]], stage: str, actor, now: datetime
) -> list[CaseAttachment]:
    stored = []
    for upload, content_type in files:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        attachment = CaseAttachment(
            case=case,
            event=event,
            stage=stage,
            original_name=(upload.name or "")[:200],
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
            uploaded_at=now,
        )
        attachment.file.save(upload.name or "attachment", upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
