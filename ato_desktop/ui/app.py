"""Starting the desktop app: ``run_gui`` (the CLI calls it) and ``create_main_window`` (tests, screenshots).

At start: ``--db PATH`` opens that file, ``--demo`` the demo department;
otherwise the most recently used database, or on a first start a chooser
(open the demo, create a new department, open a file). A database already
being edited by another instance is offered read-only. The daily backup is
taken in a worker once a database is open.

``ATO_STARTUP_PROBE=1``: once the first window is shown, print
``first-window <seconds>`` (since ``ato_desktop`` was imported) and quit with 0.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton, QVBoxLayout

import ato_desktop
from ato_desktop import APP_NAME, __version__
from ato_desktop.ui import settings as st
from ato_desktop.ui.main_window import MainWindow
from ato_desktop.ui.tasks import wait_idle

PROBE_ENV = "ATO_STARTUP_PROBE"


def app_icon() -> QIcon | None:
    """The app icon (256 and 512 px PNGs; the .ico too on Windows), or None if the files are missing."""
    from ato_desktop.resource_files import icon_path

    try:
        png = icon_path("png")
    except FileNotFoundError:
        return None
    files = [png, png.with_name(png.stem + "-512.png")]
    if sys.platform == "win32":
        files.insert(0, icon_path("ico"))
    icon = QIcon()
    for f in files:
        if f.is_file():
            icon.addFile(str(f))
    return None if icon.isNull() else icon


class FileOpenFilter(QObject):
    """Opens the ``.atodb`` file the system asks to open (macOS: double-click in the Finder, "Open with",
    a file dropped on the Dock icon), which Qt delivers to the application as a ``QFileOpenEvent``."""

    def __init__(self, window: MainWindow, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.received: list[Path] = []

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.FileOpen:
            path = event.file() or event.url().toLocalFile()
            if path:
                self.received.append(Path(path))
                # after the event has been handled: a modal start dialog or a message box may be open
                QTimer.singleShot(0, lambda p=Path(path): self._open(p))
                return True
        return super().eventFilter(obj, event)

    def _open(self, path: Path) -> None:
        dlg = getattr(self.window, "start_dialog", None)
        if dlg is not None and dlg.isVisible():
            dlg.reject()  # the user chose a file already: no need to ask how to start
        self.window.open_database(path)
        self.window.raise_()
        self.window.activateWindow()


def install_file_open_handler(window: MainWindow, app: QApplication | None = None) -> FileOpenFilter:
    app = app or QApplication.instance()
    handler = FileOpenFilter(window, app)
    app.installEventFilter(handler)
    window.file_open_handler = handler
    return handler


# How often a thread running Python hands the GIL over (CPython's default is 5 ms). Lists, imports
# and timetables are read in worker threads; each time the UI thread leaves the GIL (a SQLite
# query, many Qt calls) it waits up to this long to get it back, so with 5 ms a step of the UI
# thread that crosses that boundary a hundred times took half a second while a worker ran.
GIL_SWITCH_INTERVAL = 0.001


def ensure_app() -> QApplication:
    if sys.getswitchinterval() > GIL_SWITCH_INTERVAL:
        sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName(st.APP)
    app.setOrganizationName(st.ORG)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    icon = app_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    return app


def create_main_window(db_path: str | Path | None = None, *, readonly: bool = False) -> MainWindow:
    """A main window (not shown, no event loop) with ``db_path`` open if given."""
    ensure_app()
    window = MainWindow()
    from ato_desktop.ui import window_features

    window_features.install(window, warm_up=False)  # Export PDF, mail settings, notifications
    if db_path is not None:
        window.open_database(db_path if _is_url(db_path) else Path(db_path), readonly=readonly, ask=False)
    return window


class StartDialog(QDialog):
    """First start: open the demo, create a new department, or open a file."""

    DEMO, NEW, OPEN = 1, 2, 3

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("startDialog")
        self.setWindowTitle(f"Welcome to {APP_NAME}")
        self.choice = 0
        lay = QVBoxLayout(self)
        intro = QLabel(f"<h3>Welcome to {APP_NAME}</h3>Build your department's weekly timetable. "
                       "How would you like to start?", self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        for choice, text, tip, name in (
            (self.DEMO, "Open the demo department",
             "A complete Computer Science department to try everything on", "startDemo"),
            (self.NEW, "Create a new department…", "Name, working days, periods and breaks", "startNew"),
            (self.OPEN, "Open a database file…", "An .atodb file you or a colleague made", "startOpen"),
        ):
            b = QPushButton(text, self)
            b.setObjectName(name)
            b.setToolTip(tip)
            b.setMinimumHeight(40)
            b.clicked.connect(lambda *_, c=choice: self._choose(c))
            lay.addWidget(b)
        self.resize(420, 260)

    def _choose(self, choice: int) -> None:
        self.choice = choice
        self.accept()


def _probe(window: MainWindow, app: QApplication) -> None:
    seconds = time.perf_counter() - getattr(ato_desktop, "STARTED", time.perf_counter())
    print(f"first-window {seconds:.3f}", flush=True)
    window.close()  # releases the database and its lock
    app.exit(0)


def _is_url(db) -> bool:
    from ato_desktop.ui.campus import is_url

    return is_url(db)


def run_gui(db: str | None = None, demo: bool = False) -> int:
    app = ensure_app()
    probe = os.environ.get(PROBE_ENV) == "1"
    window = MainWindow()
    from ato_desktop.ui import window_features

    # Export PDF, mail settings, notifications; and, a few seconds after start-up, the
    # first-run compile of the optimizer in a separate process (ato_desktop.ui.warmup).
    window_features.install(window, warm_up=not probe)
    install_file_open_handler(window, app)
    if probe:  # measure up to a window showing the requested data
        if db:
            window.open_database(db if _is_url(db) else Path(db), ask=False)
        elif demo:
            from ato_desktop.demo import ensure_demo_database

            window.open_database(ensure_demo_database(), ask=False)
        window.show()
        QTimer.singleShot(0, lambda: _probe(window, app))
        try:
            return app.exec()
        finally:
            _dispose(window)
    window.show()
    # open the start-up file once the modules it needs are imported (in a worker: the window stays live)
    when_preloaded(window, lambda: (freeze_long_lived(), start_window(window, db=db, demo=demo)))
    try:
        return app.exec()
    finally:
        _dispose(window)


def freeze_long_lived() -> None:
    """Move every object alive now (the start-up imports: modules, classes, SQLAlchemy's mappers, the window)
    out of the garbage collector's generations (``gc.freeze``), once the start-up imports are done.

    They live as long as the app; without this each full (generation 2) collection walks all of them
    again, and the one that falls in an ordinary step (listing 600 faculty members) took that step over
    200 ms (``benchmarks/scale.py``). Done once, in the app only (the tests create many windows)."""
    import gc

    gc.freeze()


def when_preloaded(window: MainWindow, fn) -> None:
    """Call ``fn()`` from the event loop once the window's start-up imports (a worker) are done."""
    job = getattr(window, "preload_job", None)
    if job is None or job.done:
        QTimer.singleShot(0, fn)
        return
    # polled: ``done`` is set on this thread when the job's result arrives (no signal can be missed)
    timer = QTimer(window)
    timer.setInterval(15)

    def check() -> None:
        if job.done:
            timer.stop()
            timer.deleteLater()
            fn()

    timer.timeout.connect(check)
    timer.start()


def _dispose(window: MainWindow) -> None:
    """Delete the window's C++ side before the interpreter ends (PySide can crash if it is left to GC)."""
    wait_idle(30000, deliver=False)
    try:
        import shiboken6

        if shiboken6.isValid(window):
            shiboken6.delete(window)
    except Exception:
        pass


def start_window(window: MainWindow, *, db: str | Path | None = None, demo: bool = False) -> None:
    """What the app opens at start: ``db``, the demo, the last file, or (first start) the chooser."""
    handler = getattr(window, "file_open_handler", None)
    if db:
        window.open_database(db if _is_url(db) else Path(db))
    elif demo:
        window.open_demo()
    elif handler is not None and handler.received:
        pass  # the system asked to open a file (macOS Finder) before the window was ready: it is being opened
    else:
        last = st.last_file()
        if last is not None and last.exists():
            window.open_database(last)
        else:
            dlg = StartDialog(window)
            window.start_dialog = dlg
            dlg.exec()
            if dlg.choice == StartDialog.DEMO:
                window.open_demo()
            elif dlg.choice == StartDialog.NEW:
                window.new_department()
            elif dlg.choice == StartDialog.OPEN:
                window.open_dialog()
