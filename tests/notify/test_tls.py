"""STARTTLS and implicit SSL against real aiosmtpd servers with a test CA's certificates.

What a coordinator's port-587 or port-465 server does: the password travels only inside TLS,
an untrusted certificate is a clear error and the message waits, a trusted-certificate file
(the institution's own CA) makes it work without turning any check off.
"""

from __future__ import annotations

import shutil
import ssl

import pytest

from ato_desktop.notify.smtp import MailError
from ato_desktop.services import mail_settings
from ato_desktop.services import mail_templates
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from ato_desktop.services.errors import ValidationError
from tests.notify.conftest import SmtpServer
from tests.notify.test_cli_notify import run

USER, PASSWORD = "coordinator", "pa55-w0rd"
SENDER = "timetable@demo-institute.edu.in"


def settings(db, server, security, ca_file="", host="127.0.0.1", password=PASSWORD):
    mail_settings.save_mail_settings(db, host=host, port=server.port, security=security, sender=SENDER,
                             sender_name="CSE Timetable Office", user=USER, password=password, ca_file=str(ca_file))


def _server(certs, mode, cert=None):
    ctx = (cert or certs.local).server_context()
    if mode == "starttls":
        return SmtpServer(auth={USER: PASSWORD}, tls_context=ctx, require_starttls=True)
    return SmtpServer(auth={USER: PASSWORD}, ssl_context=ctx)


@pytest.fixture
def tls_server(request, certs):
    server = _server(certs, request.param).start()
    server.mode = request.param
    yield server
    server.stop()


both_modes = pytest.mark.parametrize("tls_server", ["starttls", "ssl"], indirect=True)


@both_modes
def test_send_with_auth_over_tls_with_the_trusted_ca(db, tls_server, certs, memory_keyring):
    settings(db, tls_server, tls_server.mode, ca_file=certs.ca)
    mid = mail_settings.send_test_email(db, "me@example.edu.in")
    [got] = tls_server.received
    assert got.rcpt_tos == ["me@example.edu.in"] and got.message["Message-ID"].strip() == mid
    assert tls_server.auth_calls == [(USER, True)]  # the password was sent, and only inside TLS


def test_ssl_by_host_name_checks_the_name_in_the_certificate(db, certs, memory_keyring):
    import socket

    if "127.0.0.1" not in {a[4][0] for a in socket.getaddrinfo("localhost", None)}:
        pytest.skip("localhost does not resolve to 127.0.0.1 here")
    server = _server(certs, "ssl").start()
    try:
        settings(db, server, "ssl", ca_file=certs.ca, host="localhost")
        mail_settings.send_test_email(db, "me@example.edu.in")
        assert len(server.received) == 1 and server.auth_calls == [(USER, True)]
    finally:
        server.stop()


def _plain_template(db):
    mail_templates.save_template(db, "plain", subject="Classes of $faculty_name ($version)",
                        body_text="Dear $faculty_name,\n$classes\n", attach_pdf=False)


@both_modes
def test_untrusted_certificate_is_a_clear_error_and_the_message_waits(demo_db, tls_server, certs, memory_keyring):
    settings(demo_db, tls_server, tls_server.mode)  # no trusted-certificate file: the test CA is unknown
    with pytest.raises(MailError) as err:
        mail_settings.send_test_email(demo_db, "me@example.edu.in")
    text = str(err.value)
    assert "certificate of 127.0.0.1" in text and "not trusted" in text and "Mail settings" in text, text

    _plain_template(demo_db)
    notes.queue_template(demo_db, "plain", to=["SRA"])
    report = outbox.deliver_due(demo_db)
    assert report.sent == 0 and report.retrying == 1
    [row] = outbox.list_outbox(demo_db)
    assert row.status == "queued" and row.attempts == 1
    assert "127.0.0.1" in row.last_error and "certificate" in row.last_error
    assert tls_server.received == [] and tls_server.auth_calls == []  # the password never left

    # the coordinator sets the institution's CA: the waiting message goes, once
    mail_settings.save_mail_settings(demo_db, host="127.0.0.1", port=tls_server.port, security=tls_server.mode,
                             sender=SENDER, user=USER, ca_file=str(certs.ca))  # the stored password stays
    assert outbox.retry(demo_db) == 1
    assert outbox.deliver_due(demo_db).sent == 1
    assert [r.rcpt_tos for r in tls_server.received] == [["sra.cse@demo-institute.edu.in"]]
    assert tls_server.auth_calls == [(USER, True)]
    assert outbox.deliver_due(demo_db).sent == 0 and len(tls_server.received) == 1


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_certificate_for_another_name_is_refused_even_from_a_trusted_ca(db, certs, memory_keyring, mode):
    server = _server(certs, mode, cert=certs.other_name).start()
    try:
        settings(db, server, mode, ca_file=certs.ca)
        with pytest.raises(MailError, match=r"certificate of 127\.0\.0\.1 is not valid for that name"):
            mail_settings.send_test_email(db, "me@example.edu.in")
        assert server.received == [] and server.auth_calls == []
    finally:
        server.stop()


def test_starttls_not_offered_never_falls_back_to_plain_text(db, memory_keyring):
    server = SmtpServer(auth={USER: PASSWORD}).start()  # plain server; it would even accept AUTH in clear
    try:
        settings(db, server, "starttls")
        with pytest.raises(MailError) as err:
            mail_settings.send_test_email(db, "me@example.edu.in")
        text = str(err.value)
        assert f"127.0.0.1:{server.port} does not offer STARTTLS" in text and "no password" in text, text
        assert server.auth_calls == [] and server.received == []
    finally:
        server.stop()


