"""Validation messages name the field and the problem; deletes report and undo."""

import pytest

from ato_desktop.services import resources as res
from ato_desktop.services.errors import DependentsError, NotFoundError, ValidationError
from ato_desktop.services.resources import BulkValidationError
from tests.conftest import ON_POSTGRESQL, _pg_database


@pytest.fixture
def base(db):
    res.create_item(db, "department", {"code": "CSE", "name": "Computer Science"})
    res.create_item(db, "faculty", {"code": "SRA", "name": "Dr. S. Rao", "department": "CSE", "email": "rao@x.edu"})
    res.create_item(db, "group", {"code": "CSE-3A", "department": "CSE", "strength": 60, "semester": 3})
    res.create_item(db, "course", {"code": "CS301", "title": "Data Structures", "department": "CSE"})
    return db


def err(db, entity, values):
    with pytest.raises(ValidationError) as info:
        res.create_item(db, entity, values)
    return info.value


def test_duplicate_code_is_rejected_case_insensitively_with_who_uses_it(base):
    e = err(base, "faculty", {"code": "sra", "name": "Someone", "department": "CSE"})
    assert e.field == "Code"
    assert "already used by Dr. S. Rao (SRA)" in str(e)


@pytest.mark.parametrize("values, field, words", [
    ({"name": "No code", "department": "CSE"}, "Code", "is required"),
    ({"code": "X1", "name": "A", "department": "ECE"}, "Department", "no department 'ECE'"),
    ({"code": "X1", "name": "A", "department": "CSE", "email": "not-an-address"}, "E-mail", "is not an e-mail address"),
    ({"code": "X1", "name": "A", "department": "CSE", "max_weekly_periods": "many"}, "Max periods / week", "is not a whole number"),
    ({"code": "X1", "name": "A", "department": "CSE", "max_weekly_periods": 99}, "Max periods / week", "at most 60"),
    ({"code": "X1", "name": "A", "department": "CSE", "designation": "Wizard"}, "Designation", "is not one of"),
    ({"code": "X1", "name": "Line\nbreak", "department": "CSE"}, "Name", "one line"),
    ({"code": "=cmd", "name": "A", "department": "CSE"}, "Code", "may contain only"),
])
def test_faculty_validation_messages(base, values, field, words):
    e = err(base, "faculty", values)
    assert e.field == field
    assert words in str(e)
    assert res.count_items(base, "faculty") == 1  # nothing written


def test_room_capacity_must_be_positive(base):
    e = err(base, "room", {"code": "R1", "capacity": 0})
    assert e.field == "Capacity" and "at least 1" in str(e)


def test_batch_rules(base):
    e = err(base, "group", {"code": "CSE-3A-B1", "department": "CSE", "strength": 90, "parent": "CSE-3A"})
    assert "larger than its section CSE-3A (60)" in str(e)
    res.create_item(base, "group", {"code": "CSE-3A-B1", "department": "CSE", "strength": 30, "parent": "CSE-3A"})
    e = err(base, "group", {"code": "X-B1-1", "department": "CSE", "strength": 10, "parent": "CSE-3A-B1"})
    assert "must belong to a section" in str(e)


def test_activity_needs_groups_and_faculty(base):
    e = err(base, "activity", {"course": "CS301", "faculty": ["SRA"]})
    assert e.field == "Student groups" and "required" in str(e)
    a = res.create_item(base, "activity", {"course": "CS301", "groups": "CSE-3A", "faculty": "SRA, sra"})
    assert a["faculty"] == ["SRA"] and a["groups"] == ["CSE-3A"]


def test_basket_activities_must_match_in_sessions_and_duration(base):
    res.create_item(base, "basket", {"code": "MDE", "name": "Elective"})
    res.create_item(base, "course", {"code": "CS311", "title": "Data Science", "department": "CSE"})
    res.create_item(base, "activity", {"course": "CS301", "groups": ["CSE-3A"], "faculty": ["SRA"],
                                       "sessions_per_week": 3, "basket": "MDE"})
    e = err(base, "activity", {"course": "CS311", "groups": ["CSE-3A"], "faculty": ["SRA"],
                               "sessions_per_week": 2, "basket": "MDE"})
    assert "run together" in str(e)


def test_update_validates_and_leaves_the_row_unchanged_on_error(base):
    with pytest.raises(ValidationError):
        res.update_item(base, "faculty", "SRA", {"email": "bad"})
    assert res.get_item(base, "faculty", "SRA")["email"] == "rao@x.edu"
    res.update_item(base, "faculty", "SRA", {"name": "Dr. Srinivasa Rao"})
    assert res.get_item(base, "faculty", "SRA")["name"] == "Dr. Srinivasa Rao"


def test_search_and_filters(base):
    res.create_item(base, "faculty", {"code": "AIY", "name": "Dr. Ananya Iyer", "department": "CSE"})
    assert [f["code"] for f in res.list_items(base, "faculty", search="iyer")] == ["AIY"]
    assert [f["code"] for f in res.list_items(base, "faculty", department="CSE")] == ["AIY", "SRA"]


def test_delete_reports_dependents_and_restore_undoes_it(base):
    res.create_item(base, "group", {"code": "CSE-3A-B1", "department": "CSE", "strength": 30, "parent": "CSE-3A"})
    act = res.create_item(base, "activity", {"course": "CS301", "groups": ["CSE-3A"], "faculty": ["SRA"]})
    deps = res.dependents(base, "group", "CSE-3A")
    assert "Lab batch CSE-3A-B1" in deps["removed"]
    snap = res.delete_item(base, "group", "CSE-3A")
    assert res.count_items(base, "group") == 0
    assert res.get_item(base, "activity", act["id"])["groups"] == []
    res.restore(base, snap)
    assert {g["code"] for g in res.list_items(base, "group")} == {"CSE-3A", "CSE-3A-B1"}
    assert res.get_item(base, "activity", act["id"])["groups"] == ["CSE-3A"]


