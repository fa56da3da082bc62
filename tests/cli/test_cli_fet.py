"""`ato-desktop import-fet` and `export-fet`: the report, refusals with the line, and a FET file read back."""

from __future__ import annotations

from pathlib import Path

from ato_desktop.cli import main
from ato_desktop.io.fet import read_fet
from ato_desktop.services.fet_import import import_fet
from ato_desktop.storage.compile import compile_session
from ato_desktop.storage.database import open_database

DATA = Path(__file__).resolve().parents[1] / "data" / "fet"


def test_import_fet_prints_what_was_not_imported(tmp_path, capsys):
    out = tmp_path / "dept.atodb"
    assert main(["import-fet", str(DATA / "split_subgroups.fet"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "not imported: 2 constraint(s) of type 'ConstraintTeacherMaxSpanPerDay' (teacher max span per day)" \
           " — the imported timetable may break them." in text
    assert "a stated relaxation" in text and out.exists()


def test_import_fet_refuses_a_bad_file_with_its_line(tmp_path, capsys):
    out = tmp_path / "dept.atodb"
    assert main(["import-fet", str(DATA / "bad_duration.fet"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad_duration.fet line 31: <Activity> Id 1 has duration 0" in err and "Nothing was written." in err
    assert list(tmp_path.iterdir()) == []


def test_export_fet_of_the_demo_reads_back_and_imports_again(demo_db_path, tmp_path, capsys):
    fet = tmp_path / "demo.fet"
    assert main(["export-fet", "--db", str(demo_db_path), "--timetable", "Reference timetable",
                 "--out", str(fet)]) == 0
    assert "sessions locked" in capsys.readouterr().out
    f = read_fet(fet)
    with open_database(demo_db_path) as db, db.read_session() as s:
        p = compile_session(s).problem
        n_groups = len(compile_session(s).group_codes)
    assert len(f.activities) == p.n_sessions
    assert sum(a.duration for a in f.activities) == int(p.session_duration.sum())
    tags = [c.tag for c in f.time_constraints]
    assert tags.count("ConstraintActivityPreferredStartingTime") == p.n_sessions  # every session placed, locked
    assert "ConstraintBreakTimes" in tags and "ConstraintActivitiesSameStartingTime" in tags
    # and back: the same sessions, the same leaf groups
    again = tmp_path / "again.atodb"
    report = import_fet(fet, again)
    assert report.counts["sessions"] == p.n_sessions
    with open_database(again) as db, db.read_session() as s:
        comp = compile_session(s)
    assert comp.problem.n_sessions == p.n_sessions and len(comp.group_codes) == n_groups
    assert int(comp.problem.session_duration.sum()) == int(p.session_duration.sum())
