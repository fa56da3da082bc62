"""File ▸ Open campus database… (issue 19, docs/campus.md): a form for the server's host and port, the
database, the login and the TLS mode. The password is not asked for when the OS keychain or ~/.pgpass has
it; one typed here is used to connect and then kept in the OS keychain, never in the settings. A refusal
(a wrong password, no server there, no such database) is one sentence in the form, and nothing is opened.
The campuses opened are listed in File ▸ Open recent (their URLs, without a password)."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
)

SSL_MODES = ("prefer", "require", "verify-full", "verify-ca", "disable")


class OpenCampusDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("openCampusDialog")
        self.setWindowTitle("Open a campus database")
        self.window_ = window
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("A campus database on a PostgreSQL server (docs/campus.md). Your administrator "
                                "gives you these:"))
        form = QFormLayout()
        self.host = QLineEdit()
        self.host.setPlaceholderText("campus-db.example.edu")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit("campus")
        self.user = QLineEdit()
        self.user.setPlaceholderText("your login, e.g. ece_coord")
        self.sslmode = QComboBox()
        self.sslmode.addItems(list(SSL_MODES))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("leave empty: from the OS keychain or ~/.pgpass")
        for label, w in (("Server", self.host), ("Port", self.port), ("Database", self.database),
                         ("Login", self.user), ("TLS (sslmode)", self.sslmode), ("Password", self.password)):
            form.addRow(label, w)
        layout.addLayout(form)
        hint = QLabel("A password typed here is kept in the OS keychain, never in ATO Desktop's settings.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.error = QLabel("")
        self.error.setObjectName("openCampusError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.connect_)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def url(self) -> str:
        from ato_desktop.services.campus_login import campus_url

        return campus_url(host=self.host.text(), port=self.port.value(), database=self.database.text(),
                          user=self.user.text(), sslmode=self.sslmode.currentText())

    def connect_(self) -> bool:
        """Connect (in a task): the form closes when the campus is open, else it shows the one sentence."""
        from ato_desktop.services.errors import ServiceError
        from ato_desktop.ui import campus

        try:
            url = self.url()
        except ServiceError as exc:
            self.error.setText(str(exc))
            return False
        self.error.setText("Connecting…")
        self.buttons.setEnabled(False)

        def failed(sentence: str) -> None:
            if shiboken6.isValid(self):
                self.error.setText(sentence)
                self.buttons.setEnabled(True)

        def opened() -> None:
            if shiboken6.isValid(self):
                self.accept()

        task = campus.open_campus(self.window_, url, password=self.password.text() or None,
                                  on_failed=failed, on_opened=opened)
        if task is None:  # the user kept the open database
            failed("")
        return task is not None


def open_campus_dialog(window) -> OpenCampusDialog:
    dlg = OpenCampusDialog(window)
    window.open_campus_dialog = dlg
    dlg.open()
    return dlg
