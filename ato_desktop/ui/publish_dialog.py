"""The confirmation before publishing: the version's name, its hard conflicts and unscheduled sessions
(checked now by the engine, in a worker), how many faculty members will be e-mailed and why.

A version with hard conflicts or unscheduled sessions can be published only after ticking "Publish
anyway"; that override is recorded with the version (``timetable.publish_override``).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class PublishDialog(QDialog):
    def __init__(self, check, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("publishDialog")
        self.setWindowTitle(f"Publish {check.name}?")
        self.check = check
        lay = QVBoxLayout(self)
        head = QLabel(self)
        head.setObjectName("publishHeadline")
        head.setWordWrap(True)
        state = ("<span style='color:#a61b1b'><b>Not ready:</b></span> " if check.blocked
                 else "<span style='color:#1b6e2a'><b>Ready:</b></span> ")
        head.setText(f"{state}publish the version <b>{_esc(check.name)}</b>?<br>"
                     f"Hard conflicts: <b>{check.conflicts}</b> · Unscheduled sessions: "
                     f"<b>{check.unscheduled}</b> of {check.sessions} · hard {check.hard}, soft {check.soft}")
        lay.addWidget(head)
        mail = QLabel(check.mail.sentence(), self)
        mail.setObjectName("publishMail")
        mail.setWordWrap(True)
        lay.addWidget(mail)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("publishDetails")
        self.details.setReadOnly(True)
        self.details.setPlainText("\n".join(check.summary_lines()))
        lay.addWidget(self.details, 1)
        note = QLabel("Once published, the version is frozen: its sessions and the names printed about them "
                      "stay as they are now. To change it later, copy it to a new draft.", self)
        note.setWordWrap(True)
        lay.addWidget(note)
        self.anyway = QCheckBox("Publish anyway (the override is recorded with the version)", self)
        self.anyway.setObjectName("publishAnyway")
        self.anyway.setVisible(check.blocked)
        self.anyway.toggled.connect(self._update)
        lay.addWidget(self.anyway)
        self.buttons = QDialogButtonBox(self)
        self.publish_button = self.buttons.addButton("&Publish", QDialogButtonBox.ButtonRole.AcceptRole)
        self.publish_button.setObjectName("publishButton")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.resize(560, 420)
        self._update()

    @property
    def force(self) -> bool:
        return self.check.blocked and self.anyway.isChecked()

    def _update(self, *_a) -> None:
        self.publish_button.setEnabled(not self.check.blocked or self.anyway.isChecked())
        self.publish_button.setText("&Publish anyway" if self.force else "&Publish")


def _esc(text: str) -> str:
    import html

    return html.escape(text)
