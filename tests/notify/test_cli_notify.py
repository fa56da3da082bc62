"""``ato-desktop notify ...`` run as a real process against a real SMTP server on 127.0.0.1."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.notify.conftest import SmtpServer

REPO = Path(__file__).resolve().parents[2]
SENDER = "timetable@demo-institute.edu.in"


@pytest.fixture
def keyfile(tmp_path):
    return tmp_path / "keyring.json"


def run(*args, keyfile=None, backend="tests.notify.file_keyring.TestFileKeyring", stdin=None):
    env = dict(os.environ, PYTHON_KEYRING_BACKEND=backend)
    if keyfile is not None:
        env["ATO_TEST_KEYRING_FILE"] = str(keyfile)
    return subprocess.run([sys.executable, "-m", "ato_desktop", "notify", *map(str, args)], capture_output=True,
                          text=True, cwd=REPO, env=env, input=stdin, timeout=120)


def configure(db_path, server, keyfile, *extra, stdin=None):
    return run("configure", "--db", db_path, "--host", "127.0.0.1", "--port", server.port, "--security", "none",
               "--sender", SENDER, *extra, keyfile=keyfile, stdin=stdin)


def test_configure_with_password_then_test_email(demo_db_path, keyfile):
    server = SmtpServer(auth={"coordinator": "pa55-word"}).start()
    try:
        r = configure(demo_db_path, server, keyfile, "--user", "coordinator", "--password-stdin",
                      stdin="pa55-word\n")
        assert r.returncode == 0, r.stderr
        assert "keychain" in r.stdout
        assert json.loads(keyfile.read_text()) == {"ATO Desktop\tsmtp:coordinator@127.0.0.1": "pa55-word"}
        for f in demo_db_path.parent.glob(demo_db_path.name + "*"):
            assert b"pa55-word" not in f.read_bytes()
        r = run("test", "--db", demo_db_path, "--to", "me@example.edu.in", keyfile=keyfile)
        assert r.returncode == 0, r.stderr
        [got] = server.received
        assert got.rcpt_tos == ["me@example.edu.in"] and got.message["From"].addresses[0].addr_spec == SENDER
    finally:
        server.stop()


def test_configure_without_a_keyring_refuses_the_password_and_saves_nothing(demo_db_path, down_server):
    r = run("configure", "--db", demo_db_path, "--host", "smtp.example.edu.in", "--port", 587, "--security",
            "starttls", "--sender", SENDER, "--user", "u", "--password-stdin",
            backend="keyring.backends.fail.Keyring", stdin="secret\n")
    assert r.returncode == 2 and "No secure password store" in r.stderr
    con = sqlite3.connect(demo_db_path)
    assert con.execute("SELECT count(*) FROM setting WHERE key LIKE 'mail_%'").fetchone()[0] == 0
    con.close()


def test_bad_settings_are_named(demo_db_path, keyfile):
    r = run("configure", "--db", demo_db_path, "--host", "smtp.example.edu.in", "--port", 587, "--security",
            "starttls", "--sender", "not-an-address", keyfile=keyfile)
    assert r.returncode == 2 and "sender" in r.stderr and "not-an-address" in r.stderr


def test_send_now_with_the_server_down_waits_then_outbox_retry_delivers(demo_db_path, down_server, keyfile):
    assert configure(demo_db_path, down_server, keyfile).returncode == 0
    r = run("send-now", "--db", demo_db_path, "--template", "daily_digest", "--to", "SRA", "AIY", keyfile=keyfile)
    assert r.returncode == 0, r.stderr
    assert "Queued 2 message(s)" in r.stdout and "0 sent" in r.stdout
    assert "2 message(s) wait in the outbox" in r.stdout and "Connection refused" in r.stdout

    r = run("outbox", "--db", demo_db_path, "--json", keyfile=keyfile)
    rows = json.loads(r.stdout)
    assert [x["status"] for x in rows] == ["queued", "queued"]
    assert all("Connection refused" in x["error"] and x["attempts"] == 1 for x in rows)

    down_server.start()
    r = run("outbox", "--db", demo_db_path, "--retry", keyfile=keyfile)
    assert r.returncode == 0, r.stderr
    assert "Retrying 2 message(s)" in r.stdout and "2 sent." in r.stdout and "2 sent," in r.stdout
    assert sorted(x.rcpt_tos[0] for x in down_server.received) == [
        "aiy.cse@demo-institute.edu.in", "sra.cse@demo-institute.edu.in"]
    r = run("outbox", "--db", demo_db_path, "--retry", keyfile=keyfile)  # nothing left: nothing sent twice
    assert "Retrying 0 message(s)" in r.stdout and len(down_server.received) == 2


def test_send_now_errors_are_clear_and_queue_nothing(demo_db_path, smtp_server, keyfile):
    configure(demo_db_path, smtp_server, keyfile)
    r = run("send-now", "--db", demo_db_path, "--template", "nope", keyfile=keyfile)
    assert r.returncode == 2 and "nope" in r.stderr
    r = run("send-now", "--db", demo_db_path, "--template", "daily_digest", "--to", "SRA", "XXX", keyfile=keyfile)
    assert r.returncode == 2 and "'XXX'" in r.stderr
    r = run("outbox", "--db", demo_db_path, "--json", keyfile=keyfile)
    assert json.loads(r.stdout) == [] and smtp_server.received == []


def test_schedules_and_on_publish_from_the_command_line(demo_db_path, keyfile):
    r = run("schedule", "--db", demo_db_path, "weekly", "mon", "07:00", keyfile=keyfile)
    assert r.returncode == 0, r.stderr
    assert "Every Monday at 07:00: weekly_reminder" in r.stdout
    assert run("schedule", "--db", demo_db_path, "daily", "18:30", keyfile=keyfile).returncode == 0
    r = run("schedule", "--db", demo_db_path, "daily", "25:00", keyfile=keyfile)
    assert r.returncode == 2 and "25:00" in r.stderr
    r = run("schedule", "--db", demo_db_path, "weekly", "mon", "07:00", "--template", "nope", keyfile=keyfile)
    assert r.returncode == 2 and "nope" in r.stderr
    r = run("schedule", "--db", demo_db_path, keyfile=keyfile)
    assert "On publish: send 'timetable'" in r.stdout
    assert "weekly:weekly_reminder:mon:0700" in r.stdout and "daily:daily_digest:1830" in r.stdout
    assert run("schedule", "--db", demo_db_path, "remove", "daily:daily_digest:1830",
               keyfile=keyfile).returncode == 0
    assert run("schedule", "--db", demo_db_path, "on-publish", "off", keyfile=keyfile).returncode == 0
    r = run("schedule", "--db", demo_db_path, "list", keyfile=keyfile)
    assert "send nothing" in r.stdout and "daily:" not in r.stdout and "weekly:" in r.stdout
    r = run("templates", "--db", demo_db_path, keyfile=keyfile)
    assert "timetable" in r.stdout and "weekly_reminder" in r.stdout and "daily_digest" in r.stdout


def test_preview_fills_the_variables(demo_db_path, keyfile):
    r = run("preview", "--db", demo_db_path, "--template", "timetable", "--faculty", "SRA", keyfile=keyfile)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Subject: Your timetable: ") and "$" not in r.stdout
    assert "Dear " in r.stdout and "Reference timetable" in r.stdout
