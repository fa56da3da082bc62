"""What keeps a big department responsive: pages made on first show, big lists read in a worker,
start-up and notification imports in a worker. Behaviour only (the timings are in benchmarks/scale.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ato_desktop.services import resources as res
from ato_desktop.ui.resource_page import ResourcePage
from ato_desktop.ui.tasks import wait_idle
from tests.ui.conftest import answer_dialog


def _nav_to(window, key: str):
    """Click the page in the navigation list (as a user does: no show_page)."""
    for i in range(window.nav.count()):
        if window.nav.item(i).data(Qt.ItemDataRole.UserRole) == key:
            window.nav.setCurrentRow(i)
            return window.stack.currentWidget()
    raise KeyError(key)


@pytest.fixture
def small_async(monkeypatch):
    """Every list with more than 3 rows is read in a worker, as the big lists of a 20-department file."""
    monkeypatch.setattr(ResourcePage, "ASYNC_MIN_ROWS", 3)


def test_pages_are_created_on_first_show_and_get_the_open_database(window):
    keys = list(window.pages)
    assert keys[:3] == ["calendar", "departments", "faculty"] and "timetables" in keys
    created = window.pages.created()
    assert "calendar" in created and "faculty" not in created and "activities" not in created
    assert "faculty" in window.pages and len(window.pages) == len(keys)
    page = _nav_to(window, "faculty")
    assert window.pages.is_created("faculty") and window.pages["faculty"] is page
    assert page.db is window.database and page.model.rowCount() == res.count_items(window.database, "faculty")
    rooms = window.pages["rooms"]  # reading a page creates it too, with the database
    assert rooms.db is window.database and window.pages["rooms"] is rooms


def test_a_page_created_after_an_edit_shows_it_and_created_pages_hear_of_later_edits(window):
    deps = window.show_page("departments")
    deps.new_item({"code": "NEWD", "name": "New department"})
    assert deps.save()
    faculty = window.show_page("faculty")  # created now: reads the data as it is
    combo = faculty.form.editors["department"]
    assert combo.findData("NEWD") >= 0
    window.show_page("departments")
    deps.new_item({"code": "LATER", "name": "Later department"})
    assert deps.save()  # the faculty page exists but is hidden: told, reloads when shown
    window.show_page("faculty")
    assert faculty.form.editors["department"].findData("LATER") >= 0
    window.undo_stack.undo()  # undo from another page than the one that made the edit
    assert faculty.form.editors["department"].findData("LATER") < 0
    window.show_page("departments")
    assert all(r["code"] != "LATER" for r in deps.model.items())


def test_closing_and_opening_reaches_only_created_pages_and_later_ones_get_the_new_file(window, demo_db_path):
    assert not window.pages.is_created("groups")
    db = window.database
    window.close_database()
    assert window.pages["groups"].db is None and window.pages["groups"].model.rowCount() == 0
    assert window.open_database(demo_db_path, ask=False)
    assert window.database is not db
    assert window.show_page("groups").model.rowCount() == res.count_items(window.database, "group")
    assert window.show_page("courses").db is window.database


def test_a_big_list_is_read_in_a_worker_and_shows_every_row_when_done(window, qtbot, small_async):
    n = res.count_items(window.database, "activity")
    page = _nav_to(window, "activities")
    assert page.loading and page.count_label.text() == "Loading…"
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        pass
    assert not page.loading and page.model.rowCount() == n == page.proxy.rowCount()
    assert page.current_item() is not None  # the first activity is in the form
    assert page.form.editors["course"].count() == res.count_items(window.database, "course")
    page.filter_edit.setText("lab")  # filtering uses the strings made in the worker
    shown = [page.proxy.mapToSource(page.proxy.index(r, 0)).row() for r in range(page.proxy.rowCount())]
    assert 0 < len(shown) < n
    for row in shown:
        texts = [page.model.text(row, c) for c in range(page.model.columnCount())]
        assert "lab" in (" ".join(texts) + " " + page.model.item(row)["_label"]).lower()
    page.filter_edit.clear()
    assert page.proxy.rowCount() == n


def test_edits_delete_and_undo_on_a_list_read_in_a_worker(window, qtbot, small_async):
    page = _nav_to(window, "faculty")
    qtbot.waitUntil(lambda: not page.loading, timeout=30_000)
    n = page.model.rowCount()
    first = page.current_item()
    box = page.form.editors["max_weekly_periods"]
    box.setValue(box.value() % 20 + 1)
    assert page.save()
    qtbot.waitUntil(lambda: not page.loading, timeout=30_000)
    saved = res.get_item(window.database, "faculty", first["code"])
    assert page.current_item()["id"] == first["id"]
    assert page.model.item(page.model.row_of(first["id"]))["max_weekly_periods"] == saved["max_weekly_periods"]

    # delete the second member: once the list without it is read, its neighbour is in the form
    second = page.model.item(1)
    assert page.select_id(second["id"])
    answer_dialog(qtbot, page.delete_selected, accept=True)
    qtbot.waitUntil(lambda: not page.loading and page.model.rowCount() == n - 1, timeout=30_000)
    assert page.model.row_of(second["id"]) < 0
    assert page.current_item() is not None and page.current_item()["id"] != second["id"]

    window.show_page("rooms")  # undo from another page: the faculty page reads it back when shown
    window.undo_stack.undo()
    assert res.get_item(window.database, "faculty", second["code"]) is not None
    window.show_page("faculty")
    qtbot.waitUntil(lambda: not page.loading, timeout=30_000)
    assert page.model.rowCount() == n


def test_a_list_being_read_for_a_closed_file_is_dropped(window, qtbot, small_async):
    page = _nav_to(window, "activities")
    assert page.loading
    window.close_database()
    assert not page.loading
    wait_idle(30_000)  # the worker's result is delivered (and ignored)
    assert page.model.rowCount() == 0 and page.db is None


def test_notifications_page_shown_from_the_navigation_is_built_after_its_imports(window, qtbot):
    page = _nav_to(window, "notifications")
    qtbot.waitUntil(lambda: page.view is not None, timeout=30_000)
    assert page.view.db is window.database
    assert page._loading_label is None  # the "Loading…" placeholder is gone


def test_start_up_imports_run_in_a_worker_then_the_warm_up_status_is_connected(window, qtbot):
    from ato_desktop.ui.app import when_preloaded

    qtbot.waitUntil(lambda: window.preload_job.done, timeout=30_000)
    qtbot.waitUntil(lambda: getattr(window, "_warm_up_status", None) is not None, timeout=30_000)
    called = []
    when_preloaded(window, lambda: called.append(1))
    qtbot.waitUntil(lambda: called == [1], timeout=5_000)


def test_after_the_window_closes_late_announcements_reach_no_page(qtbot, demo_db_path):
    from ato_desktop.ui.app import create_main_window

    w = create_main_window(demo_db_path)
    qtbot.addWidget(w)
    w.show()
    faculty = w.show_page("faculty")
    heard = []
    orig = faculty.on_data_changed
    faculty.on_data_changed = lambda entity: (heard.append(entity), orig(entity))
    w.undo_stack.data_changed.emit("faculty")
    assert heard == ["faculty"]
    wait_idle(20_000)
    w.close()
    assert w.database is None
    w.undo_stack.data_changed.emit("timetable")  # e.g. a page's queued announcement after the close
    assert heard == ["faculty"]
    assert w.open_database(demo_db_path, ask=False)  # open again: the pages hear edits again
    w.undo_stack.data_changed.emit("room")
    assert heard == ["faculty", "room"]
    wait_idle(20_000)
    w.close()


def test_a_timetable_announcement_does_not_re_read_the_resource_lists(window, monkeypatch):
    """The timetable screen announces every move and load; no resource list shows sessions, so none
    is read again (at 10,000 sessions that read, on the UI thread beside the conflicts worker, was
    the longest stall after an edit)."""
    import ato_desktop.ui.resource_page as rp

    faculty = window.show_page("faculty")
    reads = []
    real = rp.list_rows
    monkeypatch.setattr(rp, "list_rows", lambda db, entity: (reads.append(entity), real(db, entity))[1])
    window.undo_stack.data_changed.emit("timetable")
    assert reads == [] and not faculty._dirty
    window.undo_stack.data_changed.emit("faculty")  # its own data: read again
    assert reads == ["faculty"]
