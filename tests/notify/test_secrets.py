"""The SMTP password goes through keyring only; with no usable backend it is refused clearly."""

import keyring
import pytest
from keyring.backends import chainer

from ato_desktop.notify import secrets
from ato_desktop.services import mail_settings
from ato_desktop.services.errors import ValidationError


def test_password_is_stored_in_keyring_under_the_app_service(db, memory_keyring):
    mail_settings.save_mail_settings(db, host="smtp.example.edu.in", port=587, security="starttls",
                             sender="tt@example.edu.in", user="coordinator", password="s3cret-Pa55")
    assert memory_keyring.store == {("ATO Desktop", "smtp:coordinator@smtp.example.edu.in"): "s3cret-Pa55"}
    assert keyring.get_password("ATO Desktop", "smtp:coordinator@smtp.example.edu.in") == "s3cret-Pa55"
    assert mail_settings.has_password(db)
    ms = mail_settings.get_mail_settings(db)
    assert (ms.host, ms.port, ms.security, ms.user, ms.sender) == (
        "smtp.example.edu.in", 587, "starttls", "coordinator", "tt@example.edu.in")
    db.close()
    for f in db.path.parent.glob(db.path.name + "*"):  # the database file, its WAL and SHM
        assert b"s3cret-Pa55" not in f.read_bytes()


def test_no_backend_refuses_the_password_and_changes_nothing(db, no_keyring):
    assert not secrets.backend_usable()
    with pytest.raises(secrets.SecretStoreUnavailable, match="No secure password store"):
        mail_settings.save_mail_settings(db, host="smtp.example.edu.in", port=587, security="starttls",
                                 sender="tt@example.edu.in", user="coordinator", password="pw")
    assert mail_settings.get_mail_settings(db).host == ""  # nothing saved
    # without a password the settings themselves can still be saved
    mail_settings.save_mail_settings(db, host="smtp.example.edu.in", port=25, security="none", sender="tt@example.edu.in")
    assert mail_settings.get_mail_settings(db).port == 25 and not mail_settings.has_password(db)


def test_empty_chainer_counts_as_no_backend(monkeypatch):
    before = keyring.get_keyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [], raising=False)
    keyring.set_keyring(chainer.ChainerBackend())
    try:
        assert not secrets.backend_usable()
        with pytest.raises(secrets.SecretStoreUnavailable):
            secrets.set_password("u", "h", "pw")
    finally:
        keyring.set_keyring(before)


@pytest.mark.parametrize("field,kw", [
    ("host", dict(host="")), ("port", dict(port=70000)), ("security", dict(security="tls1")),
    ("sender", dict(sender="not-an-address")), ("sender", dict(sender="a@b.in\r\nBcc: x@y.in")),
])
def test_bad_settings_are_refused_with_the_field(db, memory_keyring, field, kw):
    values = dict(host="smtp.example.edu.in", port=587, security="starttls", sender="tt@example.edu.in")
    values.update(kw)
    with pytest.raises(ValidationError) as exc:
        mail_settings.save_mail_settings(db, **values, user="u", password="pw")
    assert exc.value.field == field
    assert memory_keyring.store == {}  # the password is not stored either


def test_login_uses_the_keyring_password(db, memory_keyring):
    from tests.notify.conftest import SmtpServer

    server = SmtpServer(auth={"coordinator": "right-pw"}).start()
    try:
        mail_settings.save_mail_settings(db, host="127.0.0.1", port=server.port, security="none",
                                 sender="tt@example.edu.in", user="coordinator", password="wrong-pw")
        with pytest.raises(mail_settings.MailError, match="rejected the user name or password"):
            mail_settings.send_test_email(db, "me@example.edu.in")
        mail_settings.save_mail_settings(db, host="127.0.0.1", port=server.port, security="none",
                                 sender="tt@example.edu.in", user="coordinator", password="right-pw")
        mail_settings.send_test_email(db, "me@example.edu.in")
        [got] = server.received
        assert got.rcpt_tos == ["me@example.edu.in"] and got.message["Subject"] == "ATO Desktop test e-mail"
    finally:
        server.stop()
