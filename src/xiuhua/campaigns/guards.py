"""What every campaign write checks first: the actor's right to it, the row lock, and evidence files.

Messages are Chinese and shown as they are (core.errors); a refused write has written nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile

from xiuhua.accounts.models import User
from xiuhua.campaigns.models import Campaign, CampaignTask, Evidence
from xiuhua.campaigns.queries import can_edit_task, can_manage
from xiuhua.cases.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_ACTION, detect_content_type
from xiuhua.core.errors import DomainError, PermissionDenied

# Documents a unit attaches besides photos: a PDF, or an Office file (a zip).
_DOCUMENTS = ((b"%PDF", "application/pdf"), (b"PK\x03\x04", "application/zip"))


def require_manage(actor: User, campaign: Campaign) -> None:
    if not can_manage(actor, campaign):
        raise PermissionDenied(f"只有牵头单位或辖区领导、指挥长可以管理专项行动「{campaign.name}」")


def require_edit(actor: User, task: CampaignTask) -> None:
    if not can_edit_task(actor, task):
        raise PermissionDenied(f"只有牵头单位或承担任务的单位可以填报任务「{task.code} {task.name}」")


def evidence_type(upload: UploadedFile) -> str:
    """The file's content type from its first bytes; refuses empty, too large and unknown files."""
    name = upload.name or "附件"
    if not upload.size:
        raise DomainError(f"附件「{name}」是空文件", code="bad_attachment")
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise DomainError(f"附件「{name}」超过上限 {MAX_ATTACHMENT_BYTES // 1048576} MB", code="bad_attachment")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = detect_content_type(head) or next((t for magic, t in _DOCUMENTS if head.startswith(magic)), None)
    if content_type is None:
        raise DomainError(f"附件「{name}」不是照片、视频、PDF 或 Office 文件", code="bad_attachment")
    return content_type


def check_evidence(files: Iterable[UploadedFile] | None) -> list[tuple[UploadedFile, str]]:
    """Check every file before anything is written."""
    files = list(files or [])
    if len(files) > MAX_ATTACHMENTS_PER_ACTION:
        raise DomainError(f"一次最多上传 {MAX_ATTACHMENTS_PER_ACTION} 个附件", code="too_many_files")
    return [(upload, evidence_type(upload)) for upload in files]


def save_evidence(actor: User, checked: list[tuple[UploadedFile, str]], now: datetime, **owner) -> list[Evidence]:
    """Store checked files as evidence of one record, entry, item or report (`owner`: record=…, entry=…)."""
    rows = []
    for upload, content_type in checked:
        evidence = Evidence(
            original_name=(upload.name or "附件")[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
            uploaded_at=now,
            **owner,
        )
        evidence.file.save(upload.name or "evidence", upload, save=False)
        evidence.save()
        rows.append(evidence)
    return rows
