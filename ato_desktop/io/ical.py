"""iCalendar (RFC 5545) feeds of a timetable: one calendar per faculty member, student group or room.

Each weekly session is one ``VEVENT`` that recurs weekly (``RRULE:FREQ=WEEKLY;UNTIL=…``) from its first
date in the term to its last, with an ``EXDATE`` for each of those weekdays on which it does not run (a
holiday, or a day that follows another weekday's timetable); a date that follows this session's weekday
(a Saturday with Monday's timetable) gets an event of its own. Times are local times of the term's time
zone, described by a ``VTIMEZONE`` written from the zone database (so no external zone is assumed). UIDs
are stable: the same weekly session of the same department keeps its UID in every version and feed, so
re-importing a newer version updates the events instead of duplicating them. Lines are folded at 75
octets (never inside a UTF-8 character) and text is escaped as RFC 5545 §3.3.11 says.
"""

from __future__ import annotations

import datetime as dt
import re

from ato_desktop.io.timetable_view import TimetableView, ViewEntity, ViewSession

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PRODID = "-//ATO Desktop//Timetable//EN"


def tzinfo_of(name: str) -> dt.tzinfo:
    """A tzinfo for ``name``; India's fixed +05:30 when the zone database is missing (Windows without tzdata)."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:
        if name == "Asia/Kolkata":
            return dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
        raise ValueError(f"{name!r} is not a time zone this computer knows") from None


def escape_text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines."""
    value = str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """One content line folded into lines of at most 75 octets (CRLF + space), between characters."""
    out, current, size, limit = [], [], 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append("".join(current))
            current, size, limit = [], 0, 74  # the continuation's leading space is one octet
        current.append(ch)
        size += n
    out.append("".join(current))
    return "\r\n ".join(out)


def _offset(td: dt.timedelta) -> str:
    total = int(td.total_seconds())
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h:02d}{m:02d}" + (f"{s:02d}" if s else "")


def _local(d: dt.date, hhmm: str) -> dt.datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return dt.datetime(d.year, d.month, d.day, h, m)


def _fmt_local(t: dt.datetime) -> str:
    return t.strftime("%Y%m%dT%H%M%S")


def _fmt_utc(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def vtimezone(name: str, start: dt.date, end: dt.date) -> list[str]:
    """The ``VTIMEZONE`` lines of ``name`` over [start, end]: its offset at the start, then each change."""
    tz = tzinfo_of(name)
    utc = dt.timezone.utc
    t0 = dt.datetime(start.year, start.month, start.day, tzinfo=utc) - dt.timedelta(days=2)
    t1 = dt.datetime(end.year, end.month, end.day, tzinfo=utc) + dt.timedelta(days=2)

    def off(t: dt.datetime) -> dt.timedelta:
        return t.astimezone(tz).utcoffset() or dt.timedelta(0)

    def is_dst(t: dt.datetime) -> bool:
        return bool(t.astimezone(tz).dst())

    def abbrev(t: dt.datetime) -> str:
        return t.astimezone(tz).tzname() or name

    first = off(t0)
    kind0 = "DAYLIGHT" if is_dst(t0) else "STANDARD"
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}",
             f"BEGIN:{kind0}", "DTSTART:19700101T000000", f"TZOFFSETFROM:{_offset(first)}",
             f"TZOFFSETTO:{_offset(first)}", f"TZNAME:{escape_text(abbrev(t0))}", f"END:{kind0}"]
    t, step = t0, dt.timedelta(hours=6)
    while t < t1:
        nxt = t + step
        if off(nxt) != off(t):
            lo, hi = t, nxt  # the change is in (lo, hi]: bisect to the minute
            while hi - lo > dt.timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= lo:
                    break
                if off(mid) == off(lo):
                    lo = mid
                else:
                    hi = mid
            before, after = off(lo), off(hi)
            kind = "DAYLIGHT" if is_dst(hi) else "STANDARD"
            local_start = (hi + before).replace(tzinfo=None)  # wall-clock time in the old offset
            lines += [f"BEGIN:{kind}", f"DTSTART:{_fmt_local(local_start)}", f"TZOFFSETFROM:{_offset(before)}",
                      f"TZOFFSETTO:{_offset(after)}", f"TZNAME:{escape_text(abbrev(hi))}", f"END:{kind}"]
        t = nxt
    lines.append("END:VTIMEZONE")
    return lines


def _uid(view: TimetableView, s: ViewSession, suffix: str = "") -> str:
    dept = re.sub(r"[^A-Za-z0-9.-]+", "-", view.department_code or view.department or "department").strip("-")
    return f"ato-{s.key}{suffix}@{dept.lower() or 'department'}.ato-desktop"


def _summary(view: TimetableView, kind: str, s: ViewSession) -> str:
    head = f"{s.course_code} {s.kind_name}"
    if kind == "faculty":
        extra = ", ".join(s.groups)
    elif kind == "group":
        extra = ", ".join(s.faculty)
    else:
        extra = ", ".join(s.groups)
    title = view.course_titles.get(s.course_code) or s.course_title
    text = f"{head}: {title}" if title else head
    return f"{text} ({extra})" if extra else text


