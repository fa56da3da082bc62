"""From the GUI: the review package built in the background (Timetables ▸ Review PDF…) and K candidates
(Candidates…) made in the background with progress and Cancel, then compared; one undo step removes them."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import timetables as tts


def _timetables(qtbot, window):
    page = window.show_page("timetables")
    page.reload()
    qtbot.waitUntil(lambda: len(page.infos) >= 1, timeout=30_000)
    page.select_id(page.infos[0].id)
    return page


def test_review_pdf_button_builds_the_package_in_the_background(qtbot, window, tmp_path):
    page = _timetables(qtbot, window)
    assert page.buttons["ReviewPdf"].isEnabled()
    out = tmp_path / "review.pdf"
    assert page.review_package(str(out))
    ctl = page.review_controller
    assert ctl.job is not None  # running in a worker, the UI thread free
    qtbot.waitUntil(lambda: ctl.job is None, timeout=120_000)
    assert ctl.error is None and ctl.result.path == out
    texts = [p.extract_text() for p in PdfReader(str(out)).pages]
    assert f"Review package: {REFERENCE_NAME}" in texts[0]
    assert any("Soft cost by rule" in t for t in texts)
    assert "Review package of" in window.statusBar().currentMessage()


def test_candidates_dialog_makes_k_versions_compares_them_and_undo_removes_them(qtbot, window):
    db = window.database
    page = _timetables(qtbot, window)
    assert page.make_candidates()
    dlg = page.candidates_dialog
    qtbot.waitExposed(dlg)
    dlg.k.setValue(2)
    dlg.time_limit.setValue(1)
    dlg.generations = 1
    dlg.start_button.click()
    assert dlg.running() and not dlg.start_button.isEnabled()
    qtbot.waitUntil(lambda: dlg.result is not None or dlg.error is not None, timeout=120_000)
    assert dlg.error is None
    assert [c.profile for c in dlg.result.candidates] == ["balanced", "students"]
    assert dlg.list.count() == 2
    assert dlg.compare_dialog is not None and dlg.compare_dialog.isVisible()
    assert dlg.compare_dialog.comparison.b.id == dlg.result.candidates[1].version_id
    names = {t.name for t in tts.list_timetables(db)}
    assert {c.name for c in dlg.result.candidates} <= names
    qtbot.waitUntil(lambda: len(page.infos) == 3, timeout=30_000)
    dlg.compare_dialog.close()
    dlg.close()
    window.undo_stack.undo()
    assert [t.name for t in tts.list_timetables(db)] == [REFERENCE_NAME]
    window.undo_stack.redo()
    assert {c.name for c in dlg.result.candidates} <= {t.name for t in tts.list_timetables(db)}


@pytest.mark.threaded_writes
def test_each_candidate_is_saved_by_an_operation_on_the_one_writer(qtbot, window, monkeypatch):
    """The candidates' saves ran in their task's thread; now each is an operation on the writer, announced
    like any other, and the whole is still one undo step."""
    import threading

    from ato_desktop.services import solving

    saved_on, heard = [], []
    real = solving.save_solve
    monkeypatch.setattr(solving, "save_solve",
                        lambda *a, **kw: saved_on.append(threading.current_thread().name) or real(*a, **kw))
    window.undo_stack.operation_executed.connect(lambda change: heard.append(change.title))
    before = window.undo_stack.count()
    page = _timetables(qtbot, window)
    page.make_candidates()
    dlg = page.candidates_dialog
    dlg.k.setValue(2)
    dlg.time_limit.setValue(1)
    dlg.generations = 1
    dlg.start_button.click()
    qtbot.waitUntil(lambda: dlg.result is not None or dlg.error is not None, timeout=120_000)
    assert dlg.error is None and len(dlg.result.candidates) == 2
    qtbot.waitUntil(lambda: window.undo_stack.count() == before + 1, timeout=10_000)
    assert len(saved_on) == 2 and all(name.startswith("ato-writer") for name in saved_on), saved_on
    assert sorted(t for t in heard if t.startswith("Save Candidate")) == sorted(f"Save {c.name}"
                                                                             for c in dlg.result.candidates)
    assert window.undo_stack.undoText() == "Make 2 candidate timetable(s)"
    dlg.compare_dialog.close()
    dlg.close()


def test_candidates_cancel_stops_the_run(qtbot, window):
    db = window.database
    page = _timetables(qtbot, window)
    page.make_candidates()
    dlg = page.candidates_dialog
    dlg.k.setValue(3)
    dlg.time_limit.setValue(600)
    dlg.start_button.click()
    qtbot.waitUntil(lambda: dlg.state.text().startswith("Candidate 1 of 3"), timeout=120_000)
    dlg.cancel_button.click()
    qtbot.waitUntil(lambda: not dlg.running(), timeout=60_000)
    assert dlg.result.stopped and dlg.result.candidates == ()
    assert [t.name for t in tts.list_timetables(db)] == [REFERENCE_NAME]
    assert dlg.cancel_button.text() == "Close"
