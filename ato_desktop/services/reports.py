"""The reports fed from the database: the services read the data, ``reports/`` lays it out.

``load_report_data`` reads a version and every resource it mentions into the reports' plain
:class:`~ato_desktop.reports.data.ReportData`; ``build_report`` / ``render_report`` /
``faculty_timetable_pdf`` make a report of it; ``build_review_package`` / ``write_review_package`` read
a version's check, comparison and history for the review package; ``write_sheet`` / ``write_register``
read a day's arrangement or the term's register of substitutions and write its printout.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import replace
from pathlib import Path

from ato_desktop.reports.build import ProgressFn, ReportResult, StopFn, build_report as _build, write_atomic
from ato_desktop.reports.data import ReportData, ReportError
from ato_desktop.reports.review import ReviewFacts, ReviewPackage, review_package_pdf
from ato_desktop.reports import substitutions as printouts
from ato_desktop.services import availability as av
from ato_desktop.services import calendar as cal
from ato_desktop.services import resources as res
from ato_desktop.services import timetables as tts
from ato_desktop.services.compile import compile_database
from ato_desktop.services.errors import NotFoundError, ServiceError
from ato_desktop.storage.database import Database


def load_report_data(db: Database, timetable: int | str | None = None, *, now: dt.datetime | None = None,
                     with_availability: bool = True) -> ReportData:
    """Read a timetable version (``None`` = the latest) and every resource it mentions.

    A published version is read from its frozen snapshot: its sessions, teachers, rooms and the
    names printed about them as they were when it was published."""
    try:
        info = tts.get_timetable(db, timetable)
    except NotFoundError:
        if timetable is None:
            raise ReportError("this database has no timetable version yet; create or optimize one first.") from None
        names = ", ".join(repr(t.name) for t in tts.list_timetables(db)) or "none"
        raise ReportError(f"there is no timetable version {timetable!r}. Versions: {names}.") from None
    frozen = tts.published_sessions(db, info.id)  # a published version prints as it was published
    if frozen is not None:
        sessions = [tts.frozen_view(fs, -1 - i) for i, fs in enumerate(frozen)]
    else:
        sessions = tts.list_sessions(db, info.id)
    settings = cal.all_settings(db)
    data = ReportData(
        institution=settings.get("institution_name", ""),
        department=settings.get("department_name", ""),
        term=settings.get("term", ""),
        calendar=cal.get_calendar(db),
        timetable=info,
        sessions=sessions,
        faculty={f["code"]: f for f in res.list_items(db, "faculty")},
        rooms={r["code"]: r for r in res.list_items(db, "room")},
        groups={g["code"]: g for g in res.list_items(db, "group")},
        courses={c["code"]: c for c in res.list_items(db, "course")},
        baskets={b["code"]: b for b in res.list_items(db, "basket")},
        generated=now or dt.datetime.now().astimezone(),
    )
    if frozen is not None:
        _use_published_names(data, frozen)
    tt_id = info.id
    data.compiled = lambda: compile_database(db, tt_id)[:2]  # read when a report lists the conflicts
    from ato_desktop.services.substitution_register import substitution_counts

    data.substitutions = substitution_counts(db)
    from ato_desktop.services.templates import norms_by_faculty

    data.weekly_norms = norms_by_faculty(db)
    from ato_desktop.services.bells import day_times_by_position
    from ato_desktop.services.frozen import frozen_times

    with db.read_session() as s:
        kept = frozen_times(s, info.id) if frozen is not None else None
        if kept is None:
            data.day_times = day_times_by_position(s)
        else:  # a published or approved version prints the times it was frozen with
            _use_frozen_times(data, *kept)
    if with_availability:
        for code in data.faculty:
            marks = av.get_marks(db, "faculty", code)
            data.faculty_unavailable[code] = {k for k, v in marks.items() if v == "unavailable"}
        for code in data.rooms:
            marks = av.get_marks(db, "room", code)
            data.room_unavailable[code] = {k for k, v in marks.items() if v == "unavailable"}
    return data


def _use_frozen_times(data: ReportData, periods: dict[int, tuple[str, str]],
                      day_times: dict[int, dict[int, tuple[str, str]]]) -> None:
    """The period times a frozen version was frozen with: every period's, and each day's own."""
    data.day_times = day_times
    data.calendar = replace(data.calendar, periods=tuple(
        replace(p, start_time=periods[p.position][0], end_time=periods[p.position][1])
        if p.position in periods else p for p in data.calendar.periods))


def _use_published_names(data: ReportData, frozen) -> None:
    """Names as they were at publish time (a teacher, room, group or course renamed or removed since
    still prints as it was published)."""
    def put(table: dict, code: str, **values) -> None:
        item = dict(table.get(code) or {"code": code})
        item.update(values)
        table[code] = item

    for fs in frozen:
        for code, name in zip(fs.faculty_codes, fs.faculty_names):
            put(data.faculty, code, name=name)
        for code, name in zip(fs.group_codes, fs.group_names):
            put(data.groups, code, name=name)
        if fs.room_code:
            put(data.rooms, fs.room_code, name=fs.room_name or fs.room_code)
        put(data.courses, fs.course_code, title=fs.course_title)
    # the day names and period labels and times printed, as they were (where the calendar still has them)
    days = {fs.day: (fs.day_name, fs.day_short) for fs in frozen if fs.day is not None and fs.day_name}
    periods = {fs.period: (fs.period_label, fs.start_time, fs.end_time)
               for fs in frozen if fs.period is not None and fs.duration == 1 and fs.period_label}
    calendar = data.calendar
    data.calendar = replace(calendar, days=tuple(
        replace(d, name=days[d.position][0], short_name=days[d.position][1] or d.short_name)
        if d.position in days else d for d in calendar.days), periods=tuple(
        replace(p, label=periods[p.position][0], start_time=periods[p.position][1] or p.start_time,
                end_time=periods[p.position][2] or p.end_time)
        if p.position in periods else p for p in calendar.periods))


def build_report(db: Database, kind: str, *, timetable_id: int | str | None = None, name: str | None = None,
                 paper: str = "A4", landscape: bool = True, on_progress: ProgressFn | None = None,
                 should_stop: StopFn | None = None, data: ReportData | None = None,
                 preface=None) -> tuple[bytes, int, ReportData]:
    """Render a report to PDF bytes: ``(pdf, pages, data)`` (``reports.build.build_report`` of the data
    read here, or of ``data``). Raises ``ReportError`` for a bad request, ``ReportCancelled`` when stopped."""
    source = data if data is not None else (lambda: load_report_data(db, timetable_id))
    return _build(source, kind, name=name, paper=paper, landscape=landscape, on_progress=on_progress,
                  should_stop=should_stop, preface=preface)


def render_report(db: Database, kind: str, out_path: str | os.PathLike | None, timetable_id: int | str | None = None,
                  name: str | None = None, paper: str = "A4", landscape: bool = True,
                  on_progress: ProgressFn | None = None, should_stop: StopFn | None = None,
                  processes: int | None = None) -> ReportResult:
    """Render ``kind`` to ``out_path`` (written only when the whole PDF is ready).

    ``kind``: group | faculty | room (``name`` = one code, else all) | master | workload | utilization |
    conflicts | book. ``timetable_id``: a version id or name; ``None`` = the latest version.
    ``processes``: the book's worker processes (``services.book``; ``None``: every core for a large book).
    """
    if kind == "book" and out_path is not None and name is None:
        from ato_desktop.services.book import render_book

        return render_book(db, out_path, timetable_id=timetable_id, paper=paper, landscape=landscape,
                           processes=processes, on_progress=on_progress, should_stop=should_stop)
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


# ---- the review package ---------------------------------------------------------------------
def build_review_package(db: Database, key: int | str, *, against: int | str | None = None,
                         paper: str = "A4", dashboard=None) -> tuple[bytes, ReviewPackage]:
    """The review package's PDF bytes. ``against``: the version to compare with (default: the latest
    published one other than this; none when nothing was published). ``dashboard``: the version's
    ``services.dashboard.DashboardData`` when the caller has it (computed here otherwise)."""
    from ato_desktop.services import approval, compare
    from ato_desktop.services import version_lifecycle as versions

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
    facts = ReviewFacts(
        info.name, approval.STATUS_NAMES.get(info.status, info.status), check.sessions, check.hard, check.soft,
        check.summary_lines()[1:], cmp.a.name if cmp is not None else None,
        compare.figure_rows(cmp) if cmp is not None else [], [mv.text for mv in cmp.moved] if cmp is not None else [],
        [e.text for e in history or []], dashboard)
    pdf, pages = review_package_pdf(facts, lambda: load_report_data(db, info.id), paper=paper)
    return pdf, ReviewPackage(None, info.name, other.name if other is not None else None, pages,
                              len(cmp.moved) if cmp is not None else 0)


def write_review_package(db: Database, key: int | str, out: str | Path, *, against: int | str | None = None,
                         paper: str = "A4", dashboard=None) -> ReviewPackage:
    """Write the review package to ``out`` (atomically: no half-written file)."""
    pdf, pkg = build_review_package(db, key, against=against, paper=paper, dashboard=dashboard)
    path = Path(out)
    write_atomic(path, pdf)
    return ReviewPackage(path, pkg.timetable, pkg.against, pkg.pages, pkg.moved)


# ---- substitution printouts -----------------------------------------------------------------
def arrangement_sheet_pdf(db: Database, date, *, timetable: int | str | None = None, slips: bool = True,
                          now: dt.datetime | None = None) -> bytes:
    """The date's arrangement for the staff room (A4 portrait), then a slip per substitute."""
    from ato_desktop.services import substitution_day as sb

    try:
        plan = sb.plan_day(db, date, timetable)
    except ServiceError as exc:
        raise ReportError(str(exc)) from None
    by_sub: dict[str, list] = {}
    if slips:
        for x in plan.lessons:
            if x.covered and x.arrangement.substitute and x.arrangement.kind in sb.TAKING_KINDS:
                by_sub.setdefault(x.arrangement.substitute, []).append(x)
    return printouts.arrangement_sheet_pdf(plan, cal.get_calendar(db).periods, cal.all_settings(db),
                                           slips=by_sub, now=now)


