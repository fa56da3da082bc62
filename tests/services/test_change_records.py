"""One change record: every kind of operation's Change undoes itself and its undo returns the redo."""

from __future__ import annotations

from ato_desktop.services import availability as av
from ato_desktop.services import calendar as cal
from ato_desktop.services import resource_edits as edits
from ato_desktop.services import resources as res
from ato_desktop.services import timetables as tts
from ato_desktop.services import version_edits as vedits
from ato_desktop.services.operations import Change


def test_resource_add_edit_remove_undo_and_redo(demo_db):
    db = demo_db
    add = edits.add_item(db, entity="room", values={"code": "OP-1", "capacity": 40})
    assert isinstance(add, Change) and add.title == "Add room OP-1" and add.concerns("room")
    assert not add.concerns("timetable") and add.result["code"] == "OP-1"
    rid = add.result["id"]
    edit = edits.edit_item(db, entity="room", key="OP-1", values={"capacity": 50})
    assert res.get_item(db, "room", "OP-1")["capacity"] == 50
    redo = edit.undo(db)
    assert res.get_item(db, "room", "OP-1")["capacity"] == 40
    redo.undo(db)
    assert res.get_item(db, "room", "OP-1")["capacity"] == 50
    gone = edits.remove_item(db, entity="room", key="OP-1")
    back = gone.undo(db)  # restored with the same id
    assert res.get_item(db, "room", "OP-1")["id"] == rid
    back.undo(db)
    assert not any(r["code"] == "OP-1" for r in res.list_items(db, "room"))


def test_calendar_marks_versions_and_term_changes_undo_themselves(demo_db):
    db = demo_db
    c = cal.get_calendar(db)
    days = [d.name for d in c.days]
    periods = [(p.label, p.start_time, p.end_time, p.is_break) for p in c.periods]
    same = cal.change_calendar(db, days=days, periods=periods, settings={"term": cal.get_setting(db, "term")})
    assert not same.can_undo and not same.concerns("calendar")
    ch = cal.change_calendar(db, days=days, periods=periods, settings={"term": "Odd 2026"})
    assert ch.concerns("calendar") and cal.get_setting(db, "term") == "Odd 2026"
    ch.undo(db).undo(db)
    assert cal.get_setting(db, "term") == "Odd 2026"

    fac = res.list_items(db, "faculty")[0]
    before = av.get_marks(db, "faculty", fac["code"])
    paint = av.paint_marks(db, owner="faculty", item_id=fac["id"], marks={(0, 0): "unavailable"})
    assert paint.kinds == {"availability"} and paint.result == ("faculty", fac["id"])
    paint.undo(db)
    assert av.get_marks(db, "faculty", fac["code"]) == before

    new = vedits.add_version(db, name="Op draft")
    tid = new.result.id
    assert new.versions == {tid} and new.concerns("timetable")
    ren = vedits.rename_version(db, timetable=tid, name="Op renamed")
    ren.undo(db)
    assert tts.get_timetable(db, tid).name == "Op draft"
    redo = new.undo(db)
    assert tid not in {t.id for t in tts.list_timetables(db)}
    redo.undo(db)
    assert tts.get_timetable(db, tid).name == "Op draft"



def test_a_row_change_is_a_change_whose_kinds_come_from_its_tables():
    from ato_desktop.services.rowchange import RowChange

    ch = RowChange("09 Nov: holiday", added=[("term_day", [{"id": 1}])])
    assert isinstance(ch, Change) and ch.can_undo and ch.concerns("calendar") and not ch.concerns("room")
    assert ch.title == "09 Nov: holiday"
    assert not RowChange("nothing").can_undo


def test_placements_locks_and_an_applied_result_undo_themselves(demo_db):
    from ato_desktop.services import timetable_edits as te

    db = demo_db
    src = tts.list_timetables(db)[0]
    views = [v for v in tts.list_sessions(db, src.id) if v.day is not None and not v.locked]
    v = views[0]
    ch = te.place_sessions(db, moves=[(v.id, None, None, None)], summary=f"Unschedule {v.course_code}")
    assert ch.versions == {src.id} and ch.sessions == {v.id} and ch.result[0].day is None
    redo = ch.undo(db)
    assert redo.result[0].day == v.day and redo.result[0].room == v.room  # back exactly
    assert redo.undo(db).result[0].day is None
    lk = te.lock_sessions(db, sessions=[v.id], locked=True, summary="Lock")
    assert lk.result[0].locked and not lk.undo(db).result[0].locked

    rows = {(x.activity_id, x.occurrence): (x.day, x.period, x.room) for x in tts.list_sessions(db, src.id)}
    applied = vedits.accept_result(db, name="Applied", rows=rows, parent=src.id)
    new = applied.result.id
    assert applied.title == "Apply optimized timetable (Applied)" and applied.focus == new
    undone = applied.undo(db)
    assert undone.focus == src.id and new not in {t.id for t in tts.list_timetables(db)}
    redone = undone.undo(db)
    assert redone.focus == new and tts.get_timetable(db, new).name == "Applied"
