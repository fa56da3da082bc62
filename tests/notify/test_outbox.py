"""The outbox: written first, sent once, retried with back-off, nothing lost when quitting."""

import datetime as dt
import threading

from ato_desktop.services import mail_templates
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from ato_desktop.storage.database import open_database
from tests.notify.conftest import configure

CODES = ["SRA", "AIY", "RKM", "MSU"]


def _plain(db):
    mail_templates.save_template(db, "plain", subject="Classes of $faculty_name ($version)",
                        body_text="Dear $faculty_name,\n$classes\n", attach_pdf=False)


def test_queue_is_idempotent_per_event(demo_db, memory_keyring):
    _plain(demo_db)
    r1 = notes.queue_template(demo_db, "plain", to=CODES, event="weekly:2026-W48")
    r2 = notes.queue_template(demo_db, "plain", to=CODES, event="weekly:2026-W48")
    assert (r1.queued, r2.queued, r2.already_queued) == (4, 0, 4)
    rows = outbox.list_outbox(demo_db)
    assert len(rows) == 4 and {r.status for r in rows} == {"queued"}
    assert len({r.message_id for r in rows}) == 4


def test_server_down_messages_wait_with_error_then_deliver_once_up(demo_db, down_server, memory_keyring):
    configure(demo_db, down_server)
    _plain(demo_db)
    notes.queue_template(demo_db, "plain", to=CODES)
    report = outbox.deliver_due(demo_db)  # nothing listens on the port
    assert report.sent == 0 and report.retrying == 4 and report.waiting == 4
    rows = outbox.list_outbox(demo_db)
    assert {r.status for r in rows} == {"queued"}
    assert all("Connection refused" in r.last_error and r.attempts == 1 for r in rows)
    assert all(r.next_attempt_at > dt.datetime.utcnow() for r in rows)  # backed off
    assert outbox.deliver_due(demo_db).sent == 0  # not due yet: nothing is attempted
    assert all(r.attempts == 1 for r in outbox.list_outbox(demo_db))

    down_server.start()
    assert outbox.retry(demo_db) == 4
    report = outbox.deliver_due(demo_db)
    assert report.sent == 4 and report.waiting == 0, report.summary()
    got = sorted(r.rcpt_tos[0] for r in down_server.received)
    assert got == sorted(f"{c.lower()}.cse@demo-institute.edu.in" for c in CODES)
    rows = outbox.list_outbox(demo_db)
    assert {r.status for r in rows} == {"sent"} and all(r.last_error == "" for r in rows)
    assert outbox.deliver_due(demo_db).sent == 0 and len(down_server.received) == 4  # never twice


def test_backoff_grows_and_gives_up_after_max_attempts(demo_db, down_server, memory_keyring):
    configure(demo_db, down_server)
    _plain(demo_db)
    notes.queue_template(demo_db, "plain", to=["SRA"])
    now = dt.datetime.utcnow()
    delays = []
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver_due(demo_db, now=now)
        [row] = outbox.list_outbox(demo_db)
        delays.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert row.status == "failed" and row.attempts == outbox.MAX_ATTEMPTS
    assert delays[0] == dt.timedelta(minutes=1) and delays[1] == dt.timedelta(minutes=2)
    assert max(delays[:-1]) == outbox.BACKOFF_MAX
    down_server.start()
    assert outbox.deliver_due(demo_db, now=now + dt.timedelta(days=1)).sent == 0  # failed stays failed
    outbox.retry(demo_db)
    assert outbox.deliver_due(demo_db).sent == 1


