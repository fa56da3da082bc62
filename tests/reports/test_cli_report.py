"""``ato-desktop report`` run as a real subprocess on a copy of the demo."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from ato_desktop.services import timetables as tts
from ato_desktop.storage.database import open_database
from tests.reports.conftest import outline, page_texts, read_pdf


def run(*args):
    return subprocess.run([sys.executable, "-m", "ato_desktop", *args], capture_output=True, text=True, timeout=180)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_report_book_and_one_faculty(demo_db_path, tmp_path):
    before = _digest(demo_db_path)
    out = tmp_path / "book.pdf"
    r = run("report", "--db", str(demo_db_path), "--kind", "book", "--out", str(out))
    assert r.returncode == 0, r.stderr
    reader = read_pdf(out.read_bytes())
    assert f"{len(reader.pages)} page(s) written to {out}" in r.stdout and "Reference timetable" in r.stdout
    assert [t for lvl, t, _ in outline(reader) if lvl == 0][:3] == ["Student groups", "Faculty", "Rooms"]
    assert _digest(demo_db_path) == before  # a report never changes the database

    out = tmp_path / "zoe.pdf"
    r = run("report", "--db", str(demo_db_path), "--kind", "faculty", "--name", "zds", "--paper", "a3",
            "--portrait", "--out", str(out))
    assert r.returncode == 0, r.stderr
    reader = read_pdf(out.read_bytes())
    assert len(reader.pages) == 1
    assert round(float(reader.pages[0].mediabox.width)) == 842  # A3 portrait
    assert "Ms. Zoë D'Souza (ZDS)" in page_texts(reader)[0]


def test_report_picks_the_latest_version_or_the_named_one(demo_db_path, tmp_path):
    db = open_database(demo_db_path)
    try:
        tts.copy_timetable(db, "Reference timetable", "Draft B")
        sid = next(s.id for s in tts.list_sessions(db, "Draft B") if s.course_code == "CS201" and s.kind == "L")
        tts.move_session(db, sid, None, None, None)
    finally:
        db.close()
    latest = tmp_path / "latest.pdf"
    r = run("report", "--db", str(demo_db_path), "--kind", "conflicts", "--out", str(latest))
    assert r.returncode == 0, r.stderr
    assert "Draft B" in r.stdout
    text = "\n".join(page_texts(read_pdf(latest.read_bytes())))
    assert "CS201 L #" in text and "1 unscheduled session(s)" in text
    named = tmp_path / "named.pdf"
    r = run("report", "--db", str(demo_db_path), "--timetable", "reference timetable", "--kind", "conflicts",
            "--out", str(named))
    assert r.returncode == 0, r.stderr
    assert "0 unscheduled session(s)" in "\n".join(page_texts(read_pdf(named.read_bytes())))


def test_report_errors_are_clear_and_write_nothing(demo_db_path, tmp_path, capsys):
    from ato_desktop.cli import main

    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "x.pdf"
    before = _digest(demo_db_path)
    cases = [
        (("--kind", "faculty", "--name", "Nobody"), "no faculty member 'Nobody'"),
        (("--kind", "room", "--name", "CR-999"), "no room 'CR-999'"),
        (("--kind", "group", "--timetable", "Nope"), "no timetable version 'Nope'"),
        (("--kind", "master", "--name", "CSE-3A"), "only applies"),
        (("--kind", "book", "--out", str(outdir / "book.txt")), "ending in .pdf"),
        (("--kind", "book", "--out", str(outdir / "no" / "such" / "book.pdf")), "does not exist"),
    ]
    for extra, message in cases:
        args = ["report", "--db", str(demo_db_path), *extra]
        if "--out" not in extra:
            args += ["--out", str(out)]
        assert main(args) == 2, extra
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (extra, err)
    assert main(["report", "--db", str(tmp_path / "missing.atodb"), "--kind", "book", "--out", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err
    r = run("report", "--db", str(demo_db_path), "--kind", "poster", "--out", str(out))
    assert r.returncode == 2 and "invalid choice" in r.stderr
    assert list(outdir.iterdir()) == []
    assert _digest(demo_db_path) == before


def test_report_book_on_the_processes_asked_for(demo_db_path, tmp_path, monkeypatch, capsys):
    """``report --kind book --processes 2``: the book's sections are shared out among two worker processes
    (by default a book this small is laid out in one; tests/reports/test_book_parallel.py shows that the
    two give the same book)."""
    from ato_desktop.cli import main
    from ato_desktop.reports import book_parts

    shares = []
    real = book_parts.share_out
    monkeypatch.setattr(book_parts, "share_out", lambda weights, n: shares.append(n) or real(weights, n))
    out = tmp_path / "book.pdf"
    assert main(["report", "--db", str(demo_db_path), "--kind", "book", "--processes", "2", "--out", str(out)]) == 0
    assert shares == [2]
    pages = len(read_pdf(out.read_bytes()).pages)
    assert f"{pages} page(s) written to {out}" in capsys.readouterr().out and pages > 40
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.pdf", "demo.atodb"]  # no temporary file left
