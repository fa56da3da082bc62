"""SMTP settings and transport (plain, STARTTLS or SSL) with errors explained for the user."""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

SECURITY_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
CONNECT_TIMEOUT_S = 20


@dataclass(frozen=True)
class MailSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"
    user: str = ""
    sender: str = ""
    sender_name: str = ""
    ca_file: str = ""  # optional PEM file of an extra trusted certificate authority (an institution's own CA)
    reply_to: str = ""  # the coordinator's address: replies go there (Reply-To), "" = to the sender
    copy: str = ""  # "cc" / "bcc": a copy of every message to the coordinator; "" = none

    @property
    def coordinator(self) -> str:
        """The coordinator's address: Reply-To if set, else the sender."""
        return self.reply_to or self.sender

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


class MailError(Exception):
    """A message could not be sent. ``permanent``: retrying the same message will not help.
    ``uncertain``: the whole message had been handed to the server (the DATA terminator was sent) when
    the connection failed, before the server's reply: it may have been accepted and delivered."""

    def __init__(self, message: str, permanent: bool = False, uncertain: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.uncertain = uncertain


UNCERTAIN_ERROR = ("The connection to {where} was lost after the whole message had been handed to the server and "
                   "before it answered ({why}): the message may have been sent. It is not sent again on its own; "
                   "choose Send again or Mark as sent.")


def ssl_context(settings: MailSettings) -> ssl.SSLContext:
    """The context for STARTTLS / SSL: the system's trusted authorities plus ``settings.ca_file`` if set.

    Certificate and host-name checking stay on (``create_default_context``); the extra file only adds
    an authority to trust, it never turns verification off. Raises :class:`MailError` if the file
    cannot be used (moved, deleted, not PEM).
    """
    context = ssl.create_default_context()
    if settings.ca_file:
        try:
            context.load_verify_locations(cafile=settings.ca_file)
        except (OSError, ssl.SSLError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or exc
            raise MailError(f"The trusted certificate file {settings.ca_file} set in Mail settings cannot be "
                            f"used ({reason}). Choose the file again or clear the field.") from exc
    return context


def explain(exc: BaseException, settings: MailSettings) -> MailError:
    """Turn a network / SMTP exception into a :class:`MailError` with a clear message."""
    where = settings.where
    if isinstance(exc, MailError):
        return exc
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailError(f"{where} rejected the user name or password ({exc.smtp_code} "
                         f"{_text(exc.smtp_error)}). Check them in Mail settings.")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in exc.recipients.values()]
        detail = "; ".join(f"{a}: {c} {_text(m)}" for a, (c, m) in exc.recipients.items())
        return MailError(f"{where} refused the recipient ({detail}).", permanent=all(c >= 500 for c in codes))
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return MailError(f"{where} refused the sender address {exc.sender} ({exc.smtp_code} "
                         f"{_text(exc.smtp_error)}). Check the sender in Mail settings.")
    if isinstance(exc, smtplib.SMTPNotSupportedError) and "STARTTLS" in str(exc).upper():
        return MailError(f"{where} does not offer STARTTLS, so nothing was sent (and no password): ATO Desktop "
                         "never falls back to an unencrypted connection. Check the port (STARTTLS is usually "
                         "587) or choose SSL (usually port 465).")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return MailError(f"{where} does not support this: {exc}. Try another security setting.")
    if isinstance(exc, smtplib.SMTPResponseException):
        # 552: message too big for the server; retrying the same message cannot help.
        return MailError(f"{where} answered {exc.smtp_code} {_text(exc.smtp_error)}.",
                         permanent=exc.smtp_code == 552)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return MailError(f"{where} closed the connection unexpectedly ({exc or 'no reason given'}).")
    if isinstance(exc, ConnectionRefusedError):
        return MailError(f"Connection refused by {where}: is the mail server running and the port right?")
    if isinstance(exc, socket.gaierror):
        return MailError(f"Cannot find the mail server {settings.host!r} (offline, or a typo in the host name?).")
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return MailError(f"No answer from {where} within {CONNECT_TIMEOUT_S} s (offline or blocked?).")
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = _text(exc.verify_message or exc.reason or exc)
        if "hostname" in detail.lower() or "ip address mismatch" in detail.lower():
            return MailError(f"The certificate of {settings.host} is not valid for that name ({detail}): the host "
                             f"name in Mail settings must match the certificate of {where}.")
        return MailError(f"The certificate of {settings.host} ({where}) is not trusted ({detail}). If your "
                         "institution uses its own certificate authority, set its certificate file (PEM) "
                         "as the trusted certificate in Mail settings.")
    if isinstance(exc, ssl.SSLError):
        return MailError(f"Secure connection to {where} failed ({exc.reason or exc}). "
                         "Check the security setting (STARTTLS usually on port 587, SSL on 465).")
    if isinstance(exc, OSError):
        return MailError(f"Network error talking to {where}: {exc.strerror or exc}.")
    return MailError(f"Sending through {where} failed: {type(exc).__name__}: {exc}")


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())


class SmtpTransport:
    """One SMTP connection, opened lazily and reused for a batch of messages."""

    def __init__(self, settings: MailSettings, password: str | None, timeout: float = CONNECT_TIMEOUT_S):
        if settings.security not in SECURITY_MODES:
            raise MailError(f"Unknown security mode {settings.security!r}; use one of {', '.join(SECURITY_MODES)}.")
        self.settings = settings
        self.password = password
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        if self._smtp is not None:
            return
        s = self.settings
        if not s.configured:
            raise MailError("Mail is not configured: set the SMTP host and sender in Mail settings.")
        context = ssl_context(s) if s.security != "none" else None
        try:
            if s.security == "ssl":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            try:
                smtp.ehlo()
                if s.security == "starttls":
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if s.user:
                    if not self.password:
                        raise MailError(f"No password is stored for {s.user} on {s.host}; "
                                        "enter it in Mail settings.")
                    smtp.login(s.user, self.password)
            except BaseException:
                smtp.close()
                raise
        except Exception as exc:
            raise explain(exc, s) from exc
        self._smtp = smtp

    def send(self, msg: EmailMessage, sender: str, recipients: list[str]) -> None:
        """Send one message. A connection lost after the end of the message data went out (the reply
        never came: disconnection, time-out, reset) raises a :class:`MailError` with ``uncertain`` set:
        the server may have accepted it, so re-sending could deliver it twice."""
        self.open()
        smtp = self._smtp
        data_sent = [False]
        plain_send = smtp.send

        def send_tracking_end_of_data(s):
            plain_send(s)
            # smtplib.SMTP.data() writes the message and its terminator CRLF.CRLF in one send()
            if isinstance(s, (bytes, bytearray)) and bytes(s[-5:]) == b"\r\n.\r\n":
                data_sent[0] = True

        smtp.send = send_tracking_end_of_data
        try:
            refused = smtp.send_message(msg, from_addr=sender, to_addrs=recipients)
        except Exception as exc:
            lost = isinstance(exc, (smtplib.SMTPServerDisconnected, OSError))
            if lost:
                self._drop()
            if lost and data_sent[0]:
                raise MailError(UNCERTAIN_ERROR.format(where=self.settings.where, why=_text(exc) or
                                                       type(exc).__name__), uncertain=True) from exc
            raise explain(exc, self.settings) from exc
        finally:
            if self._smtp is smtp:
                del smtp.send  # back to the class's method
        if refused:
            raise MailError(f"{self.settings.where} refused: {refused}", permanent=True)

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except Exception:
                pass
            self._drop()

    def __enter__(self) -> "SmtpTransport":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
