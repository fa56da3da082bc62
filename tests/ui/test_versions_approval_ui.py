"""The review from the versions page: Submit, Return… (with a comment), Submit again, Approve… (signed
by a named approver), Publish; the History dialog lists each step with who, when and the comment."""

from __future__ import annotations

import pytest

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import timetables as tts
from ato_desktop.services.frozen import FrozenVersionError


def _step(qtbot, page, key, who, comment=""):
    assert page.buttons[key].isEnabled(), key
    old = page.step_dialog
    page.buttons[key].click()
    qtbot.waitUntil(lambda: page.step_dialog is not old and page.step_dialog.isVisible(), timeout=10_000)
    dlg = page.step_dialog
    dlg.who.setText(who)
    if key == "Return":
        assert not dlg.ok.isEnabled()  # a return says why
    dlg.comment.setPlainText(comment)
    assert dlg.ok.isEnabled()
    dlg.ok.click()
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=10_000)


def _status(page):
    return tts.get_timetable(page.db, REFERENCE_NAME).status


def test_submit_return_resubmit_approve_publish_from_the_versions_page(qtbot, window):
    page = window.show_page("timetables")
    page.reload()
    qtbot.waitUntil(lambda: len(page.infos) == 1, timeout=30_000)
    page.select_id(page.infos[0].id)
    assert not page.buttons["Approve"].isEnabled() and not page.buttons["Return"].isEnabled()

    _step(qtbot, page, "Submit", "Dr. Coordinator")
    assert _status(page) == "submitted"
    page.select_id(page.infos[0].id)
    assert page.table.item(0, 1).text() == "submitted"
    assert not page.buttons["Publish"].isEnabled() and not page.buttons["Submit"].isEnabled()
    _step(qtbot, page, "Return", "Prof. Head", "Move the Friday lab")
    assert _status(page) == "returned"
    page.select_id(page.infos[0].id)
    _step(qtbot, page, "Submit", "Dr. Coordinator")
    page.select_id(page.infos[0].id)
    _step(qtbot, page, "Approve", "Prof. Head", "Approved for the term")
    assert _status(page) == "approved"
    s = next(v for v in tts.list_sessions(page.db, REFERENCE_NAME) if v.scheduled)
    with pytest.raises(FrozenVersionError):
        tts.move_session(page.db, s.id, None, None, None)

    page.select_id(page.infos[0].id)
    assert page.buttons["Publish"].isEnabled()
    page.buttons["Publish"].click()
    qtbot.waitUntil(lambda: page.publish_dialog is not None and page.publish_dialog.isVisible(), timeout=60_000)
    page.publish_dialog.publish_button.click()
    qtbot.waitUntil(lambda: _status(page) == "published", timeout=10_000)

    page.reload()
    page.select_id(page.infos[0].id)
    page.buttons["History"].click()
    qtbot.waitUntil(lambda: page.history_dialog is not None and page.history_dialog.isVisible(), timeout=10_000)
    texts = page.history_dialog.texts()
    assert len(texts) == 5
    assert "draft → submitted by Dr. Coordinator" in texts[0]
    assert texts[1].endswith("submitted → returned by Prof. Head: Move the Friday lab")
    assert "returned → submitted by Dr. Coordinator" in texts[2]
    assert texts[3].endswith("submitted → approved by Prof. Head: Approved for the term")
    assert "approved → published" in texts[4] and "without approval" not in texts[4]
    assert all(t[:4].isdigit() and "UTC" in t for t in texts)  # when
    page.history_dialog.close()

    # Edit ▸ Undo takes back the publication, then the approval (the history tells the undo too)
    window.undo_stack.undo()
    assert _status(page) == "approved"
    window.undo_stack.undo()
    assert _status(page) == "submitted"
