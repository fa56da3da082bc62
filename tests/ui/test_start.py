"""Starting the app: the first-start chooser, the demo (built in a worker), File ▸ New, the last file."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton, QWizard

from ato_desktop.services import calendar as cal
from ato_desktop.ui import settings as st
from ato_desktop.ui.app import StartDialog, create_main_window, start_window
from ato_desktop.ui.tasks import wait_idle
from tests.ui.conftest import answer_dialog


def _window(qtbot):
    w = create_main_window()
    qtbot.addWidget(w)
    w.show()
    return w


def test_first_start_offers_the_demo_which_is_built_in_a_worker(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the per-user demo goes here
    w = _window(qtbot)
    assert w.database is None and w.windowTitle() == "ATO Desktop"

    def choose(dlg):
        assert isinstance(dlg, StartDialog)
        labels = [b.text() for b in dlg.findChildren(QPushButton)]
        qtbot.mouseClick(dlg.findChild(QPushButton, "startDemo"), Qt.MouseButton.LeftButton)
        return labels

    seen = answer_dialog(qtbot, lambda: start_window(w), accept=None, inspect=choose)
    assert seen["info"] == ["Open the demo department", "Create a new department…", "Open a database file…"]
    assert not w.centralWidget().isEnabled()  # busy while the demo is being made
    qtbot.waitUntil(lambda: w.database is not None, timeout=60000)
    assert w.database.path == tmp_path / "data" / "ATO Desktop" / "demo.atodb"
    assert w.windowTitle() == "ATO Desktop — demo.atodb" and w.centralWidget().isEnabled()
    assert w.show_page("faculty").model.rowCount() == 19
    wait_idle(20000)  # the daily backup
    w.close()

    # the next start opens the last file without asking
    w2 = _window(qtbot)
    start_window(w2)
    assert w2.database is not None and w2.database.path.name == "demo.atodb"
    w2.close()


def test_file_new_runs_the_wizard_and_opens_the_new_department(qtbot, tmp_path, demo_db_path):
    from tests.ui.test_new_department_wizard import _fill_to_last_page

    w = create_main_window(demo_db_path)
    qtbot.addWidget(w)
    w.show()

    def drive(wiz):
        _fill_to_last_page(qtbot, wiz, tmp_path)
        with qtbot.waitSignal(wiz.accepted, timeout=20000):
            QTest.mouseClick(wiz.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)

    answer_dialog(qtbot, w.act_new.trigger, accept=None, inspect=drive, timeout=20000)
    assert w.database.path == tmp_path / "mech.atodb"
    assert w.windowTitle() == "ATO Desktop — mech.atodb"
    assert w.current_page_key() == "departments"
    assert w.pages["departments"].model.items()[0]["code"] == "ME"
    assert len(cal.get_calendar(w.database).days) == 5
    assert st.recent_files()[:2] == [(tmp_path / "mech.atodb").resolve(), demo_db_path.resolve()]
    wait_idle(20000)
    w.close()


def test_opening_a_missing_file_says_so_and_creates_nothing(qtbot, tmp_path):
    """File ▸ Open, a recent file or ``--db`` on a path with no file: one sentence, and no empty database
    appears there (it did: opening created one; only File ▸ New creates a department)."""
    missing = tmp_path / "nowhere.atodb"
    w = create_main_window(missing)
    qtbot.addWidget(w)
    assert w.database is None
    assert w.statusBar().currentMessage() == f"{missing}: no such file. Nothing was opened."
    assert list(tmp_path.iterdir()) == []
    assert w.open_database(missing, ask=False) is False and list(tmp_path.iterdir()) == []
