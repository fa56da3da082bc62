"""Independent scorer of ITC-2007 track-3 solutions (formulation UD2).

This module deliberately shares no code with the engine's scoring or
optimizer: it works on the raw :class:`~ato_desktop.io.ctt.CttInstance` and the
lines of a solution file, the way the competition's official validator does,
so that it can check the engine's figures.

Semantics (as in the official validator, which stores a course x period
table holding one room):

* a solution line ``CourseID RoomID Day DayPeriod`` puts course ``c`` in period
  ``p`` in that room; two lines of the same course in the same period collapse
  into one lecture (the later line's room wins), which therefore shows up as a
  missing lecture;
* **Lectures** (hard): per course, ``|#Lectures - distinct periods used|``;
* **Conflicts** (hard): per unordered pair of *conflicting* courses (same teacher
  or sharing a curriculum) and per period where both have a lecture: 1;
* **RoomOccupancy** (hard): per room and period, lectures beyond the first;
* **Availability** (hard): per lecture in an unavailable period of its course;
* **RoomCapacity** (soft, x1): per lecture, students above the room's capacity;
* **MinWorkingDays** (soft, x5): per course, days below its minimum;
* **CurriculumCompactness** (soft, x2): per curriculum and period with ``n > 0``
  of its lectures and no lecture of the curriculum in the previous or next
  period of the same day: ``n``;
* **RoomStability** (soft, x1): per course, distinct rooms used beyond the first.

Malformed solution lines raise :class:`~ato_desktop.io.ctt.CttFormatError`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ato_desktop.io.ctt import CttFormatError, CttInstance, read_ctt

__all__ = ["ItcBreakdown", "validate_solution", "validate_lines", "validate_files", "format_breakdown"]

W_ROOM_CAPACITY = 1
W_MIN_WORKING_DAYS = 5
W_CURRICULUM_COMPACTNESS = 2
W_ROOM_STABILITY = 1


@dataclass
class ItcBreakdown:
    # hard violations
    lectures: int = 0
    conflicts: int = 0
    room_occupancy: int = 0
    availability: int = 0
    # soft costs (unweighted counts; see the weighted properties)
    room_capacity: int = 0  # students above capacity
    min_working_days: int = 0  # days below the minimum
    curriculum_compactness: int = 0  # isolated lectures
    room_stability: int = 0  # extra rooms
    details: list[str] = field(default_factory=list)

    @property
    def hard(self) -> int:
        return self.lectures + self.conflicts + self.room_occupancy + self.availability

    @property
    def soft(self) -> int:
        return (W_ROOM_CAPACITY * self.room_capacity
                + W_MIN_WORKING_DAYS * self.min_working_days
                + W_CURRICULUM_COMPACTNESS * self.curriculum_compactness
                + W_ROOM_STABILITY * self.room_stability)

    def as_dict(self) -> dict[str, int]:
        return {
            "hard": self.hard, "soft": self.soft,
            "Lectures": self.lectures, "Conflicts": self.conflicts,
            "RoomOccupancy": self.room_occupancy, "Availability": self.availability,
            "RoomCapacity": W_ROOM_CAPACITY * self.room_capacity,
            "MinWorkingDays": W_MIN_WORKING_DAYS * self.min_working_days,
            "CurriculumCompactness": W_CURRICULUM_COMPACTNESS * self.curriculum_compactness,
            "RoomStability": W_ROOM_STABILITY * self.room_stability,
        }


def _parse_solution_lines(inst: CttInstance, lines: list[str]) -> dict[tuple[int, int], int]:
    """(course index, period) -> room index, later lines overriding earlier ones."""
    course_ix = {c.id: i for i, c in enumerate(inst.courses)}
    room_ix = {r.id: i for i, r in enumerate(inst.rooms)}
    table: dict[tuple[int, int], int] = {}
    for lineno, line in enumerate(lines, start=1):
        toks = line.split()
        if not toks:
            continue
        if len(toks) != 4:
            raise CttFormatError(lineno, f"expected 4 fields 'CourseID RoomID Day DayPeriod', got {len(toks)}")
        cid, rid, day, period = toks
        if cid not in course_ix:
            raise CttFormatError(lineno, f"unknown course {cid!r}")
        if rid not in room_ix:
            raise CttFormatError(lineno, f"unknown room {rid!r}")
        if not (day.isascii() and day.isdigit()) or int(day) >= inst.n_days:
            raise CttFormatError(lineno, f"expected Day between 0 and {inst.n_days - 1}, got {day!r}")
        if not (period.isascii() and period.isdigit()) or int(period) >= inst.periods_per_day:
            raise CttFormatError(lineno, f"expected DayPeriod between 0 and {inst.periods_per_day - 1}, "
                                 f"got {period!r}")
        table[(course_ix[cid], int(day) * inst.periods_per_day + int(period))] = room_ix[rid]
    return table


def validate_lines(inst: CttInstance, lines: list[str]) -> ItcBreakdown:
    """Score the lines of a solution file against ``inst``."""
    table = _parse_solution_lines(inst, lines)
    P = inst.periods_per_day
    n_periods = inst.n_days * P
    courses = inst.courses
    rooms = inst.rooms
    out = ItcBreakdown()
    det = out.details

    periods_of: list[list[int]] = [[] for _ in courses]
    for (c, p) in sorted(table):
        periods_of[c].append(p)

    def at(p: int) -> str:
        return f"day {p // P} period {p % P}"

    # Lectures
    for c, course in enumerate(courses):
        n = len(periods_of[c])
        if n != course.lectures:
            out.lectures += abs(course.lectures - n)
            det.append(f"[H] Course {course.id}: {n} lecture(s) in distinct periods, expected {course.lectures}")

    # Conflicts: same teacher or a shared curriculum
    curricula_of: list[set[int]] = [set() for _ in courses]
    course_ix = {c.id: i for i, c in enumerate(courses)}
    for g, cur in enumerate(inst.curricula):
        for cid in cur.courses:
            curricula_of[course_ix[cid]].add(g)
    lectures_in: list[list[int]] = [[] for _ in range(n_periods)]
    for (c, p) in table:
        lectures_in[p].append(c)
    for p in range(n_periods):
        cs = sorted(lectures_in[p])
        for i in range(len(cs)):
            for j in range(i + 1, len(cs)):
                a, b = courses[cs[i]], courses[cs[j]]
                if a.teacher == b.teacher or (curricula_of[cs[i]] & curricula_of[cs[j]]):
                    out.conflicts += 1
                    det.append(f"[H] Courses {a.id} and {b.id} conflict at {at(p)}")

    # RoomOccupancy
    in_room: dict[tuple[int, int], int] = {}
    for (c, p), r in table.items():
        in_room[(r, p)] = in_room.get((r, p), 0) + 1
    for (r, p), n in sorted(in_room.items()):
        if n > 1:
            out.room_occupancy += n - 1
            det.append(f"[H] {n} lectures in room {rooms[r].id} at {at(p)}")

    # Availability
    unavailable = {(course_ix[cid], d * P + q) for cid, d, q in inst.unavailability}
    for (c, p) in sorted(table):
        if (c, p) in unavailable:
            out.availability += 1
            det.append(f"[H] Course {courses[c].id} has a lecture at unavailable {at(p)}")

    # RoomCapacity
    for (c, p), r in sorted(table.items()):
        excess = courses[c].students - rooms[r].capacity
        if excess > 0:
            out.room_capacity += excess
            det.append(f"[S({excess})] Room {rooms[r].id} too small for course {courses[c].id} at {at(p)}")

    # MinWorkingDays
    for c, course in enumerate(courses):
        days = len({p // P for p in periods_of[c]})
        if days < course.min_days:
            out.min_working_days += course.min_days - days
            det.append(f"[S({W_MIN_WORKING_DAYS * (course.min_days - days)})] Course {course.id} "
                       f"has {days} working day(s), minimum {course.min_days}")

    # CurriculumCompactness
    for g, cur in enumerate(inst.curricula):
        members = {course_ix[cid] for cid in cur.courses}
        count = [0] * n_periods
        for (c, p) in table:
            if c in members:
                count[p] += 1
        for p in range(n_periods):
            if count[p] == 0:
                continue
            prev_busy = p % P > 0 and count[p - 1] > 0
            next_busy = p % P < P - 1 and count[p + 1] > 0
            if not prev_busy and not next_busy:
                out.curriculum_compactness += count[p]
                det.append(f"[S({W_CURRICULUM_COMPACTNESS * count[p]})] Curriculum {cur.id} has an "
                           f"isolated lecture at {at(p)}")

    # RoomStability
    for c, course in enumerate(courses):
        used = {r for (cc, p), r in table.items() if cc == c}
        if len(used) > 1:
            out.room_stability += len(used) - 1
            det.append(f"[S({len(used) - 1})] Course {course.id} uses {len(used)} rooms")
    return out


def validate_solution(inst: CttInstance, solution_path: str | os.PathLike) -> ItcBreakdown:
    """Score a solution file.  Raises ``CttFormatError`` for malformed lines."""
    from ato_desktop.io.ctt import _read_file

    data = _read_file(solution_path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CttFormatError(0, "expected a text solution file, got undecodable bytes",
                             path=solution_path) from None
    try:
        return validate_lines(inst, text.splitlines())
    except CttFormatError as exc:
        exc.path = str(solution_path)
        raise


def validate_files(instance_path: str | os.PathLike, solution_path: str | os.PathLike) -> ItcBreakdown:
    return validate_solution(read_ctt(instance_path), solution_path)


def format_breakdown(b: ItcBreakdown, details: bool = False) -> str:
    d = b.as_dict()
    rows = [
        f"Violations of Lectures (hard) : {d['Lectures']}",
        f"Violations of Conflicts (hard) : {d['Conflicts']}",
        f"Violations of Availability (hard) : {d['Availability']}",
        f"Violations of RoomOccupancy (hard) : {d['RoomOccupancy']}",
        f"Cost of RoomCapacity (soft) : {d['RoomCapacity']}",
        f"Cost of MinWorkingDays (soft) : {d['MinWorkingDays']}",
        f"Cost of CurriculumCompactness (soft) : {d['CurriculumCompactness']}",
        f"Cost of RoomStability (soft) : {d['RoomStability']}",
        "",
        f"Summary: Violations = {b.hard}, Total Cost = {b.soft}",
    ]
    if details and b.details:
        rows = b.details + [""] + rows
    return "\n".join(rows)
