"""The Notifications page: outbox, templates (editor with variables and a live preview), schedules.

``NotificationsView(db, parent=None, scheduler=None)``; ``set_database(db)`` when another file is
opened (``None`` when it is closed). Without a scheduler it uses the one running for the file
(``notify.scheduler.ensure_scheduler``) and shuts down only a scheduler it started itself.
One class per tab (:mod:`~ato_desktop.ui.mail_outbox_tab`, :mod:`~ato_desktop.ui.mail_templates_tab`,
:mod:`~ato_desktop.ui.mail_schedules_tab`); this page holds the database, the scheduler and a timer that
refreshes the outbox every few seconds while shown.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ato_desktop.notify import jobs
from ato_desktop.notify import scheduler as sch
from ato_desktop.ui.mail_outbox_tab import OutboxTab
from ato_desktop.ui.mail_schedules_tab import SchedulesTab
from ato_desktop.ui.mail_templates_tab import TemplatesTab

REFRESH_MS = 5000


class NotificationsView(QWidget):
    status = Signal(str)  # for the main window's status bar

    def __init__(self, db, parent: QWidget | None = None, *, scheduler: sch.NotificationScheduler | None = None):
        super().__init__(parent)
        self.setObjectName("notificationsView")
        self.db = None
        self.scheduler: sch.NotificationScheduler | None = None
        self._owns_scheduler = False

        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.outbox_tab = OutboxTab(self)
        self.templates_tab = TemplatesTab(self)
        self.schedules_tab = SchedulesTab(self)
        self.tabs.addTab(self.outbox_tab, "Outbox")
        self.tabs.addTab(self.templates_tab, "Templates")
        self.tabs.addTab(self.schedules_tab, "Schedules")
        layout.addWidget(self.tabs)
        for tab in self._all_tabs():
            tab.status.connect(self.status)
        self.templates_tab.templates_changed.connect(self.schedules_tab.set_templates)
        self.templates_tab.queued.connect(self._send_queued)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        app = QCoreApplication.instance()
        if app is not None:  # on quit, deliveries stop between two messages; the rest stays queued
            app.aboutToQuit.connect(self._about_to_quit)
        self.set_database(db, scheduler=scheduler)

    def _all_tabs(self) -> tuple:
        return self.outbox_tab, self.templates_tab, self.schedules_tab

    # =====================================================================================
    # database and scheduler
    # =====================================================================================
    def set_database(self, db, readonly: bool = False, scheduler: sch.NotificationScheduler | None = None) -> None:
        """Show ``db`` (``None``: nothing). ``readonly`` (or ``db.readonly``): look but never send or edit."""
        old, owned = self.scheduler, self._owns_scheduler
        readonly = bool(db is not None and (readonly or getattr(db, "readonly", False)))
        same = (db is not None and not readonly and old is not None and old.running
                and old.db_path == jobs.key_for(db.path) and (scheduler is None or scheduler is old))
        if old is not None and owned and not same:
            old.shutdown(wait=False)  # a delivery in progress stops between two messages
        self.db = db
        for tab in self._all_tabs():
            tab.db = db
        self.setEnabled(db is not None)
        if db is None:
            self.scheduler, self._owns_scheduler = None, False
            self.schedules_tab.scheduler = None
            for tab in self._all_tabs():
                tab.clear()
            return
        for tab in self._all_tabs():
            tab.set_readonly(readonly)
        if readonly or getattr(db, "is_campus", False):
            # a second window on a file another instance edits: look, don't touch. A campus database: the
            # scheduler's job store is the department's SQLite file (no scheduled mail on a campus yet)
            self.scheduler, self._owns_scheduler = None, False
        elif same:
            pass  # keep the scheduler (and who owns it)
        elif scheduler is not None:
            self.scheduler, self._owns_scheduler = scheduler, False
        else:
            found = sch.active_scheduler(db.path)
            self.scheduler = found or sch.ensure_scheduler(db.path)
            self._owns_scheduler = found is None
        self.schedules_tab.scheduler = self.scheduler
        self.refresh()

    @property
    def busy(self) -> bool:
        """A delivery started from this view is running."""
        return self.outbox_tab.busy

    def refresh(self) -> None:
        self.outbox_tab.refresh_outbox()
        self.templates_tab.refresh_templates()
        self.schedules_tab.refresh_schedules()

    def on_operation(self, change) -> None:
        """After an operation, its undo or redo (the window's ``operation_executed``): read the tabs again
        if it concerns notices (a template saved or deleted, the outbox, the publication template)."""
        if self.db is not None and change.concerns("notifications"):
            self.refresh()

    def _tick(self) -> None:
        if self.db is not None and self.isVisible():
            self.outbox_tab.refresh_outbox()
            if self.tabs.currentIndex() == 2:
                self.schedules_tab.refresh_schedules()

    def _send_queued(self) -> None:
        """The Templates tab queued messages: show them in the Outbox and send them in the background."""
        self.outbox_tab.refresh_outbox()
        self.outbox_tab.send_waiting()

    def set_current_version(self, holder) -> None:
        """Render previews (and "send to everyone") for ``holder``'s version (``ui.current_version``)."""
        self.templates_tab.set_current_version(holder)

    # =====================================================================================
    def _about_to_quit(self) -> None:
        self._timer.stop()
        sch.shutdown_all(wait=True)

    def shutdown(self) -> None:
        """Stop what this view started (its scheduler, if it started one). Call on quit."""
        self._timer.stop()
        if self.scheduler is not None and self._owns_scheduler:
            self.scheduler.shutdown(wait=True)
        self.scheduler, self._owns_scheduler = None, False
        self.schedules_tab.scheduler = None
