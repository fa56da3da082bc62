"""The global ``--version`` only before a sub-command: ``notify send-now --version NAME`` is the
sub-command's own option (it used to print the program's version and queue nothing)."""

from __future__ import annotations

import pytest

from ato_desktop.cli import main


def test_send_now_version_is_the_timetable_version_not_the_program_version(demo_db_path, capsys):
    rc = main(["notify", "send-now", "--db", str(demo_db_path), "--template", "weekly_reminder",
               "--version", "Reference timetable"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "ATO Desktop 0." not in out
    assert "Queued " in out and "message(s)" in out
    from ato_desktop.services import outbox
    from ato_desktop.storage.database import open_database

    with open_database(demo_db_path) as db:
        assert sum(outbox.outbox_counts(db).values()) > 0


def test_send_now_with_an_unknown_version_names_it(demo_db_path, capsys):
    rc = main(["notify", "send-now", "--db", str(demo_db_path), "--template", "weekly_reminder",
               "--version", "No such version"])
    assert rc == 2 and "No such version" in capsys.readouterr().err


def test_the_global_version_still_works_before_a_command(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and "ATO Desktop" in capsys.readouterr().out
