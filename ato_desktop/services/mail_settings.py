"""Mail settings: the SMTP server, sender and copy mode (settings table), the password (the OS
keychain, never the database), the trusted certificate file, and a test e-mail sent now."""

from __future__ import annotations

import datetime as dt
import re
import ssl
from pathlib import Path

from ato_desktop.notify import secrets
from ato_desktop.notify.message import InvalidAddress, build_message, check_address, new_message_id
from ato_desktop.notify.render import one_line
from ato_desktop.notify.smtp import DEFAULT_PORTS, SECURITY_MODES, MailError, MailSettings, SmtpTransport
from ato_desktop.services.calendar import all_settings
from ato_desktop.services.errors import ValidationError
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

_KEYS = {"host": "mail_host", "port": "mail_port", "security": "mail_security", "user": "mail_user",
         "sender": "mail_sender", "sender_name": "mail_sender_name", "ca_file": "mail_ca_file",
         "reply_to": "mail_reply_to", "copy": "mail_copy"}
COPY_MODES = ("", "cc", "bcc")  # a copy of each message to the coordinator: none, Cc or Bcc
MAX_CA_FILE_BYTES = 5 * 1024 * 1024  # a bundle of a few hundred certificates is well under 1 MB


def get_mail_settings(db: Database) -> MailSettings:
    values = all_settings(db)
    security = values.get(_KEYS["security"], "") or "starttls"
    try:
        port = int(values.get(_KEYS["port"], "") or DEFAULT_PORTS.get(security, 587))
    except ValueError:
        port = DEFAULT_PORTS.get(security, 587)
    return MailSettings(host=values.get(_KEYS["host"], ""), port=port, security=security,
                        user=values.get(_KEYS["user"], ""), sender=values.get(_KEYS["sender"], ""),
                        sender_name=values.get(_KEYS["sender_name"], ""), ca_file=values.get(_KEYS["ca_file"], ""),
                        reply_to=values.get(_KEYS["reply_to"], ""),
                        copy=values.get(_KEYS["copy"], "") if values.get(_KEYS["copy"], "") in COPY_MODES else "")


def check_ca_file(path: str | Path) -> str:
    """Check a "trusted certificate file": it exists, is PEM, holds a certificate that OpenSSL loads.

    Returns the absolute path to store. Raises :class:`ValueError` with a message for the user.
    """
    raw = str(path).strip()
    p = Path(raw).expanduser()
    try:
        p = p.resolve()
    except OSError:
        pass
    if not p.exists():
        raise ValueError(f"{p} does not exist.")
    if not p.is_file():
        raise ValueError(f"{p} is not a file.")
    try:
        size = p.stat().st_size
        if size > MAX_CA_FILE_BYTES:
            raise ValueError(f"{p} is {size // 1024} KB: too big for a certificate file.")
        data = p.read_bytes()
    except OSError as exc:
        raise ValueError(f"{p} cannot be read ({exc.strerror or exc}).") from None
    if b"PRIVATE KEY-----" in data:
        raise ValueError(f"{p} contains a private key; choose a file with the authority's certificate only "
                         "(a private key must never be shared).")
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise ValueError(f"{p} is not a PEM certificate file (no '-----BEGIN CERTIFICATE-----' line); "
                         "export the authority's certificate as PEM / Base-64 (.pem or .crt).")
    try:
        ssl.create_default_context().load_verify_locations(cafile=str(p))
    except (ssl.SSLError, ValueError) as exc:
        raise ValueError(f"{p} could not be read as a PEM certificate ({getattr(exc, 'reason', None) or exc}).") \
            from None
    return str(p)


