"""Building one e-mail safely.

``email.message.EmailMessage`` with the default policy, and every header value
checked first: display names and subjects have CR/LF collapsed to spaces
(they are free text); addresses containing CR/LF or anything else unusual are
rejected. A name like ``"Eve\\r\\nBcc: x@y"`` therefore cannot add a header.
"""

from __future__ import annotations

import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from ato_desktop.notify.render import one_line

# Deliberately strict: what a coordinator types for a colleague's address.
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


class InvalidAddress(ValueError):
    pass


def check_address(addr: str, what: str = "address") -> str:
    addr = (addr or "").strip()
    if "\r" in addr or "\n" in addr:
        raise InvalidAddress(f"the {what} {addr!r} contains a line break")
    if not EMAIL_RE.match(addr) or len(addr) > 254:
        raise InvalidAddress(f"{addr!r} is not a valid e-mail {what}")
    return addr


def make_address(name: str, addr: str, what: str = "address") -> Address:
    addr = check_address(addr, what)
    local, domain = addr.rsplit("@", 1)
    return Address(display_name=one_line(name)[:200], username=local, domain=domain)


def new_message_id(sender: str, key: str = "") -> str:
    domain = sender.rsplit("@", 1)[-1] if "@" in (sender or "") else "ato-desktop.invalid"
    return make_msgid(idstring=re.sub(r"[^A-Za-z0-9.-]", "", key)[:40] or None, domain=one_line(domain))


def build_message(*, sender: str, sender_name: str, to_name: str, to_addr: str, subject: str,
                  text: str, html: str | None, message_id: str, attachments: list[tuple[str, bytes]] = (),
                  date=None, reply_to: str | None = None, cc: str | None = None) -> EmailMessage:
    """One message. ``reply_to``: the coordinator's address for replies; ``cc``: a visible copy (a Bcc
    copy is an envelope recipient only: see ``services.outbox.envelope_recipients``)."""
    # The default (RFC 5322) policy folds and encodes headers per RFC 2047 without losing the spaces
    # between words (the compat32 policy's encoded words could run words together in some clients).
    msg = EmailMessage(policy=policy.default)
    msg["From"] = make_address(sender_name, sender, "sender address")
    msg["To"] = make_address(to_name, to_addr, "recipient address")
    if cc:
        msg["Cc"] = make_address("", cc, "copy address")
    if reply_to:
        msg["Reply-To"] = make_address("", reply_to, "reply-to address")
    msg["Subject"] = one_line(subject)
    mid = one_line(message_id)
    if not re.fullmatch(r"<[^<>\s]+@[^<>\s]+>", mid):
        raise ValueError(f"{message_id!r} is not a Message-ID")
    msg["Message-ID"] = mid
    if date is not None:
        msg["Date"] = format_datetime(date)
    msg["X-Mailer"] = "ATO Desktop"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, data in attachments:
        kind = ("text", "calendar") if filename.lower().endswith(".ics") else ("application", "pdf")
        msg.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=one_line(filename))
    return msg
