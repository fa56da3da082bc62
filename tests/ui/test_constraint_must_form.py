"""The Constraints page shows a must (a soft rule that must hold here, as FET's 100 % constraints are
imported) as "Must", in the list and in the form's "Must hold" box; saving the form keeps it, undo and redo
too, and the coordinator makes a soft rule a must or not with that box."""

from __future__ import annotations

import json
import sqlite3

from ato_desktop.services import resources as res
from ato_desktop.services.compile import compile_database


def test_a_must_is_shown_kept_through_edits_and_set_in_the_form(qtbot, demo_db_path):
    from ato_desktop.ui import tasks
    from ato_desktop.ui.app import create_main_window

    with sqlite3.connect(demo_db_path) as con:  # as the FET import stores a 100 % constraint on a soft rule
        con.execute("UPDATE constraint_instance SET weight = 1000, params = ? WHERE type = 'max_gaps_week'",
                    (json.dumps({"fet_weight_percentage": 100.0, "must": True, "faculty_limit": 2}),))
    con.close()
    w = create_main_window(demo_db_path)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    try:
        page = w.show_page("constraints")
        qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=20000)
        model, form = page.model, page.form
        rows = {model.item(i)["type"]: i for i in range(model.rowCount())}
        hard_col = model.columns.index(model.spec.field("is_hard"))
        params_col = model.columns.index(model.spec.field("params"))
        assert model.text(rows["max_gaps_week"], hard_col) == "Must"
        assert model.text(rows["gaps"], hard_col) == "No" and model.text(rows["resource_clash"], hard_col) == "Yes"
        assert "must" not in model.text(rows["max_gaps_week"], params_col).lower()
        params = form.editors["params"]
        assert page.select_id(model.item(rows["max_gaps_week"])["id"])
        assert params.must.isVisibleTo(form) and params.must.isChecked()

        # changing a value keeps the must; undo and redo too
        form.editors["weight"].setValue(700)
        assert page.save()
        saved = res.get_item(w.database, "constraint", "max_gaps_week")
        assert saved["weight"] == 700 and saved["params"]["must"] is True
        params.editors["faculty_limit"].setValue(3)
        assert page.save()
        assert res.get_item(w.database, "constraint", "max_gaps_week")["params"]["must"] is True
        w.undo_stack.undo()
        w.undo_stack.undo()
        assert res.get_item(w.database, "constraint", "max_gaps_week")["params"] == {
            "fet_weight_percentage": 100.0, "must": True, "faculty_limit": 2}
        w.undo_stack.redo()
        assert res.get_item(w.database, "constraint", "max_gaps_week")["params"]["must"] is True
        assert "max_gaps_week" in compile_database(w.database, "Reference timetable")[0].problem.must

        # the box makes a soft rule a must or not
        assert page.select_id(res.get_item(w.database, "constraint", "gaps")["id"])
        assert params.must.isVisibleTo(form) and not params.must.isChecked()
        params.must.setChecked(True)
        assert page.save()
        assert res.get_item(w.database, "constraint", "gaps")["params"].get("must") is True
        qtbot.waitUntil(lambda: model.text(model.row_of(page._editing["id"]), hard_col) == "Must", timeout=10000)
        params.must.setChecked(False)
        assert page.save()
        assert "must" not in res.get_item(w.database, "constraint", "gaps")["params"]
        # a hard rule has no box: it always holds
        assert page.select_id(res.get_item(w.database, "constraint", "resource_clash")["id"])
        assert not params.must.isVisibleTo(form)
    finally:
        tasks.wait_idle(20000)
        w.close()
