"""The plan of a FET import: a read ``.fet`` file mapped onto the department model in memory.

Everything is decided here before a file is created: codes, periods and their clock times, the
activities with their allowed and preferred slots and rooms, and which constraints map onto engine
rules (the rest is listed in the :class:`FetImportReport`). A refusal is a :class:`FetImportError`
naming the file, the line and the element.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ato_desktop.io import fet as fio
from ato_desktop.services.errors import ServiceError
from ato_desktop.services.fet_profile import ProfilePlan
from ato_desktop.services.fet_tags import read_tag_limit

CODE_OK = re.compile(r"[^A-Za-z0-9._/\-+ ]+")
TIME_RANGE = re.compile(r"(\d{1,2})\s*[:.h]\s*(\d{2})\s*(?:-|–|—|to)\s*(\d{1,2})\s*[:.h]\s*(\d{2})")
MAX_SESSIONS = 20  # storage: sessions_per_week <= 20
MAX_DURATION = 6  # storage: duration <= 6


# FET's relations between activities -> the engine rule counting them (engine.rules.RELATION_RULES)
RELATION_TAGS = {
    "ConstraintActivitiesNotOverlapping": "activities_not_overlapping",
    "ConstraintTwoActivitiesConsecutive": "activities_consecutive",
    "ConstraintTwoActivitiesGrouped": "activities_grouped",
    "ConstraintThreeActivitiesGrouped": "activities_grouped",
    "ConstraintActivityEndsStudentsDay": "activity_ends_day",
    "ConstraintActivitiesEndStudentsDay": "activity_ends_day",
    "ConstraintMinGapsBetweenActivities": "activities_min_gaps",
    "ConstraintActivitiesSameStartingDay": "activities_same_day",
    "ConstraintActivitiesSameRoomIfConsecutive": "activities_same_room",
}


class FetImportError(ServiceError):
    """The FET file was refused; nothing was written. The message names the file, the line and the element."""


class FetImportCancelled(FetImportError):
    pass


def soft_weight(percent: float) -> int:
    """FET weight percentage (< 100) -> engine soft weight, increasing with the percentage.

    ``round(100 / (100 - w))`` clipped to 1..1000: 50 % -> 2, 90 % -> 10, 95 % -> 20, 99 % -> 100,
    99.9 % -> 1000; a 100 % constraint on a rule the engine only has as soft gets 1000 and makes the rule a
    must (each violation counts in the hard total; ``Problem.must``).
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
        if why and w and why not in w:  # another reason for the same type: both are listed
            w = f"{w}; {why}"
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
        self.pcts: dict[str, list[float]] = defaultdict(list)  # engine soft rule -> every FET percentage on it
        self.min_days: list[tuple[fio.Element, list[int], int, float]] = []
        self.same_start: list[tuple[fio.Element, list[int]]] = []
        self.profile = ProfilePlan()  # teachers' and students' day profile (services.fet_profile)
        # relations between activities: (engine rule, FET activity ids, parameter, percentage)
        self.relations: list[tuple[str, list[int], int, float]] = []

    def soft(self, rule: str, pct: float) -> None:
        """A FET constraint at ``pct`` on the engine's soft rule ``rule`` (its weight: the highest; at 100 %
        the rule is a must, docs/constraints.md "FET weights")."""
        self.soft_pct[rule] = max(self.soft_pct[rule], pct)
        self.pcts[rule].append(pct)

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
        if self.profile.read(self, el, tag, pct) or read_tag_limit(self, el, tag, pct):
            return
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
                self.soft("resource_undesired", pct)
            r.took(tag)
        elif tag == "ConstraintStudentsSetNotAvailableTimes":
            s = self._students(el, "Students")
            mask = self._slots(el, "Not_Available_Time", "Day", "Hour")
            for atom in self.atoms[s]:
                self._mark(self.atom_unavail if hard else self.atom_undesired, atom, mask)
            if not hard:
                self.soft("resource_undesired", pct)
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
                self.soft("session_not_preferred", pct)
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
            self.soft("max_days", pct)
            r.took(tag)
        elif tag in ("ConstraintTeacherMaxHoursContinuously", "ConstraintTeachersMaxHoursContinuously"):
            v = _num(el, "Maximum_Hours_Continuously", self.name)
            for t in ([self._teacher(el, "Teacher_Name")] if tag == "ConstraintTeacherMaxHoursContinuously"
                      else self.teachers):
                self.max_consec[t] = min(v, self.max_consec.get(t, v))
            self.soft("max_consecutive", pct)
            r.took(tag)
        elif tag in RELATION_TAGS:
            self._relation(el, pct)
        else:
            r.skip(tag)

    def _id_of(self, el: fio.Element, tag: str) -> int:
        c = el.find(tag)
        try:
            i = int(c.text.strip())
        except (AttributeError, ValueError):
            raise FetImportError(f"{self.name} line {(c or el).line}: <{el.tag}> needs an activity number in "
                                 f"<{tag}>.") from None
        if i not in self.all_ids:
            raise FetImportError(f"{self.name} line {c.line}: <{el.tag}> names the activity {i}, which is not in "
                                 f"the activities list.")
        return i

    def _relation(self, el: fio.Element, pct: float) -> None:
        """A relation between activities (engine.rules.RELATION_RULES), kept with FET's activity ids."""
        tag, rule = el.tag, RELATION_TAGS[el.tag]
        param = 0
        if tag in ("ConstraintTwoActivitiesConsecutive", "ConstraintTwoActivitiesGrouped",
                   "ConstraintThreeActivitiesGrouped"):
            names = ["First_Activity_Id", "Second_Activity_Id"] + (
                ["Third_Activity_Id"] if tag.startswith("ConstraintThree") else [])
            ids = [self._id_of(el, n) for n in names]
        elif tag == "ConstraintActivityEndsStudentsDay":
            ids = [self._id_of(el, "Activity_Id")]
        elif tag == "ConstraintActivitiesEndStudentsDay":
            ids = [a.fet.id for a in self._filter(el)]
        else:
            ids = self._ids(el)
            if tag == "ConstraintMinGapsBetweenActivities":
                param = _num(el, "MinGaps", self.name)
        active = [i for i in ids if i in self.acts]
        if rule in ("activities_consecutive", "activities_grouped") and len(active) < len(ids):
            self.r.took(tag)  # an inactive activity: FET ignores the constraint too
            return
        self.relations.append((rule, active, param, pct))
        self.soft(rule, pct)
        self.r.took(tag)

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
        if tag in RELATION_TAGS:
            self._relation(el, pct)
            return
        if self.profile.read(self, el, tag, pct):  # building changes, the day profile's way
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
