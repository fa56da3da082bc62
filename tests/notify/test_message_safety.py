"""Templates render safely; CR/LF in names or subjects cannot inject headers."""

import pytest

from ato_desktop.notify.message import InvalidAddress, build_message, check_address
from ato_desktop.notify.render import render
from ato_desktop.services import mail_templates
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from tests.notify.conftest import configure


def test_render_fills_variables_and_escapes_html():
    r = render("Timetable $version for $faculty_name", "Dear $faculty_name,\n$changes\n$unknown",
               "<p>Dear $faculty_name</p>$changes",
               {"faculty_name": "Dr. <b>Rao</b> & co", "version": "v2",
                "changes": ["CS201 <script>: Mon P1 → Tue P2"]})
    assert r.subject == "Timetable v2 for Dr. <b>Rao</b> & co"
    assert "Dear Dr. <b>Rao</b> & co," in r.text and "  - CS201 <script>: Mon P1 → Tue P2" in r.text
    assert "$unknown" in r.text  # left for the author to see in the preview
    assert "Dr. &lt;b&gt;Rao&lt;/b&gt; &amp; co" in r.html and "<b>Rao" not in r.html
    assert "<li>CS201 &lt;script&gt;: Mon P1 → Tue P2</li>" in r.html


def test_derived_html_part_is_escaped_text():
    r = render("s", "a < b\n$changes", "", {"changes": []})
    assert "a &lt; b" in r.html and "(none)" in r.text


def test_subject_with_newlines_is_one_line():
    r = render("Hello $faculty_name", "x", "", {"faculty_name": "Eve\r\nBcc: victim@example.org"})
    assert "\n" not in r.subject and "\r" not in r.subject


def test_build_message_collapses_crlf_and_rejects_bad_addresses():
    msg = build_message(sender="a@b.in", sender_name="Office\r\nX-Evil: 1", to_name="Eve\nBcc: v@example.org",
                        to_addr="eve@b.in", subject="Hi\r\nBcc: v@example.org", text="t", html=None,
                        message_id="<1@b.in>")
    raw = msg.as_bytes()
    assert b"\nBcc:" not in raw and b"\nX-Evil:" not in raw
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    for bad in ("eve@b.in\r\nBcc: v@example.org", "eve@b.in\nX: 1", "not an address", "a@b"):
        with pytest.raises(InvalidAddress):
            check_address(bad)
        with pytest.raises(InvalidAddress):
            build_message(sender="a@b.in", sender_name="", to_name="", to_addr=bad, subject="s", text="t",
                          html=None, message_id="<1@b.in>")


def test_header_injection_through_the_whole_pipeline(demo_db, smtp_server, memory_keyring):
    """A faculty name and a template subject carrying CR/LF reach the server as one header each."""
    configure(demo_db, smtp_server)
    with demo_db.session() as s:
        from ato_desktop.storage import models as m
        from sqlalchemy import select

        f = s.scalar(select(m.Faculty).where(m.Faculty.code == "SRA"))
        f.name = "Dr. Rao\r\nBcc: victim@example.org\r\nX-Injected: yes"
    mail_templates.save_template(demo_db, "plain", subject="Note for $faculty_name", body_text="Dear $faculty_name\n",
                        attach_pdf=False)
    notes.queue_template(demo_db, "plain", to=["SRA"])
    report = outbox.deliver_due(demo_db)
    assert report.sent == 1, report.summary()
    [got] = smtp_server.received
    assert got.rcpt_tos == ["sra.cse@demo-institute.edu.in"]  # no extra envelope recipient
    msg = got.message
    assert msg["Bcc"] is None and msg["X-Injected"] is None
    headers = got.data.split(b"\r\n\r\n", 1)[0]  # the top-level header block
    assert b"\r\nBcc:" not in headers and b"\r\nX-Injected:" not in headers
    assert "Bcc: victim@example.org" in msg["Subject"]  # harmless text inside the one Subject header
    assert msg["To"].addresses[0].addr_spec == "sra.cse@demo-institute.edu.in"


def test_recipient_address_with_crlf_fails_permanently_and_sends_nothing(demo_db, smtp_server, memory_keyring):
    configure(demo_db, smtp_server)
    with demo_db.session() as s:
        from ato_desktop.storage import models as m
        from sqlalchemy import select

        f = s.scalar(select(m.Faculty).where(m.Faculty.code == "AIY"))
        f.email = "aiy.cse@demo-institute.edu.in\r\nBcc: victim@example.org"
    mail_templates.save_template(demo_db, "plain", subject="s", body_text="b", attach_pdf=False)
    notes.queue_template(demo_db, "plain", to=["AIY"])
    report = outbox.deliver_due(demo_db)
    assert report.sent == 0 and report.failed == 1
    [row] = outbox.list_outbox(demo_db)
    assert row.status == "failed" and "line break" in row.last_error
    assert smtp_server.received == []
