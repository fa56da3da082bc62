"""A real SMTP server on 127.0.0.1 (aiosmtpd) and a non-system keyring backend."""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy

import keyring
import pytest
from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring backend: the tests never touch the user's real keychain."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.store:
            raise PasswordDeleteError(username)
        del self.store[(service, username)]


@pytest.fixture
def memory_keyring():
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


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
    """aiosmtpd on 127.0.0.1; ``start()``/``stop()`` can be called to simulate an outage."""

    def __init__(self, port: int | None = None, auth: dict | None = None):
        self.port = port or free_port()
        self.handler = Handler()
        self.controller = None
        self.auth = auth

    def start(self) -> "SmtpServer":
        from aiosmtpd.controller import Controller

        kwargs = {}
        if self.auth is not None:
            creds = self.auth

            def authenticator(server, session, envelope, mechanism, auth_data):
                from aiosmtpd.smtp import AuthResult, LoginPassword

                ok = isinstance(auth_data, LoginPassword) and creds.get(
                    auth_data.login.decode()) == auth_data.password.decode()
                return AuthResult(success=ok, handled=False)

            kwargs = dict(authenticator=authenticator, auth_require_tls=False)  # plain AUTH on 127.0.0.1 only
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
    from ato_desktop.services import notifications as notes

    notes.save_mail_settings(db, host="127.0.0.1", port=server.port, security="none",
                             sender="timetable@demo-institute.edu.in", sender_name="CSE Timetable Office", **kw)
