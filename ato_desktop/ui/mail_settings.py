"""Mail settings: SMTP host, port, security, user, sender; the password goes to the OS keychain only.

``MailSettingsDialog(db, parent)``. "Send test e-mail" tests what is typed (saved or not) in a
worker thread and shows the server's answer or a clear error. With no usable keyring backend
the dialog says so, the password field is disabled, and no password is stored anywhere.
"Trusted certificate" (optional): a PEM file of the institution's own certificate authority, trusted
besides the system's; it is checked when saved or tested.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.notify import secrets
from ato_desktop.notify.smtp import DEFAULT_PORTS, SECURITY_MODES
from ato_desktop.services import mail_settings
from ato_desktop.services.errors import ValidationError
from ato_desktop.ui import tasks

SECURITY_LABELS = {"none": "None (plain, port 25)", "starttls": "STARTTLS (port 587)", "ssl": "SSL/TLS (port 465)"}


class MailSettingsDialog(QDialog):
    def __init__(self, db, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Mail settings")
        self.setObjectName("mailSettingsDialog")
        ms = mail_settings.get_mail_settings(db)
        self.keyring_ok = secrets.backend_usable()
        layout = QVBoxLayout(self)

        form = QFormLayout()
        self.host = QLineEdit(ms.host, self)
        self.host.setObjectName("host")
        self.host.setPlaceholderText("smtp.example.edu.in")
        self.port = QSpinBox(self)
        self.port.setObjectName("port")
        self.port.setRange(1, 65535)
        self.port.setValue(ms.port)
        self.security = QComboBox(self)
        self.security.setObjectName("security")
        for mode in SECURITY_MODES:
            self.security.addItem(SECURITY_LABELS[mode], mode)
        self.security.setCurrentIndex(max(0, SECURITY_MODES.index(ms.security) if ms.security in SECURITY_MODES
                                          else 1))
        self._last_security = self.security.currentData()
        self.security.currentIndexChanged.connect(self._security_changed)
        self.user = QLineEdit(ms.user, self)
        self.user.setObjectName("user")
        self.user.setPlaceholderText("leave empty if the server needs no login")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.sender = QLineEdit(ms.sender, self)
        self.sender.setObjectName("sender")
        self.sender.setPlaceholderText("timetable@your-college.edu.in")
        self.sender_name = QLineEdit(ms.sender_name, self)
        self.sender_name.setObjectName("senderName")
        self.sender_name.setPlaceholderText("e.g. CSE Timetable Office")
        self.reply_to = QLineEdit(ms.reply_to, self)
        self.reply_to.setObjectName("replyTo")
        self.reply_to.setPlaceholderText("the coordinator's address, for replies (optional)")
        self.copy_mode = QComboBox(self)
        self.copy_mode.setObjectName("copyMode")
        for label, value in (("No copy", ""), ("Cc the coordinator", "cc"), ("Bcc the coordinator", "bcc")):
            self.copy_mode.addItem(label, value)
        self.copy_mode.setCurrentIndex(max(0, self.copy_mode.findData(ms.copy)))
        self.copy_mode.setToolTip("A copy of every message to the coordinator (the reply-to address, or the "
                                  "sender when it is empty)")
        self.ca_file = QLineEdit(ms.ca_file, self)
        self.ca_file.setObjectName("caFile")
        self.ca_file.setPlaceholderText("optional: your institution's CA (PEM file)")
        self.ca_file.setToolTip("Only if the mail server's certificate is issued by your institution's own "
                                "certificate authority: its certificate as a PEM file (.pem / .crt). It is "
                                "trusted besides the system's authorities; host names are still checked.")
        self.ca_browse = QPushButton("&Browse…", self)
        self.ca_browse.setObjectName("caBrowse")
        self.ca_browse.clicked.connect(self.browse_ca_file)
        ca_row = QHBoxLayout()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.ca_browse)
        form.addRow("SMTP &host:", self.host)
        form.addRow("&Port:", self.port)
        form.addRow("&Security:", self.security)
        form.addRow("&User:", self.user)
        form.addRow("Pass&word:", self.password)
        form.addRow("Sender &address:", self.sender)
        form.addRow("Sender &name:", self.sender_name)
        form.addRow("&Reply to:", self.reply_to)
        form.addRow("Cop&y to me:", self.copy_mode)
        ca_label = QLabel("Trusted &certificate:", self)
        ca_label.setBuddy(self.ca_file)  # a row holding a layout gets no buddy by itself
        form.addRow(ca_label, ca_row)
        layout.addLayout(form)

        self.keyring_label = QLabel(self)
        self.keyring_label.setObjectName("keyringStatus")
        self.keyring_label.setWordWrap(True)
        if self.keyring_ok:
            stored = mail_settings.has_password(db)
            self.password.setPlaceholderText("(stored in the system keychain)" if stored else "")
            self.keyring_label.setText(
                "The password is kept in the system keychain"
                f" ({secrets.backend_description()}), never in the database."
                + (" Leave it empty to keep the stored one." if stored else ""))
        else:
            self.password.setEnabled(False)
            self.password.setPlaceholderText("cannot be stored on this computer")
            self.keyring_label.setText(secrets.NO_BACKEND_MESSAGE)
            self.keyring_label.setStyleSheet("color: #a61b1b")
        layout.addWidget(self.keyring_label)

        test_row = QHBoxLayout()
        self.test_to = QLineEdit(ms.sender, self)
        self.test_to.setObjectName("testRecipient")
        self.test_to.setPlaceholderText("send the test to this address")
        self.test_button = QPushButton("Send &test e-mail", self)
        self.test_button.setObjectName("testButton")
        self.test_button.clicked.connect(self.send_test)
        test_row.addWidget(QLabel("Test to:", self))
        test_row.addWidget(self.test_to, 1)
        test_row.addWidget(self.test_button)
        layout.addLayout(test_row)

        self.status = QLabel(self)
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if getattr(db, "readonly", False):
            self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
            self._show("This file is open read-only (another window edits it): the settings cannot be "
                       "changed here, but you can send a test e-mail.", True)
        self.resize(520, 0)
        self._testing = False

    # ---- helpers --------------------------------------------------------------
    def _security_changed(self) -> None:
        new = self.security.currentData()
        if self.port.value() == DEFAULT_PORTS.get(self._last_security):  # the user kept the default: follow
            self.port.setValue(DEFAULT_PORTS[new])
        self._last_security = new

    def _fields(self) -> dict:
        return dict(host=self.host.text(), port=self.port.value(), security=self.security.currentData(),
                    sender=self.sender.text(), user=self.user.text(), sender_name=self.sender_name.text(),
                    ca_file=self.ca_file.text(), reply_to=self.reply_to.text(),
                    copy=self.copy_mode.currentData() or "")

    def _typed_password(self) -> str | None:
        return self.password.text() if (self.keyring_ok and self.password.text()) else None

    def _show(self, text: str, error: bool) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #a61b1b" if error else "color: #1b6e2a")

    def _focus_field(self, name: str) -> None:
        widget = {"host": self.host, "port": self.port, "security": self.security, "sender": self.sender,
                  "user": self.user, "trusted_certificate": self.ca_file, "reply_to": self.reply_to,
                  "copy": self.copy_mode}.get(name)
        if widget is not None:
            widget.setFocus()

    # ---- actions ----------------------------------------------------------------
    def browse_ca_file(self) -> None:
        start = self.ca_file.text().strip()
        path, _ = QFileDialog.getOpenFileName(self, "Trusted certificate (PEM)", start,
                                              "Certificates (*.pem *.crt *.cer);;All files (*)")
        if path:
            self.ca_file.setText(path)
            self.ca_file.setFocus()

    def save(self) -> bool:
        """Store the settings (an operation on the window's writer); the dialog closes once they are saved."""
        from ato_desktop.services import mail_edits
        from ato_desktop.ui.operations import writer_of

        fields, password = self._fields(), self._typed_password()

        def failed(exc: BaseException) -> None:
            self._show(str(exc), True)
            if isinstance(exc, ValidationError):
                self._focus_field(exc.field)

        return bool(writer_of(self.parent() or self).run(
            lambda db: mail_edits.change_mail_settings(db, **fields, password=password),
            on_done=lambda _change: self.accept(), on_error=failed, db=self.db))

    def send_test(self) -> None:
        if self._testing:
            return
        try:
            ms = mail_settings.validate_mail_settings(**self._fields())
        except ValidationError as exc:
            self._show(str(exc), True)
            self._focus_field(exc.field)
            return
        to = self.test_to.text().strip() or ms.sender
        password = self._typed_password()
        db = self.db
        self._testing = True
        self.test_button.setEnabled(False)
        self._show(f"Sending a test e-mail to {to} through {ms.where}…", False)
        tasks.run(lambda: mail_settings.send_test_email(db, to, password=password, settings=ms), self._test_done)

    def _test_done(self, result, error) -> None:
        self._testing = False
        self.test_button.setEnabled(True)
        if error is None:
            self._show(f"Test e-mail sent to {self.test_to.text().strip() or self.sender.text()}. "
                       "Check that inbox.", False)
        elif isinstance(error, mail_settings.MailError):
            self._show(f"Test e-mail not sent: {error}", True)
        else:
            self._show(f"Test e-mail not sent: {type(error).__name__}: {error}", True)

    @property
    def testing(self) -> bool:
        return self._testing
