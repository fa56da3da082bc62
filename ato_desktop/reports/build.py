"""Assemble report documents and write them (atomically) to a file or bytes."""

from __future__ import annotations

import io
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from reportlab.lib import colors
from reportlab.platypus import PageBreak, Spacer
from reportlab.platypus.tableofcontents import TableOfContents

from ato_desktop.reports.data import ReportData, ReportError, load_report_data
from ato_desktop.reports.layout import DocInfo, Marker, PageSetup, Paragraph, ReportCancelled, ReportDoc, Styles, esc
from ato_desktop.reports.tables import problems_flowables, utilization_flowables, workload_flowables
from ato_desktop.reports.timetable import master_pages, timetable_page
from ato_desktop.storage.database import Database

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


@dataclass(frozen=True)
class ReportProgress:
    """A progress snapshot: ``fraction`` in [0, 1] and what is being done."""

    fraction: float
    message: str


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
            self.on_progress(ReportProgress(fraction, message))

    def check(self) -> None:
        if self.should_stop is not None and self.should_stop():
            raise ReportCancelled()


@dataclass
class _Part:
    title: str
    key: str
    level: int
    make: Callable[[], list]
    pages: int | None = None  # known page count (timetable pages: 1); None = measure


def _parts(db: Database, data: ReportData, kind: str, name: str | None, setup: PageSetup,
           styles: Styles) -> tuple[list[_Part], bool]:
    """The sections of a report; second value: whether it has a table of contents."""
    parts: list[_Part] = []

    def add_named(kind: str, codes: list[str], level: int) -> None:
        for code in codes:
            title = f"{data.faculty[code].get('name', code)} ({code})" if kind == "faculty" else code
            parts.append(_Part(title, f"{kind}:{code}", level,
                               lambda c=code: timetable_page(data, styles, setup, kind, c), 1))

    def add_master(level: int) -> None:
        for day, flow in master_pages(data, styles, setup):
            pages = 1 + sum(isinstance(f, PageBreak) for f in flow)
            parts.append(_Part(day, f"master:{day}", level, lambda f=flow: f, pages))

    def add_reports(level: int) -> None:
        parts.append(_Part("Faculty workload", "workload", level, lambda: workload_flowables(data, styles, setup)))
        parts.append(_Part("Room utilization", "utilization", level,
                           lambda: utilization_flowables(data, styles, setup)))
        parts.append(_Part("Unscheduled sessions and conflicts", "conflicts", level,
                           lambda: problems_flowables(db, data, styles, setup)))

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
            parts.append(_Part(title, f"part:{key}", 0, list, 0))
            add_named(key, sub, 1)
        parts.append(_Part("Master timetable", "part:master", 0, list, 0))
        add_master(1)
        parts.append(_Part("Reports", "part:reports", 0, list, 0))
        add_reports(1)
    return parts, toc


def _assemble(parts: list[tuple[_Part, list]]) -> list:
    """Flowables with a page break between sections; headings without content go on the next page."""
    story: list = []
    started = False
    pending: list = []
    for part, flow in parts:
        if not flow:
            pending.append(Marker(part.key, part.title, part.level))
            continue
        if started:
            story.append(PageBreak())
        story += pending + [Marker(part.key, part.title, part.level), *flow]
        pending = []
        started = True
    return story + pending


def _count_pages(setup: PageSetup, styles: Styles, flow: list) -> int:
    """Pages a list of flowables takes (laid out in a throwaway document)."""
    doc = ReportDoc(io.BytesIO(), setup, DocInfo("", "", "", "", "", ""), styles)
    doc._doSave = 0  # lay out only; links to other sections stay unresolved
    doc.build(list(flow))
    return doc.page


