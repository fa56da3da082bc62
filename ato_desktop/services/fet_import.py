"""Import a FET ``.fet`` file as a new department database (``ato-desktop import-fet``, File ▸ Import ▸ FET file…).

One call, :func:`import_fet`, reads and checks the file (``io.fet``), maps it onto the department model
in memory, then writes a *new* database in ONE transaction into a temporary file that is renamed to the
requested name only at the very end: a bad file, a cancel or a failure leaves no file behind.

Mapping (docs/fet.md has the details):

* days and hours (with their names; clock times read from hour names like ``09:30-10:20`` when every
  hour has one) -> the calendar; an hour that is a FET break on every day becomes a break period;
* subjects -> courses; teachers -> faculty; rooms (building, capacity) -> rooms;
* years -> sections; the *atomic* students sets (subgroups, groups without subgroups) -> lab batches of
  the first year that lists them; an activity for a group names that group's batches, so the overlaps
  FET allows (a subgroup in several groups) clash exactly as in FET;
* activities: the active parts of one split activity (same activity group id) that share duration and
  constraints -> one activity with one session per part; inactive activities are left out, as FET does;
* constraints: the types in :data:`ato_desktop.io.fet.SUPPORTED_TIME` / ``SUPPORTED_SPACE`` map onto engine
  rules; 100 % is hard, less is soft with weight :func:`soft_weight` (the same order of importance).
  Everything else is listed in the report, in plain words, as not imported.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from sqlalchemy import insert

from ato_desktop.engine.problem import DEFAULT_WEIGHTS, HARD_CONSTRAINTS
from ato_desktop.io import fet as fio
from ato_desktop.services.errors import ServiceError
from ato_desktop.storage import models as m
from ato_desktop.storage.database import DB_SUFFIX, DatabaseError, open_database

__all__ = ["FetImportError", "FetImportCancelled", "FetImportReport", "import_fet", "soft_weight",
           "NO_ROOM_FEATURE"]

# An activity requiring this "feature" needs no room (FET places an activity in a room only when a space
# constraint asks for one); storage.compile turns it into session_needs_room = False.
from ato_desktop.storage.compile import NO_ROOM_FEATURE  # noqa: E402
CODE_OK = re.compile(r"[^A-Za-z0-9._/\-+ ]+")
TIME_RANGE = re.compile(r"(\d{1,2})\s*[:.h]\s*(\d{2})\s*(?:-|–|—|to)\s*(\d{1,2})\s*[:.h]\s*(\d{2})")
MAX_SESSIONS = 20  # storage: sessions_per_week <= 20
MAX_DURATION = 6  # storage: duration <= 6


class FetImportError(ServiceError):
    """The FET file was refused; nothing was written. The message names the file, the line and the element."""


class FetImportCancelled(FetImportError):
    pass


def soft_weight(percent: float) -> int:
    """FET weight percentage (< 100) -> engine soft weight, increasing with the percentage.

    ``round(100 / (100 - w))`` clipped to 1..1000: 50 % -> 2, 90 % -> 10, 95 % -> 20, 99 % -> 100,
    99.9 % -> 1000; a 100 % constraint on a rule the engine only has as soft gets 1000.
    """
    if percent >= 100:
        return 1000
    return int(min(1000, max(1, round(100.0 / (100.0 - max(0.0, percent))))))


@dataclass
class FetImportReport:
    source: str
    out: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)
    imported: dict[str, int] = field(default_factory=dict)  # FET type -> instances imported
    not_imported: dict[str, tuple[int, str]] = field(default_factory=dict)  # FET type -> (count, why)
    inactive: int = 0
    approximations: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skip(self, tag: str, why: str = "") -> None:
        n, w = self.not_imported.get(tag, (0, why))
        self.not_imported[tag] = (n + 1, w or why)

    def took(self, tag: str) -> None:
        self.imported[tag] = self.imported.get(tag, 0) + 1

    def approx(self, text: str) -> None:
        if text not in self.approximations:
            self.approximations.append(text)

    @property
    def relaxed(self) -> bool:
        return bool(self.not_imported or self.approximations)

    def lines(self) -> list[str]:
        """The report in plain words, for the CLI and the dialog."""
        c = self.counts
        out = [f"Imported {self.source}: {c.get('days', 0)} days × {c.get('periods', 0)} periods, "
               f"{c.get('faculty', 0)} faculty, {c.get('groups', 0)} student groups, {c.get('rooms', 0)} rooms, "
               f"{c.get('courses', 0)} courses, {c.get('activities', 0)} activities "
               f"({c.get('sessions', 0)} sessions a week)."]
        n_imp = sum(self.imported.values())
        out.append(f"Constraints imported: {n_imp} (of {len(self.imported)} FET type(s))"
                   + (f"; {self.inactive} inactive constraint(s) ignored, as FET does." if self.inactive else "."))
        for tag, (n, why) in sorted(self.not_imported.items(), key=lambda kv: (-kv[1][0], kv[0])):
            out.append(f"not imported: {n} constraint(s) of type '{tag}' ({fio.describe(tag)})"
                       + (f", {why}" if why else "") + " — the imported timetable may break them.")
        for a in self.approximations:
            out.append(f"approximated: {a}")
        for n in self.notes:
            out.append(f"note: {n}")
        return out


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
class _Codes:
    """Unique codes that satisfy the app's code rule (ASCII letters, digits, space . _ / - +)."""

    def __init__(self, max_len: int, prefix: str):
        self.max_len, self.prefix = max_len, prefix
        self.used: set[str] = set()
        self.changed = 0

    def make(self, name: str) -> str:
        base = CODE_OK.sub("-", name.strip())
        base = re.sub(r"-{2,}", "-", base).strip(" -._/+")
        base = base[: self.max_len].rstrip()
        if not base or not base[0].isalnum():
            base = f"{self.prefix}{len(self.used) + 1}"
        code, n = base, 2
        while code.lower() in self.used:
            tail = f"-{n}"
            code = base[: self.max_len - len(tail)] + tail
            n += 1
        self.used.add(code.lower())
        if code != name:
            self.changed += 1
        return code


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _period_times(hours: list[str]) -> tuple[list[tuple[str, str]], bool]:
    """Clock times for each hour: read from the names when all of them are ranges, else made up."""
    parsed = []
    prev_end = -1
    for h in hours:
        mt = TIME_RANGE.search(h)
        if not mt:
            break
        a, b, c, d = (int(x) for x in mt.groups())
        start, end = a * 60 + b, c * 60 + d
        if not (0 <= start < end < 24 * 60) or start < prev_end:
            break
        parsed.append((_clock(start), _clock(end)))
        prev_end = end
    if len(parsed) == len(hours):
        return parsed, True
    n = len(hours)
    length = max(1, min(60, (24 * 60 - 1 - 7 * 60) // max(1, n)))
    return [(_clock(7 * 60 + i * length), _clock(7 * 60 + (i + 1) * length)) for i in range(n)], False


def _kind(tags: list[str]) -> str:
    for t in tags:
        low = t.strip().lower().strip("()[] ")
        if "lab" in low or "prac" in low or low in ("p", "tp", "pr"):
            return "P"
    for t in tags:
        low = t.strip().lower().strip("()[] ")
        if "tut" in low or low in ("t", "td"):
            return "T"
    return "L"


def _pct(el: fio.Element) -> float:
    try:
        return float(el.get("Weight_Percentage", "100").strip() or 100)
    except ValueError:
        return 100.0


def _num(el: fio.Element, tag: str, fname: str) -> int:
    c = el.find(tag)
    try:
        value = int(float(c.text.strip()))
        if abs(value) <= fio.MAX_NUMBER:
            return value
    except (AttributeError, ValueError, OverflowError):
        pass
    line = c.line if c is not None else el.line
    raise FetImportError(f"{fname} line {line}: <{el.tag}> needs a number in <{tag}>.")


# ---------------------------------------------------------------------------
# the plan: everything decided in memory before a file is created
# ---------------------------------------------------------------------------
@dataclass
class _Act:
    fet: fio.FetActivity
    atoms: list[str]
    allowed_start: np.ndarray  # bool[T] (hard, from preferred starting times)
    allowed_slot: np.ndarray  # bool[T] (hard, from preferred time slots)
    pref_start: np.ndarray | None = None  # bool[T] soft
    rooms_pref: list[frozenset] = field(default_factory=list)
    rooms_home: list[frozenset] = field(default_factory=list)


class _Planner:
    def __init__(self, f: fio.FetFile, report: FetImportReport):
        self.f, self.r = f, report
        self.name = f.name
        self.D, self.P = len(f.days), len(f.hours)
        self.T = self.D * self.P
        self.day_ix = {d: i for i, d in enumerate(f.days)}
        self.hour_ix = {h: i for i, h in enumerate(f.hours)}
        self.atoms = f.atoms()
        self.teachers = set(f.teachers)
        self.rooms = {r.name for r in f.rooms}
        self.acts: dict[int, _Act] = {}
        for a in f.activities:
            if not a.active:
                continue
            self.acts[a.id] = _Act(a, self._atoms_of(a.students), np.ones(self.T, bool), np.ones(self.T, bool))
        self.all_ids = {a.id for a in f.activities}
        self.component: dict[int, int] = {}  # activity id -> its part number within its split activity
        seen_parts: dict[int, int] = defaultdict(int)
        for a in f.activities:
            if a.group_id:
                seen_parts[a.group_id] += 1
                self.component[a.id] = seen_parts[a.group_id]
            else:
                self.component[a.id] = 1
        self.break_slots = np.zeros(self.T, bool)
        self.teacher_unavail: dict[str, np.ndarray] = {}
        self.teacher_undesired: dict[str, np.ndarray] = {}
        self.atom_unavail: dict[str, np.ndarray] = {}
        self.atom_undesired: dict[str, np.ndarray] = {}
        self.room_unavail: dict[str, np.ndarray] = {}
        self.max_daily: dict[str, int] = {}
        self.max_days: dict[str, int] = {}
        self.max_consec: dict[str, int] = {}
        self.soft_pct: dict[str, float] = defaultdict(float)  # engine soft rule -> highest FET percentage
        self.min_days: list[tuple[fio.Element, list[int], int, float]] = []
        self.same_start: list[tuple[fio.Element, list[int]]] = []

    # -- references ------------------------------------------------------
    def _atoms_of(self, names: list[str]) -> list[str]:
        out: list[str] = []
        for n in names:
            out += [x for x in self.atoms.get(n, [n]) if x not in out]
        return out

    def _bad(self, el: fio.Element, what: str) -> FetImportError:
        return FetImportError(f"{self.name} line {el.line}: <{el.tag}> {what}")

    def _slot(self, el: fio.Element, day: str, hour: str | None) -> list[int]:
        if day not in self.day_ix:
            raise self._bad(el, f"names the day {day!r}, which is not in the days list.")
        d = self.day_ix[day]
        if hour is None or hour == "":
            return [d * self.P + h for h in range(self.P)]
        if hour not in self.hour_ix:
            raise self._bad(el, f"names the hour {hour!r}, which is not in the hours list.")
        return [d * self.P + self.hour_ix[hour]]

    def _slots(self, el: fio.Element, item: str, day_tag: str, hour_tag: str) -> np.ndarray:
        mask = np.zeros(self.T, bool)
        for it in el.findall(item):
            for t in self._slot(it, it.get(day_tag), it.get(hour_tag) if it.find(hour_tag) is not None else None):
                mask[t] = True
        return mask

    def _teacher(self, el: fio.Element, tag: str) -> str:
        t = el.get(tag)
        if t not in self.teachers:
            raise self._bad(el, f"names the teacher {t!r}, which is not in the teachers list.")
        return t

    def _students(self, el: fio.Element, tag: str) -> str:
        s = el.get(tag)
        if s not in self.atoms:
            raise self._bad(el, f"names the students {s!r}, which are not in the students list.")
        return s

    def _room(self, el: fio.Element, name: str) -> str:
        if name not in self.rooms:
            raise self._bad(el, f"names the room {name!r}, which is not in the rooms list.")
        return name

    def _ids(self, el: fio.Element) -> list[int]:
        ids = []
        for c in el.findall("Activity_Id"):
            try:
                i = int(c.text.strip())
            except ValueError:
                raise FetImportError(f"{self.name} line {c.line}: <Activity_Id> {c.text.strip()!r} is not a "
                                     f"number.") from None
            if i not in self.all_ids:
                raise FetImportError(f"{self.name} line {c.line}: <{el.tag}> names the activity {i}, which is "
                                     f"not in the activities list.")
            ids.append(i)
        return ids

    def _filter(self, el: fio.Element) -> list[_Act]:
        t, s = el.get("Teacher_Name"), el.get("Students_Name")
        subj, tag, dur = el.get("Subject_Name"), el.get("Activity_Tag_Name"), el.get("Duration").strip()
        if t and t not in self.teachers:
            raise self._bad(el, f"names the teacher {t!r}, which is not in the teachers list.")
        if s and s not in self.atoms:
            raise self._bad(el, f"names the students {s!r}, which are not in the students list.")
        # FET matches a students filter by shared students: a constraint naming a group also binds the
        # activities of its year and of its subgroups (checked with fet-cl).
        s_atoms = set(self.atoms[s]) if s else set()
        out = []
        for a in self.acts.values():
            x = a.fet
            if (t and t not in x.teachers) or (s and not s_atoms.intersection(a.atoms)) \
                    or (subj and x.subject != subj) or (tag and tag not in x.tags) \
                    or (dur and dur != str(x.duration)):
                continue
            out.append(a)
        return out

    def _mark(self, store: dict, key: str, mask: np.ndarray) -> None:
        cur = store.get(key)
        store[key] = mask.copy() if cur is None else (cur | mask)

    # -- time constraints ------------------------------------------------------------
    def time(self, el: fio.Element) -> None:
        tag, pct, r = el.tag, _pct(el), self.r
        hard = pct >= 100
        if tag == "ConstraintBasicCompulsoryTime":
            r.took(tag)
        elif tag == "ConstraintBreakTimes":
            self.break_slots |= self._slots(el, "Break_Time", "Day", "Hour")
            r.took(tag)
        elif tag == "ConstraintTeacherNotAvailableTimes":
            t = self._teacher(el, "Teacher")
            mask = self._slots(el, "Not_Available_Time", "Day", "Hour")
            if hard:
                self._mark(self.teacher_unavail, t, mask)
            else:
                self._mark(self.teacher_undesired, t, mask)
                self.soft_pct["resource_undesired"] = max(self.soft_pct["resource_undesired"], pct)
            r.took(tag)
        elif tag == "ConstraintStudentsSetNotAvailableTimes":
            s = self._students(el, "Students")
            mask = self._slots(el, "Not_Available_Time", "Day", "Hour")
            for atom in self.atoms[s]:
                self._mark(self.atom_unavail if hard else self.atom_undesired, atom, mask)
            if not hard:
                self.soft_pct["resource_undesired"] = max(self.soft_pct["resource_undesired"], pct)
            r.took(tag)
        elif tag in ("ConstraintActivityPreferredStartingTime", "ConstraintActivityPreferredStartingTimes",
                     "ConstraintActivityPreferredTimeSlots", "ConstraintActivitiesPreferredStartingTimes",
                     "ConstraintActivitiesPreferredTimeSlots", "ConstraintSubactivitiesPreferredStartingTimes",
                     "ConstraintSubactivitiesPreferredTimeSlots"):
            if tag == "ConstraintActivityPreferredStartingTime":
                day = el.get("Preferred_Day")
                hour = el.get("Preferred_Hour") if el.find("Preferred_Hour") is not None else None
                mask = np.zeros(self.T, bool)
                if day == "":  # only an hour: that hour on every day
                    for d in range(self.D):
                        mask[self._slot(el, self.f.days[d], hour)] = True
                else:
                    mask[self._slot(el, day, hour)] = True
            elif tag.endswith("StartingTimes"):
                mask = self._slots(el, "Preferred_Starting_Time", "Preferred_Starting_Day", "Preferred_Starting_Hour")
            else:
                mask = self._slots(el, "Preferred_Time_Slot", "Preferred_Day", "Preferred_Hour")
            if tag.startswith("ConstraintActivityPreferred"):
                targets = [self.acts[i] for i in self._ids(el) if i in self.acts]
            elif tag.startswith("ConstraintSubactivities"):
                # the n-th part of each split activity (a whole activity is part 1), as fet-cl does
                n = _num(el, "Component_Number", self.name)
                targets = [a for a in self._filter(el) if self.component[a.fet.id] == n]
            else:
                targets = self._filter(el)
            starting = "Starting" in tag
            for a in targets:
                if hard:
                    if starting:
                        a.allowed_start &= mask
                    else:
                        a.allowed_slot &= mask
                else:
                    a.pref_start = mask.copy() if a.pref_start is None else (a.pref_start & mask)
                    if not starting:
                        r.approx("soft preferred time slots are kept as preferred starting times.")
            if not hard:
                self.soft_pct["session_not_preferred"] = max(self.soft_pct["session_not_preferred"], pct)
            r.took(tag)
        elif tag == "ConstraintMinDaysBetweenActivities":
            ids = [i for i in self._ids(el) if i in self.acts]
            self.min_days.append((el, ids, _num(el, "MinDays", self.name), pct))
        elif tag == "ConstraintActivitiesSameStartingTime":
            self.same_start.append((el, [i for i in self._ids(el) if i in self.acts]))
        elif tag in ("ConstraintTeacherMaxHoursDaily", "ConstraintTeachersMaxHoursDaily"):
            if not hard:
                r.skip(tag, "below 100 % (the engine's daily limit is a hard rule)")
                return
            v = _num(el, "Maximum_Hours_Daily", self.name)
            for t in ([self._teacher(el, "Teacher_Name")] if tag == "ConstraintTeacherMaxHoursDaily" else self.teachers):
                self.max_daily[t] = min(v, self.max_daily.get(t, v))
            r.took(tag)
        elif tag in ("ConstraintTeacherMaxDaysPerWeek", "ConstraintTeachersMaxDaysPerWeek"):
            v = _num(el, "Max_Days_Per_Week", self.name)
            for t in ([self._teacher(el, "Teacher_Name")] if tag == "ConstraintTeacherMaxDaysPerWeek" else self.teachers):
                self.max_days[t] = min(v, self.max_days.get(t, v))
            self.soft_pct["max_days"] = max(self.soft_pct["max_days"], pct)
            if hard:
                r.approx("teacher max days per week at 100 % are kept as soft rules with weight 1000.")
            r.took(tag)
        elif tag in ("ConstraintTeacherMaxHoursContinuously", "ConstraintTeachersMaxHoursContinuously"):
            v = _num(el, "Maximum_Hours_Continuously", self.name)
            for t in ([self._teacher(el, "Teacher_Name")] if tag == "ConstraintTeacherMaxHoursContinuously"
                      else self.teachers):
                self.max_consec[t] = min(v, self.max_consec.get(t, v))
            self.soft_pct["max_consecutive"] = max(self.soft_pct["max_consecutive"], pct)
            if hard:
                r.approx("teacher max hours continuously at 100 % are kept as soft rules with weight 1000.")
            r.took(tag)
        elif tag in ("ConstraintStudentsMaxGapsPerWeek", "ConstraintStudentsSetMaxGapsPerWeek"):
            v = _num(el, "Max_Gaps", self.name)
            if tag == "ConstraintStudentsSetMaxGapsPerWeek":
                self._students(el, "Students")
                r.approx("students-set max gaps per week apply to every student group (the engine's gaps rule "
                         "is one rule for all groups).")
            if v > 0:
                r.approx(f"students max {v} gaps per week: every gap is penalized (the engine counts all gaps).")
            self.soft_pct["gaps"] = max(self.soft_pct["gaps"], pct)
            r.took(tag)
        else:
            r.skip(tag)

    # -- space constraints ---------------------------------------------------------
    def space(self, el: fio.Element) -> None:
        tag, pct, r = el.tag, _pct(el), self.r
        if tag == "ConstraintBasicCompulsorySpace":
            r.took(tag)
            return
        if tag == "ConstraintRoomNotAvailableTimes":
            room = self._room(el, el.get("Room"))
            if pct < 100:
                r.skip(tag, "below 100 % (a room's unavailability is a hard rule in the engine)")
                return
            self._mark(self.room_unavail, room, self._slots(el, "Not_Available_Time", "Day", "Hour"))
            r.took(tag)
            return
        if tag not in fio.SUPPORTED_SPACE:
            r.skip(tag)
            return
        if pct < 100:
            r.skip(tag, "below 100 % (the engine has no soft room preference per activity)")
            return
        rooms = [el.get("Room")] if el.find("Room") is not None else el.texts("Preferred_Room")
        rs = frozenset(self._room(el, x) for x in rooms)
        home = "HomeRoom" in tag
        if tag.startswith("ConstraintActivityPreferredRoom"):
            targets = [self.acts[i] for i in self._ids(el) if i in self.acts]
        elif tag.startswith("ConstraintSubjectActivityTag"):
            subj, at = el.get("Subject"), el.get("Activity_Tag")
            targets = [a for a in self.acts.values() if a.fet.subject == subj and at in a.fet.tags]
        elif tag.startswith("ConstraintSubject"):
            subj = el.get("Subject")
            targets = [a for a in self.acts.values() if a.fet.subject == subj]
        elif tag.startswith("ConstraintActivityTag"):
            at = el.get("Activity_Tag")
            targets = [a for a in self.acts.values() if at in a.fet.tags]
        elif tag.startswith("ConstraintStudentsSetHome"):
            s = self._students(el, "Students")
            targets = [a for a in self.acts.values() if a.fet.students == [s]]
        else:  # teacher home room(s)
            t = self._teacher(el, "Teacher")
            targets = [a for a in self.acts.values() if a.fet.teachers == [t]]
        for a in targets:
            (a.rooms_home if home else a.rooms_pref).append(rs)
        r.took(tag)


# ---------------------------------------------------------------------------
# the import
# ---------------------------------------------------------------------------
def _cover(starts: np.ndarray, d: int, P: int) -> np.ndarray:
    """Slots occupied by some allowed start of a d-period session that stays within its day."""
    T = starts.size
    out = np.zeros(T, bool)
    for t in np.flatnonzero(starts):
        if t % P + d <= P:
            out[t:t + d] = True
    return out


def import_fet(source: str | Path, out: str | Path, *,
               on_progress: Callable[[float, str], None] | None = None,
               should_stop: Callable[[], bool] | None = None) -> FetImportReport:
    """Import ``source`` (.fet) into a new database ``out`` (.atodb); returns the report.

    Raises :class:`FetImportError` (one sentence with the file, line and element) and writes nothing.
    """
    source, out = Path(source).expanduser(), Path(out).expanduser()
    progress = on_progress or (lambda f, msg: None)

    def check_stop() -> None:
        if should_stop is not None and should_stop():
            raise FetImportCancelled("FET import cancelled; nothing was written.")

    if out.suffix.lower() != DB_SUFFIX:
        raise FetImportError(f"{out.name}: the new database's name must end in {DB_SUFFIX}.")
    if out.exists():
        raise FetImportError(f"{out} already exists; choose another name (an import never overwrites a file).")
    if not out.parent.is_dir():
        raise FetImportError(f"{out.parent} is not a folder.")
    progress(0.0, f"Reading {source.name}…")
    try:
        f = fio.read_fet(source)
    except fio.FetError as exc:
        raise FetImportError(str(exc)) from None
    check_stop()
    report = FetImportReport(source=source.name)
    report.notes += f.notes
    progress(0.2, "Mapping the constraints…")
    plan, spec = plan_import(f, report)
    check_stop()
    progress(0.5, "Writing the database…")
    tmp = out.with_name(f".{out.stem}.importing{DB_SUFFIX}")
    _remove(tmp)
    try:
        db = open_database(tmp, backup=False)
        try:
            with db.session() as s:
                _write(s, spec, plan, report, check_stop)
        finally:
            db.close()
        check_stop()
        if out.exists():
            raise FetImportError(f"{out} appeared while importing; nothing was written over it.")
        for suffix in ("-wal", "-shm"):  # the last connection closed: SQLite has folded the journal back in
            p = Path(str(tmp) + suffix)
            if p.exists() and p.stat().st_size:
                raise FetImportError(f"{tmp}: the database journal was not folded back; nothing was written.")
        os.replace(tmp, out)
    except (DatabaseError, OSError) as exc:
        raise FetImportError(f"Cannot write {out}: {exc}") from None
    finally:
        _remove(tmp)
    report.out = out
    progress(1.0, "Done.")
    return report


def plan_import(f: fio.FetFile, report: FetImportReport) -> tuple["_Planner", "_Spec"]:
    """Map a read FET file onto the model in memory (no database); raises :class:`FetImportError`."""
    plan = _Planner(f, report)
    for el in f.time_constraints:
        if el.get("Active", "true").strip().lower() == "false":
            report.inactive += 1
            continue
        plan.time(el)
    for el in f.space_constraints:
        if el.get("Active", "true").strip().lower() == "false":
            report.inactive += 1
            continue
        plan.space(el)
    return plan, _build(plan, report)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".lock"):
        try:
            Path(str(path) + suffix).unlink(missing_ok=True)
        except OSError:
            pass


@dataclass
class _Spec:
    periods: list[tuple[str, str, str, bool]]
    extra_unavail: np.ndarray  # break slots not on every day -> unavailable for everyone
    groups: list[tuple[list[int], int]]  # db activity -> (fet ids, duration)
    min_days: dict[int, int]
    baskets: list[list[int]]
    room_sets: dict[int, frozenset | None]  # db activity -> allowed rooms (None: no room)
    allowed: dict[int, np.ndarray]  # db activity -> bool[T] usable occupied slots
    pref: dict[int, np.ndarray | None]


def _build(plan: _Planner, report: FetImportReport) -> _Spec:
    f, P, D, T = plan.f, plan.P, plan.D, plan.T
    # calendar
    times, from_names = _period_times(f.hours)
    if not from_names:
        report.notes.append("the hour names carry no clock times; periods were given made-up times from 07:00.")
    brk = plan.break_slots.reshape(D, P)
    break_period = brk.all(axis=0)
    if break_period.all():
        break_period[:] = False
    periods = [(h, a, b, bool(break_period[i])) for i, (h, (a, b)) in enumerate(zip(f.hours, times))]
    extra = (brk & ~break_period[None, :]).reshape(T)

    # activities: hard masks, rooms, grouping
    by_key: dict[tuple, list[int]] = {}
    order: list[tuple] = []
    too_long = 0
    approx_start = 0
    for aid, a in plan.acts.items():
        x = a.fet
        if x.duration > MAX_DURATION:
            too_long += 1
            continue
        cover = _cover(a.allowed_start, x.duration, P)
        if x.duration > 1:
            # the engine forbids occupied slots; starts whose whole span is covered would pass
            spans = np.array([t % P + x.duration <= P and cover[t:t + x.duration].all() for t in range(T)], bool)
            if (spans & ~a.allowed_start).any():
                approx_start += 1
        allowed = a.allowed_slot & cover
        if a.rooms_pref:
            rs = frozenset.intersection(*a.rooms_pref)
        elif a.rooms_home:
            rs = frozenset.intersection(*a.rooms_home)
        else:
            rs = None
        pref = a.pref_start
        key = (x.group_id or -x.id, x.duration, allowed.tobytes(), None if pref is None else pref.tobytes(), rs)
        if key not in by_key:
            by_key[key] = []
            order.append(key)
        by_key[key].append(aid)
    if too_long:
        report.notes.append(f"{too_long} activit{'y lasts' if too_long == 1 else 'ies last'} more than "
                            f"{MAX_DURATION} periods (the most a session may last here) and were not imported.")
    if approx_start:
        report.approx(f"{approx_start} multi-period activities with preferred starting times may start where "
                      f"their whole span lies within allowed periods (the engine forbids periods, not starts).")
    groups: list[tuple[list[int], int]] = []
    room_sets: dict[int, frozenset | None] = {}
    allowed_of: dict[int, np.ndarray] = {}
    pref_of: dict[int, np.ndarray | None] = {}
    split_parts: dict[int, int] = defaultdict(int)
    for key in order:
        ids = by_key[key]
        for i in range(0, len(ids), MAX_SESSIONS):
            k = len(groups)
            groups.append((ids[i:i + MAX_SESSIONS], key[1]))
            room_sets[k] = key[4]
            allowed_of[k] = np.frombuffer(key[2], dtype=bool).copy()
            pref_of[k] = None if key[3] is None else np.frombuffer(key[3], dtype=bool).copy()
            if key[0] > 0:
                split_parts[key[0]] += 1
    n_split = sum(1 for v in split_parts.values() if v > 1)
    if n_split:
        report.approx(f"{n_split} split activities became several activities, because their parts differ in "
                      f"duration or constraints.")
    empty_rooms = sum(1 for v in room_sets.values() if v is not None and not v)
    if empty_rooms:
        report.notes.append(f"{empty_rooms} activities have preferred-room constraints with no room in common; "
                            f"no room suits them (FET cannot place them either).")
    where: dict[int, tuple[int, int]] = {}
    for k, (ids, _) in enumerate(groups):
        for occ, aid in enumerate(ids):
            where[aid] = (k, occ)

    # min days between activities
    min_days: dict[int, int] = {}
    md_tag = "ConstraintMinDaysBetweenActivities"
    for el, ids, mindays, pct in plan.min_days:
        ks = {where[i][0] for i in ids if i in where}
        if len(ks) != 1 or len(ids) < 2:
            if len(ids) >= 2 and ks:
                report.skip(md_tag, "between different activities (the engine spreads the sessions of one "
                                    "activity)")
            else:
                report.took(md_tag)  # nothing to spread (fewer than two active activities)
            continue
        k = ks.pop()
        min_days[k] = max(min_days.get(k, 0), min(len(ids), D))
        if mindays > 1:
            report.approx("min days between activities of more than 1 day are kept as 'on different days'.")
        if pct >= 100:
            report.approx("min days between activities at 100 % are kept as soft rules with weight 1000.")
        plan.soft_pct["min_days"] = max(plan.soft_pct["min_days"], pct)
        report.took(md_tag)

    # same starting time -> elective baskets (sync sets)
    ss_tag = "ConstraintActivitiesSameStartingTime"
    parent = list(range(len(groups)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    usable = []
    for el, ids in plan.same_start:
        ks = [where[i][0] for i in ids if i in where]
        if len(ks) < 2:
            report.took(ss_tag)
            continue
        if len(set(ks)) != len(ks):
            report.skip(ss_tag, "between parts of one activity")
            continue
        usable.append((el, ids, ks))
    comps: dict[int, list] = defaultdict(list)
    for el, ids, ks in usable:
        for k in ks[1:]:
            parent[root(k)] = root(ks[0])
    for item in usable:
        comps[root(item[2][0])].append(item)
    baskets: list[list[int]] = []
    for items in comps.values():
        members = sorted({k for _, _, ks in items for k in ks})
        sizes = {len(groups[k][0]) for k in members}
        ok = sizes == {1}
        if not ok and len(sizes) == 1:
            n = sizes.pop()
            used = set()
            ok = len(items) == n and all(sorted(ks) == members for _, _, ks in items)
            for _, ids, _ in items:
                used.update(ids)
            ok = ok and len(used) == n * len(members)
        if ok:
            baskets.append(members)
            for _ in items:
                report.took(ss_tag)
        else:
            for _ in items:
                report.skip(ss_tag, "linking sessions that the engine cannot pair one to one")
    return _Spec(periods, extra, groups, min_days, baskets, room_sets, allowed_of, pref_of)


def _write(s, spec: _Spec, plan: _Planner, report: FetImportReport, check_stop) -> None:
    f, P, D, T = plan.f, plan.P, plan.D, plan.T
    days, day_names = [], set()
    for i, name in enumerate(f.days):
        dn = name.strip()[:30] or f"Day {i + 1}"
        if dn in day_names:
            dn = f"{dn[:25]} ({i + 1})"
        day_names.add(dn)
        days.append(m.Day(position=i, name=dn, short_name=dn[:10]))
    periods = [m.Period(position=i, label=(lbl.strip() or f"P{i + 1}")[:30], start_time=a, end_time=b, is_break=br)
               for i, (lbl, a, b, br) in enumerate(spec.periods)]
    s.add_all(days + periods)
    inst = f.institution.strip() or Path(f.name).stem
    for k, v in (("institution_name", inst[:200]), ("department_name", inst[:200]), ("term", "")):
        s.merge(m.Setting(key=k, value=v))
    dept = m.Department(code="FET", name=(inst or "Imported from FET")[:200], is_home=True)
    s.add(dept)
    s.flush()

    marks: dict[type, list[dict]] = defaultdict(list)  # bulk-inserted at the end (the ORM is slow for 10^5 rows)

    def mark(cls, owner_field: str, owner, mask: np.ndarray, state: str):
        rows = marks[cls]
        for t in np.flatnonzero(mask):
            rows.append({owner_field: owner.id, "day_id": days[t // P].id, "period_id": periods[t % P].id,
                         "state": state})

    # rooms; room sets become features (an activity requires the feature of its set)
    room_codes = _Codes(20, "R")
    rooms: dict[str, m.Room] = {}
    virtual = 0
    for r in f.rooms:
        virtual += r.virtual
        rooms[r.name] = m.Room(code=room_codes.make(r.name), name=r.name[:200], building=r.building[:100],
                               capacity=max(1, r.capacity), kind="classroom", features=[])
    if virtual:
        report.approx(f"{virtual} virtual rooms were imported as ordinary rooms.")
    zero_cap = sum(1 for r in f.rooms if r.capacity == 0)
    if zero_cap:
        report.approx(f"{zero_cap} rooms of capacity 0 were given capacity 1.")
    set_feature: dict[frozenset, str] = {}
    for k, rs in spec.room_sets.items():
        if rs is not None and rs not in set_feature:
            feat = (f"room {rooms[next(iter(rs))].code}" if len(rs) == 1 else f"room set {len(set_feature) + 1}")
            set_feature[rs] = feat
            for rn in rs:
                rooms[rn].features = rooms[rn].features + [feat]
    s.add_all(rooms.values())

    # faculty
    fac_codes = _Codes(20, "T")
    load: dict[str, int] = defaultdict(int)
    for ids, dur in spec.groups:
        for aid in ids:
            for t in plan.acts[aid].fet.teachers:
                load[t] += dur
    faculty: dict[str, m.Faculty] = {}
    for t in f.teachers:
        faculty[t] = m.Faculty(code=fac_codes.make(t), name=(t.strip() or t)[:200] or "?", department=dept,
                               designation="Assistant Professor", max_weekly_periods=load.get(t, 0),
                               max_daily_periods=max(0, plan.max_daily.get(t, 0)),
                               max_consecutive=max(0, plan.max_consec.get(t, 0)),
                               max_days=max(0, plan.max_days.get(t, 0)))
    s.add_all(faculty.values())

    # students: years -> sections, atoms -> batches of the first year listing them
    grp_codes = _Codes(40, "G")
    numbers: dict[str, int] = {}
    for y in f.years:
        numbers.setdefault(y.name, y.students)
        for g in y.groups:
            numbers.setdefault(g.name, g.students)
            for sname, n in g.subgroups:
                numbers.setdefault(sname, n)
    owner: dict[str, str] = {}
    for y in f.years:
        for atom in plan.atoms[y.name]:
            owner.setdefault(atom, y.name)
    sections: dict[str, m.StudentGroup] = {}
    atom_groups: dict[str, m.StudentGroup] = {}
    for y in f.years:
        mine = [a for a in plan.atoms[y.name] if owner[a] == y.name]
        if not mine:
            continue
        sec = m.StudentGroup(code=grp_codes.make(y.name), name=y.name[:200], department=dept,
                             programme=y.name.strip()[:100], semester=1, section="",
                             strength=max(1, y.students or sum(numbers.get(a, 0) for a in mine)))
        sections[y.name] = sec
        s.add(sec)
        if mine == [y.name]:
            atom_groups[y.name] = sec
            continue
        share = max(1, (y.students or 0) // max(1, len(plan.atoms[y.name])))
        for a in mine:
            g = m.StudentGroup(code=grp_codes.make(a), name=a[:200], department=dept, programme=y.name.strip()[:100],
                               semester=1, section="", strength=max(1, numbers.get(a, 0) or share), parent=sec)
            atom_groups[a] = g
            s.add(g)
    if any(sum(1 for y in f.years if atom in plan.atoms[y.name]) > 1 for atom in atom_groups):
        report.approx("students sets listed under several years are lab batches of the first year only; "
                      "their activities name them directly, so clashes stay as in FET.")

    # courses
    course_codes = _Codes(20, "C")
    courses: dict[str, m.Course] = {}
    hours = defaultdict(lambda: {"L": 0, "T": 0, "P": 0})
    for ids, dur in spec.groups:
        x = plan.acts[ids[0]].fet
        hours[x.subject][_kind(x.tags)] += dur * len(ids)
    for subj in list(f.subjects) + ([""] if "" in hours else []):
        title = subj.strip() or "(no subject)"
        h = hours.get(subj, {"L": 0, "T": 0, "P": 0})
        courses[subj] = m.Course(code=course_codes.make(title), title=title[:200], credits=0, lecture_hours=h["L"],
                                 tutorial_hours=h["T"], practical_hours=h["P"], category="major", department=dept)
    s.add_all(courses.values())
    s.flush()
    check_stop()

    # availability
    everyone = spec.extra_unavail
    for t, fac in faculty.items():
        un = plan.teacher_unavail.get(t, np.zeros(T, bool)) | everyone
        mark(m.FacultyAvailability, "faculty_id", fac, un, "unavailable")
        und = plan.teacher_undesired.get(t)
        if und is not None:
            mark(m.FacultyAvailability, "faculty_id", fac, und & ~un, "undesired")
    for a, g in atom_groups.items():
        un = plan.atom_unavail.get(a, np.zeros(T, bool)) | everyone
        mark(m.GroupAvailability, "group_id", g, un, "unavailable")
        und = plan.atom_undesired.get(a)
        if und is not None:
            mark(m.GroupAvailability, "group_id", g, und & ~un, "undesired")
    for rn, mask in plan.room_unavail.items():
        mark(m.RoomAvailability, "room_id", rooms[rn], mask, "unavailable")
    check_stop()

    # activities
    def groups_of(x: fio.FetActivity) -> list[m.StudentGroup]:
        out: list[m.StudentGroup] = []
        for name in x.students:
            atoms = plan.atoms.get(name, [name])
            sec = sections.get(name)
            if sec is not None and sec.batches and sorted(b.name for b in sec.batches) == sorted(atoms):
                picks = [sec]
            else:
                picks = [atom_groups[a] for a in atoms if a in atom_groups]
            out += [p for p in picks if p not in out]
        covered = {id(b) for p in out if p.parent is None for b in p.batches}
        return [p for p in out if id(p) not in covered]

    basket_of: dict[int, m.ElectiveBasket] = {}
    for i, members in enumerate(spec.baskets):
        b = m.ElectiveBasket(code=f"SAME-{i + 1}", name=f"Same starting time {i + 1} (from FET)")
        s.add(b)
        for k in members:
            basket_of[k] = b
    n_sessions = 0
    size_differs = 0
    fet_ids = []
    with s.no_autoflush:
        for k, (ids, dur) in enumerate(spec.groups):
            x = plan.acts[ids[0]].fet
            rs = spec.room_sets[k]
            n = len(ids)
            md = spec.min_days.get(k, 1) if n > 1 else 0
            act = m.Activity(kind=_kind(x.tags), sessions_per_week=n, duration=dur, room_kind="classroom",
                             required_features=[NO_ROOM_FEATURE] if rs is None else [set_feature[rs]],
                             min_days=md,
                             note=(f"FET {'activities' if n > 1 else 'activity'} {', '.join(map(str, ids))}"
                                   + (f"; tags: {', '.join(t.strip() for t in x.tags)}" if x.tags else ""))[:200])
            s.add(act)
            act.course = courses[x.subject]
            act.basket = basket_of.get(k)
            act.faculty = [faculty[t] for t in dict.fromkeys(x.teachers)]
            act.groups = groups_of(x)
            if x.n_students is not None and x.n_students != sum(g.strength for g in act.groups):
                size_differs += 1
            n_sessions += n
            fet_ids.append((act, k))
    if size_differs:
        report.approx(f"{size_differs} activities state a number of students in FET that differs from the sum of "
                      f"their student groups; room capacity is checked against that sum here.")
    s.flush()
    for act, k in fet_ids:
        allowed, pref = spec.allowed[k], spec.pref[k]
        for t in range(T):
            state = None
            if not allowed[t]:
                state = "unavailable"
            elif pref is not None and pref[t]:
                state = "preferred"
            if state:
                marks[m.ActivityTimePreference].append({"activity_id": act.id, "day_id": days[t // P].id,
                                                        "period_id": periods[t % P].id, "state": state})
    for cls, rows in marks.items():
        for i in range(0, len(rows), 5000):
            s.execute(insert(cls), rows[i:i + 5000])
    check_stop()

    # constraint weights: hard rules as usual; soft rules only where the FET file asks for them
    hard = set(HARD_CONSTRAINTS)
    for name, weight in DEFAULT_WEIGHTS.items():
        if name in hard:
            s.add(m.ConstraintInstance(type=name, label=name.replace("_", " ").capitalize(), is_hard=True,
                                       weight=weight, enabled=True))
        else:
            pct = plan.soft_pct.get(name, 0.0)
            used = name in plan.soft_pct
            s.add(m.ConstraintInstance(type=name, label=name.replace("_", " ").capitalize(), is_hard=False,
                                       weight=soft_weight(pct) if used else weight, enabled=used,
                                       params={"fet_weight_percentage": pct} if used else {}))
    report.counts = {"days": D, "periods": P, "faculty": len(faculty), "groups": len(sections) + sum(
        1 for g in atom_groups.values() if g.parent is not None), "rooms": len(rooms), "courses": len(courses),
        "activities": len(spec.groups), "sessions": n_sessions}
    if fac_codes.changed or grp_codes.changed or room_codes.changed or course_codes.changed:
        report.notes.append("names that are not valid codes here (too long, or letters outside A–Z) were given "
                            "codes; the full names are kept as names.")
