"""`ato-desktop import` and `export`: per-row errors, nonzero exit, nothing imported; export round trip."""

from __future__ import annotations

import subprocess
import sys

from ato_desktop.cli import main
from ato_desktop.services import resources as res
from ato_desktop.storage.database import open_database


def _faculty_count(path) -> int:
    with open_database(path) as db:
        return res.count_items(db, "faculty")


def _with_department(path):
    with open_database(path) as db:
        res.create_item(db, "department", {"code": "CSE", "name": "Computer Science", "is_home": True})


def test_import_errors_then_fix_dry_run_and_import(empty_db_path, tmp_path, capsys):
    _with_department(empty_db_path)
    f = tmp_path / "staff.csv"
    f.write_text("Initials;Name;Mail;Remarks\nSRA;Sunita Rao;sra@x.edu;ok\nMKV;;mkv@x.edu;\n")
    code = main(["import", "--db", str(empty_db_path), "--entity", "faculty", str(f), "--map", "Initials=code"])
    err = capsys.readouterr().err
    assert code == 1
    assert "row 3, column 'Name': Name is required." in err and "nothing was imported" in err
    assert _faculty_count(empty_db_path) == 0

    f.write_text("Initials;Name;Mail;Remarks\nSRA;Sunita Rao;sra@x.edu;ok\nMKV;M K Verma;mkv@x.edu;\n")
    assert main(["import", "--db", str(empty_db_path), "--entity", "faculty", str(f), "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out and _faculty_count(empty_db_path) == 0
    assert main(["import", "--db", str(empty_db_path), "--entity", "faculty", str(f)]) == 0
    assert "Imported 2 faculty" in capsys.readouterr().out
    assert _faculty_count(empty_db_path) == 2


def test_bad_map_and_bad_file_are_clear_errors(empty_db_path, tmp_path, capsys):
    f = tmp_path / "x.xlsx"
    f.write_bytes(b"PK\x03\x04 not really")
    assert main(["import", "--db", str(empty_db_path), "--entity", "room", str(f)]) == 2
    assert "not a valid .xlsx" in capsys.readouterr().err
    assert main(["import", "--db", str(empty_db_path), "--entity", "room", str(f), "--map", "nonsense"]) == 2
    assert "HEADER=field" in capsys.readouterr().err


def test_export_subprocess_round_trip(demo_db_path, empty_db_path, tmp_path):
    out = tmp_path / "rooms.xlsx"
    r = subprocess.run([sys.executable, "-m", "ato_desktop", "export", "--db", str(demo_db_path), "--entity", "room",
                        "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    with open_database(demo_db_path) as db:
        n = res.count_items(db, "room")
        depts = res.list_items(db, "department")
    assert f"Exported {n} room" in r.stdout
    with open_database(empty_db_path) as db:
        for d in depts:
            res.create_item(db, "department", {"code": d["code"], "name": d["name"]})
    assert main(["import", "--db", str(empty_db_path), "--entity", "room", str(out)]) == 0
    with open_database(empty_db_path) as db:
        assert res.count_items(db, "room") == n


def test_new_creates_a_database_with_the_given_calendar(tmp_path, capsys):
    from ato_desktop.services import calendar as cal

    path = tmp_path / "civil.atodb"
    code = main(["new", str(path), "--code", "CE", "--name", "Civil Engineering", "--days", "Monday,Tuesday",
                 "--period", "P1=09:00-10:00", "--break", "Tea=10:00-10:15", "--period", "P2=10:15-11:15"])
    assert code == 0 and "2 days x 2 teaching periods" in capsys.readouterr().out
    with open_database(path, create=False) as db:
        c = cal.get_calendar(db)
        assert [(p.label, p.is_break) for p in c.periods] == [("P1", False), ("Tea", True), ("P2", False)]
        assert res.get_item(db, "department", "CE")["is_home"] is True
    assert main(["new", str(path), "--code", "CE", "--name", "Again"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["new", str(tmp_path / "x.atodb"), "--code", "CE", "--name", "X", "--period", "P1=10:00-09:00"]) == 2
    assert "before it starts" in capsys.readouterr().err and not (tmp_path / "x.atodb").exists()


def test_import_activities_one_bad_row_then_all(demo_db_path, tmp_path, capsys):
    """`import --entity activity`: a bad row is printed with its number and reason, nothing is imported."""
    out = tmp_path / "acts.csv"
    assert main(["export", "--db", str(demo_db_path), "--entity", "activity", "--out", str(out)]) == 0
    capsys.readouterr()
    with open_database(demo_db_path) as db:
        n = res.count_items(db, "activity")
        with db.session() as s:
            from sqlalchemy import delete

            from ato_desktop.storage import models as m
            s.execute(delete(m.Activity))
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    bad = lines[:3] + [lines[3].replace(",1,2,", ",1,9,", 1)] + lines[4:]
    assert bad != lines
    out.write_text("\n".join(bad) + "\n", encoding="utf-8")
    assert main(["import", "--db", str(demo_db_path), "--entity", "activity", str(out)]) == 1
    err = capsys.readouterr().err
    assert "row 4, column 'Duration (periods)': Duration (periods) must be at most 6 (got 9)." in err
    with open_database(demo_db_path) as db:
        assert res.count_items(db, "activity") == 0
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["import", "--db", str(demo_db_path), "--entity", "activity", str(out)]) == 0
    assert f"Imported {n} activity row(s)" in capsys.readouterr().out
    with open_database(demo_db_path) as db:
        assert res.count_items(db, "activity") == n