def register_pdf(db: Database, reg=None, *, now: dt.datetime | None = None) -> bytes:
    """The term's register of substitutions as a PDF (``reg``: read here when not given)."""
    from ato_desktop.services import substitution_register as sb

    return printouts.register_pdf(reg or sb.register(db), cal.all_settings(db), now=now)


def write_register(db: Database, out):
    """Write the term's register to ``out`` (.xlsx or .pdf); returns (path, register)."""
    from ato_desktop.services import substitution_register as sb

    out = printouts.check_out_path(out, (".xlsx", ".pdf"))
    reg = sb.register(db)
    try:
        if out.suffix.lower() == ".pdf":
            write_atomic(out, register_pdf(db, reg))
        else:
            printouts.register_xlsx(reg, out)
    except OSError as exc:
        raise ReportError(f"cannot write {out}: {exc.strerror or exc}. Nothing was written.") from None
    return out, reg


def write_sheet(db: Database, date, out, *, timetable: int | str | None = None, slips: bool = True) -> Path:
    """Write the date's arrangement sheet (PDF) to ``out``."""
    out = printouts.check_out_path(out, (".pdf",))
    pdf = arrangement_sheet_pdf(db, date, timetable=timetable, slips=slips)
    try:
        write_atomic(out, pdf)
    except OSError as exc:
        raise ReportError(f"cannot write {out}: {exc.strerror or exc}. Nothing was written.") from None
    return out
