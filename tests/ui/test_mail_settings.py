"""Mail settings dialog, offscreen, with a real SMTP server and a non-system keyring."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ato_desktop.services import mail_settings
from ato_desktop.ui.mail_settings import MailSettingsDialog
from tests.notify.conftest import (  # noqa: F401 (fixtures)
    SmtpServer,
    certs,
    down_server,
    memory_keyring,
    no_keyring,
    smtp_server,
)


def _fill(dlg, port, **kw):
    dlg.host.setText(kw.get("host", "127.0.0.1"))
    dlg.security.setCurrentIndex(dlg.security.findData(kw.get("security", "none")))
    dlg.port.setValue(port)
    dlg.sender.setText(kw.get("sender", "timetable@demo-institute.edu.in"))
    dlg.user.setText(kw.get("user", ""))
    dlg.password.setText(kw.get("password", ""))


def test_save_stores_settings_and_password_in_keyring_only(qtbot, db, memory_keyring):
    dlg = MailSettingsDialog(db)
    qtbot.addWidget(dlg)
    assert dlg.password.isEnabled() and "keychain" in dlg.keyring_label.text()
    _fill(dlg, 2525, user="coordinator", password="Secr3t!", security="starttls")
    with qtbot.waitSignal(dlg.accepted, timeout=15_000):
        qtbot.mouseClick(dlg.buttons.button(dlg.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    ms = mail_settings.get_mail_settings(db)
    assert (ms.host, ms.port, ms.security, ms.user) == ("127.0.0.1", 2525, "starttls", "coordinator")
    assert memory_keyring.store == {("ATO Desktop", "smtp:coordinator@127.0.0.1"): "Secr3t!"}
    # opened again: the password is not shown, only said to be stored
    again = MailSettingsDialog(db)
    qtbot.addWidget(again)
    assert again.password.text() == "" and "stored" in again.password.placeholderText()


def test_security_change_moves_a_default_port(qtbot, db, memory_keyring):
    dlg = MailSettingsDialog(db)
    qtbot.addWidget(dlg)
    dlg.security.setCurrentIndex(dlg.security.findData("starttls"))
    dlg.port.setValue(587)
    dlg.security.setCurrentIndex(dlg.security.findData("ssl"))
    assert dlg.port.value() == 465
    dlg.port.setValue(2465)  # a port the user chose stays
    dlg.security.setCurrentIndex(dlg.security.findData("none"))
    assert dlg.port.value() == 2465


def test_bad_input_is_shown_and_nothing_saved(qtbot, db, memory_keyring):
    dlg = MailSettingsDialog(db)
    qtbot.addWidget(dlg)
    _fill(dlg, 25, sender="not an address", user="u", password="pw")
    assert dlg.save() is False
    assert "sender address" in dlg.status.text() and "not an address" in dlg.status.text()
    assert dlg.result() != dlg.DialogCode.Accepted
    assert mail_settings.get_mail_settings(db).host == "" and memory_keyring.store == {}


def test_without_keyring_it_says_so_and_stores_no_password(qtbot, db, no_keyring):
    dlg = MailSettingsDialog(db)
    qtbot.addWidget(dlg)
    dlg.show()
    assert "No secure password store" in dlg.keyring_label.text() and dlg.keyring_label.isVisible()
    assert not dlg.password.isEnabled()
    _fill(dlg, 25, user="u")
    dlg.password.setText("typed anyway")  # programmatically: still never stored
    assert dlg.save() is True
    assert mail_settings.get_mail_settings(db).user == "u" and not mail_settings.has_password(db)
    for f in db.path.parent.glob(db.path.name + "*"):
        assert b"typed anyway" not in f.read_bytes()


def test_send_test_email_in_a_worker_reaches_the_server(qtbot, db, smtp_server, memory_keyring):
    dlg = MailSettingsDialog(db)
    qtbot.addWidget(dlg)
    _fill(dlg, smtp_server.port)
    dlg.test_to.setText("me@example.edu.in")
    qtbot.mouseClick(dlg.test_button, Qt.MouseButton.LeftButton)
    assert dlg.testing and not dlg.test_button.isEnabled()  # running, the UI is free
    qtbot.waitUntil(lambda: not dlg.testing, timeout=10000)
    assert "Test e-mail sent to me@example.edu.in" in dlg.status.text(), dlg.status.text()
    [got] = smtp_server.received
    assert got.rcpt_tos == ["me@example.edu.in"]
    assert mail_settings.get_mail_settings(db).host == ""  # testing does not save


def test_unreachable_server_gives_a_clear_error(qtbot, db, down_server, memory_keyring):
    dlg = MailSettingsDialog(db)
    qtbot.addWidget(dlg)
    _fill(dlg, down_server.port)
    dlg.send_test()
    qtbot.waitUntil(lambda: not dlg.testing, timeout=10000)
    text = dlg.status.text()
    assert text.startswith("Test e-mail not sent") and "Connection refused" in text
    assert f"127.0.0.1:{down_server.port}" in text and dlg.test_button.isEnabled()


def test_read_only_file_cannot_be_changed_here(qtbot, demo_db_path, memory_keyring):
    from ato_desktop.storage.database import open_readonly

    db = open_readonly(demo_db_path)
    try:
        dlg = MailSettingsDialog(db)
        qtbot.addWidget(dlg)
        assert not dlg.buttons.button(dlg.buttons.StandardButton.Save).isEnabled()
        assert "read-only" in dlg.status.text() and dlg.test_button.isEnabled()
    finally:
        db.close()


def test_browse_fills_the_trusted_certificate_and_save_stores_it(qtbot, db, certs, memory_keyring, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    asked = []

    def fake_open(parent, caption, start, filters):  # the native file dialog cannot be clicked offscreen
        asked.append((caption, filters))
        return str(certs.ca), filters.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_open))
    dlg = MailSettingsDialog(db)
    qtbot.addWidget(dlg)
    _fill(dlg, 587, security="starttls")
    qtbot.mouseClick(dlg.ca_browse, Qt.MouseButton.LeftButton)
    assert dlg.ca_file.text() == str(certs.ca) and "PEM" in asked[0][0] and "*.pem" in asked[0][1]
    assert dlg.save() is True
    assert mail_settings.get_mail_settings(db).ca_file == str(certs.ca.resolve())
    again = MailSettingsDialog(db)
    qtbot.addWidget(again)
    assert again.ca_file.text() == str(certs.ca.resolve())


def test_bad_trusted_certificate_is_shown_focused_and_nothing_saved(qtbot, db, certs, memory_keyring):
    dlg = MailSettingsDialog(db)
    qtbot.addWidget(dlg)
    dlg.show()
    _fill(dlg, 587, security="starttls")
    dlg.ca_file.setText(str(certs.ca_key))  # the CA's private key: refused
    assert dlg.save() is False
    assert "trusted certificate" in dlg.status.text() and "private key" in dlg.status.text()
    qtbot.waitUntil(dlg.ca_file.hasFocus, timeout=15_000)
    assert mail_settings.get_mail_settings(db).host == ""


def test_send_test_over_starttls_uses_the_typed_trusted_certificate(qtbot, db, certs, memory_keyring):
    server = SmtpServer(auth={"u": "pw"}, tls_context=certs.local.server_context(), require_starttls=True).start()
    try:
        dlg = MailSettingsDialog(db)
        qtbot.addWidget(dlg)
        _fill(dlg, server.port, security="starttls", user="u", password="pw")
        dlg.send_test()  # not trusted yet
        qtbot.waitUntil(lambda: not dlg.testing, timeout=10000)
        assert "certificate of 127.0.0.1" in dlg.status.text() and "not trusted" in dlg.status.text()
        assert server.auth_calls == []
        dlg.ca_file.setText(str(certs.ca))  # typed, not saved
        dlg.send_test()
        qtbot.waitUntil(lambda: not dlg.testing, timeout=10000)
        assert "Test e-mail sent" in dlg.status.text(), dlg.status.text()
        assert len(server.received) == 1 and server.auth_calls == [("u", True)]
        assert mail_settings.get_mail_settings(db).host == ""  # testing does not save
    finally:
        server.stop()


def test_reply_to_and_the_coordinators_copy_are_saved_and_checked(qtbot, db, memory_keyring):
    dlg = MailSettingsDialog(db)
    qtbot.addWidget(dlg)
    _fill(dlg, 2525)
    dlg.reply_to.setText("not an address")
    assert dlg.save() is False and "reply-to address" in dlg.status.text()
    assert mail_settings.get_mail_settings(db).host == ""
    dlg.reply_to.setText("coordinator@demo-institute.edu.in")
    dlg.copy_mode.setCurrentIndex(dlg.copy_mode.findData("bcc"))
    assert dlg.save() is True
    ms = mail_settings.get_mail_settings(db)
    assert (ms.reply_to, ms.copy) == ("coordinator@demo-institute.edu.in", "bcc")
    again = MailSettingsDialog(db)
    qtbot.addWidget(again)
    assert again.reply_to.text() == ms.reply_to and again.copy_mode.currentData() == "bcc"
