"""Publishing a timetable version: the static website, the iCalendar feeds and the Excel copy.

The version is read as the PDFs read it (:func:`ato_desktop.services.reports.load_report_data`: a published
or approved version from its frozen snapshot, a draft from its live sessions) and turned into a plain
:class:`~ato_desktop.io.timetable_view.TimetableView` with the term's real dates; the writers
(``reports/site.py``, ``io/ical.py``, ``io/timetable_xlsx.py``) only read that. Nothing here changes the
database.

Files are written atomically: the site is built in a hidden folder beside the target and moved into
place when complete (an earlier site there is replaced only then); the workbook is written to a
temporary file and renamed. A failure or a cancel leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ato_desktop.progress import Progress
from ato_desktop.io.timetable_view import (
    TermDates,
    TimetableView,
    ViewDay,
    ViewEntity,
    ViewPeriod,
    ViewSession,
)
from ato_desktop.services import term as terms
from ato_desktop.services.errors import ServiceError
from ato_desktop.storage.database import Database

SITE_MARKER = ".ato-site"  # a folder holding this file is a site ATO wrote (and may replace)
BY_KINDS = ("group", "faculty", "room")


class PublishError(ServiceError):
    """The site or workbook cannot be written (a bad folder, no timetable, …): one sentence for the user."""


class PublishCancelled(Exception):
    """The user stopped it; nothing was written."""


@dataclass(frozen=True)
class PublishResult:
    path: Path
    version: str
    pages: int
    calendars: int
    files: int
    size: int  # bytes
    seconds: float
    note: str = ""  # e.g. why there are no calendars


def _report_error(exc: Exception) -> PublishError:
    msg = str(exc)
    return PublishError(msg[:1].upper() + msg[1:])


def term_dates(db: Database) -> TermDates | None:
    """The term's dates with the calendar day that runs on each, or ``None`` when the term is not set."""
    term = terms.get_term(db)
    if not term.is_set:
        return None
    runs: dict[dt.date, int | None] = {}
    labels: dict[dt.date, str] = {}
    d = term.start
    while d <= term.end:
        info = terms.date_info(db, d, term)
        runs[d] = info.day
        ex = term.exception(d)
        if ex is not None:
            labels[d] = (f"Holiday{': ' + ex.label if ex.label else ''}" if ex.kind == "holiday"
                         else f"Follows {ex.follows}'s timetable{' (' + ex.label + ')' if ex.label else ''}")
        d += dt.timedelta(days=1)
    return TermDates(term.start, term.end, term.time_zone, runs, labels)


def timetable_view(db: Database, timetable: int | str | None = None, *,
                   now: dt.datetime | None = None) -> TimetableView:
    """A version (``None``: the latest) as plain data for the writers, with the term's dates."""
    from ato_desktop.reports.data import ReportError
    from ato_desktop.services.reports import load_report_data
    from ato_desktop.services import resources as res

    try:
        data = load_report_data(db, timetable, now=now, with_availability=False)
    except ReportError as exc:
        raise _report_error(exc) from None
    sessions = {s.id: ViewSession(
        activity_id=s.activity_id, occurrence=s.occurrence, course_code=s.course_code,
        course_title=data.courses.get(s.course_code, {}).get("title") or s.course_title, kind=s.kind,
        duration=max(1, s.duration), day=s.day, period=s.period, groups=tuple(s.groups),
        faculty=tuple(s.faculty), room=s.room, basket=s.basket) for s in data.sessions}

    def conv(items) -> tuple[ViewSession, ...]:
        return tuple(sessions[s.id] for s in items)

    names = {
        "faculty": {c: (f.get("name") or c) for c, f in data.faculty.items()},
        "group": {c: (g.get("name") or c) for c, g in data.groups.items()},
        "room": {c: (r.get("name") or c) for c, r in data.rooms.items()},
    }
    faculty = tuple(ViewEntity("faculty", c, names["faculty"].get(c, c), conv(data.faculty_sessions(c)))
                    for c in data.active_faculty())
    groups = []
    for c in sorted(data.groups):
        found = data.group_sessions(c)
        if found:
            groups.append(ViewEntity("group", c, names["group"].get(c, c), conv(found)))
    rooms = tuple(ViewEntity("room", c, names["room"].get(c, c), conv(data.room_sessions(c)))
                  for c in sorted(data.rooms) if data.room_sessions(c))
    home = [d for d in res.list_items(db, "department") if d.get("is_home")]
    cal = data.calendar
    return TimetableView(
        institution=data.institution, department=data.department,
        department_code=home[0]["code"] if home else "", term_label=data.term,
        version=data.timetable.name, status=data.timetable.status, generated=data.generated,
        days=tuple(ViewDay(d.position, d.name, d.short_name) for d in cal.days),
        periods=tuple(ViewPeriod(p.position, p.label, p.start_time, p.end_time, p.is_break) for p in cal.periods),
        sessions=tuple(sessions.values()), faculty=faculty, groups=tuple(groups), rooms=rooms,
        faculty_names=names["faculty"], room_names=names["room"], group_names=names["group"],
        course_titles={c: (x.get("title") or "") for c, x in data.courses.items()},
        term=term_dates(db), day_times=data.day_times)


