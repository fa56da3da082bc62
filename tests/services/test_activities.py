"""Generating a course's activities from its L-T-P hours."""

import pytest

from ato_desktop.services import activities as acts
from ato_desktop.services import resources as res
from ato_desktop.services.errors import ValidationError


@pytest.fixture
def dept(db):
    res.create_item(db, "department", {"code": "CSE", "name": "Computer Science"})
    for code in ("SRA", "AIY", "LAB"):
        res.create_item(db, "faculty", {"code": code, "name": f"Teacher {code}", "department": "CSE"})
    for sec in ("CSE-3A", "CSE-3B"):
        res.create_item(db, "group", {"code": sec, "department": "CSE", "strength": 60, "semester": 3})
        for b in (1, 2):
            res.create_item(db, "group", {"code": f"{sec}-B{b}", "department": "CSE", "strength": 30,
                                          "semester": 3, "parent": sec})
    res.create_item(db, "group", {"code": "MTECH-1", "department": "CSE", "strength": 20})
    res.create_item(db, "course", {"code": "CS201", "title": "Data Structures", "department": "CSE",
                                   "lecture_hours": 3, "tutorial_hours": 1, "practical_hours": 2})
    res.create_item(db, "course", {"code": "CS303", "title": "DBMS", "department": "CSE",
                                   "lecture_hours": 3, "tutorial_hours": 0, "practical_hours": 3})
    res.create_item(db, "course", {"code": "CS000", "title": "Seminar", "department": "CSE", "credits": 0,
                                   "lecture_hours": 0, "tutorial_hours": 0, "practical_hours": 0})
    return db


def summary(items):
    return sorted((a["kind"], tuple(a["groups"]), a["sessions_per_week"], a["duration"], a["room_kind"],
                   tuple(a["faculty"])) for a in items)


def test_lectures_per_section_tutorials_and_practicals_per_batch(dept):
    created, skipped = acts.generate_from_ltp(dept, "CS201", ["CSE-3A", "CSE-3B"], faculty=["SRA"],
                                              lab_faculty=["LAB"])
    assert skipped == []
    assert summary(created) == sorted([
        ("L", ("CSE-3A",), 3, 1, "classroom", ("SRA",)),
        ("L", ("CSE-3B",), 3, 1, "classroom", ("SRA",)),
        ("T", ("CSE-3A-B1",), 1, 1, "tutorial_room", ("SRA",)),
        ("T", ("CSE-3A-B2",), 1, 1, "tutorial_room", ("SRA",)),
        ("T", ("CSE-3B-B1",), 1, 1, "tutorial_room", ("SRA",)),
        ("T", ("CSE-3B-B2",), 1, 1, "tutorial_room", ("SRA",)),
        ("P", ("CSE-3A-B1",), 1, 2, "lab", ("LAB",)),
        ("P", ("CSE-3A-B2",), 1, 2, "lab", ("LAB",)),
        ("P", ("CSE-3B-B1",), 1, 2, "lab", ("LAB",)),
        ("P", ("CSE-3B-B2",), 1, 2, "lab", ("LAB",)),
    ])
    assert res.count_items(dept, "activity") == 10
    assert all(a["course"] == "CS201" for a in res.list_items(dept, "activity"))


def test_a_second_run_skips_what_exists_and_adds_only_the_new_section(dept):
    acts.generate_from_ltp(dept, "CS201", ["CSE-3A"], faculty=["SRA"])
    created, skipped = acts.generate_from_ltp(dept, "CS201", ["CSE-3A", "CSE-3B"], faculty=["AIY"])
    assert len(skipped) == 5 and "CS201 L (CSE-3A)" in skipped
    assert {tuple(a["groups"]) for a in created} == {("CSE-3B",), ("CSE-3B-B1",), ("CSE-3B-B2",)}
    assert res.count_items(dept, "activity") == 10


def test_without_batches_everything_goes_to_the_section(dept):
    created, _ = acts.generate_from_ltp(dept, "CS201", ["CSE-3A"], faculty=["SRA"], use_batches=False)
    assert summary(created) == sorted([
        ("L", ("CSE-3A",), 3, 1, "classroom", ("SRA",)),
        ("T", ("CSE-3A",), 1, 1, "tutorial_room", ("SRA",)),
        ("P", ("CSE-3A",), 1, 2, "lab", ("SRA",)),
    ])
    created, _ = acts.generate_from_ltp(dept, "CS303", ["MTECH-1"], faculty=["AIY"])  # a group with no batches
    assert summary(created) == sorted([
        ("L", ("MTECH-1",), 3, 1, "classroom", ("AIY",)),
        ("P", ("MTECH-1",), 1, 3, "lab", ("AIY",)),
    ])


