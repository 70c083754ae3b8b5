"""Phone-sized JPEG photos for the write-path benchmarks (`bench/intake.py`, `bench/loop.py`).

A flat or pure-noise image compresses unlike a photo (far too small, or far too large). These are built from what a
street photo has: a sky-to-ground gradient, large soft shapes (low-resolution noise scaled up), mid-frequency texture
and fine sensor noise, saved as a phone does (JPEG quality 90, 4:2:0) with EXIF: make and model, the time taken,
orientation 6 (held upright, stored sideways, as phones store portrait shots) and a GPS position in the demo city.
A 12 MP one comes out near 4.6 MB and a 3 MP one near 1.2 MB, as from a phone.

Built once per process (a few seconds for 12 MP) and kept in memory.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

# Phone camera sizes: 3 MP (2048×1536, a phone's "medium" or a messaging app's full size) and 12 MP (4032×3024).
SIZES = {"3mp": (2048, 1536), "12mp": (4032, 3024)}


@dataclass(frozen=True)
class Photo:
    name: str
    data: bytes
    width: int
    height: int

    def describe(self) -> dict:
        return {
            "pixels": f"{self.width}x{self.height}",
            "megapixels": round(self.width * self.height / 1e6, 1),
            "kb": round(len(self.data) / 1024),
        }


def _layer(size: tuple[int, int], scale: int, sigma: float, colour: bool = False):
    """Gaussian noise drawn at 1/scale of `size` and scaled up smoothly: shapes `scale` pixels across.

    Brightness only unless `colour`: in a photo the detail is in the brightness and colour changes slowly, which is
    what JPEG's colour subsampling counts on."""
    from PIL import Image

    small = (max(2, size[0] // scale), max(2, size[1] // scale))
    if colour:
        layer = Image.merge("RGB", [Image.effect_noise(small, sigma) for _ in "RGB"])  # each call draws new noise
    else:
        layer = Image.effect_noise(small, sigma).convert("RGB")
    return layer.resize(size, Image.Resampling.BICUBIC)


def _exif(width: int, height: int) -> bytes:
    from PIL import Image
    from PIL.TiffImagePlugin import IFDRational

    def dms(value: float) -> tuple:
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
        return (IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(int(seconds * 10000), 10000))

    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"  # Make
    exif[0x0110] = "2201123C"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    exif[0x0131] = "xiuhua bench"  # Software
    exif[0x0132] = "2026:11:20 09:41:07"  # DateTime
    details = exif.get_ifd(0x8769)  # Exif IFD
    details[0x9003] = "2026:11:20 09:41:07"  # DateTimeOriginal
    details[0xA002] = width  # PixelXDimension
    details[0xA003] = height  # PixelYDimension
    details[0x920A] = IFDRational(554, 100)  # FocalLength
    gps = exif.get_ifd(0x8825)  # GPS IFD: a point in the demo city
    gps[0x0001] = "N"
    gps[0x0002] = dms(30.5117)
    gps[0x0003] = "E"
    gps[0x0004] = dms(120.9333)
    gps[0x0005] = b"\x00"  # above sea level
    gps[0x0006] = IFDRational(12, 1)
    return exif.tobytes()


@cache
def phone_photo(name: str) -> Photo:
    """The photo `name` ("3mp" or "12mp"), made once per process."""
    from PIL import Image, ImageChops

    width, height = SIZES[name]
    size = (width, height)
    sky = Image.linear_gradient("L").resize(size).convert("RGB")  # dark at the bottom, light at the top
    tint = Image.new("RGB", size, (96, 112, 88))
    image = Image.blend(sky, tint, 0.55)
    image = ImageChops.add(image, _layer(size, 200, 24, colour=True), scale=1.0, offset=-128)  # coloured areas
    image = ImageChops.add(image, _layer(size, 120, 50), scale=1.0, offset=-128)  # buildings, trees, shadows
    image = ImageChops.add(image, _layer(size, 10, 36), scale=1.0, offset=-128)  # leaves, bricks, asphalt
    image = ImageChops.add(image, _layer(size, 2, 18), scale=1.0, offset=-128)  # fine texture
    grain = Image.effect_noise(size, 5).convert("RGB")  # sensor noise
    image = ImageChops.add(image, grain, scale=1.0, offset=-128)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, subsampling="4:2:0", exif=_exif(width, height))
    return Photo(name, buffer.getvalue(), width, height)


def photos_described(names: list[str]) -> dict:
    return {name: phone_photo(name).describe() for name in names}


if __name__ == "__main__":
    import json
    import time

    for photo_name in SIZES:
        t0 = time.perf_counter()
        photo = phone_photo(photo_name)
        print(json.dumps({**photo.describe(), "seconds": round(time.perf_counter() - t0, 2)}))