# ---- the website --------------------------------------------------------------------------------------
def _check_site_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise PublishError(f"{out} is a file, not a folder; choose a folder for the website.")
    if not out.parent.exists():
        raise PublishError(f"The folder {out.parent} does not exist; create it first or choose another.")
    if out.is_dir():
        try:
            entries = [p.name for p in out.iterdir()]
        except OSError as exc:
            raise PublishError(f"The folder {out} cannot be read: {exc.strerror or exc}.") from None
        if entries and SITE_MARKER not in entries:
            raise PublishError(f"The folder {out} already holds other files; choose an empty folder or a new "
                               "one (an earlier ATO website there would be replaced).")
    if not os.access(out.parent, os.W_OK):
        raise PublishError(f"The folder {out.parent} cannot be written; choose another.")


def publish_site(db: Database, out: str | os.PathLike, *, timetable: int | str | None = None,
                 now: dt.datetime | None = None,
                 on_progress: Callable[[Progress], None] | None = None,
                 should_stop: Callable[[], bool] | None = None) -> PublishResult:
    """Write the static website of a version (``None``: the latest) to the folder ``out``.

    ``out`` must be new, empty, or an earlier ATO website (which is replaced only once the new one is
    complete). Raises :class:`PublishError` (one sentence, nothing written) or :class:`PublishCancelled`."""
    from ato_desktop.reports.site import write_site

    t0 = time.perf_counter()
    out = Path(out).expanduser().absolute()
    _check_site_target(out)

    def progress(fraction: float, message: str) -> None:
        if should_stop is not None and should_stop():
            raise PublishCancelled()
        if on_progress is not None:
            on_progress(Progress(round(fraction * 1000), 1000, message))

    progress(0.0, "Reading the timetable")
    view = timetable_view(db, timetable, now=now)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise PublishError(f"Cannot write in {out.parent}: {exc.strerror or exc}.") from None
    try:
        stats = write_site(view, tmp, now=now,
                           on_progress=lambda f, msg: progress(0.05 + 0.9 * f, msg))
        (tmp / SITE_MARKER).write_text(f"ATO Desktop website of version {view.version!r}\n", encoding="utf-8")
        progress(0.97, "Moving the website into place")
        _swap_into_place(tmp, out)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise PublishError(f"Cannot write the website to {out}: {exc.strerror or exc}.") from None
        raise
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    files = sum(1 for p in out.rglob("*") if p.is_file())
    if on_progress is not None:
        on_progress(Progress(1000, 1000, "Done"))
    note = "" if view.term is not None else ("no calendars: the term has no start and end dates "
                                              "(ato-desktop term set --start … --end …)")
    return PublishResult(out, view.version, stats["pages"], stats["calendars"], files, size,
                         time.perf_counter() - t0, note)


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Move the finished site ``tmp`` to ``out``; an earlier site there is removed only afterwards."""
    if not out.exists():
        os.replace(tmp, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    os.replace(out, old)
    try:
        os.replace(tmp, out)
    except OSError:
        os.replace(old, out)  # put the earlier site back
        raise
    shutil.rmtree(old, ignore_errors=True)


# ---- one calendar (the e-mail to a faculty member) ------------------------------------------------------
def faculty_calendar(db: Database, timetable: int | str | None, faculty_code: str, *,
                     view: TimetableView | None = None, now: dt.datetime | None = None) -> bytes | None:
    """The ``.ics`` of one faculty member's timetable, or ``None`` when the term has no dates or the member
    teaches nothing in the version."""
    from ato_desktop.io.ical import entity_calendar

    view = view or timetable_view(db, timetable, now=now)
    if view.term is None:
        return None
    for e in view.faculty:
        if e.code == faculty_code:
            return entity_calendar(view, e, now=now).encode("utf-8")
    return None


# ---- the Excel copy ---------------------------------------------------------------------------------------
def export_timetable_xlsx(db: Database, out: str | os.PathLike, *, by: str = "group",
                          timetable: int | str | None = None, now: dt.datetime | None = None) -> PublishResult:
    """Write a workbook with a sheet per group, faculty member or room (``by``) of a version."""
    from ato_desktop.io.timetable_xlsx import write_timetable_xlsx

    t0 = time.perf_counter()
    if by not in BY_KINDS:
        raise PublishError(f"A timetable can be exported by group, faculty or room, not by {by!r}.")
    out = Path(out).expanduser().absolute()
    if out.suffix.lower() != ".xlsx":
        raise PublishError(f"{out}: give a file name ending in .xlsx.")
    if out.is_dir():
        raise PublishError(f"{out} is a folder; give a file name ending in .xlsx.")
    if not out.parent.is_dir():
        raise PublishError(f"The folder {out.parent} does not exist; create it first or choose another.")
    view = timetable_view(db, timetable, now=now)
    if not view.entities(by):
        raise PublishError(f"There is nothing to export: no {by} has sessions in the version {view.version!r}.")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".xlsx.tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        sheets = write_timetable_xlsx(view, by, tmp)
        os.replace(tmp, out)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise PublishError(f"Cannot write {out}: {exc.strerror or exc}.") from None
        raise
    return PublishResult(out, view.version, sheets, 0, 1, out.stat().st_size, time.perf_counter() - t0)