def test_default_lab_durations():
    assert [acts.default_lab_duration(p) for p in (0, 1, 2, 3, 4, 6, 5)] == [1, 1, 2, 3, 2, 2, 1]


@pytest.mark.parametrize("course, groups, kw, field, words", [
    ("CS303", ["CSE-3A"], {"lab_duration": 2}, "lab duration", "not a whole number of 2-period labs"),
    ("CS201", ["CSE-3A-B1"], {}, "groups", "CSE-3A-B1 is a lab batch; choose its section CSE-3A"),
    ("CS201", [], {}, "groups", "choose at least one"),
    ("CS201", ["CSE-9Z"], {}, "groups", "no student group 'CSE-9Z'"),
    ("CS000", ["CSE-3A"], {}, "course", "has no L-T-P hours"),
])
def test_bad_requests_name_the_problem_and_create_nothing(dept, course, groups, kw, field, words):
    with pytest.raises(ValidationError) as info:
        acts.generate_from_ltp(dept, course, groups, faculty=["SRA"], **kw)
    assert info.value.field == field
    assert words in str(info.value)
    assert res.count_items(dept, "activity") == 0


def test_teachers_are_required_and_checked(dept):
    with pytest.raises(ValidationError, match="choose at least one faculty member"):
        acts.generate_from_ltp(dept, "CS201", ["CSE-3A"], faculty=[])
    with pytest.raises(ValidationError, match="no faculty member 'XYZ'"):
        acts.generate_from_ltp(dept, "CS201", ["CSE-3A"], faculty=["SRA"], lab_faculty=["XYZ"])
    assert res.count_items(dept, "activity") == 0


def test_plan_writes_nothing(dept):
    plan = acts.plan_from_ltp(dept, "CS201", ["CSE-3A"], faculty=["SRA"])
    assert len(plan.to_create) == 5 and plan.existing == []
    assert res.count_items(dept, "activity") == 0


def test_practicals_take_the_chosen_lab_and_each_batch_its_own_teacher(dept):
    """Issue 16: which lab a practical needs (a kind, or one particular lab) and who takes which batch."""
    res.create_item(dept, "room", {"code": "LAB-3", "capacity": 35, "kind": "lab"})
    created, _ = acts.generate_from_ltp(dept, "CS201", ["CSE-3A"], faculty=["SRA"], lab_faculty=["LAB"],
                                        lab_room="LAB-3", batch_teachers={"CSE-3A-B2": ["AIY"]})
    labs = {tuple(a["groups"]): a for a in created if a["kind"] == "P"}
    assert labs[("CSE-3A-B1",)]["faculty"] == ["LAB"] and labs[("CSE-3A-B2",)]["faculty"] == ["AIY"]
    assert all(a["room_kind"] == "lab" and a["preferred_room"] == "LAB-3" for a in labs.values())
    # a kind of room instead of one lab (a seminar hall for a practical, say)
    plan = acts.plan_from_ltp(dept, "CS303", ["CSE-3B"], faculty=["SRA"], lab_room_kind="seminar_hall")
    assert {p["room_kind"] for p in plan.to_create if p["kind"] == "P"} == {"seminar_hall"}
    assert all("preferred_room" not in p for p in plan.to_create)
    # mistakes name the problem and create nothing
    n = res.count_items(dept, "activity")
    for kw, words in (({"lab_room": "NOPE"}, "no room 'NOPE'"), ({"lab_room_kind": "garden"}, "not a kind of room"),
                      ({"batch_teachers": {"CSE-3B-B1": ["AIY"]}}, "not a lab batch of the chosen sections"),
                      ({"batch_teachers": {"CSE-3A-B1": ["ZZZ"]}}, "no faculty member 'ZZZ'")):
        with pytest.raises(ValidationError, match=words):
            acts.generate_from_ltp(dept, "CS303", ["CSE-3A"], faculty=["SRA"], **kw)
    assert res.count_items(dept, "activity") == n
