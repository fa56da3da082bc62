"""The Notifications page's Schedules tab: what is sent on its own (on publish, weekly, the daily digest),
with each schedule's next and last run; the schedules run in the database's notification scheduler."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.notify import scheduler as sch
from ato_desktop.services import notifications as notes
from ato_desktop.services.errors import ServiceError
from ato_desktop.ui.mail_outbox_tab import _item

SCHEDULE_COLUMNS = ("What", "When", "Template", "Next run", "Last run")
ON_PUBLISH_ROW = "on-publish"
DAYS = (("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"), ("fri", "Friday"),
        ("sat", "Saturday"), ("sun", "Sunday"))


class SchedulesTab(QWidget):
    """The Schedules tab of :class:`~ato_desktop.ui.notifications_view.NotificationsView`."""

    status = Signal(str)  # what happened, for the main window's status bar

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = None
        self.scheduler: sch.NotificationScheduler | None = None
        v = QVBoxLayout(self)
        intro = QLabel("Messages are written to the outbox first and sent in the background; "
                       "a schedule missed while the app was closed runs once at the next start.", self)
        intro.setWordWrap(True)
        v.addWidget(intro)
        self.schedule_table = QTableWidget(0, len(SCHEDULE_COLUMNS), self)
        self.schedule_table.setObjectName("scheduleTable")
        self.schedule_table.setHorizontalHeaderLabels(SCHEDULE_COLUMNS)
        self.schedule_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.schedule_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.schedule_table.verticalHeader().setVisible(False)
        self.schedule_table.horizontalHeader().setSectionResizeMode(len(SCHEDULE_COLUMNS) - 1,
                                                                    QHeaderView.ResizeMode.Stretch)
        v.addWidget(self.schedule_table, 1)

        add = QHBoxLayout()
        self.schedule_kind = QComboBox(self)
        self.schedule_kind.setObjectName("scheduleKind")
        self.schedule_kind.addItem("Weekly", "weekly")
        self.schedule_kind.addItem("Daily digest (tomorrow's classes)", "daily")
        self.schedule_kind.addItem("When a version is published", "publish")
        self.schedule_kind.currentIndexChanged.connect(self._kind_changed)
        self.schedule_day = QComboBox(self)
        self.schedule_day.setObjectName("scheduleDay")
        for abbr, name in DAYS:
            self.schedule_day.addItem(name, abbr)
        self.schedule_time = QTimeEdit(QTime(7, 0), self)
        self.schedule_time.setObjectName("scheduleTime")
        self.schedule_time.setDisplayFormat("HH:mm")
        self.schedule_template = QComboBox(self)
        self.schedule_template.setObjectName("scheduleTemplate")
        self.add_schedule_button = QPushButton("&Add", self)
        self.add_schedule_button.setObjectName("addSchedule")
        self.add_schedule_button.clicked.connect(self.add_schedule)
        self.remove_schedule_button = QPushButton("Remove selected", self)
        self.remove_schedule_button.setObjectName("removeSchedule")
        self.remove_schedule_button.clicked.connect(self.remove_selected_schedule)
        for w in (self.schedule_kind, self.schedule_day, self.schedule_time, QLabel("template:", self),
                  self.schedule_template, self.add_schedule_button):
            add.addWidget(w)
        add.addStretch(1)
        add.addWidget(self.remove_schedule_button)
        v.addLayout(add)
        self.schedule_status = QLabel(self)
        self.schedule_status.setObjectName("scheduleStatus")
        self.schedule_status.setWordWrap(True)
        v.addWidget(self.schedule_status)

    def set_readonly(self, readonly: bool) -> None:
        for w in (self.add_schedule_button, self.remove_schedule_button):
            w.setVisible(not readonly)
        if readonly:  # a second window on a file another instance edits: look, don't touch
            self._say(self.schedule_status, "This file is open read-only: schedules and sending are handled by "
                                            "the window that edits it.")
        else:
            self.schedule_status.setText("")

    def clear(self) -> None:
        self.schedule_table.setRowCount(0)

    def set_templates(self, names: list[str]) -> None:
        """The templates a schedule can send (after the Templates tab changed them)."""
        self.schedule_template.clear()
        for name in names:
            self.schedule_template.addItem(name)
        self._kind_changed()

    def _say(self, label: QLabel, text: str, error: bool = False) -> None:
        label.setText(text)
        label.setStyleSheet("color: #a61b1b" if error else "")
        self.status.emit(text)

    def _kind_changed(self) -> None:
        kind = self.schedule_kind.currentData()
        self.schedule_day.setEnabled(kind == "weekly")
        self.schedule_time.setEnabled(kind in ("weekly", "daily"))
        default = {"weekly": notes.WEEKLY_TEMPLATE, "daily": notes.DIGEST_TEMPLATE,
                   "publish": notes.PUBLISH_TEMPLATE}[kind]
        idx = self.schedule_template.findText(default)
        if idx >= 0:
            self.schedule_template.setCurrentIndex(idx)
        if kind == "daily" and self.schedule_time.time() == QTime(7, 0):
            self.schedule_time.setTime(QTime(18, 0))
        elif kind == "weekly" and self.schedule_time.time() == QTime(18, 0):
            self.schedule_time.setTime(QTime(7, 0))

    def refresh_schedules(self) -> None:
        if self.db is None:
            return
        rows: list[tuple[str, str, str, str, str, str]] = []
        on_publish = notes.get_on_publish(self.db)
        if on_publish:
            rows.append((ON_PUBLISH_ROW, "On publish", "when a version is published (changed faculty only)",
                         on_publish, "", ""))
        if self.scheduler is not None:
            for j in self.scheduler.schedules():
                what = "Weekly" if j.kind == "weekly" else "Daily digest"
                when = j.description.rsplit(": ", 1)[0]
                last = self.scheduler.last_runs.get(j.id)
                last_text = "" if last is None else f"{last.at:%d %b %H:%M}: {'' if last.ok else 'ERROR '}{last.text}"
                rows.append((j.id, what, when, j.template,
                             j.next_run_time.strftime("%a %d %b %Y %H:%M") if j.next_run_time else "paused",
                             last_text))
        t = self.schedule_table
        t.setRowCount(len(rows))
        for i, (job_id, *cells) in enumerate(rows):
            for c, text in enumerate(cells):
                it = _item(text, job_id)
                if c == 0:
                    it.setData(Qt.ItemDataRole.UserRole, job_id)
                t.setItem(i, c, it)
        t.resizeColumnsToContents()

    def schedule_ids(self) -> list[str]:
        t = self.schedule_table
        return [t.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(t.rowCount())]

    def add_schedule(self) -> None:
        if self.db is None or self.scheduler is None:
            return
        kind = self.schedule_kind.currentData()
        template = self.schedule_template.currentText()
        if not template:
            self._say(self.schedule_status, "Create a template first (Templates tab).", True)
            return
        try:
            if kind == "publish":
                self._choose_publish_template(
                    template, f"Publishing a version now sends '{template}' to each faculty member whose classes "
                              "changed.")
                return
            else:
                t = self.schedule_time.time()
                h, m = t.hour(), t.minute()
                if kind == "weekly":
                    day = self.schedule_day.currentData()
                    j = self.scheduler.schedule_weekly(day, h, m, template=template,
                                                       job_id=sch.weekly_id(day, h, m, template))
                else:
                    j = self.scheduler.schedule_daily_digest(h, m, template=template,
                                                             job_id=sch.daily_id(h, m, template))
                nxt = j.next_run_time.strftime("%a %d %b %H:%M") if j.next_run_time else "when resumed"
                text = f"Added: {j.description}. Next run {nxt}."
        except (ServiceError, ValueError) as exc:
            self._say(self.schedule_status, str(exc), True)
            return
        self._say(self.schedule_status, text)
        self.refresh_schedules()

    def _choose_publish_template(self, template: str | None, text: str) -> None:
        """The template sent on publication is a setting of the file: an operation on the window's writer."""
        from ato_desktop.services import mail_edits
        from ato_desktop.ui.operations import writer_of

        def done(_change) -> None:
            self._say(self.schedule_status, text)
            self.refresh_schedules()

        writer_of(self).run(lambda db: mail_edits.choose_publish_template(db, template=template), on_done=done,
                            on_error=lambda exc: self._say(self.schedule_status, str(exc), True), db=self.db)

    def remove_selected_schedule(self) -> None:
        rows = {i.row() for i in self.schedule_table.selectedIndexes()}
        if self.db is None or len(rows) != 1:
            self._say(self.schedule_status, "Select one schedule to remove.", True)
            return
        job_id = self.schedule_table.item(rows.pop(), 0).data(Qt.ItemDataRole.UserRole)
        self.remove_schedule(job_id)

    def remove_schedule(self, job_id: str) -> None:
        if job_id == ON_PUBLISH_ROW:
            self._choose_publish_template(None, "Publishing a version no longer sends e-mail.")
            return
        if self.scheduler is not None and self.scheduler.remove(job_id):
            self._say(self.schedule_status, "Schedule removed.")
        self.refresh_schedules()
