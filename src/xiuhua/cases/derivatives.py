"""Public copies and thumbnails of case photos, made after commit; and the sweep of files no row references.

Work is found by a query, never remembered in memory: an image attachment whose `derived_at` is NULL still needs
its derivatives. A killed worker therefore leaves nothing behind; whichever process runs the job next picks the
rows up. The worker runs `build_pending_derivatives` every few seconds (the safety net); in the embedded
single-process setup (`serve --worker`) a commit that linked a photo also wakes a builder thread at once.

Only the reported scene ("before") gets a public copy; every image gets a thumbnail, since staff pages show all
stages. An image the worker cannot decode in full (damage past what the request's draft decode reads) is marked
done without derivatives: pages then link the original without a preview, and the public never sees it.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from xiuhua.cases.attachments import ORIGINALS_DIR, needs_public_copy
from xiuhua.cases.models import CaseAttachment
from xiuhua.cases.photos import MAX_IMAGE_PIXELS, THUMBNAIL_MAX_SIDE, decode_image, public_copy, thumbnail
from xiuhua.core.errors import DomainError

log = logging.getLogger("xiuhua.photos")

DERIVATIVES_EVERY_SECONDS = 5.0
SWEEP_EVERY_SECONDS = 3600.0
BUILDER_IDLE_SECONDS = 60.0
DEFAULT_ORPHAN_GRACE_SECONDS = 3600  # settings XIUHUA_PHOTO_ORPHAN_GRACE_SECONDS
BATCH = 20
# Directories whose files belong to attachment rows (what the sweep may remove when no row names a file).
SWEPT_DIRS = (ORIGINALS_DIR, "cases/public", "cases/thumbs")

# One builder at a time in a process: the worker's periodic job and the woken thread must not both make the same
# row's files. (Across processes, one worker per deployment; a second one would only redo work, never lose it.)
_building = threading.Lock()
_wake = threading.Event()


def pending_derivatives():
    """Image attachments still waiting for their public copy or thumbnail (served by a partial index)."""
    return CaseAttachment.objects.filter(derived_at__isnull=True).order_by("id")


def build_pending_derivatives(limit: int | None = None) -> int:
    """Make the missing derivatives of pending attachments, oldest first; returns how many rows were finished.

    A row that fails for a reason that may pass (storage unreachable) is left pending for the next run and skipped
    in this one, so it never holds up the rows behind it.
    """
    done, skipped = 0, set()
    with _building:
        while limit is None or done < limit:
            pending = pending_derivatives().exclude(pk__in=skipped)
            batch = list(pending[: BATCH if limit is None else min(BATCH, limit - done)])
            if not batch:
                break
            for attachment in batch:
                try:
                    build_derivatives(attachment)
                    done += 1
                except Exception:
                    log.exception("attachment %s: derivatives failed, retried at the next run", attachment.pk)
                    skipped.add(attachment.pk)
    return done


def build_derivatives(attachment: CaseAttachment, now: datetime | None = None) -> None:
    """Write this row's missing files, then record them and `derived_at` in one UPDATE (the file first: a kill
    in between leaves an unreferenced file for the sweep, never a row pointing at nothing)."""
    changes: dict[str, object] = {"derived_at": now or timezone.now()}
    try:
        if attachment.content_type.startswith("image/"):
            changes.update(_made_files(attachment))
    except DomainError as exc:  # damaged past the request's check: it will not get better
        log.warning("attachment %s: no derivatives (%s)", attachment.pk, exc.message)
    except FileNotFoundError:  # the original is gone (deleted by hand, a restore without media): nothing to make
        log.warning("attachment %s: original %s is missing, no derivatives", attachment.pk, attachment.file.name)
    CaseAttachment.objects.filter(pk=attachment.pk).update(**changes)


def _made_files(attachment: CaseAttachment) -> dict[str, object]:
    name = f"{attachment.sha256[:16]}-{attachment.pk}"
    made: dict[str, object] = {}
    image = None
    if needs_public_copy(attachment.stage, attachment.content_type) and not attachment.public_file:
        with attachment.file.open("rb") as source:
            image = decode_image(source.read(), attachment.original_name)
        content, content_type = public_copy(image)
        made["public_file"] = _saved(attachment.public_file, name, content, content_type)
        made["public_content_type"] = content_type
    if not attachment.thumbnail:
        content, content_type = thumbnail(image or _draft(attachment))  # the full decode when there is one
        made["thumbnail"] = _saved(attachment.thumbnail, f"{name}-thumb", content, content_type)
    return made


def _draft(attachment: CaseAttachment) -> Image.Image:
    """The image decoded only as large as a thumbnail needs (JPEG DCT scaling; other formats in full)."""
    with attachment.file.open("rb") as source:
        data = source.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise DomainError(f"照片「{attachment.original_name}」像素过多，无法处理", code="bad_attachment")
            image.draft("RGB", (THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DomainError(f"照片「{attachment.original_name}」已损坏：{exc}", code="bad_attachment") from None
    return image


def _saved(field, name: str, content: bytes, content_type: str) -> str:
    extension = "png" if content_type == "image/png" else "jpg"
    target = field.field.generate_filename(field.instance, f"{name}.{extension}")  # the field's upload_to
    return field.storage.save(target, ContentFile(content))


def wake_builder() -> None:
    """After a commit that linked photos: let the in-process builder (if this process runs one) start now."""
    _wake.set()


def start_builder_thread(stop: threading.Event) -> threading.Thread:
    """The embedded setup's prompt builder: waits for a commit's wake, then builds (the worker's periodic job is
    the safety net; the long timeout only lets the thread notice `stop`)."""

    def run() -> None:
        while not stop.is_set():
            if not _wake.wait(BUILDER_IDLE_SECONDS):
                continue
            _wake.clear()
            try:
                build_pending_derivatives()
            except Exception:  # the periodic job retries; a bad file must not end the thread
                log.exception("building photo derivatives failed")
            finally:
                close_old_connections()

    thread = threading.Thread(target=run, name="xiuhua-photos", daemon=True)
    thread.start()
    return thread


def sweep_orphans(now: datetime | None = None) -> int:
    """Delete stored photo files that no attachment row names and that are older than the grace period.

    Such files are what a rolled-back action (its original was written before the transaction) or a worker killed
    between writing a derivative and recording it leave. The grace period covers transactions still running.
    Returns how many files were deleted.
    """
    grace = getattr(settings, "XIUHUA_PHOTO_ORPHAN_GRACE_SECONDS", DEFAULT_ORPHAN_GRACE_SECONDS)
    cutoff = (now or timezone.now()) - timedelta(seconds=grace)
    deleted = 0
    for directory in SWEPT_DIRS:
        for names in _files_by_directory(directory):
            deleted += _sweep(names, cutoff)
    return deleted


def _files_by_directory(directory: str):
    """The file names of each directory under `directory`, one directory at a time (depth first)."""
    if not default_storage.exists(directory):
        return
    subdirectories, files = default_storage.listdir(directory)
    if files:
        yield [f"{directory}/{name}" for name in files]
    for sub in sorted(subdirectories):
        yield from _files_by_directory(f"{directory}/{sub}")


def _sweep(names: list[str], cutoff: datetime) -> int:
    referenced = set()
    for field in ("file", "public_file", "thumbnail"):
        referenced.update(CaseAttachment.objects.filter(**{f"{field}__in": names}).values_list(field, flat=True))
    deleted = 0
    for name in names:
        if name in referenced or default_storage.get_modified_time(name) >= cutoff:
            continue
        # Checked once more just before deleting: a row may have committed since the query above.
        if CaseAttachment.objects.filter(Q(file=name) | Q(public_file=name) | Q(thumbnail=name)).exists():
            continue
        default_storage.delete(name)
        log.info("deleted unreferenced photo file %s", name)
        deleted += 1
    return deleted


def register_jobs() -> None:
    """The worker's photo jobs: derivatives every few seconds, the orphan sweep hourly."""
    from xiuhua.cases.worker import register

    register("photo_derivatives", build_pending_derivatives, every=DERIVATIVES_EVERY_SECONDS)
    register("photo_orphans", sweep_orphans, every=SWEEP_EVERY_SECONDS)
