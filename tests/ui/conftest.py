"""UI test fixtures: settings in a temporary folder, a main window on a real database file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog

import ato_desktop.ui.qt_workarounds  # noqa: F401  (PySide6 6.12 lowers None's refcount on every void call)


@pytest.fixture(scope="session", autouse=True)
def _engine_warm(tmp_path_factory):
    """Compile (or load) the engine's kernels once, as the app's warm-up process would.

    The grid only builds its engine state, and the optimizer panel only starts without a
    warm-up process, once the warm-up marker says the kernels are compiled.
    """
    import os

    from ato_desktop.engine import warmup

    folder = tmp_path_factory.mktemp("warmup")
    old = os.environ.get(warmup.MARKER_DIR_ENV)
    os.environ[warmup.MARKER_DIR_ENV] = str(folder)
    warmup.warm_up()
    yield folder
    if old is None:
        os.environ.pop(warmup.MARKER_DIR_ENV, None)
    else:
        os.environ[warmup.MARKER_DIR_ENV] = old


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(folder))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture
def window(qtbot, demo_db_path):
    from ato_desktop.ui.app import create_main_window

    w = create_main_window(demo_db_path)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    from ato_desktop.ui import tasks

    tasks.wait_idle(20000)
    w.close()


@pytest.fixture
def inline_tasks(qapp):
    """Every task runs at once on the calling thread (``ato_desktop.ui.tasks.InlineRunner``)."""
    from ato_desktop.ui import tasks

    old = tasks.use_runner(tasks.InlineRunner())
    yield tasks.runner()
    tasks.use_runner(old)


def answer_dialog(qtbot, action, *, accept=True, inspect=None, timeout=15_000):
    """Run ``action`` (which opens a modal dialog); inspect the dialog, then accept or reject it."""
    from PySide6.QtCore import QTimer

    seen = {}

    def handle():
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(20, handle)
            return
        seen["dialog"] = dlg
        if inspect is not None:
            seen["info"] = inspect(dlg)
        if accept is not None and dlg.isVisible():
            (dlg.accept if accept else dlg.reject)()

    QTimer.singleShot(0, handle)
    seen["result"] = action()
    return seen
