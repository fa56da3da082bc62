"""FET import: handmade files (always) and every example of Debian's fet-data (when installed)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from ato_desktop.services.fet_import import FetImportError, import_fet, soft_weight
from ato_desktop.storage import models as m
from ato_desktop.storage.compile import compile_session
from ato_desktop.storage.database import open_database

DATA = Path(__file__).resolve().parents[1] / "data" / "fet"
FET_EXAMPLES = Path("/usr/share/doc/fet-data/examples")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_minimal_file_imports(tmp_path):
    out = tmp_path / "min.atodb"
    report = import_fet(DATA / "minimal.fet", out)
    assert report.out == out and out.exists()
    assert _leftovers(tmp_path) == ["min.atodb"]  # no temporary file, no journal left beside it
    assert not report.not_imported and not report.relaxed
    db = open_database(out)
    try:
        with db.read_session() as s:
            assert [d.name for d in s.scalars(select(m.Day).order_by(m.Day.position))] == ["Monday", "Tuesday"]
            periods = list(s.scalars(select(m.Period).order_by(m.Period.position)))
            assert [(p.label, p.start_time, p.end_time) for p in periods] == [
                ("09:00-10:00", "09:00", "10:00"), ("10:00-11:00", "10:00", "11:00"), ("11:00-12:00", "11:00", "12:00")]
            assert s.scalar(select(m.Setting.value).where(m.Setting.key == "institution_name")) == "Minimal College"
            (fac,) = s.scalars(select(m.Faculty))
            assert fac.name == "Dr. Rao" and fac.code == "Dr. Rao"
            (act,) = s.scalars(select(m.Activity))
            assert act.course.code == "Mathematics" and act.sessions_per_week == 1 and act.duration == 1
            assert [g.code for g in act.groups] == ["BSc 1"] and [f.code for f in act.faculty] == ["Dr. Rao"]
            comp = compile_session(s)
        p = comp.problem
        assert p.session_needs_room.tolist() == [True]
        assert p.session_allowed_rooms.tolist() == [[True]]  # the preferred room, the only one here
    finally:
        db.close()


def test_split_activities_subgroups_and_constraints(tmp_path):
    out = tmp_path / "split.atodb"
    report = import_fet(DATA / "split_subgroups.fet", out)
    text = "\n".join(report.lines())
    # what the engine cannot hold is listed in plain words, and the import still succeeds
    assert "not imported: 2 constraint(s) of type 'ConstraintTeacherMaxSpanPerDay' (teacher max span per day)" in text
    assert "between different activities" in text  # min days between the 2- and 1-period parts of a split lab
    assert report.inactive == 1
    assert any("split activities became several" in a for a in report.approximations)
    db = open_database(out)
    try:
        with db.read_session() as s:
            groups = {g.code: g for g in s.scalars(select(m.StudentGroup))}
            assert groups["3A-B1"].parent.code == "CSE 3" and groups["MTech 1"].parent is None
            assert sorted(groups) == ["3A-B1", "3A-B2", "3B-B1", "3B-B2", "CSE 3", "MTech 1"]
            acts = list(s.scalars(select(m.Activity).order_by(m.Activity.id)))
            by_note = {a.note.split(";")[0]: a for a in acts}
            ds = by_note["FET activities 1, 2, 3"]
            assert ds.sessions_per_week == 3 and ds.min_days == 3 and ds.kind == "L"
            assert [g.code for g in ds.groups] == ["3A-B1", "3A-B2"]  # group CSE 3A = its subgroups
            os_ = by_note["FET activities 4, 5"]
            assert [g.code for g in os_.groups] == ["CSE 3"]  # the whole year: the section
            assert os_.required_features == ["no room"]  # no space constraint: FET gives it no room
            hindi = by_note["FET activity 7"]
            assert [g.code for g in hindi.groups] == ["3A-B1", "3B-B1"]  # overlapping group, as in FET
            lab = by_note["FET activity 6"]
            assert lab.kind == "P" and lab.duration == 2
            assert "FET activities 10" not in by_note and "FET activity 10" not in by_note  # inactive
            assert by_note["FET activity 11"].duration == 2 and by_note["FET activity 12"].duration == 1
            assert by_note["FET activity 8"].basket is not None
            assert by_note["FET activity 8"].basket is by_note["FET activity 9"].basket
            periods = list(s.scalars(select(m.Period).order_by(m.Period.position)))
            assert [p.is_break for p in periods] == [False, False, False, True, False, False]
            t3 = s.scalar(select(m.Faculty).where(m.Faculty.code == "T3"))
            assert t3.max_daily_periods == 4
            weights = {c.type: (c.weight, c.enabled) for c in s.scalars(select(m.ConstraintInstance))}
            assert weights["min_days"] == (soft_weight(95), True) == (20, True)
            # students max gaps per week 100 %: the day profile's weekly limit, soft with the highest weight
            assert weights["max_gaps_week"] == (1000, True) and weights["gaps"][1] is False
            assert weights["session_not_preferred"] == (soft_weight(80), True)
            assert weights["isolated"][1] is False  # FET asked for nothing like it
            comp = compile_session(s)
        p, keys = comp.problem, comp.keys
        P = p.periods_per_day
        act_of = {a.id: a for a in acts}

        def sessions(note: str) -> list[int]:
            return [i for i, (aid, _) in enumerate(keys) if act_of[aid].note.split(";")[0] == note]

        # Friday P6 is a break on one day only: Friday's own bell schedule closes it (no teaching then)
        fri_p6 = 4 * P + 5
        t1 = comp.faculty_codes.index("T1")
        assert not p.slot_usable[fri_p6] and p.slot_usable[3 * P + 5]
        assert p.resource_available[t1, fri_p6] and not p.resource_available[t1, 0]  # T1 Monday P1
        assert p.resource_available[t1, 2]
        (lab_s,) = sessions("FET activity 6")
        allowed = np.flatnonzero(p.session_available[lab_s])
        assert allowed.tolist() == [2 * P, 2 * P + 1, 3 * P, 3 * P + 1]  # Wed/Thu P1 starts, 2 periods each
        assert p.room_names[np.flatnonzero(p.session_allowed_rooms[lab_s])[0]] == "Lab1"
        ds_rooms = {p.room_names[r] for s_ in sessions("FET activities 1, 2, 3")
                    for r in np.flatnonzero(p.session_allowed_rooms[s_])}
        assert ds_rooms == {"R1"}  # the home room of CSE 3A
        assert not any(p.session_needs_room[s_] for s_ in sessions("FET activities 4, 5"))
        assert len(p.sync_sets) == 1
    finally:
        db.close()


@pytest.mark.parametrize("name, words", [
    ("malformed.fet", ["malformed.fet line 17", "not well-formed XML"]),
    ("unknown_teacher.fet", ["line 27", "<Activity> Id 1", "'Dr. Nobody'", "not in the teachers list"]),
    ("bad_duration.fet", ["line 31", "<Activity> Id 1", "duration 0"]),
    ("negative_capacity.fet", ["line 41", "room 'R101'", "capacity -5"]),
])
def test_bad_files_are_refused_with_line_and_nothing_written(tmp_path, name, words):
    out = tmp_path / "x.atodb"
    with pytest.raises(FetImportError) as exc:
        import_fet(DATA / name, out)
    for w in words:
        assert w in str(exc.value)
    assert _leftovers(tmp_path) == []


def test_existing_output_is_never_overwritten(tmp_path):
    out = tmp_path / "taken.atodb"
    out.write_bytes(b"mine")
    with pytest.raises(FetImportError, match="already exists"):
        import_fet(DATA / "minimal.fet", out)
    assert out.read_bytes() == b"mine"


def test_cancel_leaves_nothing(tmp_path):
    from ato_desktop.services.fet_import import FetImportCancelled

    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 3  # after the file was read and mapped: while writing

    with pytest.raises(FetImportCancelled):
        import_fet(DATA / "split_subgroups.fet", tmp_path / "c.atodb", should_stop=stop)
    assert _leftovers(tmp_path) == []


def test_soft_weight_keeps_fet_order():
    ws = [soft_weight(p) for p in (0, 50, 80, 90, 95, 99, 99.9, 100)]
    assert ws == sorted(ws) and ws[0] == 1 and ws[-1] == 1000
    assert soft_weight(95) == 20 and soft_weight(90) == 10


# ---------------------------------------------------------------------------
# Debian's fet-data examples
# ---------------------------------------------------------------------------
def _examples() -> list[Path]:
    if not FET_EXAMPLES.is_dir():
        return []
    files = sorted(FET_EXAMPLES.rglob("*.fet"))
    if os.environ.get("ATO_FET_ALL") == "1":
        return files
    indian = [f for f in files if "/India/" in str(f)]
    step = max(1, len(files) // 34)
    sample = files[::step][:34]
    return sorted(set(sample) | set(indian))


_EXAMPLES = _examples()


@pytest.mark.skipif(not _EXAMPLES, reason="Debian's fet-data is not installed (apt-get install fet-data)")
@pytest.mark.parametrize("path", _EXAMPLES, ids=lambda p: str(p.relative_to(FET_EXAMPLES)))
def test_fet_data_example_imports_or_is_refused_in_one_sentence(tmp_path, path):
    """Each example imports (with its list of what was not imported) or is refused with our error."""
    out = tmp_path / "example.atodb"
    try:
        report = import_fet(path, out)
    except FetImportError as exc:
        assert str(exc) and "\n" not in str(exc)
        assert _leftovers(tmp_path) == []
        return
    assert out.exists() and report.counts["sessions"] >= 0
    for line in report.lines():
        assert line and "\n" not in line


def test_a_students_filter_binds_every_activity_sharing_those_students():
    """FET applies 'activities of students X' to every activity whose students share students with X
    (a group's constraint binds its year's lectures too; fet-cl was checked to do so)."""
    from ato_desktop.io.fet import parse_fet_bytes
    from ato_desktop.services.fet_import import FetImportReport, plan_import

    extra = ("<ConstraintActivitiesPreferredStartingTimes><Weight_Percentage>100</Weight_Percentage>"
             "<Teacher_Name></Teacher_Name><Students_Name>3A-B2</Students_Name><Subject_Name></Subject_Name>"
             "<Activity_Tag_Name></Activity_Tag_Name><Duration></Duration>"
             "<Number_of_Preferred_Starting_Times>1</Number_of_Preferred_Starting_Times><Preferred_Starting_Time>"
             "<Preferred_Starting_Day>Wednesday</Preferred_Starting_Day><Preferred_Starting_Hour>P1"
             "</Preferred_Starting_Hour></Preferred_Starting_Time><Active>true</Active><Comments></Comments>"
             "</ConstraintActivitiesPreferredStartingTimes>\n</Time_Constraints_List>")
    text = (DATA / "split_subgroups.fet").read_text("utf-8").replace("</Time_Constraints_List>", extra)
    plan, _spec = plan_import(parse_fet_bytes(text.encode(), "x.fet"), FetImportReport(source="x.fet"))
    wed_p1 = 2 * plan.P
    bound = {i for i, a in plan.acts.items() if np.flatnonzero(a.allowed_start).tolist() == [wed_p1]}
    assert bound == {1, 2, 3, 4, 5}  # CSE 3A's lectures (3A-B2 is in 3A) and the year's OS lectures
    assert plan.acts[7].allowed_start.all()  # Hindi: subgroups 3A-B1 and 3B-B1, no student of 3A-B2


def test_subactivities_constraints_bind_the_nth_part():
    """'Subactivities preferred starting times' with component n binds the n-th part of each split
    activity; a whole (unsplit) activity is part 1 (fet-cl was checked to do so)."""
    from ato_desktop.io.fet import parse_fet_bytes
    from ato_desktop.services.fet_import import FetImportReport, plan_import

    def bound_parts(component: int) -> set[int]:
        extra = (f"<ConstraintSubactivitiesPreferredStartingTimes><Weight_Percentage>100</Weight_Percentage>"
                 f"<Component_Number>{component}</Component_Number><Teacher_Name></Teacher_Name>"
                 "<Students_Name></Students_Name><Subject_Name></Subject_Name><Activity_Tag_Name></Activity_Tag_Name>"
                 "<Number_of_Preferred_Starting_Times>1</Number_of_Preferred_Starting_Times><Preferred_Starting_Time>"
                 "<Preferred_Starting_Day>Tuesday</Preferred_Starting_Day><Preferred_Starting_Hour>P2"
                 "</Preferred_Starting_Hour></Preferred_Starting_Time><Active>true</Active><Comments></Comments>"
                 "</ConstraintSubactivitiesPreferredStartingTimes>\n</Time_Constraints_List>")
        text = (DATA / "split_subgroups.fet").read_text("utf-8").replace("</Time_Constraints_List>", extra)
        report = FetImportReport(source="x.fet")
        plan, _spec = plan_import(parse_fet_bytes(text.encode(), "x.fet"), report)
        assert report.imported["ConstraintSubactivitiesPreferredStartingTimes"] == 1
        target = plan.P + 1
        return {i for i, a in plan.acts.items() if np.flatnonzero(a.allowed_start).tolist() == [target]}

    assert bound_parts(2) == {2, 5, 12}  # the second part of DS (1-3), OS (4-5) and the split lab (11-12)
    assert bound_parts(1) == {1, 4, 7, 8, 9, 11}  # first parts and every unsplit activity (6 has its own slots)


def _table_dump(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows in storage order (rowid), read with the SQLite driver."""
    import sqlite3

    con = sqlite3.connect(path)
    try:
        names = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: con.execute(f'SELECT rowid, * FROM "{n}" ORDER BY rowid').fetchall() for n in names}
    finally:
        con.close()