def _contents(data: ReportData, styles: Styles, setup: PageSetup, entries: list[tuple[int, str, str, int]]) -> list:
    """The cover: title, what is printed, and a two-column table of contents with links."""
    from reportlab.platypus import Table, TableStyle

    k = styles.k
    _, _, fw, _ = setup.frame()
    tt = data.timetable
    rows_of = []
    for level, title, key, page in entries:
        st = styles.toc[min(level, 1)]
        rows_of.append([Paragraph(f'<a href="#{esc(key)}">{esc(title)}</a>', st),
                        Paragraph(f'<a href="#{esc(key)}">{page}</a>', st.clone(st.name + "r", alignment=2,
                                                                               leftIndent=0))])
    # split into two columns at a top-level entry near the middle
    split = len(rows_of)
    if len(rows_of) > 12:
        tops = [i for i, e in enumerate(entries) if e[0] == 0 and i > 0]
        split = min(tops, key=lambda i: abs(i - len(rows_of) / 2)) if tops else len(rows_of)
    left, right = rows_of[:split], rows_of[split:]
    col = (fw - 20 * k) / 2
    cols = []
    for rows in (left, right):
        if rows:
            cols.append(Table(rows, colWidths=[col - 50 * k, 30 * k], style=TableStyle([
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2 * k),
                ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D5DAE0"))])))
        else:
            cols.append("")
    body = Table([cols], colWidths=[col, col], style=TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (0, -1), 20 * k), ("RIGHTPADDING", (1, 0), (1, -1), 0)]), hAlign="LEFT")
    return [
        Paragraph("Department timetable book", styles.h1),
        Paragraph(esc(" · ".join(x for x in (data.institution, data.department, data.term) if x)), styles.body),
        Paragraph(esc(f"Version “{tt.name}” ({tt.status}), {tt.scheduled} of {tt.sessions} sessions scheduled."),
                  styles.body),
        Spacer(1, 6 * k),
        Paragraph("Contents", styles.h2),
        body,
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


def build_report(db: Database, kind: str, *, timetable_id: int | str | None = None, name: str | None = None,
                 paper: str = "A4", landscape: bool = True, on_progress: ProgressFn | None = None,
                 should_stop: StopFn | None = None, data: ReportData | None = None) -> tuple[bytes, int, ReportData]:
    """Render a report to PDF bytes. Returns ``(pdf, pages, data)``.

    Raises :class:`ReportError` for a bad request and :class:`ReportCancelled` when ``should_stop()``
    turns true (checked between sections and pages).

    The book's contents are laid out in ONE pass: every timetable page is one page by construction and
    the other sections are measured first; if a section turns out longer than predicted, the book is
    rebuilt with ReportLab's multi-pass table of contents (slower, always right).
    """
    check_request(kind, name, paper)
    rep = _Reporter(on_progress, should_stop)
    rep(0.0, "Reading the timetable")
    if data is None:
        data = load_report_data(db, timetable_id)
    setup = PageSetup(paper.upper(), landscape)
    styles = Styles(setup)
    parts, has_toc = _parts(db, data, kind, name, setup, styles)
    made: list[tuple[_Part, list]] = []
    for i, part in enumerate(parts):
        rep(0.05 + 0.4 * i / max(1, len(parts)), f"Laying out {part.title}")
        made.append((part, part.make()))
    story = _assemble(made)
    expected: dict[str, int] = {}
    if has_toc:
        rep(0.45, "Numbering pages")
        for part, flow in made:
            if flow and part.pages is None:
                part.pages = _count_pages(setup, styles, flow)
                flow[:] = part.make()  # fresh flowables for the real document
        placeholder = [(p.level, p.title, p.key, 999) for p, _ in made]
        cover_pages = _count_pages(setup, styles, _contents(data, styles, setup, placeholder))
        page = cover_pages + 1
        entries = []
        for part, flow in made:
            entries.append((part.level, part.title, part.key, page))
            expected[part.key] = page
            page += part.pages or 0
        story = _contents(data, styles, setup, entries) + [PageBreak()] + _assemble(made)
    rep(0.5, "Drawing pages")
    n_markers = max(1, sum(isinstance(f, Marker) for f in story))
    actual: dict[str, int] = {}

    def on_marker(marker: Marker, page: int) -> None:
        actual[marker.key] = page
        rep(0.5 + 0.5 * len(actual) / n_markers, f"Page {page}: {marker.title}")

    buf = io.BytesIO()
    doc = ReportDoc(buf, setup, _info(data, kind), styles, on_marker=on_marker, should_stop=should_stop)
    doc.build(story)
    if has_toc and actual != expected:  # a section was longer than measured: fall back to multi-pass
        rep(0.5, "Renumbering pages")
        toc = TableOfContents(dotsMinLevel=1)
        toc.levelStyles = styles.toc
        story = _contents(data, styles, setup, [])[:-1] + [toc, PageBreak()]
        story += _assemble([(p, p.make()) for p, _ in made])
        buf = io.BytesIO()
        doc = ReportDoc(buf, setup, _info(data, kind), styles, should_stop=should_stop)
        doc.multiBuild(story)
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


def render_report(db: Database, kind: str, out_path: str | os.PathLike | None, timetable_id: int | str | None = None,
                  name: str | None = None, paper: str = "A4", landscape: bool = True,
                  on_progress: ProgressFn | None = None, should_stop: StopFn | None = None) -> ReportResult:
    """Render ``kind`` to ``out_path`` (written only when the whole PDF is ready).

    ``kind``: group | faculty | room (``name`` = one code, else all) | master | workload | utilization |
    conflicts | book. ``timetable_id``: a version id or name; ``None`` = the latest version.
    """
    t0 = time.perf_counter()
    pdf, pages, data = build_report(db, kind, timetable_id=timetable_id, name=name, paper=paper, landscape=landscape,
                                    on_progress=on_progress, should_stop=should_stop)
    path = None
    if out_path is not None:
        path = Path(out_path)
        write_atomic(path, pdf)
    return ReportResult(path, kind, pages, time.perf_counter() - t0, data.timetable.name, len(pdf))


def faculty_timetable_pdf(db: Database, timetable_id: int | str | None, faculty_code: str, *, paper: str = "A4",
                          landscape: bool = True) -> bytes:
    """One faculty member's timetable as PDF bytes (the e-mail attachment)."""
    pdf, _, _ = build_report(db, "faculty", timetable_id=timetable_id, name=faculty_code, paper=paper,
                             landscape=landscape)
    return pdf
