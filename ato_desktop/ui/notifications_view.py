"""The Notifications page: outbox, templates (editor with variables and a live preview), schedules.

``NotificationsView(db, parent=None, scheduler=None)``; ``set_database(db)`` when another file is
opened (``None`` when it is closed). Without a scheduler it uses the one running for the file
(``notify.scheduler.ensure_scheduler``) and shuts down only a scheduler it started itself.
Everything that sends mail or renders previews runs in a worker thread; the outbox list
refreshes itself every few seconds while shown.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.notify import jobs
from ato_desktop.notify import scheduler as sch
from ato_desktop.notify.render import VARIABLES
from ato_desktop.services import notifications as notes
from ato_desktop.services.errors import ServiceError
from ato_desktop.ui import tasks

OUTBOX_COLUMNS = ("Created", "To", "Faculty", "Template", "Subject", "Status", "Attempts", "Next try / sent",
                  "Error")
SCHEDULE_COLUMNS = ("What", "When", "Template", "Next run", "Last run")
STATUS_COLORS = {"failed": QColor("#a61b1b"), "queued": QColor("#8a5a00"), "sending": QColor("#1d4f91"),
                 "sent": QColor("#1b6e2a"), "uncertain": QColor("#a15c00")}
# What the outbox shows for a status: a message whose reply from the server was lost may have been sent.
STATUS_TEXT = {"uncertain": "may have been sent"}
ON_PUBLISH_ROW = "on-publish"
DAYS = (("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"), ("fri", "Friday"),
        ("sat", "Saturday"), ("sun", "Sunday"))
REFRESH_MS = 5000
PREVIEW_DELAY_MS = 250


def _local(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # the outbox stores UTC
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone().strftime("%d %b %H:%M")


def _item(text: str, tooltip: str = "") -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if tooltip:
        it.setToolTip(tooltip)
    return it


class NotificationsView(QWidget):
    status = Signal(str)  # for the main window's status bar

    def __init__(self, db, parent: QWidget | None = None, *, scheduler: sch.NotificationScheduler | None = None):
        super().__init__(parent)
        self.setObjectName("notificationsView")
        self.db = None
        self.scheduler: sch.NotificationScheduler | None = None
        self._owns_scheduler = False
        self._busy = False
        self._preview_seq = 0
        self._preview_pending = False
        self._loading = False

        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_outbox(), "Outbox")
        self.tabs.addTab(self._build_templates(), "Templates")
        self.tabs.addTab(self._build_schedules(), "Schedules")
        layout.addWidget(self.tabs)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_preview)
        app = QCoreApplication.instance()
        if app is not None:  # on quit, deliveries stop between two messages; the rest stays queued
            app.aboutToQuit.connect(self._about_to_quit)
        self.set_database(db, scheduler=scheduler)

    # =====================================================================================
    # building
    # =====================================================================================
    def _build_outbox(self) -> QWidget:
        page = QWidget(self)
        v = QVBoxLayout(page)
        top = QHBoxLayout()
        self.outbox_counts = QLabel(page)
        self.outbox_counts.setObjectName("outboxCounts")
        self.status_filter = QComboBox(page)
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItem("All", None)
        for st in ("queued", "sending", "sent", "failed", "uncertain"):
            self.status_filter.addItem(STATUS_TEXT.get(st, st).capitalize(), st)
        self.status_filter.currentIndexChanged.connect(self.refresh_outbox)
        self.outbox_search = QLineEdit(page)
        self.outbox_search.setObjectName("outboxSearch")
        self.outbox_search.setPlaceholderText("Filter by name, address, subject, error…")
        self.outbox_search.setClearButtonEnabled(True)
        self.outbox_search.textChanged.connect(self.refresh_outbox)
        top.addWidget(self.outbox_counts, 1)
        top.addWidget(QLabel("Show:", page))
        top.addWidget(self.status_filter)
        top.addWidget(self.outbox_search, 1)
        v.addLayout(top)

        self.outbox_table = QTableWidget(0, len(OUTBOX_COLUMNS), page)
        self.outbox_table.setObjectName("outboxTable")
        self.outbox_table.setHorizontalHeaderLabels(OUTBOX_COLUMNS)
        self.outbox_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.outbox_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.outbox_table.verticalHeader().setVisible(False)
        self.outbox_table.horizontalHeader().setSectionResizeMode(len(OUTBOX_COLUMNS) - 1,
                                                                  QHeaderView.ResizeMode.Stretch)
        self.outbox_table.itemSelectionChanged.connect(self._outbox_selection_changed)
        v.addWidget(self.outbox_table, 1)

        row = QHBoxLayout()
        self.send_button = QPushButton("&Send waiting now", page)
        self.send_button.setObjectName("sendWaiting")
        self.send_button.setToolTip("Try every message that waits, now (in the background)")
        self.send_button.clicked.connect(self.send_waiting)
        self.retry_button = QPushButton("&Retry selected", page)
        self.retry_button.setObjectName("retrySelected")
        self.retry_button.setToolTip("Send the selected waiting or failed messages again, now")
        self.retry_button.clicked.connect(self.retry_selected)
        self.retry_all_button = QPushButton("Retry &all failed", page)
        self.retry_all_button.setObjectName("retryAll")
        self.retry_all_button.clicked.connect(self.retry_all)
        self.send_again_button = QPushButton("Send a&gain", page)
        self.send_again_button.setObjectName("sendAgain")
        self.send_again_button.setToolTip("Send the selected messages that may have been sent again (the "
                                          "recipient may get them twice)")
        self.send_again_button.clicked.connect(self.send_again_selected)
        self.mark_sent_button = QPushButton("&Mark as sent", page)
        self.mark_sent_button.setObjectName("markSent")
        self.mark_sent_button.setToolTip("The selected messages that may have been sent did arrive: never send "
                                         "them again")
        self.mark_sent_button.clicked.connect(self.mark_sent_selected)
        self.delete_button = QPushButton("&Delete selected", page)
        self.delete_button.setObjectName("deleteSelected")
        self.delete_button.setToolTip("Remove the selected messages (not one being sent right now)")
        self.delete_button.clicked.connect(self.delete_selected)
        self.outbox_status = QLabel(page)
        self.outbox_status.setObjectName("outboxStatus")
        self.outbox_status.setWordWrap(True)
        for b in (self.send_button, self.retry_button, self.retry_all_button, self.send_again_button,
                  self.mark_sent_button, self.delete_button):
            row.addWidget(b)
        row.addWidget(self.outbox_status, 1)
        v.addLayout(row)
        return page

    def _build_templates(self) -> QWidget:
        page = QWidget(self)
        split = QSplitter(Qt.Orientation.Horizontal, page)
        QVBoxLayout(page).addWidget(split)

        left = QWidget(split)
        lv = QVBoxLayout(left)
        self.template_list = QListWidget(left)
        self.template_list.setObjectName("templateList")
        self.template_list.currentTextChanged.connect(self._template_chosen)
        lv.addWidget(self.template_list, 1)
        lb = QHBoxLayout()
        self.new_template_button = QPushButton("&New", left)
        self.new_template_button.clicked.connect(self.new_template)
        self.delete_template_button = QPushButton("Delete", left)
        self.delete_template_button.clicked.connect(self.delete_template)
        lb.addWidget(self.new_template_button)
        lb.addWidget(self.delete_template_button)
        lv.addLayout(lb)
        lv.addWidget(QLabel("Variables (double-click to insert):", left))
        self.variable_list = QListWidget(left)
        self.variable_list.setObjectName("variableList")
        for name, what in VARIABLES.items():
            it = QListWidgetItem(f"${name}")
            it.setData(Qt.ItemDataRole.UserRole, name)
            it.setToolTip(what)
            self.variable_list.addItem(it)
        self.variable_list.itemDoubleClicked.connect(lambda it: self.insert_variable(it.data(Qt.ItemDataRole.UserRole)))
        lv.addWidget(self.variable_list, 1)

        mid = QWidget(split)
        mv = QVBoxLayout(mid)
        form = QFormLayout()
        self.template_name = QLineEdit(mid)
        self.template_name.setObjectName("templateName")
        self.template_subject = QLineEdit(mid)
        self.template_subject.setObjectName("templateSubject")
        self.attach_pdf = QCheckBox("Attach each recipient's own timetable (PDF)", mid)
        self.attach_pdf.setObjectName("attachPdf")
        form.addRow("Name:", self.template_name)
        form.addRow("Subject:", self.template_subject)
        form.addRow("", self.attach_pdf)
        mv.addLayout(form)
        self.body_tabs = QTabWidget(mid)
        self.body_text = QPlainTextEdit(mid)
        self.body_text.setObjectName("bodyText")
        self.body_html = QPlainTextEdit(mid)
        self.body_html.setObjectName("bodyHtml")
        self.body_html.setPlaceholderText("Optional. Empty: the HTML part is made from the plain text.")
        self.body_tabs.addTab(self.body_text, "Plain text")
        self.body_tabs.addTab(self.body_html, "HTML (optional)")
        mv.addWidget(self.body_tabs, 1)
        sb = QHBoxLayout()
        self.save_template_button = QPushButton("Sa&ve template", mid)
        self.save_template_button.setObjectName("saveTemplate")
        self.save_template_button.clicked.connect(self.save_template)
        self.send_template_button = QPushButton("Send to everyone now…", mid)
        self.send_template_button.setObjectName("sendTemplate")
        self.send_template_button.setToolTip("Queue this (saved) template for every faculty member with classes "
                                             "in the version shown in the Timetables grid (the preview's), then send in "
                                             "the background")
        self.send_template_button.clicked.connect(self.send_template_to_everyone)
        sb.addWidget(self.save_template_button)
        sb.addWidget(self.send_template_button)
        sb.addStretch(1)
        mv.addLayout(sb)
        self.template_status = QLabel(mid)
        self.template_status.setObjectName("templateStatus")
        self.template_status.setWordWrap(True)
        mv.addWidget(self.template_status)

        right = QWidget(split)
        rv = QVBoxLayout(right)
        pf = QHBoxLayout()
        pf.addWidget(QLabel("Preview for:", right))
        self.preview_faculty = QComboBox(right)
        self.preview_faculty.setObjectName("previewFaculty")
        self.preview_faculty.currentIndexChanged.connect(self.schedule_preview)
        pf.addWidget(self.preview_faculty, 1)
        rv.addLayout(pf)
        self.preview_subject = QLabel(right)
        self.preview_subject.setObjectName("previewSubject")
        self.preview_subject.setWordWrap(True)
        self.preview_subject.setTextFormat(Qt.TextFormat.PlainText)
        rv.addWidget(self.preview_subject)
        self.preview_tabs = QTabWidget(right)
        self.preview_html = QTextBrowser(right)
        self.preview_html.setObjectName("previewHtml")
        self.preview_html.setOpenLinks(False)
        self.preview_text = QPlainTextEdit(right)
        self.preview_text.setObjectName("previewText")
        self.preview_text.setReadOnly(True)
        self.preview_tabs.addTab(self.preview_html, "HTML")
        self.preview_tabs.addTab(self.preview_text, "Plain text")
        rv.addWidget(self.preview_tabs, 1)
        split.setSizes([180, 420, 380])

        self._last_editor: QWidget = self.body_text
        for w in (self.template_subject, self.body_text, self.body_html):
            w.installEventFilter(self)
        self.template_subject.textChanged.connect(self.schedule_preview)
        self.body_text.textChanged.connect(self.schedule_preview)
        self.body_html.textChanged.connect(self.schedule_preview)
        return page

    def _build_schedules(self) -> QWidget:
        page = QWidget(self)
        v = QVBoxLayout(page)
        intro = QLabel("Messages are written to the outbox first and sent in the background; "
                       "a schedule missed while the app was closed runs once at the next start.", page)
        intro.setWordWrap(True)
        v.addWidget(intro)
        self.schedule_table = QTableWidget(0, len(SCHEDULE_COLUMNS), page)
        self.schedule_table.setObjectName("scheduleTable")
        self.schedule_table.setHorizontalHeaderLabels(SCHEDULE_COLUMNS)
        self.schedule_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.schedule_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.schedule_table.verticalHeader().setVisible(False)
        self.schedule_table.horizontalHeader().setSectionResizeMode(len(SCHEDULE_COLUMNS) - 1,
                                                                    QHeaderView.ResizeMode.Stretch)
        v.addWidget(self.schedule_table, 1)

        add = QHBoxLayout()
        self.schedule_kind = QComboBox(page)
        self.schedule_kind.setObjectName("scheduleKind")
        self.schedule_kind.addItem("Weekly", "weekly")
        self.schedule_kind.addItem("Daily digest (tomorrow's classes)", "daily")
        self.schedule_kind.addItem("When a version is published", "publish")
        self.schedule_kind.currentIndexChanged.connect(self._kind_changed)
        self.schedule_day = QComboBox(page)
        self.schedule_day.setObjectName("scheduleDay")
        for abbr, name in DAYS:
            self.schedule_day.addItem(name, abbr)
        self.schedule_time = QTimeEdit(QTime(7, 0), page)
        self.schedule_time.setObjectName("scheduleTime")
        self.schedule_time.setDisplayFormat("HH:mm")
        self.schedule_template = QComboBox(page)
        self.schedule_template.setObjectName("scheduleTemplate")
        self.add_schedule_button = QPushButton("&Add", page)
        self.add_schedule_button.setObjectName("addSchedule")
        self.add_schedule_button.clicked.connect(self.add_schedule)
        self.remove_schedule_button = QPushButton("Remove selected", page)
        self.remove_schedule_button.setObjectName("removeSchedule")
        self.remove_schedule_button.clicked.connect(self.remove_selected_schedule)
        for w in (self.schedule_kind, self.schedule_day, self.schedule_time, QLabel("template:", page),
                  self.schedule_template, self.add_schedule_button):
            add.addWidget(w)
        add.addStretch(1)
        add.addWidget(self.remove_schedule_button)
        v.addLayout(add)
        self.schedule_status = QLabel(page)
        self.schedule_status.setObjectName("scheduleStatus")
        self.schedule_status.setWordWrap(True)
        v.addWidget(self.schedule_status)
        return page

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
        self.setEnabled(db is not None)
        if db is None:
            self.scheduler, self._owns_scheduler = None, False
            self.outbox_table.setRowCount(0)
            self.template_list.clear()
            self.schedule_table.setRowCount(0)
            return
        for w in (self.send_button, self.retry_button, self.retry_all_button, self.delete_button,
                  self.save_template_button, self.send_template_button, self.new_template_button,
                  self.delete_template_button, self.add_schedule_button, self.remove_schedule_button):
            w.setVisible(not readonly)
        if readonly:  # a second window on a file another instance edits: look, don't touch
            self.scheduler, self._owns_scheduler = None, False
            self._say(self.schedule_status, "This file is open read-only: schedules and sending are handled by "
                                            "the window that edits it.")
        else:
            self.schedule_status.setText("")
            if same:
                pass  # keep the scheduler (and who owns it)
            elif scheduler is not None:
                self.scheduler, self._owns_scheduler = scheduler, False
            else:
                found = sch.active_scheduler(db.path)
                self.scheduler = found or sch.ensure_scheduler(db.path)
                self._owns_scheduler = found is None
        self.refresh()

    @property
    def busy(self) -> bool:
        """A delivery started from this view is running."""
        return self._busy

    def refresh(self) -> None:
        self.refresh_outbox()
        self.refresh_templates()
        self.refresh_schedules()

    def _tick(self) -> None:
        if self.db is not None and self.isVisible():
            self.refresh_outbox()
            if self.tabs.currentIndex() == 2:
                self.refresh_schedules()

    # =====================================================================================
    # outbox
    # =====================================================================================
    def refresh_outbox(self) -> None:
        if self.db is None:
            return
        selected = set(self.selected_message_ids())
        counts = notes.outbox_counts(self.db)
        self.outbox_counts.setText(", ".join(f"{n} {k}" for k, n in counts.items() if n) or "The outbox is empty.")
        rows = notes.list_outbox(self.db, status=self.status_filter.currentData())
        needle = self.outbox_search.text().strip().lower()
        if needle:
            rows = [r for r in rows if needle in " ".join(
                (r.recipient_name, r.recipient_email, r.faculty_code, r.subject, r.template, r.last_error,
                 r.status)).lower()]
        t = self.outbox_table
        t.setRowCount(len(rows))
        for i, r in enumerate(rows):
            when = _local(r.sent_at) if r.status == "sent" else (_local(r.next_attempt_at) if r.status == "queued"
                                                                  else "")
            cells = (_local(r.created_at), f"{r.recipient_name} <{r.recipient_email}>", r.faculty_code, r.template,
                     r.subject, STATUS_TEXT.get(r.status, r.status), str(r.attempts), when,
                     r.last_error if r.status != "sent" else "")
            for c, text in enumerate(cells):
                it = _item(text, r.last_error if r.last_error and r.status != "sent" else "")
                if c == 0:
                    it.setData(Qt.ItemDataRole.UserRole, r.id)
                    it.setData(Qt.ItemDataRole.UserRole + 1, r.status)
                if c == 5:
                    it.setForeground(STATUS_COLORS.get(r.status, QColor("black")))
                t.setItem(i, c, it)
            if r.id in selected:
                t.selectRow(i)
        self._outbox_selection_changed()

    def selected_message_ids(self) -> list[int]:
        t = self.outbox_table
        rows = sorted({i.row() for i in t.selectedIndexes()})
        return [t.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows if t.item(r, 0) is not None]

    def _selected_uncertain_ids(self) -> list[int]:
        t = self.outbox_table
        rows = sorted({i.row() for i in t.selectedIndexes()})
        return [t.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows
                if t.item(r, 0) is not None and t.item(r, 0).data(Qt.ItemDataRole.UserRole + 1) == "uncertain"]

    def _outbox_selection_changed(self) -> None:
        has = bool(self.selected_message_ids())
        uncertain = bool(self._selected_uncertain_ids())
        self.send_again_button.setEnabled(uncertain and not self._busy)
        self.mark_sent_button.setEnabled(uncertain)
        self.retry_button.setEnabled(has and not self._busy)
        self.delete_button.setEnabled(has)
        self.send_button.setEnabled(not self._busy)
        self.retry_all_button.setEnabled(not self._busy)

    def _say(self, label: QLabel, text: str, error: bool = False) -> None:
        label.setText(text)
        label.setStyleSheet("color: #a61b1b" if error else "")
        self.status.emit(text)

    def send_waiting(self) -> None:
        """Send the due messages now, in a worker thread (the same path as the scheduler's jobs)."""
        if self.db is None or self._busy:
            return
        db, stop = self.db, jobs.stop_event(self.db.path)
        self._busy = True
        self._outbox_selection_changed()
        self._say(self.outbox_status, "Sending…")
        tasks.run(lambda: notes.deliver_due(db, should_stop=stop.is_set), self._send_done)

    def _send_done(self, report, error) -> None:
        self._busy = False
        if error is not None:
            self._say(self.outbox_status, f"Sending failed: {error}", True)
        else:
            self._say(self.outbox_status, report.summary(), bool(report.errors))
        self.refresh_outbox()

    def retry_selected(self) -> None:
        ids = self.selected_message_ids()
        if self.db is None or not ids:
            return
        notes.retry(self.db, ids)
        self.refresh_outbox()
        self.send_waiting()

    def retry_all(self) -> None:
        if self.db is None:
            return
        notes.retry(self.db)
        self.refresh_outbox()
        self.send_waiting()

    def send_again_selected(self) -> None:
        """The coordinator decided: send the selected "may have been sent" messages again (same Message-ID)."""
        ids = self._selected_uncertain_ids()
        if self.db is None or not ids:
            return
        n = notes.send_again(self.db, ids)
        self._say(self.outbox_status, f"Sending {n} message(s) again.")
        self.refresh_outbox()
        self.send_waiting()

    def mark_sent_selected(self) -> None:
        """The coordinator decided: the selected "may have been sent" messages did arrive."""
        ids = self._selected_uncertain_ids()
        if self.db is None or not ids:
            return
        n = notes.mark_sent(self.db, ids)
        self._say(self.outbox_status, f"Marked {n} message(s) as sent.")
        self.refresh_outbox()

    def delete_selected(self) -> None:
        ids = self.selected_message_ids()
        if self.db is None or not ids:
            return
        n = notes.delete_messages(self.db, ids)
        self._say(self.outbox_status, f"Deleted {n} message(s)." + (
            "" if n == len(ids) else " Messages being sent right now were kept."))
        self.refresh_outbox()

    # =====================================================================================
    # templates
    # =====================================================================================
    def refresh_templates(self) -> None:
        if self.db is None:
            return
        current = self.template_list.currentItem().text() if self.template_list.currentItem() else None
        templates = notes.list_templates(self.db)
        self._loading = True
        try:
            self.template_list.clear()
            for t in templates:
                self.template_list.addItem(t.name)
            keep = self.preview_faculty.currentData()
            self.preview_faculty.clear()
            for r in notes.recipients(self.db):
                self.preview_faculty.addItem(f"{r.name} ({r.code})", r.code)
            idx = self.preview_faculty.findData(keep)
            self.preview_faculty.setCurrentIndex(max(idx, 0))
            self.schedule_template.clear()
            for t in templates:
                self.schedule_template.addItem(t.name)
        finally:
            self._loading = False
        self._kind_changed()
        names = [t.name for t in templates]
        if names:
            self.select_template(current if current in names else names[0])

    def select_template(self, name: str) -> None:
        items = self.template_list.findItems(name, Qt.MatchFlag.MatchExactly)
        if items:
            self.template_list.setCurrentItem(items[0])
            self._template_chosen(name)

    def _template_chosen(self, name: str) -> None:
        if self._loading or not name or self.db is None:
            return
        try:
            t = notes.get_template(self.db, name)
        except ServiceError as exc:
            self._say(self.template_status, str(exc), True)
            return
        self.template_name.setText(t.name)
        self.template_subject.setText(t.subject)
        self.body_text.setPlainText(t.body_text)
        self.body_html.setPlainText(t.body_html)
        self.attach_pdf.setChecked(t.attach_pdf)
        self.template_status.setText("")
        self.schedule_preview()

    def new_template(self) -> None:
        self.template_list.clearSelection()
        self.template_name.setText("new_template")
        self.template_subject.setText("Your timetable: $version")
        self.body_text.setPlainText("Dear $faculty_name,\n\n$classes\n")
        self.body_html.setPlainText("")
        self.attach_pdf.setChecked(True)
        self.template_name.setFocus()
        self.template_name.selectAll()

    def save_template(self) -> bool:
        if self.db is None:
            return False
        try:
            t = notes.save_template(self.db, self.template_name.text(), subject=self.template_subject.text(),
                                    body_text=self.body_text.toPlainText(), body_html=self.body_html.toPlainText(),
                                    attach_pdf=self.attach_pdf.isChecked())
        except ServiceError as exc:
            self._say(self.template_status, str(exc), True)
            return False
        self._say(self.template_status, f"Template '{t.name}' saved.")
        self.refresh_templates()
        self.select_template(t.name)
        return True

    def delete_template(self) -> None:
        item = self.template_list.currentItem()
        if self.db is None or item is None:
            return
        name = item.text()
        if name == notes.get_on_publish(self.db):
            self._say(self.template_status, f"'{name}' is sent when a version is published; choose another "
                                            "template for that (Schedules) before deleting it.", True)
            return
        try:
            notes.delete_template(self.db, name)
        except ServiceError as exc:
            self._say(self.template_status, str(exc), True)
            return
        self._say(self.template_status, f"Template '{name}' deleted.")
        self.refresh_templates()

    def send_template_to_everyone(self) -> None:
        item = self.template_list.currentItem()
        if self.db is None or item is None:
            return
        try:
            q = notes.queue_template(self.db, item.text(), timetable=self.current_version_id())
        except ServiceError as exc:
            self._say(self.template_status, str(exc), True)
            return
        extra = f" No address for {', '.join(q.no_email)}." if q.no_email else ""
        self._say(self.template_status, f"{q.queued} message(s) queued; sending in the background (see Outbox).{extra}")
        self.refresh_outbox()
        self.send_waiting()

    def eventFilter(self, obj, event) -> bool:  # remember which editor a variable goes into
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.FocusIn:
            self._last_editor = obj
        return super().eventFilter(obj, event)

    def insert_variable(self, name: str) -> None:
        text = f"${name}"
        ed = self._last_editor
        if isinstance(ed, QLineEdit):
            ed.insert(text)
        else:
            cursor = ed.textCursor()
            cursor.insertText(text)
            ed.setTextCursor(cursor)
            ed.moveCursor(QTextCursor.MoveOperation.NoMove)
        ed.setFocus()

    # ---- the window's current version (what the grid shows) -----------------------------------
    def set_current_version(self, holder) -> None:
        """Render previews (and "send to everyone") for ``holder``'s version (``ui.current_version``)."""
        self._current = holder
        holder.changed.connect(lambda *_: self.schedule_preview())
        self.schedule_preview()

    def current_version_id(self) -> int | None:
        """The window's current version; None = the latest published one (else the latest)."""
        holder = getattr(self, "_current", None)
        return holder.id() if holder is not None else None

    # ---- live preview (rendered in a worker; only the newest result is shown) -----------------
    def schedule_preview(self) -> None:
        if not self._loading:
            self._preview_timer.start()

    def update_preview(self) -> None:
        if self.db is None:
            return
        if self._preview_pending:  # one at a time; run again when it reports
            self._preview_timer.start()
            return
        self._preview_seq += 1
        seq, db = self._preview_seq, self.db
        subject, text, html = (self.template_subject.text(), self.body_text.toPlainText(),
                               self.body_html.toPlainText())
        code = self.preview_faculty.currentData()
        self._preview_pending = True
        version = self.current_version_id()
        tasks.run(lambda: (seq, notes.preview(db, subject=subject, body_text=text, body_html=html,
                                              faculty_code=code, timetable=version)), self._preview_done)

    @property
    def preview_pending(self) -> bool:
        return self._preview_pending or self._preview_timer.isActive()

    def _preview_done(self, result, error) -> None:
        self._preview_pending = False
        if error is not None:
            self.preview_subject.setText(f"Preview failed: {error}")
            return
        seq, rendered = result
        if seq != self._preview_seq:
            return
        self.preview_subject.setText(f"Subject: {rendered.subject}")
        self.preview_html.setHtml(rendered.html)
        self.preview_text.setPlainText(rendered.text)

    # =====================================================================================
    # schedules
    # =====================================================================================
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
                notes.set_on_publish(self.db, template)
                text = f"Publishing a version now sends '{template}' to each faculty member whose classes changed."
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

    def remove_selected_schedule(self) -> None:
        rows = {i.row() for i in self.schedule_table.selectedIndexes()}
        if self.db is None or len(rows) != 1:
            self._say(self.schedule_status, "Select one schedule to remove.", True)
            return
        job_id = self.schedule_table.item(rows.pop(), 0).data(Qt.ItemDataRole.UserRole)
        self.remove_schedule(job_id)

    def remove_schedule(self, job_id: str) -> None:
        if job_id == ON_PUBLISH_ROW:
            notes.set_on_publish(self.db, None)
            self._say(self.schedule_status, "Publishing a version no longer sends e-mail.")
        elif self.scheduler is not None and self.scheduler.remove(job_id):
            self._say(self.schedule_status, "Schedule removed.")
        self.refresh_schedules()

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
