"""Draw the ATO Desktop app icon and write it as PNG, ICO (Windows) and ICNS (macOS).

    python installer/make_icons.py

The icon is a week grid on a rounded blue tile with one highlighted session:
drawn with Pillow at 1024 px and scaled down, so it is reproducible on any
platform. The generated files are committed in ``resources/icons``; run this
again only to change the design.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "icons"
BLUE = (27, 79, 156, 255)
BLUE_DARK = (18, 56, 115, 255)
WHITE = (255, 255, 255, 255)
PALE = (214, 228, 248, 255)
ORANGE = (245, 146, 36, 255)
GREEN = (76, 175, 112, 255)


def draw(size: int = 1024) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    m = size * 0.06
    r = size * 0.18
    d.rounded_rectangle((m, m + size * 0.02, size - m, size - m + size * 0.02), r, fill=BLUE_DARK)  # shadow
    d.rounded_rectangle((m, m, size - m, size - m), r, fill=BLUE)
    # header band (the days)
    left, right = size * 0.2, size * 0.8
    top, bottom = size * 0.22, size * 0.8
    d.rounded_rectangle((left, top, right, top + size * 0.1), size * 0.03, fill=WHITE)
    cols, rows = 4, 4
    gap = size * 0.025
    cell_w = (right - left - gap * (cols - 1)) / cols
    grid_top = top + size * 0.1 + gap
    cell_h = (bottom - grid_top - gap * (rows - 1)) / rows
    for row in range(rows):
        for col in range(cols):
            x0 = left + col * (cell_w + gap)
            y0 = grid_top + row * (cell_h + gap)
            fill = PALE
            if (row, col) == (1, 2):
                fill = ORANGE
            elif (row, col) in ((0, 0), (2, 1), (3, 3)):
                fill = GREEN
            d.rounded_rectangle((x0, y0, x0 + cell_w, y0 + cell_h), size * 0.02, fill=fill)
    return img


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw()
    sizes = [16, 24, 32, 48, 64, 128, 256, 512]
    big.resize((256, 256), Image.LANCZOS).save(OUT / "ato-desktop.png")
    big.resize((512, 512), Image.LANCZOS).save(OUT / "ato-desktop-512.png")
    big.save(OUT / "ato-desktop.ico", sizes=[(s, s) for s in sizes if s <= 256])
    big.save(OUT / "ato-desktop.icns")
    for f in sorted(OUT.iterdir()):
        print(f"{f.relative_to(ROOT)}  {f.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