def test_import_is_reproducible_row_for_row(tmp_path):
    """Two imports of one file give the same tables, row for row (activity_faculty and activity_group used
    to come out in another order each run); mail_template's rows carry the migration's clock."""
    a = _table_dump(import_fet(DATA / "split_subgroups.fet", tmp_path / "a.atodb").out)
    b = _table_dump(import_fet(DATA / "split_subgroups.fet", tmp_path / "b.atodb").out)
    assert a.keys() == b.keys()
    assert a["activity_faculty"] and a["activity_group"]
    for name in a:
        if name != "mail_template":
            assert a[name] == b[name], name


def test_breaks_on_some_days_become_those_days_closed_periods(tmp_path):
    """FET break times on only some days (a Saturday half-day, Tuesday's own first hour) are those days'
    own bell schedules (services.bells), shown per day as FET shows them; a break on every day is a break
    period; nobody is made unavailable for them."""
    from ato_desktop.services import bells

    report = import_fet(DATA / "some_day_breaks.fet", tmp_path / "half.atodb")
    assert not report.not_imported and not report.approximations
    db = open_database(tmp_path / "half.atodb")
    try:
        assert bells.get_closed(db) == {"Tuesday": ["09:00-10:00"], "Saturday": ["11:30-12:30", "12:30-13:30"]}
        with db.read_session() as s:
            periods = list(s.scalars(select(m.Period).order_by(m.Period.position)))
            assert [p.is_break for p in periods] == [False, False, True, False, False]
            assert not s.scalars(select(m.FacultyAvailability)).first()
            assert not s.scalars(select(m.GroupAvailability)).first()
            p = compile_session(s).problem
        assert p.slot_usable.reshape(3, 5).tolist() == [[True, True, False, True, True],
                                                        [False, True, False, True, True],
                                                        [True, True, False, False, False]]
    finally:
        db.close()