def validate_mail_settings(host: str, port: int | str, security: str, sender: str, user: str = "",
                           sender_name: str = "", ca_file: str = "", reply_to: str = "",
                           copy: str = "") -> MailSettings:
    def bad(fieldname: str, msg: str) -> ValidationError:
        return ValidationError("Mail settings", fieldname, msg)

    host = (host or "").strip()
    if not host:
        raise bad("host", "is required (the SMTP server, e.g. smtp.example.edu.in).")
    if not re.fullmatch(r"[A-Za-z0-9.\-:\[\]]+", host):
        raise bad("host", f"{host!r} is not a host name or IP address.")
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise bad("port", f"{port!r} is not a number.") from None
    if not 1 <= port <= 65535:
        raise bad("port", f"{port} is not between 1 and 65535.")
    security = (security or "").strip().lower()
    if security not in SECURITY_MODES:
        raise bad("security", f"{security!r} is not one of {', '.join(SECURITY_MODES)}.")
    try:
        sender = check_address(sender, "sender address")
    except InvalidAddress as exc:
        raise bad("sender", str(exc)) from None
    user = (user or "").strip()
    if any(c in user for c in "\r\n"):
        raise bad("user", "must be on one line.")
    ca_file = (ca_file or "").strip()
    if ca_file:
        if any(c in ca_file for c in "\r\n"):
            raise bad("trusted_certificate", "must be on one line.")
        try:
            ca_file = check_ca_file(ca_file)
        except ValueError as exc:
            raise bad("trusted_certificate", str(exc)) from None
    reply_to = (reply_to or "").strip()
    if reply_to:
        try:
            reply_to = check_address(reply_to, "reply-to address")
        except InvalidAddress as exc:
            raise bad("reply_to", str(exc)) from None
    copy = (copy or "").strip().lower()
    if copy not in COPY_MODES:
        raise bad("copy", f"{copy!r} is not one of: none, cc, bcc.")
    return MailSettings(host, port, security, user, sender, one_line(sender_name or ""), ca_file, reply_to, copy)


def save_mail_settings(db: Database, *, host: str, port: int | str, security: str, sender: str,
                       user: str = "", sender_name: str = "", password: str | None = None,
                       ca_file: str = "", reply_to: str = "", copy: str = "") -> MailSettings:
    """Validate and store the settings; ``password`` (if given) goes to the keychain only.

    ``ca_file``: optional PEM file of an extra certificate authority to trust (an institution's own
    CA); its path is stored as a setting (it is not a secret), "" clears it.

    Raises :class:`ValidationError` or :class:`secrets.SecretStoreUnavailable`; then nothing changed.
    """
    ms = validate_mail_settings(host, port, security, sender, user, sender_name, ca_file, reply_to, copy)
    if password is not None:
        if not ms.user:
            raise ValidationError("Mail settings", "user", "is required to store a password.")
        secrets.set_password(ms.user, ms.host, password)  # may raise SecretStoreUnavailable: nothing saved yet
    with db.session() as s:
        for attr, key in _KEYS.items():
            value = str(getattr(ms, attr))
            row = s.get(m.Setting, key)
            if row is None:
                s.add(m.Setting(key=key, value=value))
            else:
                row.value = value
    return ms


def has_password(db: Database) -> bool:
    ms = get_mail_settings(db)
    return bool(ms.user) and secrets.get_password(ms.user, ms.host) is not None


def _password_for(ms: MailSettings, password: str | None) -> str | None:
    if password is not None:
        return password
    return secrets.get_password(ms.user, ms.host) if ms.user else None


def send_test_email(db: Database, to: str, *, password: str | None = None,
                    settings: MailSettings | None = None) -> str:
    """Send a short test message now (not through the outbox). Raises :class:`MailError`.

    ``settings``/``password`` let the dialog test what is typed before saving it.
    """
    ms = settings or get_mail_settings(db)
    try:
        to = check_address(to, "test recipient address")
    except InvalidAddress as exc:
        raise MailError(str(exc), permanent=True) from None
    mid = new_message_id(ms.sender, "test")
    try:
        msg = build_message(sender=ms.sender, sender_name=ms.sender_name or "ATO Desktop", to_name="", to_addr=to,
                            subject="ATO Desktop test e-mail",
                            text=f"This is a test message from ATO Desktop, sent through {ms.where} "
                                 f"({ms.security}).\nIf you can read it, the mail settings work.\n",
                            html=None, message_id=mid, date=dt.datetime.now(dt.timezone.utc),
                            reply_to=ms.reply_to or None)
    except (InvalidAddress, ValueError) as exc:
        raise MailError(str(exc), permanent=True) from None
    with SmtpTransport(ms, _password_for(ms, password)) as t:
        t.send(msg, ms.sender, [to])
    return mid


__all__ = ["MailSettings", "MailError", "get_mail_settings", "check_ca_file", "validate_mail_settings",
           "save_mail_settings", "has_password", "send_test_email"]
