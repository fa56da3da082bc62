"""Features that plug into the main window through its public API.

:func:`install` adds, to a :class:`~ato_desktop.ui.main_window.MainWindow`:

* File ▸ Export PDF… (Ctrl+P): :class:`~ato_desktop.ui.export_dialog.ExportPdfDialog` on the
  timetable version shown in the Timetables page (PDFs render in a worker);
* File ▸ Publish website…: :class:`~ato_desktop.ui.publish_site_dialog.PublishSiteDialog` (the static
  website with its .ics calendars, written in a worker);
* Tools ▸ Mail settings…: :class:`~ato_desktop.ui.mail_settings.MailSettingsDialog`;
* Tools ▸ Check the data… (Ctrl+Shift+K): :class:`~ato_desktop.ui.check_dialog.CheckDialog`, the
  impossible-problem findings (``ato-desktop check``) of the version shown;
* a Notifications page: :class:`~ato_desktop.ui.notifications_view.NotificationsView`
  (outbox, templates, schedules; it runs the database's notification scheduler);
* Tools ▸ Prepare the optimizer: the first-run warm-up (``ato_desktop.ui.warmup``), which
  also starts by itself a few seconds after the window shows when the kernels are not
  compiled yet.

The dialogs are imported when first used (keeps start-up light).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMessageBox, QVBoxLayout, QWidget

from ato_desktop.ui.preload import NOTIFICATIONS

if TYPE_CHECKING:  # pragma: no cover
    from ato_desktop.ui.main_window import MainWindow

WARM_UP_DELAY_MS = 3000  # after start-up, so the warm-up process does not slow the first window


def current_timetable_id(window: "MainWindow") -> int | None:
    """The window's current version (``ato_desktop.ui.current_version``: what the grid shows, the list
    marks and Publish publishes), else what the Timetables page shows or has selected, if any."""
    holder = getattr(getattr(window, "undo_stack", None), "current_version", None)
    if holder is not None and holder.id() is not None:
        return holder.id()
    pages = window.pages
    created = getattr(pages, "created", None)
    # a Timetables page not created yet has no version chosen: do not build it just to ask
    page = created().get("timetables") if created is not None else pages.get("timetables")
    if page is None:
        return None
    screen = getattr(page, "screen", None)
    model = getattr(screen, "model", None)
    if model is not None:
        try:
            return int(model.timetable_id)
        except (AttributeError, TypeError, ValueError):
            pass
    selected = getattr(page, "selected_id", None)
    return selected() if callable(selected) else None


def _need_database(window: "MainWindow", what: str) -> bool:
    if window.database is None:
        QMessageBox.information(window, what, "Open a department database first.")
        return False
    return True


def export_pdf(window: "MainWindow") -> None:
    if not _need_database(window, "Export PDF"):
        return
    from ato_desktop.ui.export_dialog import ExportPdfDialog as dialog_cls
    from ato_desktop.services import timetables as tts

    if not tts.list_timetables(window.database):
        QMessageBox.information(window, "Export PDF",
                                "This database has no timetable version yet: create or optimize one first.")
        return
    dialog = dialog_cls(window.database, current_timetable_id(window), window)
    window.export_dialog = dialog  # for tests and for the status bar
    dialog.exec()
    result = getattr(dialog, "last_result", None)
    if result is not None:
        window.show_status(f"PDF written: {result.path} ({result.pages} pages).", 10000)


def publish_website(window: "MainWindow") -> None:
    """File ▸ Publish website…: the static website of the version shown (issue 20), written in a worker."""
    if not _need_database(window, "Publish website"):
        return
    from ato_desktop.ui.publish_site_dialog import PublishSiteDialog

    dialog = PublishSiteDialog(window.database, current_timetable_id(window), window)
    window.publish_site_dialog = dialog  # for tests
    dialog.exec()
    result = getattr(dialog, "last_result", None)
    if result is not None:
        window.show_status(f"Website written: {result.path} ({result.pages} pages).", 10000)


def mail_settings(window: "MainWindow") -> None:
    if not _need_database(window, "Mail settings"):
        return
    if window.readonly:
        QMessageBox.information(window, "Mail settings",
                                "This database is open read-only: mail settings cannot be changed.")
        return
    from ato_desktop.ui.mail_settings import MailSettingsDialog

    dialog = MailSettingsDialog(window.database, window)
    window.mail_dialog = dialog
    dialog.exec()


def check_data(window: "MainWindow"):
    """Tools ▸ Check the data…: the impossible-problem findings of the version shown (in a worker)."""
    if not _need_database(window, "Check the data"):
        return None
    from ato_desktop.ui.check_dialog import CheckDialog

    dialog = CheckDialog(window, intro="What would make a timetable impossible (errors) or costly (warnings) "
                                      "as the data stands, checked before optimizing.")
    window.check_dialog = dialog  # for tests
    dialog.checked.connect(lambda findings: window.show_status(f"Check: {dialog.status.text()}", 10000))
    dialog.check(window.database, current_timetable_id(window))
    dialog.open()
    return dialog


class LazyNotificationsPage(QWidget):
    """The Notifications page, built on first show or shortly after a database opens.

    The view imports the mail and scheduler machinery and starts the file's notification
    scheduler (APScheduler on the same SQLite file); doing that a moment after the window
    shows keeps start-up fast, while scheduled mail still runs whenever the file is open.
    The Qt-free part of those imports (APScheduler, keyring, the services) runs in a worker
    thread first, so the UI thread only builds the widgets. ``ensure_loaded()`` builds the
    view at once (imports included).
    """

    status = Signal(str)
    BUILD_DELAY_MS = 2500
    PRELOAD = NOTIFICATIONS  # the window's start-up preload imports them already

    def __init__(self, parent: QWidget | None = None, current=None):
        super().__init__(parent)
        self.setObjectName("notificationsPage")
        self._current = current  # the window's CurrentVersion: the preview renders that version
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.view = None
        self._db = None
        self._readonly = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.BUILD_DELAY_MS)
        self._timer.timeout.connect(self._build_soon)
        self._preload_job = None
        self._loading_label = None

    @property
    def db(self):
        return self.view.db if self.view is not None else self._db

    def set_database(self, db, readonly: bool = False) -> None:
        self._db, self._readonly = db, readonly
        if self.view is not None:
            self.view.set_database(db, readonly=readonly)
        elif db is not None:
            self._timer.start()

    def _build_soon(self) -> None:
        """Import the heavy modules in a worker, then build the view (on the UI thread)."""
        self._timer.stop()
        if self.view is not None or self._preload_job is not None:
            return
        if all(m in sys.modules for m in self.PRELOAD):  # imported already (the window's start-up preload)
            self.ensure_loaded()
            return
        from ato_desktop.ui.preload import preload

        page = self

        def then() -> None:
            if not shiboken6.isValid(page):  # the window closed during the imports
                return
            page._preload_job = None
            page.ensure_loaded()

        self._preload_job = preload(self.PRELOAD, then=then)

    def ensure_loaded(self):
        if self.view is None:
            from ato_desktop.ui.notifications_view import NotificationsView

            self._timer.stop()
            if self._loading_label is not None:
                self._loading_label.deleteLater()
                self._loading_label = None
            self.view = NotificationsView(None, self)
            self.view.status.connect(self.status)
            if self._current is not None and hasattr(self.view, "set_current_version"):
                self.view.set_current_version(self._current)
            self._layout.addWidget(self.view)
            if self._db is not None:
                self.view.set_database(self._db, readonly=self._readonly)
        return self.view

    def on_operation(self, change) -> None:
        if self.view is not None:
            self.view.on_operation(change)

    def showEvent(self, event) -> None:
        if self.view is None:
            self._build_soon()
            if self.view is None and self._loading_label is None:
                self._loading_label = QLabel("Loading notifications…", self)
                self._loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self._layout.addWidget(self._loading_label)
        super().showEvent(event)

    def shutdown(self) -> None:
        self._timer.stop()
        if self.view is not None and hasattr(self.view, "shutdown"):
            self.view.shutdown()


class _WarmUpStatus(QObject):
    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self._window = window
        # issue 16: a determinate bar with the time left while the kernels compile (first run only)
        from PySide6.QtWidgets import QProgressBar

        self.bar = QProgressBar(window)
        self.bar.setObjectName("warmUpProgress")
        self.bar.setRange(0, 100)
        self.bar.setMaximumWidth(220)
        self.bar.setFormat("Preparing the optimizer: %p%")
        self.bar.hide()
        window.statusBar().addPermanentWidget(self.bar)

    def on_progress(self, percent: int, left: int, step: str) -> None:
        from ato_desktop.ui.warmup import progress_text

        text = progress_text(percent, left, step)
        self.bar.setValue(percent)
        self.bar.setToolTip(f"{text} ({step}). You can keep working; Optimize starts when this is done.")
        self.bar.show()
        self._window.show_status(text, 0)

    def on_finished(self, ok: bool, message: str) -> None:
        self.bar.hide()
        self._window.show_status(
            "The optimizer is ready." if ok else f"Preparing the optimizer failed: {message}", 10000)


def _warm_up_controller(window: "MainWindow"):
    """The shared warm-up controller, its ``finished`` shown in ``window``'s status bar (connected once)."""
    if not shiboken6.isValid(window):
        return None
    from ato_desktop.ui.warmup import warmup_controller

    wc = warmup_controller()
    if getattr(window, "_warm_up_status", None) is None:
        # A QObject child of the window: Qt disconnects its slot when the window goes away
        # (the controller is shared and outlives windows).
        window._warm_up_status = _WarmUpStatus(window)
        wc.finished.connect(window._warm_up_status.on_finished)
        wc.progress.connect(window._warm_up_status.on_progress)
    return wc