def test_a_message_interrupted_while_sending_is_never_sent_twice_on_its_own(demo_db, smtp_server, memory_keyring):
    """A sender that dies mid-send leaves the row in "sending": it may have reached the server, so it is
    flagged failed with a clear error after the timeout (not re-sent), and Retry sends it with the same
    Message-ID."""
    configure(demo_db, smtp_server)
    _plain(demo_db)
    notes.queue_template(demo_db, "plain", to=["SRA", "AIY"])
    ids = sorted(r.id for r in outbox.list_outbox(demo_db))
    now = dt.datetime.utcnow()
    # a sender claims the first message and dies before marking it sent
    claimed = outbox._claim(demo_db, ids[0], now)
    assert claimed is not None and claimed.status == "sending"
    assert outbox._claim(demo_db, ids[0], now) is None  # nobody else can take it
    report = outbox.deliver_due(demo_db, now=now)
    assert report.sent == 1 and report.interrupted == 0  # only the other one; the claim is still fresh
    assert {r.id: r.status for r in outbox.list_outbox(demo_db)}[ids[0]] == "sending"
    later = now + outbox.SENDING_TIMEOUT + dt.timedelta(seconds=1)
    report = outbox.deliver_due(demo_db, now=later)
    assert report.sent == 0 and report.interrupted == 1 and "interrupted" in report.summary()
    row = {r.id: r for r in outbox.list_outbox(demo_db)}[ids[0]]
    assert row.status == "failed" and row.last_error == outbox.INTERRUPTED_ERROR
    assert len(smtp_server.received) == 1
    assert outbox.deliver_due(demo_db, now=later + dt.timedelta(days=2)).sent == 0  # still not on its own
    assert outbox.retry(demo_db, [ids[0]]) == 1  # the coordinator asks again
    assert outbox.deliver_due(demo_db).sent == 1
    sent = [r.message["Message-ID"] for r in smtp_server.received]
    assert sent.count(claimed.message_id) == 1 and len(sent) == 2
    assert {r.status for r in outbox.list_outbox(demo_db)} == {"sent"}


def test_quitting_mid_send_loses_nothing(demo_db, smtp_server, memory_keyring):
    configure(demo_db, smtp_server)
    _plain(demo_db)
    notes.queue_template(demo_db, "plain", to=CODES)
    sent_so_far = []
    report = outbox.deliver_due(demo_db, should_stop=lambda: len(smtp_server.received) >= 2,
                                on_progress=lambda p: sent_so_far.append(p.done))
    assert report.stopped and report.sent == 2 and report.waiting == 2
    counts = outbox.outbox_counts(demo_db)
    assert counts["sent"] == 2 and counts["queued"] == 2 and counts["sending"] == 0
    # the app restarts: a new connection to the same file sends the rest
    demo_db.close()
    db2 = open_database(demo_db.path)
    try:
        assert outbox.deliver_due(db2).sent == 2
    finally:
        db2.close()
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == sorted(
        f"{c.lower()}.cse@demo-institute.edu.in" for c in CODES)


def test_two_senders_at_once_send_each_message_exactly_once(demo_db, smtp_server, memory_keyring):
    configure(demo_db, smtp_server)
    _plain(demo_db)
    q = notes.queue_template(demo_db, "plain")  # everyone with classes
    assert q.queued >= 18
    dbs = [open_database(demo_db.path) for _ in range(2)]
    reports = []

    def run(d):
        reports.append(outbox.deliver_due(d))

    threads = [threading.Thread(target=run, args=(d,)) for d in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for d in dbs:
        d.close()
    assert sum(r.sent for r in reports) == q.queued
    recipients = [r.rcpt_tos[0] for r in smtp_server.received]
    assert len(recipients) == len(set(recipients)) == q.queued
    assert outbox.outbox_counts(demo_db)["sent"] == q.queued


def test_not_configured_says_so(demo_db, memory_keyring):
    _plain(demo_db)
    notes.queue_template(demo_db, "plain", to=["SRA"])
    report = outbox.deliver_due(demo_db)
    assert report.sent == 0 and "not configured" in report.summary()
    [row] = outbox.list_outbox(demo_db)
    assert row.status == "queued" and "Mail settings" in row.last_error
