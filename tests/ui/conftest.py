"""Qt test settings: QSettings in a temporary folder so tests never touch the user's settings."""

from __future__ import annotations

import pytest

import ato_desktop.ui.qt_workarounds  # noqa: F401  (PySide6 6.12 lowers None's refcount on every void call)


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path, qapp):
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("ATO-Desktop-tests")
    QCoreApplication.setApplicationName("ato-desktop-tests")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    yield
