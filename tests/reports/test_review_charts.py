"""The review package carries the Dashboard's charts (drawn by reports.charts from services.dashboard's
figures): parsed back with pypdf, the summary has a page with the five charts, after the history and
before the book."""

from __future__ import annotations

from pypdf import PdfReader

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import dashboard
from ato_desktop.services.reports import write_review_package


def test_review_package_has_the_dashboard_charts_page(demo_db, tmp_path):
    data = dashboard.dashboard_data(demo_db, REFERENCE_NAME)
    pkg = write_review_package(demo_db, REFERENCE_NAME, tmp_path / "review.pdf", dashboard=data)
    texts = [p.extract_text() for p in PdfReader(str(pkg.path)).pages]
    charts = [i for i, t in enumerate(texts) if f"Dashboard: {REFERENCE_NAME}" in t]
    assert len(charts) == 1
    book = next(i for i, t in enumerate(texts) if "Contents" in t)
    assert charts[0] < book
    page = "\n".join(texts[charts[0]:book])
    for title in ("Faculty load (periods a week)", "Room utilization by day and period", "Soft cost by rule",
                  "Student-group compactness", "Hard and soft across versions"):
        assert title in page, title
    assert f"total {data.soft}" in page
    assert data.faculty[0].code in page and data.groups[0].code in page and data.days[0] in page


def test_review_package_computes_the_charts_itself(demo_db, tmp_path):
    pkg = write_review_package(demo_db, REFERENCE_NAME, tmp_path / "review.pdf")
    texts = [p.extract_text() for p in PdfReader(str(pkg.path)).pages]
    assert any("Soft cost by rule" in t for t in texts)