def test_a_group_counted_as_fet_counts_it_keeps_that_number(tmp_path):
    """FET counts an activity's students by the named set's own number (group 'BSc 1 Skills': 10), not
    its subgroups' (3 x 10); the activity keeps FET's number for its room (tests/services/
    test_fet_activity_students.py), and the import says so."""
    report = import_fet(DATA / "group_count.fet", tmp_path / "count.atodb")
    assert any(a.startswith("1 activity keeps FET's number of students") for a in report.notes)
    assert not report.approximations
def test_relations_between_activities_import_with_fet_weights_and_export_back(tmp_path):
    """FET's activity relations (issue 17): each FET activity is one session; weights as docs/constraints.md
    says (the highest percentage of a rule; 100 % -> 1000); export-fet writes them back, and they import again
    the same."""
    from ato_desktop.services.fet_export import export_fet

    def relations_of(path):
        db = open_database(path)
        try:
            with db.read_session() as s:
                comp = compile_session(s)
                rows = {ci.type: ci for ci in s.scalars(select(m.ConstraintInstance))}
                weights = {t: (rows[t].weight, rows[t].enabled) for t in rows if t.startswith("activit")}
            p = comp.problem
            # sessions by FET id: activity ids 1, 2 are one split activity, 3 and 4 (5 is inactive)
            fet = {1: comp.index_of[(comp.keys[0][0], 0)], 2: comp.index_of[(comp.keys[0][0], 1)],
                   3: 2, 4: 3}
            back = {v: k for k, v in fet.items()}
            return sorted((x.rule, [back[int(s)] for s in x.sessions], x.param) for x in p.relations), weights
        finally:
            db.close()

    out = tmp_path / "rel.atodb"
    report = import_fet(DATA / "relations.fet", out)
    text = "\n".join(report.lines())
    assert "not imported" not in text
    assert report.imported["ConstraintActivitiesEndStudentsDay"] == 1
    rels, weights = relations_of(out)
    assert rels == sorted([
        ("activities_not_overlapping", [3, 4], 0),  # 5 is inactive
        ("activities_consecutive", [1, 3], 0),
        ("activities_grouped", [2, 3], 0),
        ("activities_grouped", [1, 3, 4], 0),
        ("activity_ends_day", [4], 0),
        ("activity_ends_day", [3], 0),  # the Physics filter: activity 3 (5 is inactive)
        ("activities_min_gaps", [1, 2], 2),
        ("activities_same_day", [2, 4], 0),
        ("activities_same_room", [1, 3], 0),
    ])
    assert weights["activities_consecutive"] == (soft_weight(95), True) == (20, True)
    assert weights["activities_grouped"] == (10, True)  # 90 % and 80 %: the highest
    assert weights["activity_ends_day"] == (1000, True)  # 100 % and 50 %
    assert weights["activities_same_day"] == (100, True)
    exported = tmp_path / "back.fet"
    db = open_database(out)
    try:
        export_fet(db, exported)
    finally:
        db.close()
    text = exported.read_text(encoding="utf-8")
    assert text.count("<ConstraintActivityEndsStudentsDay>") == 2 and "<MinGaps>2</MinGaps>" in text
    rels2, weights2 = relations_of(import_fet(exported, tmp_path / "again.atodb").out)
    assert rels2 == rels and weights2 == weights
