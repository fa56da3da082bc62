"""Every setting the UI keeps goes through ``ui/settings.py`` (one INI store), none to a bare ``QSettings()``."""

from __future__ import annotations

import ast
from pathlib import Path

from PySide6.QtGui import QUndoStack

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.ui import settings as app_settings
from ato_desktop.ui.timetable.screen import TimetableScreen

PACKAGE = Path(__file__).resolve().parents[2] / "ato_desktop"


def test_the_refuse_choice_of_the_timetable_screen_is_kept_in_the_app_settings(qtbot, demo_db):
    assert app_settings.refuse_hard_drops() is False
    w = TimetableScreen(demo_db, QUndoStack(), timetable=REFERENCE_NAME, with_optimizer=False)
    qtbot.addWidget(w)
    assert not w.refuse_box.isChecked()
    w.refuse_box.setChecked(True)
    assert app_settings.refuse_hard_drops() is True
    w2 = TimetableScreen(demo_db, QUndoStack(), timetable=REFERENCE_NAME, with_optimizer=False)
    qtbot.addWidget(w2)
    assert w2.refuse_box.isChecked()


def test_only_ui_settings_makes_a_qsettings():
    makers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "ui" / "settings.py" or path == PACKAGE / "selftest.py":
            continue  # selftest only points QSettings at its scratch folder
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "QSettings":
                makers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert makers == []
