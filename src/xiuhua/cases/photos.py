"""Checking case photos cheaply in the request, and making their public copy and thumbnail later.

In the request an image is only *verified* (`verify_image`): its header gives the dimensions (pixel limits), and a
JPEG is decoded at 1/8 scale (DCT scaling: every byte of the compressed stream is still read, so a truncated or
damaged file is refused, at a fraction of a full decode's cost). The original stays as evidence for staff (its
EXIF, GPS included, says where and when it was taken); what citizens and Open311 apps see is a re-encoded copy
made by the worker after commit (cases/derivatives.py): upright, at most `PUBLIC_MAX_SIDE` pixels a side, with no
metadata at all, so a reporter's home position never leaks through a photo. Thumbnails are made the same way.
"""

from __future__ import annotations

import io
import warnings
from typing import IO

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from xiuhua.core.errors import DomainError

pillow_heif.register_heif_opener()

# Beyond what phone cameras take; a larger claim is a decompression bomb (decoding it would need gigabytes).
MAX_IMAGE_PIXELS = 100_000_000
PUBLIC_MAX_SIDE = 2560
PUBLIC_JPEG_QUALITY = 85
THUMBNAIL_MAX_SIDE = 480
THUMBNAIL_JPEG_QUALITY = 80
_DAMAGED = "照片「{}」已损坏，无法打开，请重新拍摄或选择"
_TOO_MANY_PIXELS = "照片「{}」像素过多，无法处理"


def decode_image(data: bytes, name: str) -> Image.Image:
    """The fully decoded image, or a DomainError naming the file when it is damaged or absurdly large."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit below decides
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError(f"{image.width}x{image.height}")
            image.load()
    except Image.DecompressionBombError:
        raise DomainError(_TOO_MANY_PIXELS.format(name), code="bad_attachment") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(_DAMAGED.format(name), code="bad_attachment") from None
    return image


def verify_image(upload: IO[bytes], name: str) -> None:
    """Refuse a damaged or absurdly large image without paying for a full decode.

    A JPEG is decoded at 1/8 scale (`Image.draft`): the entropy-coded data is read to its end, so truncation and
    corrupt data still fail, but the inverse DCT and colour conversion run on 1/64 of the pixels. A PNG is checked
    by `verify()` (chunk CRCs and the end marker). Other formats (GIF, WebP, HEIC) are rare from phones here and
    are decoded in full.
    """
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit below decides
            image = Image.open(upload)
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError(f"{width}x{height}")
            if image.format == "JPEG":
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
            elif image.format == "PNG":
                image.verify()
            else:
                image.load()
    except Image.DecompressionBombError:
        raise DomainError(_TOO_MANY_PIXELS.format(name), code="bad_attachment") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise DomainError(_DAMAGED.format(name), code="bad_attachment") from None
    finally:
        upload.seek(0)


def declared_pixels(upload: IO[bytes], name: str) -> int:
    """Width × height as the image header says, read without decoding the pixels (PIL opens lazily)."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            width, height = Image.open(upload).size
        if width * height > MAX_IMAGE_PIXELS:
            raise Image.DecompressionBombError(f"{width}x{height}")
    except Image.DecompressionBombError:
        raise DomainError(_TOO_MANY_PIXELS.format(name), code="bad_attachment") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(_DAMAGED.format(name), code="bad_attachment") from None
    finally:
        upload.seek(0)
    return width * height


def public_copy(image: Image.Image) -> tuple[bytes, str]:
    """The image re-encoded without any metadata: (bytes, content type); JPEG, or PNG when it has transparency."""
    return reencoded(image, PUBLIC_MAX_SIDE, PUBLIC_JPEG_QUALITY)


def thumbnail(image: Image.Image) -> tuple[bytes, str]:
    """A small copy for pages (at most `THUMBNAIL_MAX_SIDE` a side), upright and without metadata."""
    return reencoded(image, THUMBNAIL_MAX_SIDE, THUMBNAIL_JPEG_QUALITY)


def reencoded(image: Image.Image, max_side: int, quality: int) -> tuple[bytes, str]:
    """Upright, within `max_side`, no metadata at all: (bytes, content type); JPEG, or PNG with transparency."""
    upright = ImageOps.exif_transpose(image)  # a new image: the caller's stays as it was
    upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if _has_transparency(upright):
        upright.convert("RGBA").save(buffer, format="PNG", optimize=True)
        return buffer.getvalue(), "image/png"
    upright.convert("RGB").save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue(), "image/jpeg"


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