def _description(view: TimetableView, s: ViewSession) -> str:
    lines = [f"{s.course_code} {view.course_titles.get(s.course_code) or s.course_title}".strip(),
             f"{s.kind_name}, {view.period_span(s)}"]
    if s.groups:
        lines.append("Groups: " + ", ".join(f"{view.group_names.get(g, g)}" if view.group_names.get(g, g) == g
                                            else f"{g} ({view.group_names[g]})" for g in s.groups))
    if s.faculty:
        lines.append("Faculty: " + ", ".join(f"{view.faculty_names.get(f, f)} ({f})" for f in s.faculty))
    if s.room:
        lines.append("Room: " + _room_text(view, s.room))
    if s.basket:
        lines.append(f"Elective basket {s.basket}")
    lines.append(f"Timetable version {view.version!r} ({view.status})")
    return "\n".join(lines)


def _room_text(view: TimetableView, code: str) -> str:
    name = view.room_names.get(code, code)
    return code if not name or name == code else f"{code} {name}"


def occurrence_dates(view: TimetableView, day_position: int) -> list[dt.date]:
    """Every date of the term on which the calendar day ``day_position``'s timetable runs."""
    if view.term is None:
        return []
    return sorted(d for d, p in view.term.runs.items() if p == day_position)


def _weekday_of(view: TimetableView, day_position: int) -> int | None:
    day = view.day(day_position)
    if day is None:
        return None
    name = day.name.strip().lower()
    return WEEKDAYS.index(name) if name in WEEKDAYS else None


def entity_calendar(view: TimetableView, entity: ViewEntity, *, now: dt.datetime | None = None) -> str:
    """The ``.ics`` text (CRLF line ends) of one faculty member's, group's or room's timetable over the term.

    Raises ValueError when the view has no term dates (the services refuse before that)."""
    term = view.term
    if term is None:
        raise ValueError("the term has no start and end dates")
    tz = tzinfo_of(term.time_zone)
    stamp = _fmt_utc(now or dt.datetime.now(dt.timezone.utc))
    cal_name = f"{entity.title} — {view.department or view.institution}".strip(" —")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape_text(cal_name)}", f"X-WR-TIMEZONE:{term.time_zone}"]
    lines += vtimezone(term.time_zone, term.start, term.end)
    seen: set[str] = set()
    for s in sorted(entity.sessions, key=lambda x: (x.day if x.day is not None else 99, x.period or 0,
                                                    x.course_code, x.activity_id, x.occurrence)):
        times = view.times(s)
        if times is None or s.key in seen:
            continue
        seen.add(s.key)
        dates = occurrence_dates(view, s.day)
        if not dates:
            continue
        weekday = _weekday_of(view, s.day)
        regular = [d for d in _dates_between(term.start, term.end) if weekday is not None and d.weekday() == weekday]
        regular_set = set(regular)
        running = [d for d in regular if term.runs.get(d) == s.day]
        extra = [d for d in dates if d not in regular_set]
        common = [f"SUMMARY:{escape_text(_summary(view, entity.kind, s))}",
                  f"DESCRIPTION:{escape_text(_description(view, s))}"]
        if s.room:
            common.append(f"LOCATION:{escape_text(_room_text(view, s.room))}")
        common.append(f"CATEGORIES:{escape_text(s.kind_name)}")
        common.append("TRANSP:OPAQUE")
        if running:
            first, last = regular[0], regular[-1]
            # the first regular date may be a holiday: DTSTART stays on it and an EXDATE removes it
            until = dt.datetime(last.year, last.month, last.day, 23, 59, 59, tzinfo=tz)
            event = ["BEGIN:VEVENT", f"UID:{_uid(view, s)}", f"DTSTAMP:{stamp}",
                     f"DTSTART;TZID={term.time_zone}:{_fmt_local(_local(first, times[0]))}",
                     f"DTEND;TZID={term.time_zone}:{_fmt_local(_local(first, times[1]))}",
                     f"RRULE:FREQ=WEEKLY;UNTIL={_fmt_utc(until)}"]
            skipped = [d for d in regular if term.runs.get(d) != s.day]
            if skipped:
                event.append(f"EXDATE;TZID={term.time_zone}:"
                             + ",".join(_fmt_local(_local(d, times[0])) for d in skipped))
            lines += event + common + ["END:VEVENT"]
        for d in extra:
            label = term.labels.get(d, "")
            lines += ["BEGIN:VEVENT", f"UID:{_uid(view, s, '-' + d.strftime('%Y%m%d'))}", f"DTSTAMP:{stamp}",
                      f"DTSTART;TZID={term.time_zone}:{_fmt_local(_local(d, times[0]))}",
                      f"DTEND;TZID={term.time_zone}:{_fmt_local(_local(d, times[1]))}"]
            lines += common
            if label:
                lines.append(f"COMMENT:{escape_text(label)}")
            lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _dates_between(start: dt.date, end: dt.date) -> list[dt.date]:
    out, d = [], start
    while d <= end:
        out.append(d)
        d += dt.timedelta(days=1)
    return out


def ics_file_name(kind: str, code: str) -> str:
    """A file name safe on every system for an entity's calendar: ``faculty-SFE.ics``."""
    return f"{kind}-{safe_name(code)}.ics"


def safe_name(code: str) -> str:
    """``code`` as a file-name stem: letters, digits, dot, dash and underscore kept, the rest as ``_xx``."""
    out = []
    for ch in code:
        if ch.isascii() and (ch.isalnum() or ch in "-_."):
            out.append(ch)
        else:
            out.append("_" + format(ord(ch), "x"))
    stem = "".join(out).strip(".")
    return stem or "_"
