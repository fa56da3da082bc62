"""CSV/XLSX import through the services: all or nothing, row numbers as in the file, undo/redo, export round trip."""

from __future__ import annotations

import openpyxl
import pytest

from ato_desktop.io.tabular import ImportRowsError, TabularError, read_table
from ato_desktop.services import backups, exports, imports
from ato_desktop.services import resources as res


@pytest.fixture
def cse_db(db):
    res.create_item(db, "department", {"code": "CSE", "name": "Computer Science", "is_home": True})
    res.create_item(db, "department", {"code": "ECE", "name": "Electronics"})
    return db


GOOD = (
    "Code,Name,E-mail,Department,Max periods / week\n"
    "SRA,Sunita Rao,sra@x.edu,CSE,14\n"
    "MKV,Mahesh Verma,mkv@x.edu,ECE,\n"
    "\n"
    "PQR,P Q Rao,,,\n"
)


@pytest.mark.sqlite_only("the file's backup before an import (a campus takes none: campus backup)")
def test_good_file_imports_all_rows_with_defaults_and_a_backup(cse_db, tmp_path):
    p = tmp_path / "faculty.csv"
    p.write_text(GOOD)
    result = imports.import_file(cse_db, "faculty", p)
    assert result.count == 3
    assert result.backup is not None and result.backup.exists()
    assert [b.reason for b in backups.list_for(cse_db)] == ["before-import"]
    items = {f["code"]: f for f in res.list_items(cse_db, "faculty")}
    assert items["SRA"]["max_weekly_periods"] == 14 and items["MKV"]["department"] == "ECE"
    assert items["MKV"]["max_weekly_periods"] == 16  # empty cell: the default
    assert items["PQR"]["department"] == "CSE"  # home department filled in


def test_one_bad_row_imports_nothing_and_names_row_and_column(cse_db, tmp_path):
    p = tmp_path / "faculty.csv"
    p.write_text(GOOD.replace("mkv@x.edu", "not-an-email").replace("PQR,P Q Rao", "SRA,Duplicate"))
    with pytest.raises(ImportRowsError) as e:
        imports.import_file(cse_db, "faculty", p)
    errs = e.value.errors
    assert [(x.row, x.column, x.field) for x in errs] == [(3, "E-mail", "E-mail"), (5, "Code", "Code")]
    assert "not an e-mail" in errs[0].message and "already used" in errs[1].message
    assert res.count_items(cse_db, "faculty") == 0
    with pytest.raises(ImportRowsError):
        imports.import_file(cse_db, "faculty", p, dry_run=True)
    assert res.count_items(cse_db, "faculty") == 0


def test_dry_run_checks_without_writing(cse_db, tmp_path):
    p = tmp_path / "faculty.csv"
    p.write_text(GOOD)
    result = imports.import_file(cse_db, "faculty", p, dry_run=True)
    assert result.dry_run and result.count == 0
    assert res.count_items(cse_db, "faculty") == 0
    assert backups.list_for(cse_db) == []


def test_check_rows_reports_progress_and_errors(cse_db, tmp_path):
    p = tmp_path / "rooms.csv"
    p.write_text("Room No,Seats,Type\nR1,60,classroom\nR2,zero,lab\nR3,30,garage\n")
    table = read_table(p)
    mapping = imports.mapping_for("room", table)
    assert mapping == ["code", "capacity", "kind"]
    rows, errors = imports.prepare(cse_db, "room", table, mapping)
    assert errors == []
    seen = []
    errs = imports.check_rows(cse_db, "room", rows, table=table, mapping=mapping, on_progress=lambda p: seen.append((p.done, p.total)))
    assert [(x.row, x.column) for x in errs] == [(3, "Seats"), (4, "Type")]
    assert seen[-1] == (3, 3)
    assert res.count_items(cse_db, "room") == 0


