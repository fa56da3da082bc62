"""Render a page of the demo department's PDF timetable to a PNG for the README.

    python scripts/render_readme_image.py            # docs/images/report-group-page.png
    python scripts/render_readme_image.py --kind faculty --name SFE --out docs/images/faculty.png

The PDF page is rasterized with PySide6's QtPdf when this PySide6 build has it, else with
poppler's ``pdftoppm`` (a developer tool; the app itself never needs either).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def rasterize(pdf: Path, png: Path, width_px: int) -> str:
    try:
        from PySide6.QtCore import QSize
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtPdf import QPdfDocument
    except ImportError:
        QPdfDocument = None
    if QPdfDocument is not None:
        app = QGuiApplication.instance() or QGuiApplication(["render"])  # noqa: F841
        doc = QPdfDocument()
        doc.load(str(pdf))
        size = doc.pagePointSize(0)
        image = doc.render(0, QSize(width_px, round(width_px * size.height() / size.width())))
        image.save(str(png))
        return "QtPdf"
    tool = shutil.which("pdftoppm")
    if not tool:
        raise SystemExit("Neither PySide6.QtPdf nor pdftoppm (poppler-utils) is available to rasterize the PDF.")
    stem = png.with_suffix("")
    subprocess.run([tool, "-png", "-singlefile", "-f", "1", "-l", "1", "-scale-to-x", str(width_px),
                    "-scale-to-y", "-1", str(pdf), str(stem)], check=True)
    return "pdftoppm"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kind", default="group")
    ap.add_argument("--name", default="CSE-3A")
    ap.add_argument("--width", type=int, default=1400, help="image width in pixels")
    ap.add_argument("--out", default=str(REPO / "docs" / "images" / "report-group-page.png"))
    args = ap.parse_args(argv)

    from ato_desktop.demo import create_demo_database
    from ato_desktop.services.reports import render_report
    from ato_desktop.storage.database import open_database

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "demo.atodb"
        create_demo_database(db_path)
        db = open_database(db_path)
        try:
            pdf = Path(tmp) / "page.pdf"
            render_report(db, args.kind, pdf, name=args.name or None)
        finally:
            db.close()
        how = rasterize(pdf, out, args.width)
    print(f"{out} written ({how}, {out.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
