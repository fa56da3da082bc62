"""Importing departments into a database that has its home department already: a row that is that
department, the same, is left out with a line saying so, and the others are imported; a row whose code is
taken by a different department is still an error, and nothing is imported."""

from __future__ import annotations

import pytest

from ato_desktop.cli import main
from ato_desktop.io.tabular import ImportRowsError
from ato_desktop.services import exports, imports
from ato_desktop.services import resources as res

FILE = ("Code,Name,Home department\n"
        "CSE,Computer Science,Yes\n"
        "ECE,Electronics,No\n"
        "MECH,Mechanical,\n")


@pytest.fixture
def home_db(db):
    res.create_item(db, "department", {"code": "CSE", "name": "Computer Science", "is_home": True})
    return db


def test_the_home_department_row_is_skipped_and_the_others_imported(home_db, tmp_path):
    p = tmp_path / "departments.csv"
    p.write_text(FILE)
    assert imports.import_file(home_db, "department", p, dry_run=True).skipped[0].startswith("row 2: CSE")
    result = imports.import_file(home_db, "department", p, backup=False)
    assert result.count == 2
    assert result.skipped == ["row 2: CSE (Computer Science) is already a department of this database, the same; "
                              "not imported again."]
    assert sorted(d["code"] for d in res.list_items(home_db, "department")) == ["CSE", "ECE", "MECH"]
    # the same file again: every row is there, the same; nothing to do and nothing wrong
    again = imports.import_file(home_db, "department", p, backup=False)
    assert again.count == 0 and len(again.skipped) == 3


def test_a_different_department_under_a_taken_code_is_still_an_error(home_db, tmp_path):
    p = tmp_path / "departments.csv"
    p.write_text(FILE.replace("CSE,Computer Science,Yes", "cse,Civil Engineering,No"))
    with pytest.raises(ImportRowsError) as e:
        imports.import_file(home_db, "department", p, backup=False)
    assert [(x.row, x.field) for x in e.value.errors] == [(2, "Code")] and "already used" in e.value.errors[0].message
    assert [d["code"] for d in res.list_items(home_db, "department")] == ["CSE"]
    # the home flag counts too when given: the file says CSE is not the home department here
    p.write_text(FILE.replace("CSE,Computer Science,Yes", "CSE,Computer Science,No"))
    with pytest.raises(ImportRowsError):
        imports.import_file(home_db, "department", p, backup=False)


def test_every_department_exported_imports_into_a_database_with_its_home_department(demo_db, db, tmp_path):
    path = tmp_path / "departments.xlsx"
    n = exports.export_items(demo_db, "department", path)
    home = [d for d in res.list_items(demo_db, "department") if d["is_home"]]
    assert n > len(home) == 1
    res.create_item(db, "department", {k: home[0][k] for k in ("code", "name", "is_home")})
    result = imports.import_file(db, "department", path, backup=False)
    assert result.count == n - 1 and len(result.skipped) == 1
    strip = lambda items: [{k: v for k, v in i.items() if k != "id"} for i in items]  # noqa: E731
    assert strip(res.list_items(db, "department")) == strip(res.list_items(demo_db, "department"))


def test_the_cli_says_which_rows_it_skipped(empty_db_path, tmp_path, capsys):
    from ato_desktop.storage.database import open_database

    db = open_database(empty_db_path)
    try:
        res.create_item(db, "department", {"code": "CSE", "name": "Computer Science", "is_home": True})
    finally:
        db.close()
    p = tmp_path / "departments.csv"
    p.write_text(FILE)
    assert main(["--db", str(empty_db_path), "import", "--entity", "department", str(p)]) == 0
    out = capsys.readouterr().out
    assert "Imported 2 department row(s)" in out and "skipped row 2: CSE (Computer Science) is already" in out
