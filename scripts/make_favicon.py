"""Draw favicon.ico (16 and 32 px, 32-bit BMP entries) from the same shapes as favicon.svg, with no imaging library.

Run once after changing the design: python scripts/make_favicon.py
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "src/xiuhua/web/static/web/icons/favicon.ico"
BLUE, WHITE, GOLD = (0x0D, 0x6E, 0xFD), (0xFF, 0xFF, 0xFF), (0xF2, 0xB7, 0x05)


def colour_at(x: float, y: float) -> tuple[int, int, int, int]:
    """The colour of the 64-unit design at (x, y): rounded square, five petals, a centre."""
    r = 14
    cx, cy = min(max(x, r), 64 - r), min(max(y, r), 64 - r)
    if math.hypot(x - cx, y - cy) > r:
        return (0, 0, 0, 0)
    dx, dy = x - 32, y - 32
    if math.hypot(dx, dy) <= 7:
        return (*GOLD, 255)
    for k in range(5):
        a = math.radians(72 * k)
        px = dx * math.cos(a) + dy * math.sin(a)
        py = -dx * math.sin(a) + dy * math.cos(a)
        if (px / 7) ** 2 + ((py + 11) / 15) ** 2 <= 1:
            return (*WHITE, 255)
    return (*BLUE, 255)


def bitmap(size: int) -> bytes:
    """One ICO image entry: a BITMAPINFOHEADER, BGRA rows bottom-up (4×4 supersampled), an all-zero AND mask."""
    rows = []
    for row in range(size - 1, -1, -1):
        line = b""
        for col in range(size):
            samples = [
                colour_at((col + (i + 0.5) / 4) * 64 / size, (row + (j + 0.5) / 4) * 64 / size)
                for i in range(4)
                for j in range(4)
            ]
            alpha = sum(s[3] for s in samples) / 16
            rgb = [sum(s[c] * s[3] for s in samples) / max(alpha * 16, 1) for c in range(3)]
            line += bytes([round(rgb[2]), round(rgb[1]), round(rgb[0]), round(alpha)])
        rows.append(line)
    mask_row = ((size + 31) // 32) * 4
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    return header + b"".join(rows) + b"\0" * mask_row * size


def main() -> None:
    images = [bitmap(size) for size in (16, 32, 48)]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for size, data in zip((16, 32, 48), images, strict=True):
        out += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    TARGET.write_bytes(out + b"".join(images))


if __name__ == "__main__":
    main()
