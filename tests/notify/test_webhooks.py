"""Webhook channels (Teams, Slack, generic JSON) through the outbox, against a real HTTP server on 127.0.0.1:
every notice arrives exactly once, also when the server is down and comes back, or answers 500 twice."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ato_desktop.cli import main
from ato_desktop.notify import webhooks
from ato_desktop.services import channels
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from ato_desktop.services import substitution_day as sday
from ato_desktop.services import substitutions as sb
from ato_desktop.services import term as terms
from ato_desktop.services import timetables as tts
from ato_desktop.services.errors import ValidationError
from ato_desktop.services.substitution_notices import queue_substitution_notices
from ato_desktop.storage.database import open_database
from tests.notify.conftest import free_port

DATE = "2026-12-08"


class HookServer:
    """A real HTTP server in a thread; ``fail_next`` answers 500 that many times; ``hold`` keeps a request
    waiting (no answer) until released."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.accepted: list[tuple[str, str, dict]] = []  # (path, Idempotency-Key, body) answered 200
        self.attempts = 0
        self.fail_next = 0
        self.hold = threading.Event()
        self.hold.set()
        self.server = None
        self.lock = threading.Lock()

    def start(self) -> "HookServer":
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.hold.wait(30)
                with outer.lock:
                    outer.attempts += 1
                    fail = outer.fail_next > 0
                    if fail:
                        outer.fail_next -= 1
                    else:
                        outer.accepted.append((self.path, self.headers["Idempotency-Key"], body))
                self.send_response(500 if fail else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.hold.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def hook_server():
    s = HookServer().start()
    yield s
    s.stop()


@pytest.fixture
def planned(demo_db_path, memory_keyring):
    """The demo with a published version, the fixed term, two absences planned with auto."""
    db = open_database(demo_db_path)
    for d in terms.get_term(db).days:
        terms.remove_term_day(db, d.date)
    terms.set_term(db, "2026-07-20", "2026-12-12")
    tts.set_status(db, "Reference timetable", "published")
    sb.add_absence(db, "SRA", DATE)
    sb.add_absence(db, "KPA", DATE)
    sb.auto_plan(db, DATE)
    yield db
    db.close()


def _substitutes(db) -> set[str]:
    return {x.arrangement.substitute for x in sday.plan_day(db, DATE).lessons if x.arrangement.kind == "substitute"}


def test_notices_reach_teams_slack_and_json_webhooks_exactly_once(planned, hook_server):
    db = planned
    channels.add_channel(db, "Staff room (Teams)", "teams", hook_server.url("/teams"), "substitution")
    channels.add_channel(db, "cse-faculty", "slack", hook_server.url("/slack"), ["substitution", "publish"])
    channels.add_channel(db, "sms-gateway", "json", hook_server.url("/json"), "substitution")
    channels.add_channel(db, "publish-only", "slack", hook_server.url("/other"), "publish")
    # the URL is in the keychain, not in the database file
    assert hook_server.url("/teams").encode() not in db.path.read_bytes()
    q = queue_substitution_notices(db, DATE)
    subs = _substitutes(db)
    assert q.webhooks == 2 + len(subs)
    r = channels.deliver_webhooks(db)
    assert (r.sent, r.failed, r.retrying) == (2 + len(subs), 0, 0)
    by_path = {}
    for path, key, body in hook_server.accepted:
        by_path.setdefault(path, []).append((key, body))
    assert set(by_path) == {"/teams", "/slack", "/json"}
    (tkey, teams), = by_path["/teams"]
    assert teams["@type"] == "MessageCard" and "Arrangement for Tuesday 08 December 2026" in teams["title"]
    assert "Dr. Srinivasa Rao" in teams["text"]
    (_, slack), = by_path["/slack"]
    assert slack["text"].startswith("*Arrangement for")
    gateway = [b for _, b in by_path["/json"]]
    assert {b["data"]["faculty"]["code"] for b in gateway} == subs
    assert all(b["event"] == "substitution" and b["data"]["lessons"] for b in gateway)
    # again: nothing queued, nothing sent twice
    assert queue_substitution_notices(db, DATE).webhooks == 0
    assert channels.deliver_webhooks(db).sent == 0
    keys = [k for _, k, _ in hook_server.accepted]
    assert len(keys) == len(set(keys)) == 2 + len(subs)
    # e-mail delivery leaves webhook rows alone (and the e-mail outbox does not post them)
    assert all(not m.recipient_email.startswith("webhook:") or m.status == "sent" for m in outbox.list_outbox(db))


def test_a_server_answering_500_twice_then_200_gets_each_notice_once(planned, hook_server):
    db = planned
    channels.add_channel(db, "slack", "slack", hook_server.url("/s"), "substitution")
    hook_server.fail_next = 2
    assert queue_substitution_notices(db, DATE).webhooks == 1
    t0 = outbox.utcnow()
    assert channels.deliver_webhooks(db, now=t0).retrying == 1
    assert channels.deliver_webhooks(db, now=t0).sent == 0  # not due yet: backing off
    assert channels.deliver_webhooks(db, now=t0 + dt.timedelta(minutes=2)).retrying == 1
    assert channels.deliver_webhooks(db, now=t0 + dt.timedelta(minutes=10)).sent == 1
    assert channels.deliver_webhooks(db, now=t0 + dt.timedelta(hours=10)).sent == 0
    assert hook_server.attempts == 3 and len(hook_server.accepted) == 1


def test_a_server_that_is_down_and_comes_back_gets_each_notice_once(planned):
    db = planned
    server = HookServer()  # nothing listens on its port yet
    channels.add_channel(db, "gateway", "json", server.url("/hook"), "substitution")
    n = queue_substitution_notices(db, DATE).webhooks
    t0 = outbox.utcnow()
    r = channels.deliver_webhooks(db, now=t0)
    assert r.retrying == n and "cannot be reached" in r.errors[0]
    server.start()
    try:
        assert channels.deliver_webhooks(db, now=t0 + dt.timedelta(minutes=5)).sent == n
        assert channels.deliver_webhooks(db, now=t0 + dt.timedelta(hours=1)).sent == 0
        assert len(server.accepted) == n == len({k for _, k, _ in server.accepted})
    finally:
        server.stop()


def test_a_request_left_without_an_answer_is_uncertain_and_not_sent_again(planned, hook_server):
    db = planned
    channels.add_channel(db, "teams", "teams", hook_server.url("/t"), "substitution")
    queue_substitution_notices(db, DATE)
    hook_server.hold.clear()  # the server takes the request and does not answer

    def impatient(url, body, key=""):
        return webhooks.post(url, body, key=key, timeout=0.5)

    r = channels.deliver_webhooks(db, poster=impatient)
    assert r.uncertain == 1 and "may have arrived" in r.errors[0]
    hook_server.hold.set()
    assert channels.deliver_webhooks(db, now=outbox.utcnow() + dt.timedelta(days=1)).sent == 0
    assert [o.status for o in outbox.list_outbox(db) if o.recipient_email == "webhook:teams"] == ["uncertain"]


@pytest.mark.parametrize("url", ["ftp://example.org/hook", "example.org/hook", "javascript:alert(1)", "https://"])
def test_a_webhook_url_that_is_not_http_is_refused_and_nothing_is_stored(demo_db_path, memory_keyring, capsys, url):
    rc = main(["channel", "add", "--db", str(demo_db_path), "--name", "x", "--kind", "slack", "--url", url])
    err = capsys.readouterr().err
    assert rc == 2 and "is not a web address" in err and err.count("\n") == 1
    con = sqlite3.connect(demo_db_path)
    assert con.execute("SELECT COUNT(*) FROM notify_channel").fetchone()[0] == 0
    con.close()
    assert memory_keyring.store == {}


def test_channel_cli_and_bad_events(demo_db_path, memory_keyring, capsys):
    p = str(demo_db_path)
    assert main(["channel", "add", "--db", p, "--name", "hub", "--kind", "json", "--url", "https://gw.example/x",
                 "--events", "substitution,publish"]) == 0
    assert main(["channel", "add", "--db", p, "--name", "hub2", "--kind", "json", "--url", "https://gw.example/x",
                 "--events", "gossip"]) == 2
    assert "gossip is not one" in capsys.readouterr().err
    assert main(["channel", "list", "--db", p]) == 0
    assert "hub (json): substitution, publish" in capsys.readouterr().out
    db = open_database(demo_db_path)
    try:
        with pytest.raises(ValidationError, match="already a channel"):
            channels.add_channel(db, "HUB", "slack", "https://x.example", "publish")
    finally:
        db.close()
    assert main(["channel", "remove", "--db", p, "--name", "hub"]) == 0
    assert memory_keyring.store == {}


def test_publishing_posts_publish_and_slot_change_notices(demo_db_path, memory_keyring, hook_server):
    db = open_database(demo_db_path)
    try:
        channels.add_channel(db, "board", "teams", hook_server.url("/board"), "publish,slot_change")
        channels.add_channel(db, "sms", "json", hook_server.url("/sms"), "slot_change")
        notes.publish_and_notify(db, "Reference timetable")
        v2 = tts.copy_timetable(db, "Reference timetable", "Version 2")
        first = next(x for x in tts.list_sessions(db, v2.id) if x.scheduled and x.duration == 1)
        tts.move_session(db, first.id, first.day, 0 if first.period != 0 else 1, None)
        notes.publish_and_notify(db, "Version 2")
        notes.publish_and_notify(db, "Version 2")  # again: nothing new
        r = channels.deliver_webhooks(db)
        assert r.failed == 0 and r.retrying == 0
        board = [b for p, _, b in hook_server.accepted if p == "/board"]
        assert [b["title"] for b in board] == ["Timetable published: Reference timetable",
                                               "Timetable published: Version 2",
                                               "Changed classes in “Version 2”"]
        sms = [b for p, _, b in hook_server.accepted if p == "/sms"]
        assert {b["data"]["faculty"] for b in sms} == set(first.faculty)
        assert all(b["event"] == "slot_change" for b in sms)
    finally:
        db.close()


def test_the_daily_digest_of_a_channel_says_tomorrow_s_arrangements(planned, hook_server):
    db = planned
    channels.add_channel(db, "digest", "slack", hook_server.url("/d"), "daily_digest")
    terms.add_holiday(db, "2026-11-09", "Diwali")
    from ato_desktop.services.substitution_notices import queue_channel_digest

    assert queue_channel_digest(db, today="2026-12-07") == 1
    assert queue_channel_digest(db, today="2026-12-07") == 0  # the same digest once
    assert queue_channel_digest(db, today="2026-11-08") == 1
    channels.deliver_webhooks(db)
    texts = [b["text"] for _, _, b in hook_server.accepted]
    assert texts[0].startswith("*Tomorrow, Tuesday 08 December 2026*")
    assert "Dr. Srinivasa Rao (SRA) absent: whole day" in texts[0]
    assert "No classes: a holiday (Diwali)." in texts[1]


def test_a_disabled_channel_queues_nothing_until_it_is_enabled_again(demo_db_path, memory_keyring, capsys,
                                                                     hook_server):
    p = str(demo_db_path)
    db = open_database(demo_db_path)
    try:
        channels.add_channel(db, "staff", "slack", hook_server.url("/staff"), "publish")
        channels.add_channel(db, "gateway", "json", hook_server.url("/gateway"), "publish")
    finally:
        db.close()
    assert main(["channel", "disable", "--db", p, "--name", "GATEWAY"]) == 0
    assert "disabled" in capsys.readouterr().out
    assert main(["channel", "list", "--db", p]) == 0
    assert "gateway (json): publish [disabled]" in capsys.readouterr().out
    db = open_database(demo_db_path)
    try:
        assert channels.queue_event(db, "publish", subject="s", text="first", key="n1") == 1
        assert channels.deliver_webhooks(db).sent == 1
        assert [a[0] for a in hook_server.accepted] == ["/staff"]
        assert channels.set_channel_enabled(db, "gateway", True).enabled
        assert channels.queue_event(db, "publish", subject="s", text="second", key="n2") == 2
        assert channels.deliver_webhooks(db).sent == 2
        assert sorted(a[0] for a in hook_server.accepted) == ["/gateway", "/staff", "/staff"]
        assert [c.enabled for c in channels.list_channels(db)] == [True, True]
    finally:
        db.close()
    assert main(["channel", "disable", "--db", p, "--name", "nowhere"]) == 2
    assert "nowhere" in capsys.readouterr().err
    assert main(["channel", "enable", "--db", p, "--name", "staff"]) == 0  # already on: stays on
    assert "enabled" in capsys.readouterr().out
