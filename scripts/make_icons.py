"""Draw the app's PNG icons from the shapes of static/img/icon.svg, without any image library, so
that the same bytes come out on every machine (`python3 scripts/make_icons.py`; a test checks the
committed files against this drawing).

The SVG (viewBox 512 × 512): a rounded square (rx 96) in #0b5394 and a white speech bubble, the
polygon 128,160 384,160 384,320 240,320 160,384 160,320 128,320. Two kinds of icon, each 192 and
512 px: ``icon-<size>.png`` (purpose "any": the rounded square, transparent corners) and
``icon-maskable-<size>.png`` (purpose "maskable": the colour fills the whole square, since the
platform cuts its own shape; the bubble lies within the central safe circle of radius 0.4 × size —
its farthest corners are 160 of 512 units from the centre, under 204.8).
"""
import struct
import sys
import zlib
from pathlib import Path

BLUE = (0x0B, 0x53, 0x94)
WHITE = (0xFF, 0xFF, 0xFF)
SAMPLES = 4  # 4 × 4 samples per pixel: smooth edges
SIZES = (192, 512)
STATIC = Path(__file__).resolve().parent.parent / "static" / "img"


def in_rounded_square(x: float, y: float, radius: float = 96.0) -> bool:
    if not (0 <= x <= 512 and 0 <= y <= 512):
        return False
    cx = min(max(x, radius), 512 - radius)
    cy = min(max(y, radius), 512 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius


def in_bubble(x: float, y: float) -> bool:
    if 128 <= x <= 384 and 160 <= y <= 320:
        return True
    # The tail: the triangle (240,320) (160,384) (160,320).
    return 320 <= y <= 384 and 160 <= x <= 240 - (y - 320) * 1.25


def pixels(size: int, maskable: bool) -> list[bytes]:
    """Rows of RGBA bytes (each row led by PNG filter byte 0)."""
    scale = 512 / size
    offsets = [(i + 0.5) / SAMPLES for i in range(SAMPLES)]
    rows = []
    for py in range(size):
        row = bytearray(b"\x00")
        for px in range(size):
            background = bubble = 0
            for oy in offsets:
                y = (py + oy) * scale
                for ox in offsets:
                    x = (px + ox) * scale
                    if maskable or in_rounded_square(x, y):
                        if in_bubble(x, y):
                            bubble += 1
                        else:
                            background += 1
            covered = background + bubble
            total = SAMPLES * SAMPLES
            if covered == 0:
                row += b"\x00\x00\x00\x00"
                continue
            colour = [round((background * b + bubble * w) / covered) for b, w in zip(BLUE, WHITE, strict=True)]
            row += bytes([*colour, round(255 * covered / total)])
        rows.append(bytes(row))
    return rows


def png(size: int, maskable: bool) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    data = zlib.compress(b"".join(pixels(size, maskable)), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def name(size: int, maskable: bool) -> str:
    return f"icon-maskable-{size}.png" if maskable else f"icon-{size}.png"


def main() -> None:
    for size in SIZES:
        for maskable in (False, True):
            path = STATIC / name(size, maskable)
            path.write_bytes(png(size, maskable))
            print(path, file=sys.stderr)


if __name__ == "__main__":
    main()
