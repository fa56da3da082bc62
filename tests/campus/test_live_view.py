"""A client sees other departments' commits within seconds (PostgreSQL LISTEN/NOTIFY); a refused commit
announces nothing; a listener whose server connection is cut says so once and comes back by itself."""

from __future__ import annotations

import queue

import pytest

from ato_desktop.services import campus
from ato_desktop.storage.campus import CommitListener


def test_other_clients_hear_each_commit_and_not_a_refused_one(campus_db, pg_campus_url):
    heard: queue.Queue = queue.Queue()
    errors: queue.Queue = queue.Queue()
    listener = CommitListener(pg_campus_url, heard.put, errors.put).start()
    try:
        assert listener.wait_listening(20)
        campus.commit(campus_db, "ECE", "ECE Odd")
        assert heard.get(timeout=10) == {"event": "commit", "department": "ECE", "timetable": "ECE Odd"}
        with pytest.raises(campus.CommitRefused):
            campus.commit(campus_db, "CSE", "CSE Odd")
        campus.withdraw(campus_db, "ECE")
        # the refused commit wrote nothing and announced nothing: the next message is the withdrawal
        assert heard.get(timeout=10) == {"event": "withdraw", "department": "ECE"}
        assert errors.empty()
    finally:
        listener.stop()


def test_a_listener_cut_off_by_the_server_says_so_and_comes_back(campus_db, pg_server, pg_campus_url):
    heard: queue.Queue = queue.Queue()
    errors: queue.Queue = queue.Queue()
    listener = CommitListener(pg_campus_url, heard.put, errors.put, retry_s=0.2).start()
    dbname = pg_campus_url.split("@/", 1)[1].split("?", 1)[0]
    try:
        assert listener.wait_listening(20)
        pg_server.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        f"WHERE datname = '{dbname}' AND query LIKE 'LISTEN%'")
        lost = errors.get(timeout=10)
        assert "live view" in lost and "closed the connection" in lost and "Reconnecting" in lost
        assert errors.get(timeout=20) == ""  # back
        assert listener.wait_listening(20)
        campus.commit(campus_db, "CSE", "CSE Odd")
        assert heard.get(timeout=10)["department"] == "CSE"
    finally:
        listener.stop()
