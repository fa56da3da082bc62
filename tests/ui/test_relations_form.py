"""The Constraints page edits a relation rule's relations with a typed form (issue 17): pick the activities in
a checklist, set a minimum gap, save; the services store them and the engine reads them. Real widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ato_desktop.services import resources as res
from ato_desktop.services.compile import compile_database
from tests.ui.conftest import answer_dialog

pytestmark = pytest.mark.timeout(90)


def test_pick_activities_for_a_min_gap_relation_and_save(window, qtbot):
    from ato_desktop.ui.relations_editor import RelationsEditor

    db = window.database
    acts = sorted(res.list_items(db, "activity"), key=lambda a: a["id"])
    lecture = next(a for a in acts if a["sessions_per_week"] >= 2)
    page = window.show_page("constraints")
    row = res.get_item(db, "constraint", "activities_min_gaps")
    page.select_id(row["id"])
    params = page.form.editors["params"]
    editor = params.editors["relations"]
    assert isinstance(editor, RelationsEditor) and editor.gap is not None
    assert "at least the minimum gap apart" in params.note.text()
    editor.gap.setValue(2)

    def pick(dlg):
        for i in range(dlg.list.count()):
            it = dlg.list.item(i)
            if int(it.data(Qt.ItemDataRole.UserRole)) == lecture["id"]:
                it.setCheckState(Qt.CheckState.Checked)
                return it.text()

    seen = answer_dialog(qtbot, editor.add, inspect=pick)
    assert seen["info"] == lecture["label"]
    assert editor.list.count() == 1
    assert editor.list.item(0).text() == f"{lecture['label']} — at least 2 periods apart"
    page.form.editors["weight"].setValue(9)
    assert page.save()
    saved = res.get_item(db, "constraint", "activities_min_gaps")
    assert saved["params"] == {"relations": [{"activities": [lecture["id"]], "min_gap": 2}]}
    comp, _, _ = compile_database(db)
    (rel,) = comp.problem.relations
    assert rel.rule == "activities_min_gaps" and rel.param == 2 and comp.problem.weights["activities_min_gaps"] == 9
    assert rel.sessions.tolist() == [comp.index_of[(lecture["id"], k)] for k in range(lecture["sessions_per_week"])]

    # another relation rule shows its own (empty) list, without a gap; back on min gaps, the saved relation
    other = res.get_item(db, "constraint", "activities_consecutive")
    page.select_id(other["id"])
    editor2 = params.editors["relations"]
    assert editor2.gap is None and editor2.list.count() == 0
    page.select_id(row["id"])
    assert params.editors["relations"].list.count() == 1
    params.editors["relations"].list.setCurrentRow(0)
    params.editors["relations"].remove_selected()
    assert page.save()
    assert res.get_item(db, "constraint", "activities_min_gaps")["params"] == {"relations": []}


def test_limit_the_periods_of_a_set_of_activities_in_a_day(window, qtbot):
    """activities_max_daily (FET's activity-tag max hours daily): the activities and the limit in the form."""
    from ato_desktop.ui.relations_editor import RelationsEditor

    db = window.database
    acts = sorted(res.list_items(db, "activity"), key=lambda a: a["id"])
    lecture = next(a for a in acts if a["sessions_per_week"] >= 2)
    page = window.show_page("constraints")
    row = res.get_item(db, "constraint", "activities_max_daily")
    page.select_id(row["id"])
    params = page.form.editors["params"]
    editor = params.editors["relations"]
    assert isinstance(editor, RelationsEditor) and editor.gap is None and editor.limit is not None
    editor.limit.setValue(1)

    def pick(dlg):
        for i in range(dlg.list.count()):
            it = dlg.list.item(i)
            if int(it.data(Qt.ItemDataRole.UserRole)) == lecture["id"]:
                it.setCheckState(Qt.CheckState.Checked)

    answer_dialog(qtbot, editor.add, inspect=pick)
    assert editor.list.item(0).text() == f"{lecture['label']} — at most 1 period a day"
    assert page.save()
    saved = res.get_item(db, "constraint", "activities_max_daily")
    assert saved["params"] == {"relations": [{"activities": [lecture["id"]], "max_periods": 1}]}
    comp, _, _ = compile_database(db)
    (rel,) = comp.problem.relations
    assert rel.rule == "activities_max_daily" and rel.param == 1
    assert rel.sessions.tolist() == [comp.index_of[(lecture["id"], k)] for k in range(lecture["sessions_per_week"])]
    # the consecutive rule's form says "in a row"
    page.select_id(res.get_item(db, "constraint", "activities_max_consecutive")["id"])
    editor2 = params.editors["relations"]
    assert editor2.limit is not None and editor2.list.count() == 0
    # an ordered pair takes a minimum gap, no limit
    page.select_id(res.get_item(db, "constraint", "activities_ordered_min_gaps")["id"])
    editor3 = params.editors["relations"]
    assert editor3.gap is not None and editor3.limit is None
