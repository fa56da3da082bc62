"""Assemble report documents and write them (atomically) to a file or bytes."""

from __future__ import annotations

import io
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from reportlab.platypus import PageBreak, Paragraph, Spacer
from reportlab.platypus.tableofcontents import TableOfContents

from ato_desktop.reports.data import ReportData, ReportError, load_report_data
from ato_desktop.reports.layout import DocInfo, Marker, PageSetup, ReportCancelled, ReportDoc, Styles, esc
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


def _section(title: str, key: str, level: int, flow: list, toc: bool = True) -> list:
    return [Marker(key, title, level, toc=toc), *flow]


def _story(db: Database, data: ReportData, kind: str, name: str | None, setup: PageSetup, styles: Styles,
           rep: _Reporter) -> tuple[list, bool]:
    """The flowables of a report; second value: whether it has a table of contents."""
    parts: list[tuple[str, str, int, Callable[[], list]]] = []  # (title, key, level, make flowables)

    def add_named(kind: str, codes: list[str], level: int) -> None:
        for code in codes:
            if kind == "faculty":
                title = f"{data.faculty[code].get('name', code)} ({code})"
            else:
                title = code
            parts.append((title, f"{kind}:{code}", level, lambda c=code: timetable_page(data, styles, setup, kind, c)))

    def add_master(level: int) -> None:
        for day, flow in master_pages(data, styles, setup):
            parts.append((day, f"master:{day}", level, lambda f=flow: f))

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
        add_master(0)
    elif kind == "workload":
        parts.append(("Faculty workload", "workload", 0, lambda: workload_flowables(data, styles, setup)))
    elif kind == "utilization":
        parts.append(("Room utilization", "utilization", 0, lambda: utilization_flowables(data, styles, setup)))
    elif kind == "conflicts":
        parts.append(("Unscheduled sessions and conflicts", "conflicts", 0,
                      lambda: problems_flowables(db, data, styles, setup)))
    elif kind == "book":
        toc = True
        for title, key, sub in (("Student groups", "group", data.top_groups()),
                                ("Faculty", "faculty", data.active_faculty()),
                                ("Rooms", "room", data.active_rooms())):
            parts.append((title, f"part:{key}", 0, lambda: []))
            add_named(key, sub, 1)
        parts.append(("Master timetable", "part:master", 0, lambda: []))
        add_master(1)
        parts.append(("Reports", "part:reports", 0, lambda: []))
        parts.append(("Faculty workload", "workload", 1, lambda: workload_flowables(data, styles, setup)))
        parts.append(("Room utilization", "utilization", 1, lambda: utilization_flowables(data, styles, setup)))
        parts.append(("Unscheduled sessions and conflicts", "conflicts", 1,
                      lambda: problems_flowables(db, data, styles, setup)))
    story: list = []
    if toc:
        story += _cover(data, styles)
    n = len(parts)
    started = False
    pending: list = []  # markers of part headings, placed on the next page with content
    for i, (title, key, level, make) in enumerate(parts):
        rep(0.05 + 0.4 * i / max(1, n), f"Laying out {title}")
        flow = make()
        if not flow:
            pending.append(Marker(key, title, level))
            continue
        if started:
            story.append(PageBreak())
        story += pending + _section(title, key, level, flow)
        pending = []
        started = True
    return story, toc


def _cover(data: ReportData, styles: Styles) -> list:
    k = styles.k
    toc = TableOfContents(dotsMinLevel=1)
    toc.levelStyles = styles.toc
    tt = data.timetable
    return [
        Paragraph("Department timetable book", styles.h1),
        Paragraph(esc(" · ".join(x for x in (data.institution, data.department, data.term) if x)), styles.body),
        Paragraph(esc(f"Version “{tt.name}” ({tt.status}), {tt.scheduled} of {tt.sessions} sessions scheduled."),
                  styles.body),
        Spacer(1, 8 * k),
        Paragraph("Contents", styles.h2),
        toc,
        PageBreak(),
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
    turns true (checked between pages).
    """
    check_request(kind, name, paper)
    rep = _Reporter(on_progress, should_stop)
    rep(0.0, "Reading the timetable")
    if data is None:
        data = load_report_data(db, timetable_id)
    setup = PageSetup(paper.upper(), landscape)
    styles = Styles(setup)
    story, has_toc = _story(db, data, kind, name, setup, styles, rep)
    rep(0.45, "Drawing pages")
    n_markers = max(1, sum(isinstance(f, Marker) for f in story))
    passes = 3 if has_toc else 1
    state = {"pass": 0, "seen": 0}

    def on_marker(marker: Marker, page: int) -> None:
        state["seen"] += 1
        done = (state["pass"] + state["seen"] / n_markers) / passes
        rep(0.45 + 0.55 * min(1.0, done), f"Page {page}: {marker.title}")

    buf = io.BytesIO()
    doc = ReportDoc(buf, setup, _info(data, kind), styles, on_marker=on_marker, should_stop=should_stop)
    if has_toc:
        orig_build = doc.build

        def counting_build(*a, **kw):
            state["seen"] = 0
            try:
                return orig_build(*a, **kw)
            finally:
                state["pass"] = min(passes - 1, state["pass"] + 1)

        doc.build = counting_build  # type: ignore[method-assign]
        doc.multiBuild(story)
    else:
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
