"""Every command, on every kind of bad input: one sentence on stderr, exit code 2, nothing left behind.

The commands are enumerated from the real argparse parser, so a new command is covered the day it is
added (and fails here until the table below knows how to fill its required arguments). Each one runs
in this process through ``main()``: an exception escaping ``main()`` is the traceback a user would see.

Inputs: a database another process is writing (BEGIN IMMEDIATE held open in a child process), foreign
files (a PNG, a text file, another application's SQLite file), a 0-byte file, a truncated database, a
database of a newer schema, one missing a table, a FIFO, and a database in a read-only folder.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest

from ato_desktop.cli import build_parser, main

# --------------------------------------------------------------------------------------------------
# the commands, from the parser


def _leaves(parser: argparse.ArgumentParser, path=(), chain=()):
    chain = chain + (parser,)
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, chain
        return
    for action in subs:
        for name, sp in action.choices.items():
            yield from _leaves(sp, path + (name,), chain)


def all_commands() -> dict[str, tuple[tuple[str, ...], tuple[argparse.ArgumentParser, ...]]]:
    root = build_parser()
    out = {}
    for path, chain in _leaves(root):
        if path:
            out[" ".join(path)] = (path, chain[1:])
    return out


COMMANDS = all_commands()

# How to fill a required argument, by its ``dest``: INPUT is the bad file under test; OUT a file in
# another folder; OTHER_DB a good database elsewhere (a backup to restore); CSV a good import file.
INPUT, OUT, OTHER_DB, CSV = object(), object(), object(), object()
FILL = {
    "sub_db": INPUT, "path": INPUT, "instance": INPUT, "solution": INPUT,
    "out": OUT, "host": "localhost", "port": "2525", "sender": "coordinator@example.org",
    "to": "someone@example.org", "template": "weekly_reminder", "code": "X", "name": "X",
    "day": "mon", "time": "07:00", "id": "nothing", "value": "off",
    "start": "2026-12-01", "end": "2027-04-30", "date": "2026-12-07", "follows": "Monday", "faculty": "X",
    "lesson": "1", "url": "https://example.org/hook", "department": "X", "timetable": "X", "role": "x", "room": "X", "periods": "P1",
}
PER_COMMAND = {  # (command, dest) -> value, where the dest alone is not enough
    ("import", "file"): CSV,
    ("backup restore", "file"): OTHER_DB,
    ("absence remove", "id"): "1",
    ("import-fet", "file"): INPUT,  # the bad file offered as a FET file
    ("versions compare", "a"): "X", ("versions compare", "b"): "Y",
    ("bells set", "day"): "Saturday", ("bells set", "closed"): "P7",
    ("campus migrate-from", "file"): INPUT, ("campus checkin", "file"): INPUT,  # the bad file offered as a department's file (--db is no URL)
}
EXTRA = {  # options that keep the run short
    "solve": ["--time-limit", "1", "--generations", "1"],
    "solve-ctt": ["--time-limit", "1", "--generations", "1", "--quiet"],
    "candidates": ["-k", "1", "--time-limit", "1", "--generations", "1"],
}
NO_INPUT = {"warm-up"}  # takes no file or database at all
OUT_SUFFIX = {"campus backup": ".dump", "campus checkout": ".atodb", "report": ".pdf", "versions review-package": ".pdf", "export": ".csv", "solve-ctt": ".sol", "import-fet": ".atodb", "export-fet": ".fet",
              "publish-site": "-site", "export-timetable": ".xlsx"}
# Commands that only read the database: on a busy one (WAL: readers are not blocked) or in a read-only
# folder they are expected to work (exit 0).
READS = {"info", "check", "export", "report", "backup list", "notify outbox", "notify templates",
         "notify preview", "template show", "bells show", "publish-site", "export-timetable"}


# (command, case) that rightly succeed: a backup of a database being written (SQLite's online backup);
# the list of backups of any regular file (the file itself is not read); restoring a backup over a
# damaged database (that is what backups are for; its bytes are kept beside it).
WORKS = {("backup create", "busy"), ("backup restore", "truncated"), ("backup restore", "missing-table")} | {
    ("backup list", c) for c in ("png", "text", "other-sqlite", "truncated", "newer-schema", "missing-table")}
LEAVES_FILES = {("backup create", "busy"), ("backup restore", "truncated"), ("backup restore", "missing-table")}


def argv_for(command: str, value_of) -> list[str]:
    path, chain = COMMANDS[command]
    argv: list[str] = []
    for name, parser in zip(path, chain):
        argv.append(name)
        positionals = []
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            wanted = action.required or action.dest == "sub_db"
            if not wanted:
                continue
            key = (command, action.dest)
            if key in PER_COMMAND:
                v = PER_COMMAND[key]
            elif action.choices:
                v = next(iter(action.choices))
            elif action.dest in FILL:
                v = FILL[action.dest]
            else:
                pytest.fail(f"tests/cli/test_cli_bad_input.py: tell FILL how to fill {action.dest!r} of "
                            f"'ato-desktop {command}'")
            v = value_of(v, command)
            if action.option_strings:
                argv += [action.option_strings[0], v]
            else:
                positionals.append(v)
        # options of this level first, then its positionals (before the next sub-command's name)
        argv += positionals
    return argv + EXTRA.get(command, [])


# --------------------------------------------------------------------------------------------------
# the inputs


def _png() -> bytes:
    def chunk(kind, data):
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    ihdr = (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


def make_input(kind: str, folder: Path, demo: Path) -> Path:
    p = folder / "input.atodb"
    if kind == "png":
        p = folder / "picture.png"
        p.write_bytes(_png())
    elif kind == "text":
        p.write_text("Faculty list\nDr. Rao, CSE\n")
    elif kind == "other-sqlite":
        con = sqlite3.connect(p)
        con.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
        con.execute("INSERT INTO contacts VALUES ('Rao', '123')")
        con.commit()
        con.close()
    elif kind == "zero":
        p.write_bytes(b"")
    elif kind == "truncated":
        data = demo.read_bytes()
        p.write_bytes(data[: len(data) // 3])
    elif kind in ("newer-schema", "missing-table"):
        shutil.copyfile(demo, p)
        con = sqlite3.connect(p)
        if kind == "newer-schema":
            con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        else:
            con.execute("PRAGMA foreign_keys=OFF")
            con.execute("DROP TABLE mail_template")
        con.commit()
        con.close()
    elif kind == "fifo":
        p = folder / "pipe.atodb"
        os.mkfifo(p)
    elif kind in ("busy", "readonly-folder"):
        shutil.copyfile(demo, p)
    else:  # pragma: no cover
        raise AssertionError(kind)
    return p


HOLDER = r"""
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
con.execute("UPDATE alembic_version SET version_num = version_num")
print("holding", flush=True)
sys.stdin.read()
con.execute("ROLLBACK")
con.close()
"""


class Busy:
    """Another process holds a write transaction on ``path`` until :meth:`release`."""

    def __init__(self, path: Path):
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "holding"

    def release(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:  # pragma: no cover
                self.proc.kill()


class ReadOnlyFolder:
    """A folder that cannot be written even by root: a small tmpfs remounted read-only."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.mounted = False
        if hasattr(os, "geteuid") and os.geteuid() != 0:
            self.mode = "chmod"
            return
        self.mode = "mount"
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)], capture_output=True)
        if r.returncode != 0:
            pytest.skip("running as root (which ignores permission bits) and cannot mount a read-only tmpfs")
        self.mounted = True

    def seal(self) -> None:
        if self.mode == "chmod":
            for p in self.folder.iterdir():
                p.chmod(0o444)
            self.folder.chmod(0o555)
        else:
            subprocess.run(["mount", "-o", "remount,ro", str(self.folder)], check=True)

    def undo(self) -> None:
        if self.mode == "chmod":
            self.folder.chmod(0o755)
        elif self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], check=False)


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


