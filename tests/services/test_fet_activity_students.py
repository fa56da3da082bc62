"""A FET activity's own number of students (``<Number_Of_Students>``, or the named students set's own number
where FET counts it so) is kept as the activity's ``student_count`` (migration 0009): the room's size is
checked against it, export-fet writes it back, and the Hopwood example (whose rooms fit FET's numbers, not
the sums of the subgroups) round-trips through fet-cl."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from ato_desktop.io import fet as fio
from ato_desktop.services import resources as res
from ato_desktop.services.fet_import import import_fet
from ato_desktop.storage import models as m
from ato_desktop.storage.compile import compile_session
from ato_desktop.storage.database import open_database
from tests.fet_files import import_then_export
from tests.services.test_fet_roundtrip import EXAMPLES, needs_fet, round_trip

DATA = Path(__file__).resolve().parents[1] / "data" / "fet"
HOPWOOD = EXAMPLES / "FET-5-official/United-Kingdom/Hopwood/Hopwood.fet"


def _sizes(path: Path) -> tuple[list[int | None], list[int], list[bool]]:
    """Each activity's stored number, each session's compiled size, and whether room R101 suits session 0."""
    db = open_database(path)
    try:
        with db.read_session() as s:
            counts = [a.student_count for a in s.scalars(select(m.Activity).order_by(m.Activity.id))]
            comp = compile_session(s)
        p = comp.problem
        return counts, p.session_size.tolist(), p.session_allowed_rooms[:, comp.room_codes.index("R101")].tolist()
    finally:
        db.close()


def test_fets_own_count_sizes_the_room_and_goes_back_to_fet(tmp_path):
    """'BSc 1 Skills' has 10 students in FET and three subgroups of 10: the room (15 seats) fits FET's count;
    the sum of the lab batches here (30) would not."""
    report = import_fet(DATA / "group_count.fet", tmp_path / "count.atodb")
    assert not report.approximations
    assert any(n.startswith("1 activity keeps FET's number of students") for n in report.notes)
    counts, sizes, r101 = _sizes(tmp_path / "count.atodb")
    assert counts == [10] and sizes == [10] and r101 == [True]
    db = open_database(tmp_path / "count.atodb")
    try:
        item = res.list_items(db, "activity")[0]
        assert item["student_count"] == 10
    finally:
        db.close()
    # export writes the number; imported again it is kept
    (tmp_path / "x").mkdir()
    _, again, _ = import_then_export(DATA / "group_count.fet", tmp_path / "x")
    assert [a.n_students for a in fio.read_fet(again).activities] == [10]
    import_fet(again, tmp_path / "again.atodb")
    assert _sizes(tmp_path / "again.atodb")[:2] == ([10], [10])


def test_a_stated_number_of_students_is_kept_and_edited(tmp_path):
    text = (DATA / "group_count.fet").read_text(encoding="utf-8")
    src = tmp_path / "stated.fet"
    src.write_text(text.replace("<Activity_Group_Id>0</Activity_Group_Id>",
                                "<Activity_Group_Id>0</Activity_Group_Id><Number_Of_Students>12</Number_Of_Students>"),
                   encoding="utf-8")
    import_fet(src, tmp_path / "stated.atodb")
    assert _sizes(tmp_path / "stated.atodb")[:2] == ([12], [12])
    db = open_database(tmp_path / "stated.atodb")
    try:
        aid = res.list_items(db, "activity")[0]["id"]
        res.update_item(db, "activity", aid, {"student_count": 20})
        with db.read_session() as s:
            assert compile_session(s).problem.session_allowed_rooms.tolist() == [[False]]  # 20 > 15 seats
        res.update_item(db, "activity", aid, {"student_count": 0})  # 0: the groups' strengths again
        assert res.get_item(db, "activity", aid)["student_count"] == 0
        with db.read_session() as s:
            assert s.get(m.Activity, aid).student_count is None
            assert compile_session(s).problem.session_size.tolist() == [30]
        with pytest.raises(Exception, match="Students"):
            res.update_item(db, "activity", aid, {"student_count": -3})
    finally:
        db.close()


@needs_fet
@pytest.mark.skipif(not HOPWOOD.is_file(), reason="fet-data's Hopwood example is not installed")
def test_hopwood_round_trips_through_fet(tmp_path):
    """Before, its import was refused as impossible: an activity's preferred room seats FET's number of its
    students, not the sum of its subgroups."""
    ok, log = round_trip(HOPWOOD, tmp_path, time_limit=60.0)
    assert ok, log
