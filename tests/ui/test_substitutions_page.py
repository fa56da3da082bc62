"""The Substitutions page and the term's dates on the Calendar page, in the real main window offscreen."""

from __future__ import annotations

import datetime as dt

import pytest

from ato_desktop.services import substitution_day as sday
from ato_desktop.services import term as terms
from ato_desktop.services import timetables as tts
from ato_desktop.storage.database import open_database

DATE = dt.date(2026, 12, 8)


@pytest.fixture
def subst_window(qtbot, demo_db_path):
    db = open_database(demo_db_path)
    for d in terms.get_term(db).days:
        terms.remove_term_day(db, d.date)
    terms.set_term(db, "2026-07-20", "2026-12-12")
    tts.set_status(db, "Reference timetable", "published")
    db.close()
    from ato_desktop.ui.app import create_main_window

    w = create_main_window(demo_db_path)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    from ato_desktop.ui.tasks import wait_idle

    wait_idle(20000)
    w.close()


def _lessons_text(page) -> list[str]:
    return [page.lessons.item(r, 4).text() for r in range(page.lessons.rowCount())]


def test_record_an_absence_assign_undo_plan_and_print(qtbot, subst_window, tmp_path):
    w = subst_window
    page = w.show_page("substitutions")
    with qtbot.waitSignal(page.plan_loaded, timeout=10_000):
        page.set_date(DATE)
    assert page.day_label.text().startswith("Tuesday")
    page.faculty_box.setCurrentIndex(page.faculty_box.findData("SRA"))
    # a period that does not exist: one sentence, nothing recorded
    page.periods_edit.setText("P9")
    job = page.add_absence()  # in a worker: it reads the day's timetable
    qtbot.waitUntil(lambda: job.done, timeout=10_000)
    assert "no period 'P9'" in page.error.text() and not page.error.isHidden()
    assert sday.list_absences(w.database, DATE) == [] and w.undo_stack.count() == 0
    page.periods_edit.clear()
    job = page.add_absence()
    qtbot.waitUntil(lambda: job.done, timeout=10_000)
    assert w.undo_stack.count() == 1
    qtbot.waitUntil(lambda: page.lessons.rowCount() > 0 and page.absences.rowCount() == 1, timeout=10_000)
    assert set(_lessons_text(page)) == {"not covered"}
    page.lessons.selectRow(0)
    qtbot.waitUntil(lambda: page.candidates.rowCount() > 0, timeout=5_000)
    assert "free at" in page.candidates.item(0, 3).text()
    best = page.candidates.item(0, 1).text()
    assert page.assign_selected() is not None
    qtbot.waitUntil(lambda: any(best in t for t in _lessons_text(page)), timeout=10_000)
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: set(_lessons_text(page)) == {"not covered"}, timeout=10_000)
    page.auto_button.click()
    qtbot.waitUntil(lambda: page.lessons.rowCount() and "not covered" not in " ".join(_lessons_text(page)),
                    timeout=10_000)
    assert all(x.covered for x in sday.plan_day(w.database, DATE).lessons)
    notes = [page.day_table.item(r, 5).text() for r in range(page.day_table.rowCount())]
    assert len(notes) > len(_lessons_text(page)) and any(n.startswith("SRA absent: ") for n in notes)
    out = tmp_path / "sheet.pdf"
    job = page.print_sheet(str(out))
    qtbot.waitUntil(lambda: job.done, timeout=20_000)
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Daily arrangement" in text and "Dr. Srinivasa Rao" in text
    w.undo_stack.undo()  # the automatic plan is one step
    qtbot.waitUntil(lambda: set(_lessons_text(page)) == {"not covered"}, timeout=10_000)


def test_the_calendar_page_sets_holidays_with_undo(qtbot, subst_window):
    w = subst_window
    page = w.show_page("calendar")
    box = page.term_box
    assert box.start_edit.date().toString("yyyy-MM-dd") == "2026-07-20"
    box.day_edit.setDate(box.day_edit.date().fromString("2026-11-09", "yyyy-MM-dd"))
    box.label_edit.setText("Diwali")
    assert box.add_day()
    qtbot.waitUntil(lambda: box.days.rowCount() == 1, timeout=5_000)
    assert "Diwali" in box.days.item(0, 2).text()
    assert not terms.date_info(w.database, "2026-11-09").teaching
    # a date outside the term is refused on the page
    box.day_edit.setDate(box.day_edit.date().fromString("2027-03-01", "yyyy-MM-dd"))
    assert not box.add_day() and "outside the term" in box.error.text()
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: box.days.rowCount() == 0, timeout=5_000)
    assert terms.date_info(w.database, "2026-11-09").teaching


def test_the_channels_dialog_keeps_the_address_in_the_keychain(qtbot, subst_window):
    import keyring

    from tests.notify.conftest import MemoryKeyring

    before = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    try:
        page = subst_window.show_page("substitutions")
        dlg = page.open_channels(modal=False)
        qtbot.addWidget(dlg)
        dlg.name_edit.setText("staffroom")
        dlg.url_edit.setText("ftp://nowhere")
        assert not dlg.add() and "not a web address" in dlg.error.text() and dlg.table.rowCount() == 0
        dlg.url_edit.setText("https://example.webhook.office.com/abc")
        dlg.kind_box.setCurrentIndex(dlg.kind_box.findData("teams"))
        dlg.event_checks["publish"].setChecked(True)
        assert dlg.add() and dlg.table.rowCount() == 1
        assert dlg.table.item(0, 2).text() == "Substitutions, Publication"
        assert list(store.store.values()) == ["https://example.webhook.office.com/abc"]
        from PySide6.QtCore import Qt

        from ato_desktop.services import channels

        item = dlg.table.item(0, 0)
        assert item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked)  # the channel's checkbox: disabled
        assert [c.enabled for c in channels.list_channels(subst_window.database)] == [False]
        assert dlg.table.item(0, 0).checkState() == Qt.CheckState.Unchecked
        dlg.table.item(0, 0).setCheckState(Qt.CheckState.Checked)
        assert [c.enabled for c in channels.list_channels(subst_window.database)] == [True]
        dlg.table.selectRow(0)
        assert dlg.remove() and dlg.table.rowCount() == 0 and store.store == {}
    finally:
        keyring.set_keyring(before)
