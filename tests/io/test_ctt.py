"""Reading ITC-2007 .ctt files, mapping them to a Problem, and solution files."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pytest

from ato_desktop.engine.problem import RESOURCE_FACULTY, RESOURCE_GROUP, Assignment
from ato_desktop.io.ctt import (
    CttFormatError,
    ctt_to_problem,
    load_ctt_problem,
    parse_ctt,
    read_ctt,
    read_solution,
    write_solution,
)

INSTANCES = [f"comp{i:02d}" for i in range(1, 15)] + ["toy"]


def _header_counts(text: str) -> dict[str, int]:
    out = {}
    for key in ("Courses", "Rooms", "Days", "Periods_per_day", "Curricula", "Constraints"):
        m = re.search(rf"^{key}:\s*(\d+)", text, re.M)
        out[key] = int(m.group(1))
    return out


@pytest.mark.parametrize("name", INSTANCES)
def test_every_shipped_instance_parses_with_header_counts(itc_dir: Path, name: str) -> None:
    path = itc_dir / f"{name}.ctt"
    counts = _header_counts(path.read_text())
    inst = read_ctt(path)
    assert len(inst.courses) == counts["Courses"]
    assert len(inst.rooms) == counts["Rooms"]
    assert len(inst.curricula) == counts["Curricula"]
    assert len(inst.unavailability) == counts["Constraints"]
    assert (inst.n_days, inst.periods_per_day) == (counts["Days"], counts["Periods_per_day"])
    p = ctt_to_problem(inst)
    assert p.n_sessions == sum(c.lectures for c in inst.courses)
    assert p.n_slots == counts["Days"] * counts["Periods_per_day"]
    # unavailable start slots equal the constraint lines (no duplicates in the shipped data)
    per_course = [int((~p.session_available[p.session_course == c]).any(axis=0).sum())
                  for c in range(p.n_courses)]
    assert sum(per_course) == counts["Constraints"]


def test_known_lecture_counts(itc_dir: Path) -> None:
    # Published sizes of the competition instances (lectures).
    assert load_ctt_problem(itc_dir / "comp01.ctt").n_sessions == 160
    assert load_ctt_problem(itc_dir / "comp05.ctt").n_sessions == 152
    assert load_ctt_problem(itc_dir / "comp07.ctt").n_sessions == 434


def test_toy_mapping_follows_the_documented_special_case(itc_dir: Path) -> None:
    p = load_ctt_problem(itc_dir / "toy.ctt")
    assert p.name == "ToyExample"
    assert (p.n_days, p.periods_per_day) == (5, 4)
    assert p.meta["course_ids"] == ("SceCosC", "ArcTec", "TecCos", "Geotec")
    assert p.meta["room_ids"] == ("A", "B")
    assert list(p.room_capacity) == [32, 50]
    assert p.n_sessions == 3 + 3 + 5 + 5
    assert (p.session_duration == 1).all()
    assert list(p.course_min_days) == [3, 2, 4, 4]
    # resources: 4 teachers (faculty), then 2 curricula (groups)
    assert p.resource_names == ("Ocra", "Indaco", "Rosa", "Scarlatti", "Cur1", "Cur2")
    assert list(p.resource_kind) == [RESOURCE_FACULTY] * 4 + [RESOURCE_GROUP] * 2
    tec = [s for s in range(p.n_sessions) if p.session_course[s] == 2]
    assert len(tec) == 5
    for s in tec:
        assert sorted(p.resource_names[q] for q in p.resources_of(s)) == ["Cur1", "Cur2", "Rosa"]
        assert p.session_size[s] == 40
        forbidden = {(int(t) // 4, int(t) % 4) for t in np.flatnonzero(~p.session_available[s])}
        assert forbidden == {(2, 0), (2, 1), (3, 2), (3, 3)}
    geo = [s for s in range(p.n_sessions) if p.session_course[s] == 3]
    assert all(sorted(p.resource_names[q] for q in p.resources_of(s)) == ["Cur2", "Scarlatti"] for s in geo)
    assert p.session_available[geo].all()
    assert p.session_allowed_rooms.all() and p.slot_usable.all() and p.session_needs_room.all()
    w = {k: v for k, v in p.weights.items() if v}
    assert w == {"unscheduled": 1, "resource_clash": 1, "room_clash": 1, "session_unavailable": 1,
                 "min_days": 5, "isolated": 2, "room_stability": 1, "room_capacity": 1}


def test_solution_round_trip(itc_dir: Path, tmp_path: Path) -> None:
    p = load_ctt_problem(itc_dir / "toy.ctt")
    a = Assignment.empty(p)
    for s in range(p.n_sessions):
        a.start[s] = s
        a.room[s] = s % 2
    a.start[5] = -1  # unscheduled lectures are left out of the file
    a.room[5] = -1
    out = tmp_path / "toy.sol"
    write_solution(out, p, a)
    lines = out.read_text().splitlines()
    assert len(lines) == p.n_sessions - 1
    assert lines[0] == "SceCosC A 0 0"
    assert lines[4] == "ArcTec A 1 0"  # session 4: slot 4 = day 1 period 0, room 4 % 2
    assert read_solution(out, p) == a
    assert [f.name for f in tmp_path.iterdir()] == ["toy.sol"]  # no temporary left behind


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("SceCosC A 0\n", 1, "expected 4 fields"),
        ("Nope A 0 0\n", 1, "unknown course 'Nope'"),
        ("\nSceCosC C 0 0\n", 2, "unknown room 'C'"),
        ("SceCosC A 5 0\n", 1, "Day between 0 and 4"),
        ("SceCosC A 0 x\n", 1, "DayPeriod as a non-negative integer"),
        ("SceCosC A 0 0\nSceCosC A 0 1\nSceCosC A 0 2\nSceCosC A 0 3\n", 4, "only 3 lecture(s)"),
    ],
)
def test_bad_solution_files(itc_dir: Path, tmp_path: Path, text: str, line: int, words: str) -> None:
    p = load_ctt_problem(itc_dir / "toy.ctt")
    f = tmp_path / "bad.sol"
    f.write_text(text)
    with pytest.raises(CttFormatError) as info:
        read_solution(f, p)
    assert info.value.line == line
    assert words in str(info.value)


# ---- malformed instances ----------------------------------------------------
# toy.ctt line numbers: 1 Name, 2 Courses, 3 Rooms, 4 Days, 5 Periods_per_day, 6 Curricula,
# 7 Constraints, 9 COURSES:, 10-13 courses, 15 ROOMS:, 16-17 rooms, 19 CURRICULA:, 20-21,
# 23 UNAVAILABILITY_CONSTRAINTS:, 24-31, 33 END.
def _replace(lines: list[str], lineno: int, new: str | None) -> list[str]:
    out = list(lines)
    if new is None:
        del out[lineno - 1]
    else:
        out[lineno - 1] = new
    return out


MALFORMED = [
    # (id, edit: list of (line, new text or None to delete), expected line, words in the message)
    ("course-3-fields", [(12, "TecCos Rosa 5")], 12,
     "expected 5 fields 'CourseID Teacher #Lectures MinWorkingDays #Students', got 3"),
    ("course-nonint", [(11, "ArcTec Indaco three 2 42")], 11, "#Lectures as a non-negative integer"),
    ("room-nonint", [(16, "A 3x2")], 16, "Capacity as a non-negative integer, got '3x2'"),
    ("header-nonint", [(4, "Days: five")], 4, "'Days' as a non-negative integer"),
    ("negative", [(13, "Geotec Scarlatti -5 4 18")], 13, "#Lectures as a non-negative integer"),
    ("too-many-courses-in-header", [(2, "Courses: 5")], 15, "expected 5 course line(s) in section COURSES:"),
    ("too-few-courses-in-header", [(2, "Courses: 3")], 13, "expected the end of section COURSES: after 3"),
    ("constraints-count", [(7, "Constraints: 9")], 33, "expected 9 unavailability constraint line(s)"),
    ("curricula-count", [(6, "Curricula: 1")], 21, "after 1 curriculum line(s)"),
    ("missing-rooms-section", [(17, None), (16, None), (15, None)], 16,
     "missing section 'ROOMS:' (expected it here, got 'CURRICULA:')"),
    ("missing-unavailability-section", [(23, None)], 23,
     "expected the end of section CURRICULA: after 2 curriculum line(s)"),
    ("missing-unavailability-header-and-lines", [(31, None), (30, None), (29, None), (28, None), (27, None),
                                                 (26, None), (25, None), (24, None), (23, None)], 24,
     "missing section 'UNAVAILABILITY_CONSTRAINTS:' (expected it here, got 'END.')"),
    ("missing-end", [(33, None)], 32, "missing 'END.'"),
    ("missing-header", [(4, None)], 8, "missing header line 'Days: ...'"),
    ("unknown-header", [(4, "Dayz: 5")], 4, "expected a header line"),
    ("repeated-header", [(8, "Days: 5")], 8, "header 'Days' repeated (first on line 4)"),
    ("unknown-course-in-curriculum", [(21, "Cur2 2 TecCos Geotek")], 21,
     "unknown course 'Geotek' in curriculum 'Cur2'"),
    ("curriculum-field-count", [(20, "Cur1 4 SceCosC ArcTec TecCos")], 20,
     "expected 6 fields 'CurriculumID #Courses CourseID ...' (#Courses = 4), got 5"),
    ("unknown-course-in-unavailability", [(27, "TecKos 3 3")], 27,
     "unknown course 'TecKos' in an unavailability constraint"),
    ("day-out-of-range", [(25, "TecCos 5 1")], 25, "expected Day between 0 and 4, got 5"),
    ("period-out-of-range", [(25, "TecCos 2 4")], 25, "expected DayPeriod between 0 and 3, got 4"),
    ("duplicate-course", [(11, "SceCosC Indaco 3 2 42")], 11, "duplicate course id 'SceCosC' (first on line 10)"),
    ("duplicate-room", [(17, "A 50")], 17, "duplicate room id 'A' (first on line 16)"),
    ("duplicate-curriculum", [(21, "Cur1 2 TecCos Geotec")], 21, "duplicate curriculum id 'Cur1'"),
    ("min-days-above-days", [(10, "SceCosC Ocra 3 6 30")], 10, "MinWorkingDays between 0 and 5"),
    ("lectures-above-periods", [(10, "SceCosC Ocra 21 3 30")], 10, "#Lectures between 0 and 20"),
    ("section-with-extra", [(15, "ROOMS: 2")], 15, "expected the section line 'ROOMS:' alone on its line"),
    ("too-many-rooms", [(3, "Rooms: 5000")], 3, "expected 'Rooms' between 1 and 2000"),
    ("text-after-end", [(33, "END.\nmore")], 34, "expected nothing after 'END.'"),
    ("bad-bytes", [(10, "SceCosC Ocra 3 3 30 \udcff")], 10, "undecodable bytes"),
]


@pytest.mark.parametrize("case", MALFORMED, ids=[c[0] for c in MALFORMED])
def test_malformed_instance_reports_line_and_writes_nothing(itc_dir: Path, tmp_path: Path, case) -> None:
    _, edits, line, words = case
    lines = (itc_dir / "toy.ctt").read_text().split("\n")
    for lineno, new in edits:  # edits listed bottom-up so line numbers stay valid
        lines = _replace(lines, lineno, new)
    bad = tmp_path / "bad.ctt"
    bad.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape"))
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(CttFormatError) as info:
        read_ctt(bad)
    assert info.value.line == line, str(info.value)
    assert words in str(info.value)
    assert str(info.value).startswith(f"line {line}: ")
    assert info.value.path == str(bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_empty_file_is_a_format_error() -> None:
    with pytest.raises(CttFormatError) as info:
        parse_ctt(b"  \n\n")
    assert info.value.line == 0 and "empty file" in str(info.value)


def test_random_corruptions_raise_only_ctt_format_error(itc_dir: Path) -> None:
    """Deterministic mini-fuzz: line deletions, duplications, token swaps and byte flips."""
    base = (itc_dir / "toy.ctt").read_bytes()
    rng = random.Random(12345)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(400):
        lines = base.split(b"\n")
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(lines))
            op = rng.randrange(5)
            if op == 0:
                del lines[i]
            elif op == 1:
                lines.insert(i, lines[rng.randrange(len(lines))])
            elif op == 2:
                toks = lines[i].split()
                if toks:
                    toks[rng.randrange(len(toks))] = rng.choice(
                        [b"-1", b"99999999999", b"x", b"", b"END.", b"ROOMS:", b"\xff", b"3.5", b"0"])
                    lines[i] = b" ".join(toks)
            elif op == 3 and lines[i]:
                j = rng.randrange(len(lines[i]))
                lines[i] = lines[i][:j] + bytes([rng.randrange(256)]) + lines[i][j + 1:]
            else:
                lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        try:
            inst = parse_ctt(b"\n".join(lines))
        except CttFormatError as exc:
            assert exc.line >= 0
            outcomes["error"] += 1
        else:
            ctt_to_problem(inst)  # whatever parses must map
            outcomes["ok"] += 1
    assert outcomes["error"] > 100
