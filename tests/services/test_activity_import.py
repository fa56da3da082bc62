"""Teaching assignments (activities) from a spreadsheet: all or nothing, the bad row named with its reason,
export → import gives the same activities (the demo and the large demo)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from ato_desktop.io.tabular import ImportRowsError
from ato_desktop.services import exports, imports
from ato_desktop.services import resources as res
from ato_desktop.storage import models as m
from ato_desktop.storage.database import open_database


@pytest.fixture
def cse(db):
    res.create_item(db, "department", {"code": "CSE", "name": "Computer Science", "is_home": True})
    for code, title in (("CS301", "Operating Systems"), ("CS302", "Databases")):
        res.create_item(db, "course", {"code": code, "title": title, "department": "CSE"})
    res.create_item(db, "group", {"code": "CSE-5A", "strength": 60, "department": "CSE"})
    for b in ("B1", "B2"):
        res.create_item(db, "group", {"code": f"CSE-5A-{b}", "strength": 30, "department": "CSE",
                                      "parent": "CSE-5A"})
    for code in ("SRA", "MKV"):
        res.create_item(db, "faculty", {"code": code, "name": code, "department": "CSE"})
    res.create_item(db, "room", {"code": "LAB2", "capacity": 30, "kind": "lab"})
    return db


# A coordinator's own headers: matched by synonyms (Subject code, L/T/P, Batch, Teachers, Periods, Room).
SHEET = (
    "Subject code,L/T/P,Batch,Teachers,Sessions per week,Periods,Room\n"
    "CS301,L,CSE-5A,SRA,3,1,\n"
    "CS301,P,CSE-5A-B1,\"SRA, MKV\",1,2,LAB2\n"
    "CS302,P,CSE-5A-B2,MKV,1,2,\n"
    "CS302,T,CSE-5A,XYZ,1,1,\n"
)


def test_one_bad_row_names_the_row_and_imports_nothing_then_the_fixed_file_imports_all(cse, tmp_path):
    p = tmp_path / "assignments.csv"
    p.write_text(SHEET)
    with pytest.raises(ImportRowsError) as e:
        imports.import_file(cse, "activity", p)
    assert [(x.row, x.column, x.field) for x in e.value.errors] == [(5, "Teachers", "Faculty")]
    assert str(e.value.errors[0]) == "row 5, column 'Teachers' (Faculty): no faculty member 'XYZ'."
    assert res.count_items(cse, "activity") == 0
    # the column named as the field: the field is not said twice ("Faculty no faculty member 'XYZ'")
    q = tmp_path / "exported.csv"
    q.write_text("Course,Kind,Student groups,Faculty\nCS302,T,CSE-5A,XYZ\n")
    with pytest.raises(ImportRowsError) as e:
        imports.import_file(cse, "activity", q)
    assert str(e.value.errors[0]) == "row 2, column 'Faculty': no faculty member 'XYZ'."
    p.write_text(SHEET.replace("XYZ", "MKV"))
    assert imports.import_file(cse, "activity", p, backup=False).count == 4
    acts = {(a["course"], a["kind"], tuple(a["groups"])): a for a in res.list_items(cse, "activity")}
    lab = acts[("CS301", "P", ("CSE-5A-B1",))]
    assert lab["faculty"] == ["MKV", "SRA"] and lab["duration"] == 2 and lab["preferred_room"] == "LAB2"
    assert lab["room_kind"] == "lab"  # the room's kind
    assert acts[("CS302", "P", ("CSE-5A-B2",))]["room_kind"] == "lab"  # a practical without a room: a lab
    assert acts[("CS301", "L", ("CSE-5A",))]["room_kind"] == "classroom"
    # the same sheet again would double every class: each row is refused, nothing written
    with pytest.raises(ImportRowsError) as e:
        imports.import_file(cse, "activity", p, backup=False)
    assert [x.row for x in e.value.errors] == [2, 3, 4, 5]
    assert "already an activity of the database" in e.value.errors[0].message
    assert res.count_items(cse, "activity") == 4


def test_rows_repeating_each_other_or_naming_two_rooms_are_refused(cse, tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("Course,Kind,Student groups,Faculty,Preferred room\n"
                 "CS301,L,CSE-5A,SRA,\n"
                 "cs301,l,cse-5a,sra,\n"
                 "CS302,P,CSE-5A-B1,MKV,\"LAB2, LAB3\"\n")
    with pytest.raises(ImportRowsError) as e:
        imports.import_file(cse, "activity", p, dry_run=True)
    assert [(x.row, x.column) for x in e.value.errors] == [(3, "Course"), (4, "Preferred room")]
    assert "repeats row 2" in e.value.errors[0].message and "give one preferred room" in e.value.errors[1].message
    assert res.count_items(cse, "activity") == 0


def _without_ids(items):
    return sorted((tuple(sorted((k, str(v)) for k, v in i.items() if k not in ("id", "_label", "label")))
                   for i in items))


def _empty_copy_of(source, path):
    """``source``'s departments, courses, groups, faculty, rooms and baskets, without activities."""
    import shutil

    shutil.copyfile(source, path)
    other = open_database(path)
    with other.session() as s:
        s.execute(delete(m.Activity))
    assert res.count_items(other, "activity") == 0
    return other


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_gives_the_same_activities(demo_db_path, tmp_path, suffix):
    with open_database(demo_db_path) as demo:
        path = tmp_path / f"activities{suffix}"
        n = exports.export_items(demo, "activity", path)
        before = res.list_items(demo, "activity")
    assert n == len(before) > 50
    with _empty_copy_of(demo_db_path, tmp_path / "copy.atodb") as other:
        assert imports.import_file(other, "activity", path, backup=False).count == n
        assert _without_ids(res.list_items(other, "activity")) == _without_ids(before)


def test_large_demo_round_trip(large_demo_path, tmp_path):
    with open_database(large_demo_path) as demo:
        path = tmp_path / "activities.xlsx"
        n = exports.export_items(demo, "activity", path)
        before = res.list_items(demo, "activity")
    with _empty_copy_of(large_demo_path, tmp_path / "copy.atodb") as other:
        assert imports.import_file(other, "activity", path, backup=False).count == n == len(before) > 500
        assert _without_ids(res.list_items(other, "activity")) == _without_ids(before)


def test_every_exported_list_imports_back_into_an_empty_database(demo_db, db, tmp_path):
    """Issue 17 §4, "export them back": the demo's lists exported one by one (departments, faculty, rooms,
    groups, courses, elective baskets, activities) and imported in that order into an empty database give
    the same items."""
    for entity in imports.IMPORTABLE:
        path = tmp_path / f"{entity}.csv"
        exports.export_items(demo_db, entity, path)
        assert imports.import_file(db, entity, path, backup=False).count == res.count_items(demo_db, entity)

    def items(database, entity):
        return sorted((tuple(sorted((k, str(v)) for k, v in d.items() if k not in ("id", "_label")))
                       for d in res.list_items(database, entity)))

    for entity in imports.IMPORTABLE:
        assert items(db, entity) == items(demo_db, entity), entity
