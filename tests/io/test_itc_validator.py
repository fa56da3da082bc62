"""The independent UD2 validator, checked against figures computed by hand on toy.ctt.

toy.ctt: 5 days x 4 periods; rooms A (32 seats), B (50).
  SceCosC (Ocra, 3 lectures, min 3 days, 30 students)   Cur1 = SceCosC ArcTec TecCos
  ArcTec  (Indaco, 3, min 2, 42)                         Cur2 = TecCos Geotec
  TecCos  (Rosa, 5, min 4, 40): unavailable (2,0) (2,1) (3,2) (3,3)
  Geotec  (Scarlatti, 5, min 4, 18)
  ArcTec: unavailable all of day 4.

BASE (day, period):        P0          P1          P2          P3
  days 0, 1, 2        SceCosC B   ArcTec B    TecCos B    Geotec A
  days 3, 4           Geotec A    TecCos B
Lecture counts 3/3/5/5, working days 3/3/5/5 (minimum met), every room big enough, one room per
course, and every period holds at most one lecture: no conflict, no room clash, no
unavailable period used.  Compactness: Cur1 has TecCos alone on day 3 and on
day 4 (2 isolated lectures); Cur2 is always adjacent (TecCos P2 + Geotec P3, Geotec P0 + TecCos P1).
=> hard 0, soft 2 x 2 = 4.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ato_desktop.io.ctt import CttFormatError, parse_ctt, read_ctt
from ato_desktop.io.itc_validator import format_breakdown, validate_lines, validate_solution

BASE = [
    "SceCosC B 0 0", "ArcTec B 0 1", "TecCos B 0 2", "Geotec A 0 3",
    "SceCosC B 1 0", "ArcTec B 1 1", "TecCos B 1 2", "Geotec A 1 3",
    "SceCosC B 2 0", "ArcTec B 2 1", "TecCos B 2 2", "Geotec A 2 3",
    "Geotec A 3 0", "TecCos B 3 1",
    "Geotec A 4 0", "TecCos B 4 1",
]


@pytest.fixture(scope="module")
def toy(itc_dir: Path):
    return read_ctt(itc_dir / "toy.ctt")


def edited(old: str, new: str | None) -> list[str]:
    lines = list(BASE)
    i = lines.index(old)
    if new is None:
        del lines[i]
    else:
        lines[i] = new
    return lines


def test_base_solution(toy, tmp_path: Path) -> None:
    f = tmp_path / "base.sol"
    f.write_text("\n".join(BASE) + "\n")
    b = validate_solution(toy, f)
    assert (b.hard, b.soft) == (0, 4)
    assert b.curriculum_compactness == 2
    assert b.room_capacity == b.min_working_days == b.room_stability == 0
    text = format_breakdown(b)
    assert "Cost of CurriculumCompactness (soft) : 4" in text
    assert text.splitlines()[-1] == "Summary: Violations = 0, Total Cost = 4"


def test_room_too_small_and_second_room(toy) -> None:
    # ArcTec (42 students) on day 0 moves to room A (32 seats), which is free at (0, 1):
    # capacity 42 - 32 = 10, ArcTec now uses A and B: stability 1.  4 + 10 + 1 = 15.
    b = validate_lines(toy, edited("ArcTec B 0 1", "ArcTec A 0 1"))
    assert (b.room_capacity, b.room_stability, b.curriculum_compactness) == (10, 1, 2)
    assert (b.hard, b.soft) == (0, 15)


def test_missing_lecture(toy) -> None:
    # Without TecCos on day 4: one lecture missing; TecCos still has 4 days (its minimum).
    # Cur1 loses its isolated lecture on day 4, but Geotec (P0) is now alone for Cur2 on day 4.
    b = validate_lines(toy, edited("TecCos B 4 1", None))
    assert (b.lectures, b.conflicts, b.room_occupancy, b.availability) == (1, 0, 0, 0)
    assert (b.min_working_days, b.curriculum_compactness) == (0, 2)
    assert (b.hard, b.soft) == (1, 4)


def test_two_lectures_of_a_course_in_one_period(toy) -> None:
    # SceCosC's day-2 lecture goes to (1, 0), where it already has one in room B.
    # Both collapse into one lecture: Lectures 1 (not a room clash), SceCosC on 2 days < 3: 5.
    b = validate_lines(toy, edited("SceCosC B 2 0", "SceCosC B 1 0"))
    assert (b.lectures, b.room_occupancy, b.conflicts) == (1, 0, 0)
    assert (b.min_working_days, b.curriculum_compactness) == (1, 2)
    assert (b.hard, b.soft) == (1, 4 + 5)


def test_curriculum_conflict(toy) -> None:
    # Geotec (0, 3) -> (0, 2) in A: TecCos is at (0, 2) in B and both are in Cur2: 1 conflict.
    # Cur2 on day 0 now has 2 lectures at P2 and none at P1/P3: +2 isolated.  (2 + 2) x 2 = 8.
    b = validate_lines(toy, edited("Geotec A 0 3", "Geotec A 0 2"))
    assert (b.conflicts, b.room_occupancy, b.lectures) == (1, 0, 0)
    assert b.curriculum_compactness == 4
    assert (b.hard, b.soft) == (1, 8)


def test_room_occupancy(toy) -> None:
    # SceCosC (0, 0) B -> (0, 3) A where Geotec already is; they do not conflict (no shared
    # curriculum, different teachers).  One extra lecture in a room; SceCosC uses A and B.
    # Cur1 on day 0: ArcTec P1, TecCos P2, SceCosC P3 are consecutive: still 2 isolated.
    b = validate_lines(toy, edited("SceCosC B 0 0", "SceCosC A 0 3"))
    assert (b.room_occupancy, b.conflicts, b.lectures) == (1, 0, 0)
    assert (b.room_stability, b.curriculum_compactness, b.room_capacity) == (1, 2, 0)
    assert (b.hard, b.soft) == (1, 5)


def test_unavailable_period(toy) -> None:
    # TecCos (3, 1) -> (3, 2), which is unavailable: Availability 1.
    # Cur1 day 3: TecCos still alone (1); Cur2 day 3: Geotec P0 and TecCos P2 both isolated (2).
    b = validate_lines(toy, edited("TecCos B 3 1", "TecCos B 3 2"))
    assert (b.availability, b.conflicts, b.lectures, b.room_occupancy) == (1, 0, 0, 0)
    assert b.curriculum_compactness == 4
    assert (b.hard, b.soft) == (1, 8)


def test_empty_solution(toy) -> None:
    # 3 + 3 + 5 + 5 missing lectures; days below minimum 3 + 2 + 4 + 4 = 13, x5 = 65.
    b = validate_lines(toy, [])
    assert (b.lectures, b.hard) == (16, 16)
    assert (b.min_working_days, b.soft) == (13, 65)


def test_teacher_conflict_counts_once_per_pair_and_period() -> None:
    # X and Y share teacher t AND curriculum K: still one conflict per period they share.
    # Z shares nothing with them.  Three lectures in one period, three rooms.
    inst = parse_ctt(
        "Name: T\nCourses: 3\nRooms: 3\nDays: 1\nPeriods_per_day: 2\nCurricula: 1\nConstraints: 0\n\n"
        "COURSES:\nX t 1 1 10\nY t 1 1 10\nZ u 2 1 10\n\nROOMS:\nr1 10\nr2 10\nr3 10\n\n"
        "CURRICULA:\nK 2 X Y\n\nUNAVAILABILITY_CONSTRAINTS:\n\nEND.\n")
    b = validate_lines(inst, ["X r1 0 0", "Y r2 0 0", "Z r3 0 0", "Z r3 0 1"])
    assert (b.conflicts, b.room_occupancy, b.lectures) == (1, 0, 0)
    # K has 2 lectures at period 0 and nothing at period 1: both isolated.
    assert b.curriculum_compactness == 2
    # Same without the curriculum link: the shared teacher alone makes the conflict.
    b2 = validate_lines(inst, ["X r1 0 1", "Y r2 0 1", "Z r3 0 0", "Z r1 0 0"])
    assert b2.conflicts == 1
    # Z twice at (0, 0) collapses to one lecture (the later room, r1): Z lacks a lecture, uses one room.
    assert (b2.lectures, b2.room_stability, b2.room_occupancy) == (1, 0, 0)


@pytest.mark.parametrize("line, words", [
    ("SceCosC B 0", "expected 4 fields"),
    ("Nope B 0 0", "unknown course"),
    ("SceCosC Z 0 0", "unknown room"),
    ("SceCosC B 5 0", "Day between 0 and 4"),
    ("SceCosC B 0 -1", "DayPeriod between 0 and 3"),
])
def test_malformed_solution_lines(toy, line: str, words: str) -> None:
    with pytest.raises(CttFormatError) as info:
        validate_lines(toy, BASE[:3] + [line])
    assert info.value.line == 4 and words in str(info.value)


@pytest.mark.parametrize("lines, soft", [
    (BASE, 4),
    (edited("ArcTec B 0 1", "ArcTec A 0 1"), 15),
    # Geotec's day-4 lecture in room B (free at (4, 0)): a second room for Geotec, 4 + 1.
    (edited("Geotec A 4 0", "Geotec B 4 0"), 5),
])
def test_engine_cost_of_the_mapped_problem_equals_the_validator_on_feasible_solutions(
        toy, itc_dir: Path, tmp_path: Path, lines: list[str], soft: int) -> None:
    """docs/constraints.md: on a feasible solution the engine's soft total equals the UD2 soft cost."""
    from ato_desktop.engine import state
    from ato_desktop.io.ctt import load_ctt_problem, read_solution

    f = tmp_path / "s.sol"
    f.write_text("\n".join(lines) + "\n")
    b = validate_solution(toy, f)
    assert (b.hard, b.soft) == (0, soft)  # by hand: see the module docstring and the tests above
    problem = load_ctt_problem(itc_dir / "toy.ctt")
    assert tuple(state.full_cost(problem, read_solution(f, problem))) == (0, soft)
