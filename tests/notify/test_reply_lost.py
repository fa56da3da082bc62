"""The server accepted a message but its reply was lost: "may have been sent", never re-sent on its own.

A real local SMTP server (aiosmtpd) whose handler accepts the first message and then drops the
connection before answering. Before this fix the message went back to the queue and was sent again
by itself a minute later (same Message-ID): delivered twice.
"""

from __future__ import annotations

import datetime as dt

from ato_desktop.cli import main
from ato_desktop.services import mail_templates
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from tests.notify.conftest import configure, dropping_server, memory_keyring  # noqa: F401 (fixtures)


def _queue_two(db):
    mail_templates.save_template(db, "plain", subject="Classes of $faculty_name", body_text="Dear $faculty_name", attach_pdf=False)
    notes.queue_template(db, "plain", to=["SRA", "AIY"])
    return sorted(r.id for r in outbox.list_outbox(db))


def test_a_message_whose_reply_was_lost_is_uncertain_and_never_resent_on_its_own(demo_db, dropping_server,
                                                                                 memory_keyring):
    configure(demo_db, dropping_server)
    first, second = _queue_two(demo_db)
    report = outbox.deliver_due(demo_db)
    assert report.sent == 1 and report.uncertain == 1, report.summary()
    assert "may have been sent" in report.summary()
    rows = {r.id: r for r in outbox.list_outbox(demo_db)}
    assert rows[first].status == "uncertain" and "may have been sent" in rows[first].last_error
    assert rows[second].status == "sent"  # the next message went through a new connection
    assert len(dropping_server.received) == 2  # the server did get both
    # never on its own: not by later deliveries, not by "Retry all failed"
    for days in (1, 3):
        assert outbox.deliver_due(demo_db, now=dt.datetime.utcnow() + dt.timedelta(days=days)).sent == 0
    assert outbox.retry(demo_db) == 0
    assert outbox.deliver_due(demo_db).sent == 0
    assert len(dropping_server.received) == 2
    # the coordinator decides: send again (same Message-ID)
    assert outbox.send_again(demo_db, [first]) == 1
    assert outbox.deliver_due(demo_db).sent == 1
    ids = [r.message["Message-ID"] for r in dropping_server.received]
    assert ids[0] == ids[2] and len(ids) == 3
    assert {r.status for r in outbox.list_outbox(demo_db)} == {"sent"}


def test_cli_lists_may_have_been_sent_and_marks_it_sent(demo_db, dropping_server, memory_keyring, capsys):
    configure(demo_db, dropping_server)
    first, _ = _queue_two(demo_db)
    outbox.deliver_due(demo_db)
    path = str(demo_db.path)
    assert main(["notify", "outbox", "--db", path]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if f"#{first} " in ln)
    assert "uncertain" in line and "may have been sent" in line
    assert "1 uncertain" in out
    assert main(["notify", "outbox", "--db", path, "--status", "uncertain", "--json"]) == 0
    assert f'"id": {first}' in capsys.readouterr().out
    assert main(["notify", "outbox", "--db", path, "--mark-sent", str(first)]) == 0
    assert "Marked 1 message(s) as sent." in capsys.readouterr().out
    assert {r.status for r in outbox.list_outbox(demo_db)} == {"sent"}
    assert len(dropping_server.received) == 2  # marking sends nothing


def test_cli_resend_sends_it_again(demo_db, dropping_server, memory_keyring, capsys):
    configure(demo_db, dropping_server)
    first, _ = _queue_two(demo_db)
    outbox.deliver_due(demo_db)
    assert main(["notify", "outbox", "--db", str(demo_db.path), "--resend", str(first)]) == 0
    out = capsys.readouterr().out
    assert "Sending 1 message(s) again now." in out and "1 sent." in out
    assert len(dropping_server.received) == 3
    assert {r.status for r in outbox.list_outbox(demo_db)} == {"sent"}
