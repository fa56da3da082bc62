"""The Notifications page's Outbox tab: every message with its status, and what the coordinator can do
with them (send waiting messages now, retry, send again or mark as sent what may have been sent, delete).
Sending runs in a worker thread."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.notify import jobs
from ato_desktop.services import mail_edits, outbox
from ato_desktop.ui import tasks

OUTBOX_COLUMNS = ("Created", "To", "Faculty", "Template", "Subject", "Status", "Attempts", "Next try / sent",
                  "Error")
STATUS_COLORS = {"failed": QColor("#a61b1b"), "queued": QColor("#8a5a00"), "sending": QColor("#1d4f91"),
                 "sent": QColor("#1b6e2a"), "uncertain": QColor("#a15c00")}
# What the outbox shows for a status: a message whose reply from the server was lost may have been sent.
STATUS_TEXT = {"uncertain": "may have been sent"}


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


class OutboxTab(QWidget):
    """The Outbox tab of :class:`~ato_desktop.ui.notifications_view.NotificationsView`."""

    status = Signal(str)  # what happened, for the main window's status bar

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = None
        self._busy = False
        v = QVBoxLayout(self)
        top = QHBoxLayout()
        self.outbox_counts = QLabel(self)
        self.outbox_counts.setObjectName("outboxCounts")
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItem("All", None)
        for st in ("queued", "sending", "sent", "failed", "uncertain"):
            self.status_filter.addItem(STATUS_TEXT.get(st, st).capitalize(), st)
        self.status_filter.currentIndexChanged.connect(self.refresh_outbox)
        self.outbox_search = QLineEdit(self)
        self.outbox_search.setObjectName("outboxSearch")
        self.outbox_search.setPlaceholderText("Filter by name, address, subject, error…")
        self.outbox_search.setClearButtonEnabled(True)
        self.outbox_search.textChanged.connect(self.refresh_outbox)
        top.addWidget(self.outbox_counts, 1)
        top.addWidget(QLabel("Show:", self))
        top.addWidget(self.status_filter)
        top.addWidget(self.outbox_search, 1)
        v.addLayout(top)

        self.outbox_table = QTableWidget(0, len(OUTBOX_COLUMNS), self)
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
        self.send_button = QPushButton("&Send waiting now", self)
        self.send_button.setObjectName("sendWaiting")
        self.send_button.setToolTip("Try every message that waits, now (in the background)")
        self.send_button.clicked.connect(self.send_waiting)
        self.retry_button = QPushButton("&Retry selected", self)
        self.retry_button.setObjectName("retrySelected")
        self.retry_button.setToolTip("Send the selected waiting or failed messages again, now")
        self.retry_button.clicked.connect(self.retry_selected)
        self.retry_all_button = QPushButton("Retry &all failed", self)
        self.retry_all_button.setObjectName("retryAll")
        self.retry_all_button.clicked.connect(self.retry_all)
        self.send_again_button = QPushButton("Send a&gain", self)
        self.send_again_button.setObjectName("sendAgain")
        self.send_again_button.setToolTip("Send the selected messages that may have been sent again (the "
                                          "recipient may get them twice)")
        self.send_again_button.clicked.connect(self.send_again_selected)
        self.mark_sent_button = QPushButton("&Mark as sent", self)
        self.mark_sent_button.setObjectName("markSent")
        self.mark_sent_button.setToolTip("The selected messages that may have been sent did arrive: never send "
                                         "them again")
        self.mark_sent_button.clicked.connect(self.mark_sent_selected)
        self.delete_button = QPushButton("&Delete selected", self)
        self.delete_button.setObjectName("deleteSelected")
        self.delete_button.setToolTip("Remove the selected messages (not one being sent right now)")
        self.delete_button.clicked.connect(self.delete_selected)
        self.outbox_status = QLabel(self)
        self.outbox_status.setObjectName("outboxStatus")
        self.outbox_status.setWordWrap(True)
        for b in (self.send_button, self.retry_button, self.retry_all_button, self.send_again_button,
                  self.mark_sent_button, self.delete_button):
            row.addWidget(b)
        row.addWidget(self.outbox_status, 1)
        v.addLayout(row)

    def set_readonly(self, readonly: bool) -> None:
        for w in (self.send_button, self.retry_button, self.retry_all_button, self.delete_button):
            w.setVisible(not readonly)

    def clear(self) -> None:
        self.outbox_table.setRowCount(0)

    @property
    def busy(self) -> bool:
        """A delivery started from this tab is running."""
        return self._busy

    def refresh_outbox(self) -> None:
        if self.db is None:
            return
        selected = set(self.selected_message_ids())
        counts = outbox.outbox_counts(self.db)
        self.outbox_counts.setText(", ".join(f"{n} {k}" for k, n in counts.items() if n) or "The outbox is empty.")
        rows = outbox.list_outbox(self.db, status=self.status_filter.currentData())
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
        tasks.run(lambda: outbox.deliver_due(db, should_stop=stop.is_set), self._send_done)

    def _send_done(self, report, error) -> None:
        self._busy = False
        if error is not None:
            self._say(self.outbox_status, f"Sending failed: {error}", True)
        else:
            self._say(self.outbox_status, report.summary(), bool(report.errors))
        self.refresh_outbox()

    def _write(self, operation, then) -> None:
        """Run one outbox operation (``services.mail_edits``) on the window's writer; ``then(n)`` when done."""
        from ato_desktop.ui.operations import writer_of

        def failed(exc: BaseException) -> None:
            self._say(self.outbox_status, str(exc), True)
            self.refresh_outbox()

        writer_of(self).run(operation, on_done=lambda change: then(change.result), on_error=failed, db=self.db)

    def retry_selected(self) -> None:
        ids = self.selected_message_ids()
        if self.db is None or not ids:
            return
        self._write(lambda db: mail_edits.retry_messages(db, ids=ids), lambda _n: self._refresh_and_send())

    def retry_all(self) -> None:
        if self.db is None:
            return
        self._write(lambda db: mail_edits.retry_messages(db), lambda _n: self._refresh_and_send())

    def _refresh_and_send(self) -> None:
        self.refresh_outbox()
        self.send_waiting()

    def send_again_selected(self) -> None:
        """The coordinator decided: send the selected "may have been sent" messages again (same Message-ID)."""
        ids = self._selected_uncertain_ids()
        if self.db is None or not ids:
            return

        def then(n: int) -> None:
            self._say(self.outbox_status, f"Sending {n} message(s) again.")
            self._refresh_and_send()

        self._write(lambda db: mail_edits.send_messages_again(db, ids=ids), then)

    def mark_sent_selected(self) -> None:
        """The coordinator decided: the selected "may have been sent" messages did arrive."""
        ids = self._selected_uncertain_ids()
        if self.db is None or not ids:
            return

        def then(n: int) -> None:
            self._say(self.outbox_status, f"Marked {n} message(s) as sent.")
            self.refresh_outbox()

        self._write(lambda db: mail_edits.mark_messages_sent(db, ids=ids), then)

    def delete_selected(self) -> None:
        ids = self.selected_message_ids()
        if self.db is None or not ids:
            return

        def then(n: int) -> None:
            self._say(self.outbox_status, f"Deleted {n} message(s)." + (
                "" if n == len(ids) else " Messages being sent right now were kept."))
            self.refresh_outbox()

        self._write(lambda db: mail_edits.delete_messages(db, ids=ids), then)