CASES = ["busy", "png", "text", "other-sqlite", "zero", "truncated", "newer-schema", "missing-table", "fifo",
         "readonly-folder"]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory, _demo_template) -> Path:
    p = tmp_path_factory.mktemp("bad-input-demo") / "demo.atodb"
    shutil.copyfile(_demo_template, p)  # the session's demo file (tests/conftest.py)
    return p


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch):
    from ato_desktop.storage import database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_on_bad_input(command, case, tmp_path, demo_file, capsys):
    if command in NO_INPUT:
        path, chain = COMMANDS[command]
        takes = [a.dest for p in chain for a in p._actions if a.required or not a.option_strings]
        assert not [d for d in takes if d not in ("help",)], f"{command} takes arguments now: add it to FILL"
        pytest.skip(f"'{command}' reads no file or database")
    folder = tmp_path / "in"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    ro = ReadOnlyFolder(folder) if case == "readonly-folder" else None
    busy = None
    watchdog = None
    unblocked = []
    try:
        src = make_input(case, folder, demo_file)
        csv = elsewhere / "faculty.csv"
        csv.write_text("code,name,email\nZZ1,Dr. Test,zz1@example.org\n")
        other_db = elsewhere / "backup.atodb"
        shutil.copyfile(demo_file, other_db)

        def value_of(v, cmd):
            if v is INPUT:
                return str(src)
            if v is OUT:
                return str(elsewhere / f"out{OUT_SUFFIX.get(cmd, '.out')}")
            if v is OTHER_DB:
                return str(other_db)
            if v is CSV:
                return str(csv)
            return v

        argv = argv_for(command, value_of)
        if ro is not None:
            ro.seal()
        if case == "busy":
            busy = Busy(src)
        if case == "fifo":
            def unblock():  # a reader blocked in open() of the FIFO: let it go, and fail the test
                try:
                    fd = os.open(src, os.O_WRONLY | os.O_NONBLOCK)
                except OSError:
                    return
                unblocked.append(True)
                os.close(fd)
            watchdog = threading.Timer(20, unblock)
            watchdog.start()
        before = listing(folder)
        faulthandler.dump_traceback_later(240, exit=True, file=sys.__stderr__)  # a command that hangs ends the run, loudly
        try:
            rc = main(argv)  # an exception here is a traceback for the user
        finally:
            faulthandler.cancel_dump_traceback_later()
        after = listing(folder)
    finally:
        if watchdog is not None:
            watchdog.cancel()
        if busy is not None:
            busy.release()
        if ro is not None:
            ro.undo()
    out, err = capsys.readouterr()
    assert not unblocked, f"ato-desktop {' '.join(argv)} blocked on the FIFO"
    assert "Traceback" not in err
    if (command, case) not in LEAVES_FILES:
        assert after == before, f"files left beside the input: {sorted(after - before)}"
    works = (command in READS and case in ("busy", "readonly-folder")
             or (command, case) in WORKS)
    if works:
        assert rc == 0, err
    else:
        assert rc == 2, (rc, out, err)
        lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("ato-desktop: note: ")]
        assert len(lines) == 1 and lines[0].startswith("ato-desktop: error: "), err
    if case == "readonly-folder" and command in READS and command in ("info", "check", "export", "report"):
        assert "read-only" in err


