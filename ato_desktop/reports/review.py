"""The review package: ONE PDF the head of department reads before approving a version — a summary
(the check now: hard conflicts, unscheduled sessions and warnings; the comparison with the latest
published version, or another one; the version's history; the Dashboard's charts), then the department's timetable book.
``ato-desktop versions review-package``. The services read the facts (``services.reports.build_review_package``);
this module lays them out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from reportlab.lib import colors
from reportlab.platypus import Table, TableStyle

from ato_desktop.reports.build import build_report
from ato_desktop.reports.charts import dashboard_flowables
from ato_desktop.reports.data import ReportData
from ato_desktop.reports.layout import Paragraph, esc

MAX_MOVED = 60  # moved sessions listed on the summary (the count is always given)


@dataclass(frozen=True)
class ReviewPackage:
    path: Path | None
    timetable: str
    against: str | None  # the version compared with, if any
    pages: int
    moved: int


@dataclass(frozen=True)
class ReviewFacts:
    """What the summary pages say, read by the services: the version, its check, the comparison, its history."""

    name: str
    status: str  # the status's plain name
    sessions: int
    hard: int
    soft: int
    check_lines: list[str]  # the check's summary lines after the first
    compared_with: str | None = None  # None: nothing published before, nothing to compare with
    figure_rows: list[tuple[str, str, str]] = field(default_factory=list)  # (figure, the other, this one)
    moved: list[str] = field(default_factory=list)  # one sentence per moved session
    history: list[str] = field(default_factory=list)  # one sentence per review step
    dashboard: object | None = None  # services.dashboard.DashboardData: its charts after the history


def review_package_pdf(facts: ReviewFacts, data: ReportData | Callable[[], ReportData], *,
                       paper: str = "A4") -> tuple[bytes, int]:
    """The review package's PDF bytes and page count: the summary, then the department's book of ``data``."""
    def summary(styles, setup) -> list:
        _, _, fw, _ = setup.frame()
        out = [Paragraph(esc(f"Review package: {facts.name}"), styles.title),
               Paragraph(esc(f"Status: {facts.status} · "
                             f"{facts.sessions} sessions · hard {facts.hard}, soft {facts.soft}"), styles.subtitle),
               Paragraph("Check", styles.h2)]
        for line in facts.check_lines:
            out.append(Paragraph(esc(line), styles.body))
        if facts.compared_with is not None:
            out.append(Paragraph(esc(f"Compared with {facts.compared_with}: {len(facts.moved)} session(s) moved"),
                                 styles.h2))
            rows = [[Paragraph(esc(c), styles.head_left if i == 0 else styles.head) for i, c in
                     enumerate(("", facts.compared_with, facts.name))]]
            for fig, x, y in facts.figure_rows:
                bold = x != y
                rows.append([Paragraph(esc(fig), styles.cell(7 * styles.k, "left")),
                             Paragraph(esc(x), styles.cell(7 * styles.k, "center", bold)),
                             Paragraph(esc(y), styles.cell(7 * styles.k, "center", bold))])
            t = Table(rows, colWidths=[fw * 0.5, fw * 0.25, fw * 0.25], repeatRows=1)
            t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#33415c")),
                                   ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#b8bfcc")),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            out.append(t)
            out.append(Paragraph("Moved sessions", styles.h2))
            for text in facts.moved[:MAX_MOVED]:
                out.append(Paragraph(esc(text), styles.body))
            if len(facts.moved) > MAX_MOVED:
                out.append(Paragraph(esc(f"… and {len(facts.moved) - MAX_MOVED} more "
                                         "(ato-desktop versions compare lists them all)."), styles.body))
        else:
            out.append(Paragraph("No version was published before: nothing to compare with.", styles.body))
        out.append(Paragraph("History", styles.h2))
        for text in facts.history:
            out.append(Paragraph(esc(text), styles.body))
        if not facts.history:
            out.append(Paragraph("No review step recorded yet.", styles.body))
        if facts.dashboard is not None:
            out += dashboard_flowables(facts.dashboard, styles, fw)
        return out

    pdf, pages, _ = build_report(data, "book", paper=paper, preface=("Review summary", summary))
    return pdf, pages
