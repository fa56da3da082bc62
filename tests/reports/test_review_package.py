"""`ato-desktop versions review-package`: one PDF (parsed back with pypdf) — the summary with the check,
the comparison with the published version and the history, then the book."""

from __future__ import annotations

from pypdf import PdfReader

from ato_desktop.cli import main
from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import approval
from ato_desktop.services import version_lifecycle as versions
from ato_desktop.services import timetables as tts
from ato_desktop.storage.database import open_database


def test_review_package_has_the_summary_then_the_book(demo_db_path, tmp_path, capsys):
    db = open_database(demo_db_path)
    try:
        versions.publish_version(db, REFERENCE_NAME, by="C")
        versions.copy_to_draft(db, REFERENCE_NAME, "Candidate")
        sessions = [v for v in tts.list_sessions(db, "Candidate") if v.scheduled and v.room]
        first = sessions[0]
        tts.move_session(db, first.id, next(v.day for v in sessions if v.day != first.day), first.period, first.room)
        approval.submit(db, "Candidate", who="Dr. Coordinator", comment="Please review")
    finally:
        db.close()
    out = tmp_path / "review.pdf"
    assert main(["versions", "review-package", "--db", str(demo_db_path), "Candidate", "--out", str(out)]) == 0
    assert "compared with Reference timetable (1 session(s) moved)" in capsys.readouterr().out
    reader = PdfReader(str(out))
    texts = [p.extract_text() for p in reader.pages]
    summary = "\n".join(t for t in texts[:5])
    assert "Review package: Candidate" in texts[0]
    assert "Hard conflicts:" in texts[0] and "Unscheduled sessions: 0 of 155" in texts[0]
    assert "Compared with Reference timetable: 1 session(s) moved" in summary
    assert f"{first.course_code} " in summary and "→" in summary
    assert "draft → submitted by Dr. Coordinator: Please review" in summary
    book = next(i for i, t in enumerate(texts) if "Contents" in t)
    assert 0 < book < len(texts) - 10  # the book follows the summary
    assert any("Unscheduled sessions and remaining conflicts" in t for t in texts[book:])

    bad = tmp_path / "review.txt"
    assert main(["versions", "review-package", "--db", str(demo_db_path), "Candidate", "--out", str(bad)]) == 2
    assert "ending in .pdf" in capsys.readouterr().err and not bad.exists()