def test_department_in_use_cannot_be_deleted(base):
    with pytest.raises(DependentsError, match="cannot be deleted while these depend on it"):
        res.delete_item(base, "department", "CSE")
    with pytest.raises(NotFoundError):
        res.delete_item(base, "department", "NOPE")


def test_bulk_create_is_all_or_nothing_with_row_numbers(base):
    rows = [
        {"code": "R1", "capacity": 60},
        {"code": "R2", "capacity": "sixty"},
        {"code": "R3", "capacity": 40},
        {"code": "R1", "capacity": 30},
    ]
    with pytest.raises(BulkValidationError) as info:
        res.bulk_create(base, "room", rows, first_row=2)
    assert [e.row for e in info.value.errors] == [3, 5]
    assert "nothing was imported" in str(info.value)
    assert res.count_items(base, "room") == 0
    res.bulk_create(base, "room", [rows[0], rows[2]])
    assert res.count_items(base, "room") == 2


def test_an_integer_key_is_an_id_even_when_some_code_looks_like_it(db):
    first = res.create_item(db, "room", {"code": "R-A", "name": "Room A", "capacity": 30})
    first_id = first["id"]
    decoy = res.create_item(db, "room", {"code": str(first_id), "name": "Decoy", "capacity": 30})
    assert res.get_item(db, "room", first_id)["code"] == "R-A"
    assert res.get_item(db, "room", str(first_id))["id"] == decoy["id"]


def _one_by_one(db, entity, rows, first_row):
    """The reference: each row created in its own transaction, as a row-by-row import would see them."""
    out = []
    for i, values in enumerate(rows, start=first_row):
        try:
            res.create_item(db, entity, values, row=i)
        except ValidationError as exc:
            out.append((i, exc.field, exc.problem))
    return out


@pytest.mark.filterwarnings("ignore:New instance .* conflicts with persistent instance")  # the duplicate id, on purpose
@pytest.mark.parametrize("batch", [2, 3, 500])
def test_bulk_create_in_batches_reports_exactly_what_row_by_row_creates_would(base, empty_db_path, tmp_path,
                                                                              monkeypatch, batch, request):
    """Batches of queued rows (here 2, 3 and 500), references to rows of the same call (by code and by id),
    and a batch the database refuses (a duplicate id) replayed row by row: same errors, same rows."""
    import shutil

    from ato_desktop.storage.database import open_database

    monkeypatch.setattr(res.BulkCreator, "BATCH", batch)
    rows = [
        {"id": 100, "code": "S1", "department": "CSE", "strength": 60},
        {"code": "S1-B1", "department": "cse", "strength": 30, "parent": 100},  # by id: a row of this call
        {"code": "s1-b2", "department": "CSE", "strength": 30, "parent": "s1"},  # by code, any case
        {"id": 100, "code": "S2", "department": "CSE", "strength": 60},  # the database refuses the id
        {"code": "S2-B1", "department": "CSE", "strength": 30, "parent": "S2"},  # so S2 does not exist
        {"code": "S1-B1", "department": "CSE", "strength": 30},  # duplicate of a row of this call
        {"code": "S1-B3", "department": "CSE", "strength": 90, "parent": "S1"},  # larger than its section
        {"code": "S1-B1-X", "department": "CSE", "strength": 10, "parent": "S1-B1"},  # batch of a batch
        {"code": "S3", "department": "CSE", "strength": 40, "colour": "red"},
        {"code": "S4", "department": "NOPE", "strength": 40},
        {"code": "S5", "department": "CSE", "strength": 40},
    ]
    if ON_POSTGRESQL:  # the reference on the same kind of database (its own wording of a refused row)
        ref_db = _pg_database(request, "empty")
    else:
        ref_path = tmp_path / f"ref{batch}.atodb"
        shutil.copyfile(empty_db_path, ref_path)
        ref_db = open_database(ref_path)
    try:
        res.create_item(ref_db, "department", {"code": "CSE", "name": "Computer Science"})
        res.create_item(ref_db, "group", {"code": "CSE-3A", "department": "CSE", "strength": 60, "semester": 3})
        expected = _one_by_one(ref_db, "group", rows, 7)
    finally:
        ref_db.close()
    assert [r for r, _, _ in expected] == [10, 11, 12, 13, 14, 15, 16]  # the reference saw every kind of error
    assert "conflicts with the database rules" in expected[0][2]
    assert all("\n" not in problem for _, _, problem in expected)  # one line (PostgreSQL's has a DETAIL line)
    with pytest.raises(BulkValidationError) as info:
        res.bulk_create(base, "group", rows, first_row=7)
    assert [(e.row, e.field, e.problem) for e in info.value.errors] == expected
    assert res.count_items(base, "group") == 1  # nothing written

    good = [rows[0], rows[1], rows[2], {"code": "S5", "department": "CSE", "strength": 40}]
    made = res.bulk_create(base, "group", good)
    assert [d["code"] for d in made] == ["S1", "S1-B1", "s1-b2", "S5"]
    assert [d["parent"] for d in made] == [None, "S1", "S1", None]
    assert made[0]["id"] == 100 and all(isinstance(d["id"], int) for d in made)
    assert res.count_items(base, "group") == 5
