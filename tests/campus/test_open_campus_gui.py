"""File ▸ Open campus database… (ui/campus_open.py): the form's URL, a wrong password in one sentence with
nothing opened, the right one kept in the OS keychain (never in the settings), and the campus in File ▸ Open
recent, opened again from there with the keychain's password. Real Qt widgets offscreen, a real server
reached over TCP with a password."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from ato_desktop.services.campus_login import campus_url
from ato_desktop.services.errors import ServiceError
from ato_desktop.storage.campus import KEYRING_SERVICE
from ato_desktop.storage.database import open_database
from tests.campus.conftest import SUPERUSER_PASSWORD, build_calendar, build_department
from tests.campus.test_campus_gui import _close
from tests.ui.conftest import _isolated_settings, inline_tasks  # noqa: F401  (the UI tests' fixtures)


@pytest.fixture
def one_department_campus(pg_server, pg_campus_url):
    db = open_database(pg_campus_url)
    build_calendar(db)
    build_department(db, "ECE")
    db.close()
    return pg_campus_url.split("@/", 1)[1].split("?", 1)[0]


def test_the_forms_url_never_holds_a_password_and_missing_fields_are_one_sentence():
    assert campus_url(host="campus-db.example.edu", port=5432, database="campus", user="ece_coord",
                      sslmode="verify-full") == "postgresql://ece_coord@campus-db.example.edu:5432/campus?sslmode=verify-full"
    with pytest.raises(ServiceError, match="login on the server"):
        campus_url(host="h", port=5432, database="campus", user=" ")
    with pytest.raises(ServiceError, match="database's name"):
        campus_url(host="h", port=5432, database="", user="u")


def _settings_text() -> str:
    path = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "ATO Desktop", "ATO Desktop").fileName()
    QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "ATO Desktop", "ATO Desktop").sync()
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def test_open_campus_database_from_the_file_menu_wrong_then_right_password_then_recent(
        qtbot, pg_server, one_department_campus, memory_keyring, no_pgpass, inline_tasks):
    from PySide6.QtGui import QAction

    from ato_desktop.ui import settings as st
    from ato_desktop.ui.app import create_main_window

    w = create_main_window()
    qtbot.addWidget(w)
    w.resize(1366, 768)
    try:
        act = w.findChild(QAction, "actionOpenCampus")
        assert act is not None and act.isEnabled() and act in w.menu("File").actions()
        act.trigger()
        dlg = w.open_campus_dialog
        assert dlg.isVisible() and dlg.width() <= 1366 and dlg.height() <= 768
        dlg.host.setText("127.0.0.1")
        dlg.port.setValue(pg_server.port)
        dlg.database.setText(one_department_campus)
        dlg.user.setText("postgres")
        dlg.sslmode.setCurrentText("disable")  # the throwaway server has no certificate
        dlg.password.setText("not-the-password")
        dlg.connect_()
        qtbot.waitUntil(lambda: dlg.buttons.isEnabled(), timeout=20_000)
        sentence = dlg.error.text()
        assert sentence.startswith("Cannot connect to the campus database postgresql://postgres@127.0.0.1:")
        assert "the server refused the password" in sentence and sentence.endswith("Nothing was changed.")
        assert sentence.count(". ") <= 1 and "not-the-password" not in sentence
        assert w.database is None and dlg.isVisible()
        assert memory_keyring.store == {}  # a refused password is not kept

        dlg.password.setText(SUPERUSER_PASSWORD)
        dlg.connect_()
        qtbot.waitUntil(lambda: w.database is not None, timeout=20_000)
        assert not dlg.isVisible() and w.database.is_campus and w.campus_department == "ECE"
        assert memory_keyring.store == {(KEYRING_SERVICE, "postgres@127.0.0.1"): SUPERUSER_PASSWORD}
        shown = f"postgresql://postgres@127.0.0.1:{pg_server.port}/{one_department_campus}?sslmode=disable"
        assert st.recent_campuses() == [shown]
        assert SUPERUSER_PASSWORD not in _settings_text() and SUPERUSER_PASSWORD not in w.windowTitle()
        w.set_database(None)

        w._fill_recent()  # File ▸ Open recent: the campus, opened with the keychain's password
        [entry] = [a for a in w.recent_menu.actions() if a.objectName() == "recentCampus"]
        assert entry.text() == f"Campus: {shown}"
        entry.trigger()
        qtbot.waitUntil(lambda: w.database is not None, timeout=20_000)
        assert w.database.is_campus and w.campus_department == "ECE"
    finally:
        _close(w)