def test_plain_server_on_the_ssl_setting_fails_clearly(db, memory_keyring):
    server = SmtpServer(auth={USER: PASSWORD}).start()
    try:
        settings(db, server, "ssl")
        with pytest.raises(MailError, match=f"Secure connection to 127.0.0.1:{server.port} failed"):
            mail_settings.send_test_email(db, "me@example.edu.in")
        assert server.auth_calls == [] and server.received == []
    finally:
        server.stop()


def test_trusted_certificate_file_removed_after_saving(db, certs, tmp_path, memory_keyring):
    server = _server(certs, "starttls").start()
    try:
        ca = shutil.copy(certs.ca, tmp_path / "college-ca.pem")
        settings(db, server, "starttls", ca_file=ca)
        assert mail_settings.get_mail_settings(db).ca_file == str(ca)
        (tmp_path / "college-ca.pem").unlink()
        with pytest.raises(MailError, match="trusted certificate file .*college-ca.pem.* cannot be used"):
            mail_settings.send_test_email(db, "me@example.edu.in")
        assert server.received == [] and server.auth_calls == []
    finally:
        server.stop()


# ---------------------------------------------------------------------------
# Validation of the trusted-certificate file on save
# ---------------------------------------------------------------------------
def _bad_files(tmp_path, certs):
    der = tmp_path / "ca.der"
    der.write_bytes(ssl.PEM_cert_to_DER_cert(certs.ca.read_text()))
    text = tmp_path / "notes.txt"
    text.write_text("not a certificate\n")
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n")
    return {
        "missing": (tmp_path / "nope.pem", "does not exist"),
        "folder": (tmp_path, "is not a file"),
        "text": (text, "is not a PEM certificate file"),
        "der": (der, "is not a PEM certificate file"),
        "broken": (broken, "could not be read as a PEM certificate"),
        "private key": (certs.ca_key, "contains a private key"),
    }


@pytest.mark.parametrize("case", ["missing", "folder", "text", "der", "broken", "private key"])
def test_bad_trusted_certificate_file_is_refused_and_nothing_saved(db, certs, tmp_path, memory_keyring, case):
    path, message = _bad_files(tmp_path, certs)[case]
    with pytest.raises(ValidationError) as err:
        mail_settings.save_mail_settings(db, host="smtp.example.edu.in", port=587, security="starttls", sender=SENDER,
                                 user=USER, password=PASSWORD, ca_file=str(path))
    assert err.value.field == "trusted_certificate"
    assert "trusted certificate" in str(err.value) and str(path) in str(err.value) and message in str(err.value)
    assert mail_settings.get_mail_settings(db).host == "" and memory_keyring.store == {}


def test_trusted_certificate_is_stored_as_an_absolute_path_and_can_be_cleared(db, certs, monkeypatch):
    monkeypatch.chdir(certs.ca.parent)
    ms = mail_settings.save_mail_settings(db, host="smtp.example.edu.in", port=587, security="starttls", sender=SENDER,
                                  ca_file="ca.pem")
    assert ms.ca_file == str(certs.ca.resolve()) == mail_settings.get_mail_settings(db).ca_file
    mail_settings.save_mail_settings(db, host="smtp.example.edu.in", port=587, security="starttls", sender=SENDER)
    assert mail_settings.get_mail_settings(db).ca_file == ""


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------
def test_cli_configure_with_ca_file_then_test_over_starttls(demo_db_path, certs, tmp_path):
    keyfile = tmp_path / "keyring.json"
    server = _server(certs, "starttls").start()
    try:
        base = ("configure", "--db", demo_db_path, "--host", "127.0.0.1", "--port", server.port,
                "--security", "starttls", "--sender", SENDER, "--user", USER, "--password-stdin")
        bad = run(*base, "--ca-file", tmp_path / "nope.pem", keyfile=keyfile, stdin=PASSWORD + "\n")
        assert bad.returncode == 2 and "trusted certificate" in bad.stderr and "nope.pem" in bad.stderr, bad.stderr
        r = run(*base, "--ca-file", certs.ca, keyfile=keyfile, stdin=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
        assert str(certs.ca) in r.stdout and "host names are still checked" in r.stdout
        r = run("test", "--db", demo_db_path, "--to", "me@example.edu.in", keyfile=keyfile)
        assert r.returncode == 0, r.stderr
        assert len(server.received) == 1 and server.auth_calls == [(USER, True)]
    finally:
        server.stop()


def test_certificates_made_by_the_openssl_command_work_the_same(db, tmp_path, memory_keyring):
    """The fallback used where the 'cryptography' package is missing gives equally valid certificates."""
    from tests.notify.tls_certs import CertToolMissing, make_certs

    try:
        other = make_certs(tmp_path / "openssl", tool="openssl")
    except CertToolMissing as exc:
        pytest.skip(str(exc))
    server = _server(other, "starttls").start()
    try:
        settings(db, server, "starttls", ca_file=other.ca)
        mail_settings.send_test_email(db, "me@example.edu.in")
        assert len(server.received) == 1 and server.auth_calls == [(USER, True)]
    finally:
        server.stop()