def test_groups_with_batches_import_and_undo_redo(cse_db, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Code", "Strength", "Semester", "Section (for a lab batch)"])
    ws.append(["CSE-3A", 60, 3, None])
    ws.append(["CSE-3A-B1", 30, 3, "CSE-3A"])
    ws.append(["CSE-3A-B2", 30, 3, "CSE-3A"])
    p = tmp_path / "groups.xlsx"
    wb.save(p)
    result = imports.import_file(cse_db, "group", p, backup=False)
    assert result.count == 3
    res.create_item(cse_db, "group", {"code": "OTHER", "department": "CSE", "strength": 10})
    snap = imports.remove_imported(cse_db, "group", result.ids)
    assert [g["code"] for g in res.list_items(cse_db, "group")] == ["OTHER"]
    imports.restore_imported(cse_db, snap)
    groups = {g["code"]: g for g in res.list_items(cse_db, "group")}
    assert set(groups) == {"OTHER", "CSE-3A", "CSE-3A-B1", "CSE-3A-B2"}
    assert groups["CSE-3A-B2"]["parent"] == "CSE-3A" and groups["CSE-3A"]["id"] in result.ids


def test_mapping_pairs_and_unknown_entity(cse_db, tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("Paper,Subject name,Credit points\nCS101,Programming,4\n")
    with pytest.raises(TabularError, match="no column matches"):
        imports.import_file(cse_db, "course", p)
    result = imports.import_file(cse_db, "course", p, pairs={"Paper": "code", "Subject name": "title",
                                                             "Credit points": "credits"}, backup=False)
    assert result.count == 1 and res.get_item(cse_db, "course", "CS101")["credits"] == 4
    with pytest.raises(TabularError, match="cannot be imported"):
        imports.import_file(cse_db, "constraint", p)


@pytest.mark.parametrize("entity", ["faculty", "room", "group", "course"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_round_trip(demo_db, db, tmp_path, entity, suffix):
    path = tmp_path / f"{entity}{suffix}"
    n = exports.export_items(demo_db, entity, path)
    assert n == res.count_items(demo_db, entity) > 0
    for d in res.list_items(demo_db, "department"):
        res.create_item(db, "department", {"code": d["code"], "name": d["name"], "is_home": d["is_home"]})
    result = imports.import_file(db, entity, path, backup=False)
    assert result.count == n
    strip = lambda items: [{k: v for k, v in i.items() if k != "id"} for i in items]  # noqa: E731
    assert strip(res.list_items(db, entity)) == strip(res.list_items(demo_db, entity))


def test_every_bad_field_of_a_row_is_listed(cse_db, tmp_path):
    p = tmp_path / "faculty.csv"
    p.write_text("Code,Name,E-mail,Department,Max periods / week\nSRA,Sunita,sra@x.edu,CSE,10\n"
                 "sra,,bad mail,XYZ,99\n")
    with pytest.raises(ImportRowsError) as e:
        imports.import_file(cse_db, "faculty", p)
    assert [(x.row, x.field) for x in e.value.errors] == [
        (3, "Code"), (3, "Name"), (3, "E-mail"), (3, "Department"), (3, "Max periods / week")]
    assert "already used by Sunita (SRA)" in e.value.errors[0].message
    assert "no department 'XYZ'" in e.value.errors[3].message
    assert res.count_items(cse_db, "faculty") == 0


def test_batches_listed_before_their_section_still_import(cse_db, tmp_path):
    p = tmp_path / "groups.csv"
    p.write_text("Code,Strength,Section (for a lab batch)\nCSE-5A-B1,30,CSE-5A\nCSE-5A,60,\nCSE-5A-B2,90,CSE-5A\n")
    with pytest.raises(ImportRowsError) as e:
        imports.import_file(cse_db, "group", p, backup=False)
    assert [(x.row, x.field) for x in e.value.errors] == [(4, "Strength")]  # 90 > the section's 60
    p.write_text(p.read_text().replace("CSE-5A-B2,90", "CSE-5A-B2,30"))
    assert imports.import_file(cse_db, "group", p, backup=False).count == 3
    assert res.get_item(cse_db, "group", "CSE-5A-B1")["parent"] == "CSE-5A"


def test_formula_protected_cells_round_trip_exactly(cse_db, db, tmp_path):
    res.create_item(cse_db, "faculty", {"code": "EQ", "name": "=HYPERLINK(\"http://x\")", "department": "CSE"})
    res.create_item(cse_db, "faculty", {"code": "AP", "name": "O'Brien", "department": "CSE"})
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"f{suffix}"
        exports.export_items(cse_db, "faculty", path)
        assert "'=HYPERLINK" in str([r.cells for r in read_table(path).rows])
        target = tmp_path / f"t{suffix}.atodb"
        from ato_desktop.storage.database import open_database

        with open_database(target) as other:
            res.create_item(other, "department", {"code": "CSE", "name": "CS"})
            imports.import_file(other, "faculty", path, backup=False)
            names = {f["code"]: f["name"] for f in res.list_items(other, "faculty")}
        assert names == {"EQ": "=HYPERLINK(\"http://x\")", "AP": "O'Brien"}
