"""CPU per photo: what the request pays to check an upload, and what the worker pays for its derivatives.

Run: `.venv/bin/python bench/photo_cpu.py` (no database needed). For phone-sized JPEGs (3 and 12 megapixels) it
prints the best of a few runs, in CPU milliseconds, of:
- request, before issue 15: header check + full decode + public copy (what every upload cost inside the request);
- request, now: header check + draft decode (photos.verify_image) + sha256 (the original's name);
- worker: public copy + thumbnail from one full decode (reported-scene photos);
- worker: thumbnail only from a draft decode (report-back and check photos).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import time
from collections.abc import Callable

import django_setup
import numpy as np
from PIL import Image

SIZES = {"3 MP": (2000, 1500), "12 MP": (4000, 3000)}


def phone_jpeg(width: int, height: int) -> bytes:
    """Gradients with sensor-like noise at quality 90: about the bytes per pixel of a phone photo."""
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 // width, y * 255 // height, (x + y) * 127 // (width + height)], -1).astype(np.int16)
    noise = rng.integers(-25, 25, size=(height, width, 1), dtype=np.int16)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def best_cpu_ms(work: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    django_setup.configure("photo-cpu")
    from xiuhua.cases.photos import declared_pixels, decode_image, public_copy, thumbnail, verify_image

    def old_request(data: bytes) -> None:
        declared_pixels(io.BytesIO(data), "x")
        public_copy(decode_image(data, "x"))

    def new_request(data: bytes) -> None:
        declared_pixels(io.BytesIO(data), "x")
        verify_image(io.BytesIO(data), "x")
        hashlib.sha256(data).hexdigest()

    def worker_public(data: bytes) -> None:
        image = decode_image(data, "x")
        public_copy(image)
        thumbnail(image)

    def worker_thumbnail(data: bytes) -> None:
        image = Image.open(io.BytesIO(data))
        image.draft("RGB", (480, 480))
        thumbnail(image)

    columns = ("request before", "request now", "worker public+thumb", "worker thumb only")
    print(f"{'photo':<6} {'MB':>5}" + "".join(f"{c:>21}" for c in columns) + "   (CPU ms, best of runs)")
    for label, (width, height) in SIZES.items():
        data = phone_jpeg(width, height)
        steps = (old_request, new_request, worker_public, worker_thumbnail)
        figures = [best_cpu_ms(lambda f=f, d=data: f(d), args.runs) for f in steps]
        print(f"{label:<6} {len(data) / 1e6:5.1f}" + "".join(f"{v:21.0f}" for v in figures))


if __name__ == "__main__":
    main()
