"""Assemble report documents and write them (atomically) to a file or bytes."""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from reportlab.lib import colors
from reportlab.platypus import PageBreak, Spacer

from ato_desktop.progress import Progress
from ato_desktop.reports.data import ReportData, ReportError
from ato_desktop.reports.layout import (
    DocInfo,
    Lazy,
    Marker,
    PageRef,
    PageSetup,
    Paragraph,
    ReportCancelled,
    ReportDoc,
    Styles,
    esc,
)
from ato_desktop.reports.tables import problems_flowables, utilization_flowables, workload_flowables
from ato_desktop.reports.timetable import master_day, master_key, timetable_page

KINDS = ("group", "faculty", "room", "master", "workload", "utilization", "conflicts", "book")
KIND_LABELS = {
    "group": "Student group timetable",
    "faculty": "Faculty timetable",
    "room": "Room timetable",
    "master": "Master timetable",
    "workload": "Faculty workload",
    "utilization": "Room utilization",
    "conflicts": "Unscheduled sessions and conflicts",
    "book": "Department timetable book",
}
NAMED_KINDS = ("group", "faculty", "room")


ReportProgress = Progress  # the one progress snapshot: ``fraction`` (done of 1.0) and ``message``


@dataclass(frozen=True)
class ReportResult:
    path: Path | None
    kind: str
    pages: int
    seconds: float
    timetable: str
    size: int


ProgressFn = Callable[[ReportProgress], None]
StopFn = Callable[[], bool]


class _Reporter:
    def __init__(self, on_progress: ProgressFn | None, should_stop: StopFn | None):
        self.on_progress, self.should_stop = on_progress, should_stop
        self.last = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        self.check()
        fraction = max(self.last, min(1.0, fraction))
        self.last = fraction
        if self.on_progress is not None:
            self.on_progress(Progress(fraction, 1.0, message))

    def check(self) -> None:
        if self.should_stop is not None and self.should_stop():
            raise ReportCancelled()


@dataclass
class _Part:
    title: str
    key: str
    level: int
    make: Callable[[], list] | None  # None: a heading without pages of its own (it marks the next section)


def _parts(data: ReportData, kind: str, name: str | None, setup: PageSetup,
           styles: Styles) -> tuple[list[_Part], bool]:
    """The sections of a report; second value: whether it has a table of contents.

    Nothing is laid out here: each section is made when the document reaches it."""
    parts: list[_Part] = []

    def add_named(kind: str, codes: list[str], level: int) -> None:
        for code in codes:
            title = f"{data.faculty[code].get('name', code)} ({code})" if kind == "faculty" else code
            parts.append(_Part(title, f"{kind}:{code}", level,
                               lambda c=code: timetable_page(data, styles, setup, kind, c)))

    def add_master(level: int) -> None:
        parts.append(_Part("Key", "master:key", level, lambda: master_key(data, styles, setup)))
        for day in data.calendar.days:
            parts.append(_Part(day.name, f"master:{day.name}", level,
                               lambda d=day: master_day(data, styles, setup, d)))

    def add_reports(level: int) -> None:
        parts.append(_Part("Faculty workload", "workload", level, lambda: workload_flowables(data, styles, setup)))
        parts.append(_Part("Room utilization", "utilization", level,
                           lambda: utilization_flowables(data, styles, setup)))
        parts.append(_Part("Unscheduled sessions and conflicts", "conflicts", level,
                           lambda: problems_flowables(data, styles, setup)))

    toc = False
    if kind in NAMED_KINDS:
        if name:
            codes = [data.resolve(kind, name)]
        else:
            codes = {"group": data.top_groups, "faculty": data.active_faculty, "room": data.active_rooms}[kind]()
        if not codes:
            raise ReportError(f"there is nothing to print: no {kind} has sessions in this timetable.")
        add_named(kind, codes, 0)
    elif kind == "master":
        if not data.calendar.days or not data.top_groups():
            raise ReportError("there is nothing to print: the master timetable needs days in the calendar and "
                              "student groups with sessions.")
        add_master(0)
    elif kind in ("workload", "utilization", "conflicts"):
        add_reports(0)
        parts = [p for p in parts if p.key == kind]
    elif kind == "book":
        toc = True
        for title, key, sub in (("Student groups", "group", data.top_groups()),
                                ("Faculty", "faculty", data.active_faculty()),
                                ("Rooms", "room", data.active_rooms())):
            parts.append(_Part(title, f"part:{key}", 0, None))
            add_named(key, sub, 1)
        parts.append(_Part("Master timetable", "part:master", 0, None))
        if data.calendar.days and data.top_groups():
            add_master(1)
        parts.append(_Part("Reports", "part:reports", 0, None))
        add_reports(1)
    return parts, toc


def _assemble(parts: list[_Part], made: Callable[[_Part], list]) -> list:
    """Sections with a page break between them; headings without content go on the next section's page.

    ``made(part)`` gives a section's flowables (a :class:`Lazy` in a book: made when reached)."""
    story: list = []
    started = False
    pending: list = []
    for part in parts:
        if part.make is None:
            pending.append(Marker(part.key, part.title, part.level))
            continue
        if started:
            story.append(PageBreak())
        story += pending + [Marker(part.key, part.title, part.level), *made(part)]
        pending = []
        started = True
    return story + pending