@pytest.mark.parametrize("argv", [
    ["solve", "--time-limit", "1", "--generations", "1"],
    ["notify", "configure", "--host", "localhost", "--port", "25", "--security", "none", "--sender", "a@b.org"],
])
def test_the_reported_commands_on_a_busy_database_as_real_processes(argv, tmp_path, demo_file):
    """What was found: ``solve --db`` and ``notify configure`` on a database another process is writing
    ended with a DatabaseBusyError traceback. ATO_BUSY_TIMEOUT_MS shortens the 5 s wait."""
    db = tmp_path / "busy.atodb"
    shutil.copyfile(demo_file, db)
    busy = Busy(db)
    try:
        cmd = [sys.executable, "-m", "ato_desktop", *argv[:1]] + (
            [argv[1]] if argv[0] == "notify" else []) + ["--db", str(db)] + argv[2 if argv[0] == "notify" else 1:]
        env = dict(os.environ, ATO_BUSY_TIMEOUT_MS="200")
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    finally:
        busy.release()
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "is busy" in r.stderr, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy.atodb"]


# Bad values of options the table above leaves out (they are optional): (argv after --db, the sentence's words)
BAD_OPTIONS = [
    (["report", "--kind", "book", "--processes", "0"], "--processes must be a whole number of at least 1, not '0'"),
    (["report", "--kind", "book", "--processes", "two"], "--processes must be a whole number of at least 1, not 'two'"),
    (["report", "--kind", "book", "--processes", "-3"], "--processes must be a whole number of at least 1, not '-3'"),
    (["report", "--kind", "group", "--processes", "2"], "--processes is for the whole book only"),
    (["report", "--kind", "book", "--name", "CSE-3A", "--processes", "2"], "--processes is for the whole book only"),
]


@pytest.mark.parametrize("argv, words", BAD_OPTIONS, ids=[" ".join(a) for a, _ in BAD_OPTIONS])
def test_bad_option_values(argv, words, tmp_path, demo_file, capsys):
    """One sentence on stderr, exit code 2, no output file and nothing beside the database."""
    db = tmp_path / "in" / "demo.atodb"
    db.parent.mkdir()
    shutil.copyfile(demo_file, db)
    out = tmp_path / "elsewhere"
    out.mkdir()
    before = listing(tmp_path)
    rc = main([argv[0], "--db", str(db), *argv[1:], "--out", str(out / f"out{OUT_SUFFIX.get(argv[0], '.out')}")])
    err = capsys.readouterr().err
    assert rc == 2, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("ato-desktop: error: ") and words in lines[0], err
    assert listing(tmp_path) == before
