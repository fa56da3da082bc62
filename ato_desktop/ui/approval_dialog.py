"""The versions page's review steps (``services.approval``): a dialog asking who takes the step (the
approver's name is recorded; default the operating-system user) and a comment (needed to return a
version), and the version's history (each step with who, when and the comment)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

TITLES = {"submit": "Submit for review", "approve": "Approve", "return": "Return for changes",
          "archive": "Archive"}
EXPLAIN = {
    "submit": "The version is frozen while it is reviewed; the approver approves it or returns it with comments.",
    "approve": "Sign off the version: your name and the time are recorded, and the version stays frozen "
               "until it is published.",
    "return": "Say what should change: the version becomes editable again, and the comment is kept in its "
              "history.",
    "archive": "Retire the published version (it keeps what was published).",
}


class StepDialog(QDialog):
    def __init__(self, action: str, name: str, who: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.action = action
        self.setObjectName("approvalStepDialog")
        self.setWindowTitle(f"{TITLES[action]}: {name}")
        lay = QVBoxLayout(self)
        text = QLabel(EXPLAIN[action], self)
        text.setWordWrap(True)
        lay.addWidget(text)
        form = QFormLayout()
        self.who = QLineEdit(who, self)
        self.who.setObjectName("approvalWho")
        form.addRow("Signed by:" if action == "approve" else "By:", self.who)
        self.comment = QPlainTextEdit(self)
        self.comment.setObjectName("approvalComment")
        self.comment.setPlaceholderText("What should change (needed)" if action == "return" else "Optional")
        form.addRow("Comment:", self.comment)
        lay.addLayout(form)
        self.buttons = QDialogButtonBox(self)
        self.ok = self.buttons.addButton(TITLES[action], QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("approvalOk")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.comment.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(self.action != "return" or bool(self.comment.toPlainText().strip()))

    def values(self) -> tuple[str, str]:
        return self.who.text().strip(), self.comment.toPlainText().strip()


class HistoryDialog(QDialog):
    def __init__(self, name: str, status: str, entries, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("historyDialog")
        self.setWindowTitle(f"History of {name}")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"<b>{name}</b>: {status}", self))
        self.list = QListWidget(self)
        self.list.setObjectName("historyList")
        self.list.addItems([e.text for e in entries] or ["No review or publication step recorded yet."])
        lay.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(640, 320)

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]
