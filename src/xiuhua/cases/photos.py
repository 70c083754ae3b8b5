"""Decoding case photos and making their public copy.

Every image is decoded in full when it arrives, so a file that only starts like a JPEG is refused instead of being
stored. The original stays as evidence for staff (its EXIF, GPS included, says where and when it was taken); what
citizens and Open311 apps see is a re-encoded copy: upright, at most `PUBLIC_MAX_SIDE` pixels a side, with no
metadata at all, so a reporter's home position never leaks through a photo.
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
        raise DomainError(f"照片「{name}」像素过多，无法处理", code="bad_attachment") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(f"照片「{name}」已损坏，无法打开，请重新拍摄或选择", code="bad_attachment") from None
    return image


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
        raise DomainError(f"照片「{name}」像素过多，无法处理", code="bad_attachment") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(f"照片「{name}」已损坏，无法打开，请重新拍摄或选择", code="bad_attachment") from None
    finally:
        upload.seek(0)
    return width * height


def public_copy(image: Image.Image) -> tuple[bytes, str]:
    """The image re-encoded without any metadata: (bytes, content type); JPEG, or PNG when it has transparency."""
    upright = ImageOps.exif_transpose(image)  # a new image: the caller's stays as it was
    upright.thumbnail((PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if _has_transparency(upright):
        upright.convert("RGBA").save(buffer, format="PNG", optimize=True)
        return buffer.getvalue(), "image/png"
    upright.convert("RGB").save(buffer, format="JPEG", quality=PUBLIC_JPEG_QUALITY, optimize=True)
    return buffer.getvalue(), "image/jpeg"


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
