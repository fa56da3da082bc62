"""Mail details: Reply-To and the coordinator's copy, subjects that keep their spaces (real SMTP)."""

import email
from email import message_from_bytes, policy

import pytest

from ato_desktop.services import mail_settings
from ato_desktop.services import mail_templates
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from ato_desktop.services.errors import ValidationError
from tests.notify.conftest import configure

COORDINATOR = "coordinator@demo-institute.edu.in"
SUBJECT = "Your timetable: Révision 2 — Odd  semester 2026–27 for डॉ. राम कुमार, Computer Science & Engineering"


def _decoded_subjects(raw: bytes) -> tuple[str, str]:
    """The subject as a modern parser and as a compat32 parser (with decode_header) read it."""
    modern = str(message_from_bytes(raw, policy=policy.default)["Subject"])
    old = message_from_bytes(raw, policy=policy.compat32)["Subject"]
    return modern, str(email.header.make_header(email.header.decode_header(old)))


@pytest.mark.parametrize("copy", ["cc", "bcc", ""])
def test_messages_carry_reply_to_and_the_coordinators_copy(demo_db, smtp_server, memory_keyring, copy):
    configure(demo_db, smtp_server, reply_to=COORDINATOR, copy=copy)
    assert mail_settings.get_mail_settings(demo_db).reply_to == COORDINATOR
    mail_templates.save_template(demo_db, "plain", subject=SUBJECT, body_text="Dear $faculty_name,\n$classes\n",
                        attach_pdf=False)
    notes.queue_template(demo_db, "plain", to=["SRA"])
    report = outbox.deliver_due(demo_db)
    assert report.sent == 1, report.summary()
    [got] = smtp_server.received
    msg = got.message
    assert msg["Reply-To"] == COORDINATOR
    to = "sra.cse@demo-institute.edu.in"
    if copy:
        assert sorted(got.rcpt_tos) == sorted([to, COORDINATOR])
    else:
        assert got.rcpt_tos == [to]
    assert (msg["Cc"] == COORDINATOR) if copy == "cc" else msg["Cc"] is None
    assert msg["Bcc"] is None  # a blind copy never shows in the headers
    assert _decoded_subjects(got.data) == (SUBJECT, SUBJECT)


def test_reply_to_and_copy_are_checked(demo_db, memory_keyring):
    with pytest.raises(ValidationError, match="reply to"):
        mail_settings.save_mail_settings(demo_db, host="smtp.x.in", port=587, security="starttls", sender="a@x.in",
                                 reply_to="not an address")
    with pytest.raises(ValidationError, match="copy"):
        mail_settings.save_mail_settings(demo_db, host="smtp.x.in", port=587, security="starttls", sender="a@x.in",
                                 copy="everyone")
    ms = mail_settings.save_mail_settings(demo_db, host="smtp.x.in", port=587, security="starttls", sender="a@x.in",
                                  copy="bcc")
    assert ms.coordinator == "a@x.in" and outbox.envelope_recipients(ms, "b@x.in") == ["b@x.in", "a@x.in"]


@pytest.mark.parametrize("subject", [
    SUBJECT,
    "Classes for week of 30 Nov 2026",
    "Zeitplan für Prüfung  —  Woche " + ("sehr lange Überschrift " * 6).strip(),
])
def test_subjects_keep_their_spaces_when_parsed_back(subject):
    from ato_desktop.notify.message import build_message

    msg = build_message(sender="a@x.in", sender_name="Office", to_name="Dr. Ä", to_addr="b@x.in",
                        subject=subject, text="x", html=None, message_id="<1@x.in>")
    raw = msg.as_bytes(policy=policy.SMTP)
    assert _decoded_subjects(raw) == (subject, subject)
