"""ITC-2007 curriculum-based course timetabling (``.ctt``) files and solutions.

Reading
    :func:`read_ctt` parses a ``.ctt`` file into a :class:`CttInstance` (plain
    data), :func:`ctt_to_problem` maps it into an engine
    :class:`~ato_desktop.engine.problem.Problem` exactly as the section
    "ITC-2007 (UD2) as a special case" of ``docs/constraints.md`` says, and
    :func:`load_ctt_problem` does both.

Solutions
    :func:`write_solution` writes the competition format, one line
    ``CourseID RoomID Day DayPeriod`` per scheduled lecture (atomically: a
    temporary file renamed into place).  :func:`read_solution` reads one back
    into an :class:`~ato_desktop.engine.problem.Assignment`.

Errors
    Every malformed input (bad structure, bad numbers, unknown or duplicate
    ids, out-of-range days/periods, undecodable bytes, counts not matching the
    header) raises :class:`CttFormatError` -- a ``ValueError`` subclass whose
    ``line`` attribute is the 1-based line number (0 when the problem concerns
    the whole file, e.g. an empty file) and whose message says what was
    expected.  No other exception is raised for bad *content*; only
    ``OSError`` for a file that cannot be opened.  Reading never writes
    anything.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ato_desktop.engine.problem import (
    DEFAULT_WEIGHTS,
    RESOURCE_FACULTY,
    RESOURCE_GROUP,
    Assignment,
    Problem,
)

__all__ = [
    "CttFormatError", "CttCourse", "CttRoom", "CttCurriculum", "CttInstance",
    "read_ctt", "parse_ctt", "ctt_to_problem", "load_ctt_problem",
    "write_solution", "read_solution", "ITC_WEIGHTS",
]

# Limits that keep a hostile file from allocating absurd arrays.
MAX_DAYS = 31
MAX_PERIODS_PER_DAY = 96
MAX_ITEMS = 100_000  # courses, curricula, unavailability lines
MAX_ROOMS = 2_000
MAX_LECTURES = 20_000  # in total: bounds the sessions x slots / rooms arrays
MAX_NUMBER = 1_000_000_000  # capacities and student counts fit in int32
# Products a small file can ask for that the engine's arrays grow with (the ITC-2007 instances are far
# below: at most about 450 lectures x 36 periods, and a few thousand clash pairs). A 255-byte file
# within the limits above once asked for 18,000 lectures of one teacher over 2,976 periods: 5 GiB.
MAX_LECTURE_SLOTS = 1_000_000  # lectures x (days x periods): availability and preference arrays
MAX_LECTURE_ROOMS = 1_000_000  # lectures x rooms: allowed-room array
MAX_ROOM_SLOTS = 500_000  # rooms x days x periods: room occupancy
MAX_CLASH_PAIRS = 500_000  # sum over teachers and curricula of (their lectures)^2: clash lists

ITC_WEIGHTS: dict[str, int] = {name: 0 for name in DEFAULT_WEIGHTS}
ITC_WEIGHTS.update({
    "unscheduled": 1,
    "resource_clash": 1,
    "room_clash": 1,
    "session_unavailable": 1,
    "min_days": 5,
    "isolated": 2,
    "room_stability": 1,
    "room_capacity": 1,
})


class CttFormatError(ValueError):
    """A malformed ``.ctt`` or solution file; ``line`` is 1-based (0 = whole file)."""

    def __init__(self, line: int, message: str, path: str | os.PathLike | None = None):
        self.line = int(line)
        self.detail = message
        self.path = None if path is None else str(path)
        where = f"line {self.line}: " if self.line > 0 else ""
        super().__init__(f"{where}{message}")


@dataclass(frozen=True)
class CttCourse:
    id: str
    teacher: str
    lectures: int
    min_days: int
    students: int


@dataclass(frozen=True)
class CttRoom:
    id: str
    capacity: int


@dataclass(frozen=True)
class CttCurriculum:
    id: str
    courses: tuple[str, ...]


@dataclass
class CttInstance:
    name: str
    n_days: int
    periods_per_day: int
    courses: list[CttCourse] = field(default_factory=list)
    rooms: list[CttRoom] = field(default_factory=list)
    curricula: list[CttCurriculum] = field(default_factory=list)
    unavailability: list[tuple[str, int, int]] = field(default_factory=list)  # (course, day, period)

    @property
    def n_periods(self) -> int:
        return self.n_days * self.periods_per_day

    @property
    def n_lectures(self) -> int:
        return sum(c.lectures for c in self.courses)


# ---------------------------------------------------------------------------
# parsing
_INT = re.compile(r"[0-9]{1,10}")
_HEADER_KEYS = ("Name", "Courses", "Rooms", "Days", "Periods_per_day", "Curricula", "Constraints")
_SECTIONS = ("COURSES:", "ROOMS:", "CURRICULA:", "UNAVAILABILITY_CONSTRAINTS:")
_SECTION_FORMAT = {
    "COURSES:": "'CourseID Teacher #Lectures MinWorkingDays #Students'",
    "ROOMS:": "'RoomID Capacity'",
    "CURRICULA:": "'CurriculumID #Courses CourseID ...'",
    "UNAVAILABILITY_CONSTRAINTS:": "'CourseID Day DayPeriod'",
}
_SECTION_COUNT_KEY = {
    "COURSES:": "Courses", "ROOMS:": "Rooms", "CURRICULA:": "Curricula",
    "UNAVAILABILITY_CONSTRAINTS:": "Constraints",
}
_SECTION_NOUN = {
    "COURSES:": "course", "ROOMS:": "room", "CURRICULA:": "curriculum",
    "UNAVAILABILITY_CONSTRAINTS:": "unavailability constraint",
}


def _int(token: str, lineno: int, what: str, lo: int = 0, hi: int = MAX_NUMBER) -> int:
    if not _INT.fullmatch(token):
        raise CttFormatError(lineno, f"expected {what} as a non-negative integer, got {token!r}")
    value = int(token)
    if value < lo or value > hi:
        raise CttFormatError(lineno, f"expected {what} between {lo} and {hi}, got {value}")
    return value


def _decode_lines(data: bytes) -> list[str]:
    lines = data.split(b"\n")
    out: list[str] = []
    for i, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CttFormatError(i, "expected UTF-8 / ASCII text, got undecodable bytes") from None
        if "\x00" in text:
            raise CttFormatError(i, "expected text, got a NUL byte")
        out.append(text.rstrip("\r"))
    return out


def _read_file(path: str | os.PathLike) -> bytes:
    """A regular file of at most 50 MB (:mod:`ato_desktop.io.files`), else :class:`CttFormatError`."""
    from ato_desktop.io.files import InputFileError, read_regular_file

    try:
        return read_regular_file(path)
    except InputFileError as exc:
        raise CttFormatError(0, f"the file {exc}", path=path) from None


def read_ctt(path: str | os.PathLike) -> CttInstance:
    """Read and check a ``.ctt`` file.  Raises :class:`CttFormatError` (or ``OSError``)."""
    data = _read_file(path)
    try:
        return parse_ctt(data)
    except CttFormatError as exc:
        exc.path = str(path)
        raise


def parse_ctt(data: bytes | str) -> CttInstance:
    """Parse the text of a ``.ctt`` file (see :func:`read_ctt`)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    lines = _decode_lines(data)
    # (lineno, tokens) of non-blank lines
    items = [(i, ln.split()) for i, ln in enumerate(lines, start=1) if ln.strip()]
    if not items:
        raise CttFormatError(0, "expected a .ctt instance, got an empty file")
    pos = 0
    eof = items[-1][0] + 1  # reported for "reached the end of the file" errors

    # ---- header ----------------------------------------------------------
    header: dict[str, object] = {}
    header_line: dict[str, int] = {}
    while pos < len(items) and items[pos][1][0] not in _SECTIONS:
        lineno, toks = items[pos]
        raw = lines[lineno - 1].strip()
        key, sep, value = raw.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or key not in _HEADER_KEYS:
            raise CttFormatError(
                lineno, f"expected a header line 'Key: value' with Key one of {', '.join(_HEADER_KEYS)} "
                f"or the section 'COURSES:', got {raw[:60]!r}")
        if key in header:
            raise CttFormatError(lineno, f"header {key!r} repeated (first on line {header_line[key]})")
        if key == "Name":
            if not value:
                raise CttFormatError(lineno, "expected an instance name after 'Name:'")
            header[key] = value
        else:
            hi = {"Days": MAX_DAYS, "Periods_per_day": MAX_PERIODS_PER_DAY, "Rooms": MAX_ROOMS}.get(key, MAX_ITEMS)
            # every lecture needs a room: 'Rooms: 0' cannot be solved (it crashed the optimizer)
            lo = 1 if key in ("Days", "Periods_per_day", "Rooms") else 0
            header[key] = _int(value, lineno, f"'{key}'", lo, hi)
        header_line[key] = lineno
        pos += 1
    for key in _HEADER_KEYS:
        if key not in header:
            at = items[pos][0] if pos < len(items) else eof
            raise CttFormatError(at, f"missing header line '{key}: ...' before the sections")

    n_days = int(header["Days"])  # type: ignore[arg-type]
    ppd = int(header["Periods_per_day"])  # type: ignore[arg-type]
    n_rooms = int(header["Rooms"])  # type: ignore[arg-type]
    if n_rooms * n_days * ppd > MAX_ROOM_SLOTS:
        raise CttFormatError(header_line["Rooms"], f"expected at most {MAX_ROOM_SLOTS:,} rooms x days x periods, "
                             f"got {n_rooms} x {n_days} x {ppd} = {n_rooms * n_days * ppd:,}")
    inst = CttInstance(name=str(header["Name"]), n_days=n_days, periods_per_day=ppd)
    course_index: dict[str, int] = {}
    course_line: dict[str, int] = {}
    room_line: dict[str, int] = {}
    curr_line: dict[str, int] = {}
    total_lectures = 0

    for section in _SECTIONS:
        if pos >= len(items):
            raise CttFormatError(eof, f"missing section '{section}' (end of file reached)")
        lineno, toks = items[pos]
        if toks[0] == section and len(toks) > 1:
            raise CttFormatError(lineno, f"expected the section line '{section}' alone on its line, "
                                 f"got {' '.join(toks)[:60]!r}")
        if toks[0] != section and (toks[0] in _SECTIONS or toks[0] == "END."):
            raise CttFormatError(lineno, f"missing section '{section}' (expected it here, got {toks[0]!r})")
        if toks != [section]:
            raise CttFormatError(lineno, f"expected the section line '{section}', got {' '.join(toks)[:60]!r}")
        section_line = lineno
        pos += 1
        key = _SECTION_COUNT_KEY[section]
        expected = int(header[key])  # type: ignore[arg-type]
        noun = _SECTION_NOUN[section]
        count = 0
        while pos < len(items):
            lineno, toks = items[pos]
            if toks[0] in _SECTIONS or toks[0] == "END.":
                break
            if count >= expected:
                raise CttFormatError(
                    lineno, f"expected the end of section {section} after {expected} {noun} line(s) "
                    f"(header line {header_line[key]}: '{key}: {expected}'), got another line")
            fmt = _SECTION_FORMAT[section]
            if section == "COURSES:":
                if len(toks) != 5:
                    raise CttFormatError(lineno, f"expected 5 fields {fmt}, got {len(toks)}")
                cid, teacher = toks[0], toks[1]
                if cid in course_index:
                    raise CttFormatError(lineno, f"duplicate course id {cid!r} (first on line {course_line[cid]})")
                lectures = _int(toks[2], lineno, "#Lectures", 0, n_days * ppd)
                total_lectures += lectures
                if total_lectures > MAX_LECTURES:
                    raise CttFormatError(lineno, f"expected at most {MAX_LECTURES} lectures in all, "
                                         f"got {total_lectures} so far")
                for limit, per, what in ((MAX_LECTURE_SLOTS, n_days * ppd, "periods"),
                                         (MAX_LECTURE_ROOMS, n_rooms, "rooms")):
                    if total_lectures * per > limit:
                        raise CttFormatError(lineno, f"expected at most {limit:,} lectures x {what}, got "
                                             f"{total_lectures} lectures so far x {per} {what}")
                min_days = _int(toks[3], lineno, "MinWorkingDays", 0, n_days)
                students = _int(toks[4], lineno, "#Students")
                course_index[cid] = len(inst.courses)
                course_line[cid] = lineno
                inst.courses.append(CttCourse(cid, teacher, lectures, min_days, students))
            elif section == "ROOMS:":
                if len(toks) != 2:
                    raise CttFormatError(lineno, f"expected 2 fields {fmt}, got {len(toks)}")
                rid = toks[0]
                if rid in room_line:
                    raise CttFormatError(lineno, f"duplicate room id {rid!r} (first on line {room_line[rid]})")
                cap = _int(toks[1], lineno, "Capacity")
                room_line[rid] = lineno
                inst.rooms.append(CttRoom(rid, cap))
            elif section == "CURRICULA:":
                if len(toks) < 2:
                    raise CttFormatError(lineno, f"expected at least 2 fields {fmt}, got {len(toks)}")
                qid = toks[0]
                if qid in curr_line:
                    raise CttFormatError(lineno, f"duplicate curriculum id {qid!r} (first on line {curr_line[qid]})")
                n = _int(toks[1], lineno, "#Courses", 0, MAX_ITEMS)
                if len(toks) != 2 + n:
                    raise CttFormatError(
                        lineno, f"expected {2 + n} fields {fmt} (#Courses = {n}), got {len(toks)}")
                members = toks[2:]
                seen: set[str] = set()
                for c in members:
                    if c not in course_index:
                        raise CttFormatError(lineno, f"unknown course {c!r} in curriculum {qid!r} "
                                             f"(expected a course id from the COURSES section)")
                    if c in seen:
                        raise CttFormatError(lineno, f"course {c!r} listed twice in curriculum {qid!r}")
                    seen.add(c)
                curr_line[qid] = lineno
                inst.curricula.append(CttCurriculum(qid, tuple(members)))
            else:  # UNAVAILABILITY_CONSTRAINTS
                if len(toks) != 3:
                    raise CttFormatError(lineno, f"expected 3 fields {fmt}, got {len(toks)}")
                cid = toks[0]
                if cid not in course_index:
                    raise CttFormatError(lineno, f"unknown course {cid!r} in an unavailability constraint "
                                         f"(expected a course id from the COURSES section)")
                day = _int(toks[1], lineno, "Day", 0, n_days - 1)
                period = _int(toks[2], lineno, "DayPeriod", 0, ppd - 1)
                inst.unavailability.append((cid, day, period))
            count += 1
            pos += 1
        if count != expected:
            at = items[pos][0] if pos < len(items) else eof
            raise CttFormatError(
                at, f"expected {expected} {noun} line(s) in section {section} (header line "
                f"{header_line[key]}: '{key}: {expected}', section starting on line {section_line}), "
                f"got {count}")

    _check_clash_pairs(inst, header_line.get("Courses", 1))
    if pos >= len(items):
        raise CttFormatError(eof, "missing 'END.' at the end of the file")
    lineno, toks = items[pos]
    if toks != ["END."]:
        raise CttFormatError(lineno, f"expected 'END.', got {' '.join(toks)[:60]!r}")
    if pos + 1 < len(items):
        raise CttFormatError(items[pos + 1][0], "expected nothing after 'END.'")
    return inst