def install(window: "MainWindow", *, warm_up: bool = True) -> None:
    """Add the export, mail, notifications and warm-up features to ``window`` (once)."""
    if getattr(window, "_extras_installed", False):
        return
    window._extras_installed = True
    file_menu = window.menu("File")
    act = QAction("&Export PDF…", window)
    act.setObjectName("actionExportPdf")
    act.setShortcut(QKeySequence.StandardKey.Print)
    act.setStatusTip("Print timetables and reports to PDF (groups, faculty, rooms, master, department book)")
    act.triggered.connect(lambda *_: export_pdf(window))
    before = getattr(window, "act_restore", None)
    if before is not None:
        file_menu.insertAction(before, act)
    else:
        window.add_menu_action("File", act)
    window.act_export_pdf = act
    act = QAction("Publish &website…", window)
    act.setObjectName("actionPublishWebsite")
    act.setStatusTip("Write the timetable website (pages and .ics calendars) to a folder")
    act.triggered.connect(lambda *_: publish_website(window))
    if before is not None:
        file_menu.insertAction(before, act)
    else:
        window.add_menu_action("File", act)
    window.act_publish_website = act

    act = QAction("&Mail settings…", window)
    act.setObjectName("actionMailSettings")
    act.setStatusTip("SMTP server, sender and password (kept in the system keychain)")
    act.triggered.connect(lambda *_: mail_settings(window))
    window.add_menu_action("Tools", act)
    window.act_mail_settings = act

    act = QAction("&Check the data…", window)
    act.setObjectName("actionCheckData")
    act.setShortcut(QKeySequence("Ctrl+Shift+K"))
    act.setStatusTip("List what makes the timetable impossible or costly as entered (before optimizing)")
    act.triggered.connect(lambda *_: check_data(window))
    window.add_menu_action("Tools", act)
    window.act_check_data = act

    if "notifications" not in window.pages:
        from ato_desktop.ui.current_version import current_version_of

        window.add_page("notifications", "Notifications",
                        LazyNotificationsPage(current=current_version_of(window.undo_stack)))

    # ato_desktop.ui.warmup imports the engine and numpy (a few hundred ms): it is imported
    # in a worker thread first, then the status-bar connection is made on the UI thread.
    act = QAction("&Prepare the optimizer", window)
    act.setObjectName("actionWarmUp")
    act.setStatusTip("Compile the optimizer for this computer now (done once after an install)")

    def prepare() -> None:
        wc = _warm_up_controller(window)
        if wc is None:
            return
        if wc.is_warm() and not wc.running:
            window.show_status("The optimizer is ready.")
        elif wc.ensure_started():
            window.show_status("Preparing the optimizer for this computer (first run only)…", 0)

    act.triggered.connect(lambda *_: prepare())
    window.add_menu_action("Tools", act)

    def start() -> None:
        wc = _warm_up_controller(window)
        if wc is not None:
            wc.ensure_started()

    from ato_desktop.ui.preload import preload

    window._warm_up_preload = preload(["ato_desktop.engine.warmup"], then=lambda: _warm_up_controller(window))
    if warm_up:
        QTimer.singleShot(WARM_UP_DELAY_MS, start)
