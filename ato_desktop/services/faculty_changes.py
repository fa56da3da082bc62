"""What each faculty member is told about a version: their classes, and the lines that changed since
another version (sessions paired between two snapshots; published versions as they were frozen)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ato_desktop.services import frozen
from ato_desktop.services.frozen import FrozenSession
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database


def _where(p: FrozenSession) -> str:
    if p.day is None:
        return p.slot_text
    return f"{p.slot_text}, room {p.room_code or '(none)'}"


def _sort_key(p: FrozenSession) -> tuple:
    return (p.day if p.day is not None else 99, p.period if p.period is not None else 99, p.label)


def _placements(s: Session, tt: m.Timetable, faculty: m.Faculty | None = None) -> dict[tuple[int, int], FrozenSession]:
    """What is mailed about the version's sessions: the frozen snapshot of a published version, the
    live sessions of any other (only those ``faculty`` teaches, when given: a preview of one person's
    message reads a few dozen rows instead of a whole department's)."""
    rows = frozen.sessions_of(s, tt, faculty.id if faculty else None, faculty.code if faculty else None)
    return {(p.activity_id, p.occurrence): p for p in rows}


def _identity(p: FrozenSession) -> tuple:
    """What makes two sessions interchangeable: course, kind, groups, teachers and length."""
    return (p.course_code, p.kind, p.group_codes, p.faculty_codes, p.duration, p.basket)


def _place(p: FrozenSession) -> tuple:
    return (p.day, p.period, p.room_code, p.slot_text)


def _pairs(old: dict, new: dict) -> list[tuple[FrozenSession | None, FrozenSession | None]]:
    """Pair the sessions of two snapshots, leaving out what did not change.

    Interchangeable sessions (same course, kind, groups, teachers and length) at the same place are
    unchanged whatever their occurrence numbers (swapping two identical sessions is not a change);
    the rest pair with an interchangeable session first, then by activity and occurrence; what is left
    is new or removed."""
    left_old: dict[tuple, list] = {}
    for key in sorted(old):
        left_old.setdefault(_identity(old[key]), []).append(key)
    left_new: dict[tuple, list] = {}
    for key in sorted(new):
        left_new.setdefault(_identity(new[key]), []).append(key)
    pairs: list[tuple] = []
    for ident, new_keys in left_new.items():
        old_keys = left_old.get(ident, [])
        for nk in list(new_keys):
            hit = next((ok for ok in old_keys if _place(old[ok]) == _place(new[nk])), None)
            if hit is not None:
                old_keys.remove(hit)
                new_keys.remove(nk)
        for nk, ok in list(zip(list(new_keys), list(old_keys))):  # moved, same teachers
            pairs.append((old[ok], new[nk]))
            new_keys.remove(nk)
            old_keys.remove(ok)
    rest_old = {k for keys in left_old.values() for k in keys}
    rest_new = {k for keys in left_new.values() for k in keys}
    for k in sorted(rest_old & rest_new):  # same session, other teachers
        pairs.append((old[k], new[k]))
    pairs += [(old[k], None) for k in sorted(rest_old - rest_new)]
    pairs += [(None, new[k]) for k in sorted(rest_new - rest_old)]
    return pairs


def _changes(old: dict | None, new: dict) -> dict[str, list[str]]:
    """Per faculty code, one line per changed session of theirs (a new teacher and the previous one
    both hear of it), sorted by slot."""
    out: dict[str, list[tuple[tuple, str]]] = {}
    for a, b in _pairs(old or {}, new):
        if (a is None or a.day is None) and (b is None or b.day is None):
            continue  # unscheduled before and after (or new and unscheduled)
        ref = b or a
        if a is None or a.day is None:
            line = f"{b.label}: new, {_where(b)}"
        elif b is None:
            line = f"{a.label}: removed (was {_where(a)})"
        elif b.day is None:
            line = f"{b.label}: {_where(a)} → not scheduled"
        elif _place(a) == _place(b):
            line = f"{b.label}: {_where(b)}"
        elif (a.day, a.period, a.slot_text) == (b.day, b.period, b.slot_text):
            line = f"{b.label}: {b.slot_text}, room {a.room_code or '(none)'} → {b.room_code or '(none)'}"
        else:
            line = f"{b.label}: {_where(a)} → {_where(b)}"
        if a is not None and b is not None and a.faculty_codes != b.faculty_codes:
            line += f"; taught by {', '.join(a.faculty_codes) or '(nobody)'} → {', '.join(b.faculty_codes) or '(nobody)'}"
        for code in set(a.faculty_codes if a else ()) | set(b.faculty_codes if b else ()):
            out.setdefault(code, []).append((_sort_key(ref), line))
    return {code: [line for _, line in sorted(lines)] for code, lines in sorted(out.items())}


def _tt(s: Session, key) -> m.Timetable:
    from ato_desktop.services.timetables import _tt as find

    return find(s, key)


def change_summary(db: Database, old_tt, new_tt) -> dict[str, list[str]]:
    """Per faculty code, one line per session of theirs that changed (sorted by slot).

    Published versions are compared as they were published (their frozen snapshots).
    ``old_tt`` may be ``None`` (first publication): every scheduled session is "new".
    """
    with db.read_session() as s:
        new = _tt(s, new_tt)
        old = _tt(s, old_tt) if old_tt is not None else None
        return _changes(_placements(s, old) if old else None, _placements(s, new))


def _classes(placements: dict, day: int | None = None) -> dict[str, list[str]]:
    out: dict[str, list[tuple[tuple, str]]] = {}
    for p in placements.values():
        if p.day is None or (day is not None and p.day != day):
            continue
        for code in p.faculty_codes:
            out.setdefault(code, []).append((_sort_key(p), f"{_where(p)}: {p.label}"))
    return {code: [x for _, x in sorted(v)] for code, v in out.items()}


__all__ = ["change_summary"]