def _contents(data: ReportData, styles: Styles, setup: PageSetup, entries: list[tuple[int, str, str]]) -> list:
    """The cover: title, what is printed, and the contents with links, in two columns that flow over as
    many pages as they need. Page numbers are filled in when the book is saved (:class:`PageRef`)."""
    from reportlab.platypus import Table, TableStyle
    from reportlab.platypus.flowables import BalancedColumns

    k = styles.k
    _, _, fw, _ = setup.frame()
    tt = data.timetable
    col = (fw - 20 * k) / 2
    num_w = 30 * k
    rows = []
    cmds = [("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2 * k),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D5DAE0"))]
    for level, title, key in entries:
        st = styles.toc[min(level, 1)]
        rows.append([Paragraph(f'<a href="#{esc(key)}">{esc(title)}</a>', st),
                     PageRef(key, num_w, st.fontName, st.fontSize)])
    body: list = []
    if rows:
        table = Table(rows, colWidths=[col - num_w - 8 * k, num_w + 8 * k], style=TableStyle(cmds),
                      hAlign="LEFT", splitByRow=1)
        body = [BalancedColumns([table], nCols=2, innerPadding=20 * k, leftPadding=0, rightPadding=0,
                                topPadding=0, bottomPadding=0)] if len(rows) > 12 else [table]
    return [
        Paragraph("Department timetable book", styles.h1),
        Paragraph(esc(" · ".join(x for x in (data.institution, data.department, data.term) if x)), styles.body),
        Paragraph(esc(f"Version “{tt.name}” ({tt.status}), {tt.scheduled} of {tt.sessions} sessions scheduled."),
                  styles.body),
        Spacer(1, 6 * k),
        Paragraph("Contents", styles.h2),
        *body,
    ]


def _info(data: ReportData, kind: str) -> DocInfo:
    tt = data.timetable
    return DocInfo(
        institution=data.institution, department=data.department, term=data.term,
        version=f"{tt.name} ({tt.status})", generated=data.generated.strftime("%d %b %Y, %H:%M"),
        report_title=f"{KIND_LABELS[kind]} — {data.department or 'department'}".strip(),
    )


def check_request(kind: str, name: str | None, paper: str) -> None:
    if kind not in KINDS:
        raise ReportError(f"unknown report kind {kind!r}; choose one of {', '.join(KINDS)}.")
    if paper.upper() not in ("A4", "A3"):
        raise ReportError(f"unknown paper size {paper!r}; choose A4 or A3.")
    if name and kind not in NAMED_KINDS:
        raise ReportError(f"a name only applies to the group, faculty and room timetables, not to {kind!r}.")


def build_report(data: ReportData | Callable[[], ReportData], kind: str, *, name: str | None = None,
                 paper: str = "A4", landscape: bool = True, on_progress: ProgressFn | None = None,
                 should_stop: StopFn | None = None,
                 preface: tuple[str, Callable[[Styles, PageSetup], list]] | None = None) -> tuple[bytes, int, ReportData]:
    """Render a report of ``data`` (or of what ``data()`` reads, after the request is checked) to PDF
    bytes. Returns ``(pdf, pages, data)``. The services read the data (``services.reports``).

    Raises :class:`ReportError` for a bad request and :class:`ReportCancelled` when ``should_stop()``
    turns true (checked between sections and pages).

    Laid out in ONE pass, section by section as the document reaches it (a long book is never held
    whole); the book's contents come first and get their page numbers when the file is saved.
    """
    check_request(kind, name, paper)
    rep = _Reporter(on_progress, should_stop)
    rep(0.0, "Reading the timetable")
    if not isinstance(data, ReportData):
        data = data()
    setup = PageSetup(paper.upper(), landscape)
    styles = Styles(setup)
    parts, has_toc = _parts(data, kind, name, setup, styles)
    rep(0.05, "Laying out the pages")
    n_parts = max(1, sum(p.make is not None for p in parts))
    done = [0]

    def lazy(part: _Part) -> list:
        def before() -> None:
            rep(0.05 + 0.9 * done[0] / n_parts, f"Laying out {part.title}")
            done[0] += 1
        return [Lazy(part.make, before)]

    story = _assemble(parts, lazy)
    if has_toc:
        story = _contents(data, styles, setup, [(p.level, p.title, p.key) for p in parts]) + [PageBreak()] + story
    if preface is not None:  # (title, make(styles, setup)): pages before everything (a review package's summary)
        story = [Marker("preface", preface[0], 0), *preface[1](styles, setup), PageBreak()] + story

    def on_marker(marker: Marker, page: int) -> None:
        rep(0.05 + 0.9 * done[0] / n_parts, f"Page {page}: {marker.title}")

    buf = io.BytesIO()
    doc = ReportDoc(buf, setup, _info(data, kind), styles, on_marker=on_marker, should_stop=should_stop)
    doc.build(story)
    pdf = buf.getvalue()
    rep(1.0, f"Done: {doc.page} page(s)")
    return pdf, doc.page, data


def write_atomic(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` through a temporary file in the same folder (no half-written PDF)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
