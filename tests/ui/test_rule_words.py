"""Issue 16 §4: the Constraints page and the conflicts panel name every rule in the coordinator's words
(``engine/rules.py``'s ``plain``), never by the engine's name, also when a row was stored with the engine's
name as its label (the large demo, the FET import) or is not stored at all (a rule newer than the database).

The test walks ``engine.rules.RULES``: a rule added there is covered without editing it. Real widgets."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit
from PySide6.QtGui import QUndoStack

from ato_desktop.engine.explain import ViolationRow
from ato_desktop.engine.rules import RULES
from ato_desktop.rule_names import rule_name

pytestmark = pytest.mark.timeout(120)

SNAKE = re.compile(r"[A-Za-z]+_[A-Za-z_]+")  # an engine identifier (max_gaps_week, faculty_limit)


def _engine_words(texts: list[str], rule) -> list[str]:
    """What in ``texts`` is the engine's, not the coordinator's: snake_case, or a text that is the engine
    name made readable ("Max gaps week") where the rule has other words."""
    found = [w for t in texts for w in SNAKE.findall(t)]
    engine_label = rule.name.replace("_", " ").capitalize()
    found += [t for t in texts if engine_label != rule.plain and t.strip() == engine_label]
    return found


def _stored_as_engine_names(path) -> None:
    """The rows as the large demo and the FET import stored them (label = the engine name, made readable),
    parameters the way the engine keeps them, and the relation rules not stored at all (an old database)."""
    with sqlite3.connect(path) as c:
        for r in RULES:
            c.execute("UPDATE constraint_instance SET label = ? WHERE type = ?",
                      (r.name.replace("_", " ").capitalize(), r.name))
        c.execute("UPDATE constraint_instance SET params = ? WHERE type = 'max_gaps_week'",
                  (json.dumps({"faculty_limit": 2, "group_limit": -1, "overrides": {"T1": 3},
                               "fet_weight_percentage": 95}),))
        c.execute("UPDATE constraint_instance SET params = ? WHERE type = 'min_hours_daily'",
                  (json.dumps({"group_limit": 2, "allow_empty_days": False, "no_empty_days": ["T1"]}),))
        c.execute("DELETE FROM constraint_instance WHERE type LIKE 'activit%'")
    sqlite3.connect(path).close()


def test_the_constraints_page_names_every_rule_in_plain_words(qtbot, demo_db_path):
    from ato_desktop.ui import tasks
    from ato_desktop.ui.app import create_main_window

    _stored_as_engine_names(demo_db_path)
    w = create_main_window(demo_db_path)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    try:
        page = w.show_page("constraints")
        qtbot.waitUntil(lambda: page.model.rowCount() >= len(RULES), timeout=20000)
        model, form = page.model, page.form
        shown = [c for c in range(model.columnCount()) if not page.table.isColumnHidden(c)]
        label_col = model.columns.index(model.spec.field("label"))
        assert label_col in shown
        rows = {model.item(i)["type"]: i for i in range(model.rowCount())}
        combo = form.editors["type"]
        for r in RULES:
            row = rows[r.name]
            cells = [model.text(row, c) for c in shown]
            assert model.text(row, label_col) == r.plain, r.name
            assert _engine_words(cells, r) == [], (r.name, cells)
            assert page.select_id(model.item(row)["id"])
            assert combo.currentText() == r.plain and form.value_of("type") == r.name
            assert form.editors["label"].text() == r.plain
            assert page.form_title.text() == f"Constraint: {r.plain}"
            params = form.editors["params"]
            words = [x.text() for x in params.findChildren(QLabel) if x.isVisibleTo(form)]
            words += [x.placeholderText() for x in params.findChildren(QLineEdit) if x.isVisibleTo(form)]
            assert _engine_words(words, r) == [], (r.name, words)
        # the form's list of rules: every rule in plain words, its engine name kept as the value
        assert [combo.itemText(i) for i in range(combo.count())][:len(RULES)] == [r.plain for r in RULES]
        assert [combo.itemData(i) for i in range(combo.count())][:len(RULES)] == [r.name for r in RULES]
        # the parameters column says what the form says
        gaps = model.text(rows["max_gaps_week"], model.columns.index(model.spec.field("params")))
        assert gaps == "Every faculty member: 2; Every student group: -1; Per faculty member or group: T1=3; " \
                       "FET weight 95 %"
        # an edit saves the engine name, not the words shown
        assert page.select_id(model.item(rows["gaps"])["id"])
        form.editors["weight"].setValue(4)
        assert page.save()
        from ato_desktop.services import resources as res

        saved = res.get_item(w.database, "constraint", "gaps")
        assert saved["type"] == "gaps" and saved["weight"] == 4
        assert w.undo_stack.undoText().endswith(rule_name("gaps"))
    finally:
        tasks.wait_idle(20000)
        w.close()


def test_the_conflicts_panel_names_every_rule_in_plain_words(qtbot, demo_db):
    from ato_desktop.ui.timetable.screen import TimetableScreen

    w = TimetableScreen(demo_db, QUndoStack(), None, with_optimizer=False)
    qtbot.addWidget(w)
    w.show()
    panel = w.conflicts
    qtbot.waitUntil(lambda: panel.topLevelItemCount() == 2, timeout=20000)
    rows = [ViolationRow(r.name, r.hard, f"Example of the rule {i}.", (0,)) for i, r in enumerate(RULES)]
    panel._fill(rows)
    groups = {it.text(0): it for it in panel.items() if it.parent() is not None and it.childCount()}
    for r in RULES:
        g = groups.get(f"{r.plain} (1)")
        assert g is not None, (r.name, sorted(groups))
        assert (g.parent().text(0).startswith("Hard conflicts")) == r.hard
        assert _engine_words([g.text(0), g.toolTip(0)], r) == [], (r.name, g.toolTip(0))
