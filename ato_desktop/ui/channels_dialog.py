"""Webhook channels (Microsoft Teams, Slack, generic JSON) and the events each receives.

The address typed here goes to the system keychain (``services.channels``); it is never shown again
nor written to the database.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ato_desktop.services import channels
from ato_desktop.ui.forms import error_label

KIND_LABELS = {"teams": "Microsoft Teams", "slack": "Slack", "json": "JSON webhook (SMS / WhatsApp gateway)"}
EVENT_LABELS = {"substitution": "Substitutions", "publish": "Publication", "slot_change": "Changed classes",
                "daily_digest": "Daily digest"}


class ChannelsDialog(QDialog):
    def __init__(self, db, parent=None):
        super().__init__(parent)
        self.setObjectName("channelsDialog")
        self.setWindowTitle("Notice channels")
        self.db = db
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Notices are also posted to these webhooks, through the outbox (retried, never "
                             "sent twice). Addresses are kept in the system keychain.", self))
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("channelsTable")
        self.table.setHorizontalHeaderLabels(["Name", "Kind", "Events"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.itemChanged.connect(self._check_changed)
        lay.addWidget(self.table, 1)
        form = QFormLayout()
        self.name_edit = QLineEdit(self)
        self.kind_box = QComboBox(self)
        for kind in channels.KINDS:
            self.kind_box.addItem(KIND_LABELS[kind], kind)
        self.url_edit = QLineEdit(self)
        self.url_edit.setPlaceholderText("https://… (the incoming-webhook address)")
        self.event_checks: dict[str, QCheckBox] = {}
        events = QHBoxLayout()
        for e in channels.EVENTS:
            c = QCheckBox(EVENT_LABELS[e], self)
            c.setChecked(e == "substitution")
            events.addWidget(c)
            self.event_checks[e] = c
        form.addRow("Name", self.name_edit)
        form.addRow("Kind", self.kind_box)
        form.addRow("Address", self.url_edit)
        form.addRow("Events", events)
        lay.addLayout(form)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add channel", self)
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton("Remove selected", self)
        self.remove_button.clicked.connect(self.remove)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.error = error_label(self)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(640, 420)
        self.reload()

    def reload(self) -> None:
        self.table.blockSignals(True)
        try:
            self._reload()
        finally:
            self.table.blockSignals(False)

    def _check_changed(self, item: QTableWidgetItem) -> None:
        """The Name column's checkbox: the channel on (enabled) or off (disabled: it queues nothing)."""
        if item.column() != 0:
            return
        on = item.checkState() == Qt.CheckState.Checked
        self._run(lambda db: channels.switch_channel(db, name=item.text(), enabled=on), lambda _c: None)

    def _reload(self) -> None:
        self.table.setRowCount(0)
        for c in channels.list_channels(self.db):
            r = self.table.rowCount()
            self.table.insertRow(r)
            missing = "" if c.has_url else " (address missing from this computer's keychain)"
            for col, text in enumerate((c.name, KIND_LABELS[c.kind] + missing,
                                        ", ".join(EVENT_LABELS.get(e, e) for e in c.events))):
                it = QTableWidgetItem(text)
                if col == 0:  # on / off
                    it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    it.setCheckState(Qt.CheckState.Checked if c.enabled else Qt.CheckState.Unchecked)
                    it.setToolTip("Untick to disable the channel: it keeps its address but queues nothing.")
                self.table.setItem(r, col, it)

    def _fail(self, message: str) -> bool:
        self.error.setText(message)
        self.error.show()
        return False

    def add(self) -> bool:
        events = [e for e, c in self.event_checks.items() if c.isChecked()]
        name, kind, url = self.name_edit.text(), self.kind_box.currentData(), self.url_edit.text()

        def done(_change) -> None:
            self.name_edit.clear()
            self.url_edit.clear()

        return self._run(lambda db: channels.add_webhook(db, name=name, kind=kind, url=url, events=events), done)

    def remove(self) -> bool:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if not rows:
            return self._fail("Select the channel to remove.")
        name = self.table.item(min(rows), 0).text()
        return self._run(lambda db: channels.remove_webhook(db, name=name), lambda _c: None)

    def _run(self, operation, on_done) -> bool:
        """One operation on the window's writer; the list is read again when it is done."""
        from ato_desktop.ui.operations import operations_of

        def done(change) -> None:
            self.error.hide()
            on_done(change)
            self.reload()

        def failed(exc: BaseException) -> None:
            self._fail(str(exc))
            self.reload()

        return bool(operations_of(getattr(self.parent(), "undo_stack", None)).run(
            operation, on_done=done, on_error=failed, db=self.db))
