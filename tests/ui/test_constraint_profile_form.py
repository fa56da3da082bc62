"""The Constraints page edits the day profile's limits (issue 17) with a typed form: spin boxes for the
default limits (-1 shown as "no limit"), a line for the per-resource overrides, a check box and a line
for empty days; saved through the one writer, undoable, and refused in one sentence when malformed."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit, QSpinBox, QTextEdit

from ato_desktop.services import resources as res
from ato_desktop.services.compile import compile_database


def test_day_profile_limits_are_edited_with_a_typed_form(window, qtbot):
    page = window.show_page("constraints")
    item = res.get_item(window.database, "constraint", "min_hours_daily")
    page.select_id(item["id"])
    form = page.form
    params = form.editors["params"]
    assert form.findChildren(QPlainTextEdit) == [] and form.findChildren(QTextEdit) == []
    assert set(params.editors) == {"faculty_limit", "group_limit", "overrides", "allow_empty_days", "no_empty_days"}
    fac, grp = params.editors["faculty_limit"], params.editors["group_limit"]
    assert isinstance(fac, QSpinBox) and fac.minimum() == -1 and fac.text() == "no limit"
    assert isinstance(params.editors["overrides"], QLineEdit) and isinstance(params.editors["allow_empty_days"],
                                                                             QCheckBox)
    assert "periods missing to the minimum" in params.note.text()
    comp, _, _ = compile_database(window.database, "Reference timetable")
    code = comp.faculty_codes[0]
    fac.setValue(2)
    params.editors["overrides"].setText(f"{code}=3")
    params.editors["no_empty_days"].setText(code)
    assert page.save()
    saved = res.get_item(window.database, "constraint", "min_hours_daily")["params"]
    assert saved == {"faculty_limit": 2, "group_limit": -1, "overrides": {code: 3}, "allow_empty_days": True,
                     "no_empty_days": [code]}
    p = compile_database(window.database, "Reference timetable")[0].problem
    assert p.resource_min_daily[0] == 3 and (p.resource_min_daily[1:comp.n_faculty] == 2).all()
    assert not p.resource_min_daily_empty_ok[0]
    window.undo_stack.undo()
    assert res.get_item(window.database, "constraint", "min_hours_daily")["params"] == item["params"]

    # the form follows the rule: a students' rule has no faculty default
    early = res.get_item(window.database, "constraint", "early_start")
    page.select_id(early["id"])
    assert set(params.editors) == {"group_limit", "overrides"}
    # a malformed override is refused in one sentence and nothing is saved
    params.editors["overrides"].setText("CSE-3A")
    assert not page.save()
    assert res.get_item(window.database, "constraint", "early_start")["params"] == early["params"]


def test_a_rule_without_a_row_is_listed_and_its_first_save_creates_the_row(qtbot, demo_db_path):
    """A database made before a rule existed (here: the demo without its min_hours_daily row) lists the rule
    on the Constraints page; saving its form creates the row through the one writer, and undo removes it."""
    import sqlite3

    from ato_desktop.ui.app import create_main_window

    with sqlite3.connect(demo_db_path) as con:
        con.execute("DELETE FROM constraint_instance WHERE type = 'min_hours_daily'")
    con.close()
    w = create_main_window(demo_db_path)
    qtbot.addWidget(w)
    try:
        page = w.show_page("constraints")
        item = res.get_item(w.database, "constraint", "min_hours_daily")
        assert item["id"] < 0 and page.model.row_of(item["id"]) >= 0
        stored = res.count_items(w.database, "constraint")
        page.select_id(item["id"])
        page.form.editors["params"].editors["group_limit"].setValue(3)
        assert page.save()
        saved = res.get_item(w.database, "constraint", "min_hours_daily")
        assert saved["id"] > 0 and saved["params"]["group_limit"] == 3
        assert res.count_items(w.database, "constraint") == stored + 1
        w.undo_stack.undo()
        assert res.count_items(w.database, "constraint") == stored
        assert res.get_item(w.database, "constraint", "min_hours_daily") == item
    finally:
        from ato_desktop.ui import tasks

        tasks.wait_idle(20000)
        w.close()


def test_building_change_limits_are_edited_with_the_same_typed_form(window, qtbot):
    """The building rules (issue 17) read per-resource limits like the day profile: the form, the save, the
    compiled arrays, and the rooms' buildings beside them."""
    page = window.show_page("constraints")
    item = res.get_item(window.database, "constraint", "min_gaps_building_changes")
    page.select_id(item["id"])
    params = page.form.editors["params"]
    assert set(params.editors) == {"faculty_limit", "group_limit", "overrides"}
    assert "a break between counts as a free period" in params.note.text()
    comp, _, _ = compile_database(window.database, "Reference timetable")
    params.editors["faculty_limit"].setValue(1)
    params.editors["overrides"].setText(f"{comp.group_codes[0]}=2")
    assert page.save()
    saved = res.get_item(window.database, "constraint", "min_gaps_building_changes")["params"]
    assert saved == {"faculty_limit": 1, "group_limit": -1, "overrides": {comp.group_codes[0]: 2}}
    p = compile_database(window.database, "Reference timetable")[0].problem
    assert (p.resource_min_gaps_bchanges[:comp.n_faculty] == 1).all()
    assert p.resource_min_gaps_bchanges[comp.n_faculty] == 2
    assert p.room_building.shape == (p.n_rooms,)
