"""A real SMTP server on 127.0.0.1 (aiosmtpd) and a non-system keyring backend."""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy

import keyring
import pytest

from tests.keyrings import MemoryKeyring, memory_keyring  # noqa: F401 (a fixture, and the backend other tests import from here)


@pytest.fixture
def no_keyring():
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Received:
    def __init__(self, mail_from, rcpt_tos, data: bytes):
        self.mail_from = mail_from
        self.rcpt_tos = list(rcpt_tos)
        self.data = data
        self.message = message_from_bytes(data, policy=policy.default)


class Handler:
    def __init__(self):
        self.received: list[Received] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(Received(envelope.mail_from, envelope.rcpt_tos, envelope.original_content
                                          or envelope.content))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1; ``start()``/``stop()`` can be called to simulate an outage.

    ``tls_context``: offer STARTTLS (``require_starttls``: refuse anything else first);
    ``ssl_context``: implicit TLS from the first byte (port-465 style). ``auth_calls`` records
    ``(login, over_tls)`` for every AUTH the server saw.
    """

    def __init__(self, port: int | None = None, auth: dict | None = None, *, tls_context=None,
                 require_starttls: bool = False, ssl_context=None):
        self.port = port or free_port()
        self.handler = Handler()
        self.controller = None
        self.auth = auth
        self.tls_context = tls_context
        self.require_starttls = require_starttls
        self.ssl_context = ssl_context
        self.auth_calls: list[tuple[str, bool]] = []

    def start(self) -> "SmtpServer":
        from aiosmtpd.controller import Controller

        kwargs = {}
        if self.auth is not None:
            creds = self.auth
            calls = self.auth_calls

            def authenticator(server, session, envelope, mechanism, auth_data):
                from aiosmtpd.smtp import AuthResult, LoginPassword

                login = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else ""
                calls.append((login, server.transport.get_extra_info("ssl_object") is not None))
                ok = isinstance(auth_data, LoginPassword) and creds.get(login) == auth_data.password.decode()
                return AuthResult(success=ok, handled=False)

            # Plain AUTH is allowed only for the plain-text tests on 127.0.0.1; with STARTTLS aiosmtpd
            # offers AUTH only after TLS. (aiosmtpd does not count implicit TLS as TLS for this check,
            # so the SSL server allows it too; the tests check ``auth_calls`` to see it was over TLS.)
            kwargs = dict(authenticator=authenticator, auth_require_tls=self.tls_context is not None)
        if self.tls_context is not None:
            kwargs.update(tls_context=self.tls_context, require_starttls=self.require_starttls)
        if self.ssl_context is not None:
            kwargs.update(ssl_context=self.ssl_context)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def down_server():
    """A port on 127.0.0.1 where nothing listens yet; ``.start()`` brings the server up."""
    server = SmtpServer()
    yield server
    server.stop()


def configure(db, server: SmtpServer, **kw) -> None:
    from ato_desktop.services import mail_settings

    mail_settings.save_mail_settings(db, host="127.0.0.1", port=server.port, security="none",
                             sender="timetable@demo-institute.edu.in", sender_name="CSE Timetable Office", **kw)


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    """A test CA and server certificates it signed (see tls_certs.py); skips if no tool can make them."""
    from tests.notify.tls_certs import CertToolMissing, make_certs

    try:
        return make_certs(tmp_path_factory.mktemp("certs"))
    except CertToolMissing as exc:
        pytest.skip(f"cannot make a test certificate: {exc}")


class DropAfterDataHandler(Handler):
    """Accepts a message (records it, as a server that queued it for delivery would) and then drops the
    connection before its reply: the client never learns it was accepted. Only the first ``drops``
    messages; later ones are answered normally."""

    def __init__(self, drops: int = 1):
        super().__init__()
        self.drops = drops

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        with self.lock:
            drop = self.drops > 0
            self.drops -= 1
        if drop:
            server.transport.abort()  # the reply below is never written
        return reply


@pytest.fixture
def dropping_server():
    server = SmtpServer()
    server.handler = DropAfterDataHandler()
    server.start()
    yield server
    server.stop()
