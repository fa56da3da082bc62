"""The review package: ONE PDF the head of department reads before approving a version — a summary
(the check now: hard conflicts, unscheduled sessions and warnings; the comparison with the latest
published version, or another one; the version's history; the Dashboard's charts), then the department's
timetable book. ``ato-desktop versions review-package``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.platypus import Table, TableStyle

from ato_desktop.reports.build import build_report, write_atomic
from ato_desktop.reports.charts import dashboard_flowables
from ato_desktop.reports.layout import Paragraph, esc
from ato_desktop.storage.database import Database

MAX_MOVED = 60  # moved sessions listed on the summary (the count is always given)


@dataclass(frozen=True)
class ReviewPackage:
    path: Path | None
    timetable: str
    against: str | None  # the version compared with, if any
    pages: int
    moved: int


def build_review_package(db: Database, key: int | str, *, against: int | str | None = None,
                         paper: str = "A4", dashboard=None) -> tuple[bytes, ReviewPackage]:
    """The review package's PDF bytes. ``against``: the version to compare with (default: the latest
    published one other than this; none when nothing was published). ``dashboard``: the version's
    ``services.dashboard.DashboardData`` when the caller has it (computed here otherwise)."""
    from ato_desktop.services import approval, compare, versions
    from ato_desktop.services import timetables as tts

    info = tts.get_timetable(db, key)
    check = versions.check_version(db, info.id)
    if against is not None:
        other = tts.get_timetable(db, against)
    else:
        other = tts.latest_published(db, before_id=info.id)
    cmp = compare.compare_versions(db, other.id, info.id) if other is not None else None
    history = approval.history(db, info.id)
    if dashboard is None:
        from ato_desktop.services.dashboard import dashboard_data

        dashboard = dashboard_data(db, info.id)

    def summary(styles, setup) -> list:
        _, _, fw, _ = setup.frame()
        out = [Paragraph(esc(f"Review package: {info.name}"), styles.title),
               Paragraph(esc(f"Status: {approval.STATUS_NAMES.get(info.status, info.status)} · "
                             f"{check.sessions} sessions · hard {check.hard}, soft {check.soft}"), styles.subtitle),
               Paragraph("Check", styles.h2)]
        for line in check.summary_lines()[1:]:
            out.append(Paragraph(esc(line), styles.body))
        if cmp is not None:
            out.append(Paragraph(esc(f"Compared with {cmp.a.name}: {len(cmp.moved)} session(s) moved"), styles.h2))
            rows = [[Paragraph(esc(c), styles.head_left if i == 0 else styles.head) for i, c in
                     enumerate(("", cmp.a.name, cmp.b.name))]]
            for fig, x, y in compare.figure_rows(cmp):
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
            for mv in cmp.moved[:MAX_MOVED]:
                out.append(Paragraph(esc(mv.text), styles.body))
            if len(cmp.moved) > MAX_MOVED:
                out.append(Paragraph(esc(f"… and {len(cmp.moved) - MAX_MOVED} more "
                                         "(ato-desktop versions compare lists them all)."), styles.body))
        else:
            out.append(Paragraph("No version was published before: nothing to compare with.", styles.body))
        out.append(Paragraph("History", styles.h2))
        for e in history or []:
            out.append(Paragraph(esc(e.text), styles.body))
        if not history:
            out.append(Paragraph("No review step recorded yet.", styles.body))
        out += dashboard_flowables(dashboard, styles, fw)
        return out

    pdf, pages, _ = build_report(db, "book", timetable_id=info.id, paper=paper,
                                 preface=("Review summary", summary))
    return pdf, ReviewPackage(None, info.name, other.name if other is not None else None, pages,
                              len(cmp.moved) if cmp is not None else 0)


def write_review_package(db: Database, key: int | str, out: str | Path, *, against: int | str | None = None,
                         paper: str = "A4", dashboard=None) -> ReviewPackage:
    """Write the review package to ``out`` (atomically: no half-written file)."""
    pdf, pkg = build_review_package(db, key, against=against, paper=paper, dashboard=dashboard)
    path = Path(out)
    write_atomic(path, pdf)
    return ReviewPackage(path, pkg.timetable, pkg.against, pkg.pages, pkg.moved)