def _check_clash_pairs(inst: CttInstance, lineno: int) -> None:
    """Refuse an instance whose teachers' and curricula's lectures would make more clash pairs than
    :data:`MAX_CLASH_PAIRS` (each lecture of a teacher or curriculum clashes with every other one)."""
    lectures = {c.id: c.lectures for c in inst.courses}
    per_teacher: dict[str, int] = {}
    for c in inst.courses:
        per_teacher[c.teacher] = per_teacher.get(c.teacher, 0) + c.lectures
    pairs = sum(n * n for n in per_teacher.values())
    pairs += sum(sum(lectures[c] for c in q.courses) ** 2 for q in inst.curricula)
    if pairs > MAX_CLASH_PAIRS:
        worst = max(per_teacher.items(), key=lambda kv: kv[1])
        raise CttFormatError(lineno, f"expected at most {MAX_CLASH_PAIRS:,} pairs of lectures that share a "
                             f"teacher or curriculum, got {pairs:,} (teacher {worst[0]!r} alone has "
                             f"{worst[1]} lectures)")


# ---------------------------------------------------------------------------
# mapping to the engine's Problem
def ctt_to_problem(inst: CttInstance) -> Problem:
    """Map an ITC-2007 instance onto the engine's model (see docs/constraints.md).

    One session per lecture (duration 1), in course order: the lectures of
    course ``c`` are the sessions ``meta['course_first_session'][c] ...`` (contiguous).
    Resources: teachers (faculty) first, then curricula (groups).
    ``meta`` holds ``course_ids``, ``room_ids``, ``teacher_ids``, ``curriculum_ids``,
    ``course_first_session`` and ``format = 'itc2007-ctt'``.
    """
    D, P = inst.n_days, inst.periods_per_day
    T = D * P
    C, R = len(inst.courses), len(inst.rooms)
    course_index = {c.id: i for i, c in enumerate(inst.courses)}

    teachers: list[str] = []
    teacher_index: dict[str, int] = {}
    for c in inst.courses:
        if c.teacher not in teacher_index:
            teacher_index[c.teacher] = len(teachers)
            teachers.append(c.teacher)
    n_teachers = len(teachers)
    Q = n_teachers + len(inst.curricula)

    course_res: list[list[int]] = [[teacher_index[c.teacher]] for c in inst.courses]
    for g, cur in enumerate(inst.curricula):
        for cid in cur.courses:
            course_res[course_index[cid]].append(n_teachers + g)

    unavailable = np.zeros((C, T), bool)
    for cid, d, p in inst.unavailability:
        unavailable[course_index[cid], d * P + p] = True

    labels: list[str] = []
    sess_course: list[int] = []
    first: list[int] = []
    indptr = [0]
    indices: list[int] = []
    for ci, c in enumerate(inst.courses):
        first.append(len(labels))
        res = sorted(set(course_res[ci]))
        for k in range(c.lectures):
            labels.append(f"{c.id} #{k + 1}")
            sess_course.append(ci)
            indices.extend(res)
            indptr.append(len(indices))
    S = len(labels)
    sess_course_a = np.asarray(sess_course, np.int32).reshape(S)
    students = np.asarray([c.students for c in inst.courses], np.int32).reshape(C)

    return Problem(
        name=inst.name,
        n_days=D,
        periods_per_day=P,
        day_names=tuple(f"Day {d}" for d in range(D)),
        period_labels=tuple(f"Period {p}" for p in range(P)),
        slot_usable=np.ones(T, bool),
        room_names=tuple(r.id for r in inst.rooms),
        room_capacity=np.asarray([r.capacity for r in inst.rooms], np.int32).reshape(R),
        room_available=np.ones((R, T), bool),
        resource_names=tuple(teachers) + tuple(q.id for q in inst.curricula),
        resource_kind=np.asarray([RESOURCE_FACULTY] * n_teachers + [RESOURCE_GROUP] * len(inst.curricula),
                                 np.int8).reshape(Q),
        resource_available=np.ones((Q, T), bool),
        resource_pref=np.zeros((Q, T), np.int8),
        resource_max_daily=np.zeros(Q, np.int32),
        resource_max_consecutive=np.zeros(Q, np.int32),
        resource_max_days=np.zeros(Q, np.int32),
        course_names=tuple(c.id for c in inst.courses),
        course_min_days=np.asarray([c.min_days for c in inst.courses], np.int32).reshape(C),
        session_labels=tuple(labels),
        session_activity=sess_course_a.copy(),
        session_course=sess_course_a,
        session_duration=np.ones(S, np.int32),
        session_size=students[sess_course_a] if S else np.zeros(0, np.int32),
        res_indptr=np.asarray(indptr, np.int32),
        res_indices=np.asarray(indices, np.int32),
        session_allowed_rooms=np.ones((S, R), bool),
        session_available=~unavailable[sess_course_a] if S else np.ones((0, T), bool),
        session_pref=np.zeros((S, T), np.int8),
        session_needs_room=np.ones(S, bool),
        weights=dict(ITC_WEIGHTS),
        meta={
            "format": "itc2007-ctt",
            "instance": inst.name,
            "course_ids": tuple(c.id for c in inst.courses),
            "room_ids": tuple(r.id for r in inst.rooms),
            "teacher_ids": tuple(teachers),
            "curriculum_ids": tuple(q.id for q in inst.curricula),
            "course_first_session": tuple(first),
        },
    )


def load_ctt_problem(path: str | os.PathLike) -> Problem:
    """``ctt_to_problem(read_ctt(path))``."""
    return ctt_to_problem(read_ctt(path))


# ---------------------------------------------------------------------------
# solutions
def _ids(problem: Problem) -> tuple[tuple[str, ...], tuple[str, ...]]:
    meta = problem.meta
    courses = tuple(meta.get("course_ids", problem.course_names))  # type: ignore[arg-type]
    rooms = tuple(meta.get("room_ids", problem.room_names))  # type: ignore[arg-type]
    return courses, rooms


def write_solution(path: str | os.PathLike, problem: Problem, assignment: Assignment) -> None:
    """Write ``CourseID RoomID Day DayPeriod`` for every scheduled lecture with a room.

    Unscheduled lectures are left out (the official validator then counts them
    as missing).  The file is written to a temporary name and renamed.
    """
    courses, rooms = _ids(problem)
    P = problem.periods_per_day
    out: list[str] = []
    for s in range(problem.n_sessions):
        t, r = int(assignment.start[s]), int(assignment.room[s])
        if t < 0 or r < 0:
            continue
        out.append(f"{courses[problem.session_course[s]]} {rooms[r]} {t // P} {t % P}\n")
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(out)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_solution(path: str | os.PathLike, problem: Problem) -> Assignment:
    """Read a competition-format solution for ``problem`` (made by :func:`ctt_to_problem`).

    The k-th line of a course fills its k-th lecture.  Raises
    :class:`CttFormatError` for a wrong field count, an unknown course or room,
    a day/period out of range, or more lines than the course has lectures.
    """
    courses, rooms = _ids(problem)
    course_index = {c: i for i, c in enumerate(courses)}
    room_index = {r: i for i, r in enumerate(rooms)}
    sessions_of: list[list[int]] = [[] for _ in courses]
    for s in range(problem.n_sessions):
        sessions_of[int(problem.session_course[s])].append(s)
    used = [0] * len(courses)
    a = Assignment.empty(problem)
    D, P = problem.n_days, problem.periods_per_day
    try:
        lines = _decode_lines(_read_file(path))
        for lineno, line in enumerate(lines, start=1):
            toks = line.split()
            if not toks:
                continue
            if len(toks) != 4:
                raise CttFormatError(lineno, f"expected 4 fields 'CourseID RoomID Day DayPeriod', got {len(toks)}")
            cid, rid = toks[0], toks[1]
            if cid not in course_index:
                raise CttFormatError(lineno, f"unknown course {cid!r} (not in instance {problem.name!r})")
            if rid not in room_index:
                raise CttFormatError(lineno, f"unknown room {rid!r} (not in instance {problem.name!r})")
            day = _int(toks[2], lineno, "Day", 0, D - 1)
            period = _int(toks[3], lineno, "DayPeriod", 0, P - 1)
            c = course_index[cid]
            if used[c] >= len(sessions_of[c]):
                raise CttFormatError(lineno, f"course {cid!r} has only {len(sessions_of[c])} lecture(s), "
                                     f"got line number {used[c] + 1} for it")
            s = sessions_of[c][used[c]]
            used[c] += 1
            a.start[s] = day * P + period
            a.room[s] = room_index[rid]
    except CttFormatError as exc:
        exc.path = str(path)
        raise
    return a

