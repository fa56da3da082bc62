"""The one writer: operations run off the UI thread on one single-worker executor; their change is
announced once on the main thread; undo and redo run there too and announce their change."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QApplication

from ato_desktop.services import resource_edits as edits
from ato_desktop.services import resources as res
from ato_desktop.services.errors import ValidationError
from ato_desktop.ui.undo import UndoStack


@pytest.fixture()
def stack(demo_db):
    s = UndoStack()
    s.set_database(demo_db)
    yield s
    s.operations.shutdown()


@pytest.mark.threaded_writes
def test_writes_run_on_the_single_writer_thread_and_report_on_the_main_thread(qtbot, stack, demo_db):
    ops = stack.operations
    assert not ops.inline
    ran_on, done_on, heard = [], [], []
    stack.operation_executed.connect(lambda change: heard.append((change.title, threading.current_thread())))

    def add(code):
        def op(db):
            ran_on.append(threading.current_thread())
            return edits.add_item(db, entity="room", values={"code": code, "capacity": 30})
        return op

    handles = [stack.run(add(f"W-{i}"), on_done=lambda c: done_on.append(threading.current_thread()))
               for i in range(3)]
    qtbot.waitUntil(lambda: all(h.done for h in handles), timeout=10_000)
    main = threading.main_thread()
    assert len(set(ran_on)) == 1 and ran_on[0] is not main  # one writer, not the UI thread
    assert done_on == [main] * 3 and [t for _, t in heard] == [main] * 3
    assert [title for title, _ in heard] == ["Add room W-0", "Add room W-1", "Add room W-2"]
    assert stack.count() == 3 and stack.undoText() == "Add room W-2"

    with qtbot.waitSignal(stack.operation_executed, timeout=10_000) as blocker:
        stack.undo()  # the change's own undo, on the writer
    assert blocker.args[0].concerns("room") and ops.writer_thread is ran_on[0]
    assert not any(r["code"] == "W-2" for r in res.list_items(demo_db, "room"))
    with qtbot.waitSignal(stack.operation_executed, timeout=10_000):
        stack.redo()
    assert any(r["code"] == "W-2" for r in res.list_items(demo_db, "room"))


@pytest.mark.threaded_writes
def test_a_refused_operation_hands_its_sentence_back_and_changes_nothing(qtbot, stack, demo_db):
    errors, executed = [], []
    stack.operation_executed.connect(executed.append)
    n = res.count_items(demo_db, "room")
    h = stack.run(lambda db: edits.add_item(db, entity="room", values={"code": "", "capacity": 30}),
                  on_error=errors.append)
    qtbot.waitUntil(lambda: h.done, timeout=10_000)
    assert not h and isinstance(errors[0], ValidationError) and str(errors[0])
    assert executed == [] and stack.count() == 0 and res.count_items(demo_db, "room") == n
    QApplication.processEvents()


@pytest.mark.threaded_writes
def test_the_window_saves_a_room_on_the_writer_and_its_list_follows_the_signal(qtbot, window):
    page = window.show_page("rooms")
    qtbot.waitUntil(lambda: not page.loading, timeout=10_000)
    n = page.model.rowCount()
    page.new_item({"code": "TH-1", "capacity": 25})
    with qtbot.waitSignal(window.undo_stack.operation_executed, timeout=10_000) as blocker:
        assert page.save()  # submitted: the writer does it
    assert blocker.args[0].title == "Add room TH-1" and window.undo_stack.operations.writer_thread is not None
    assert window.undo_stack.operations.writer_thread is not threading.main_thread()
    qtbot.waitUntil(lambda: page.model.rowCount() == n + 1, timeout=10_000)
    with qtbot.waitSignal(window.undo_stack.operation_executed, timeout=10_000):
        window.act_undo.trigger()
    qtbot.waitUntil(lambda: page.model.rowCount() == n, timeout=10_000)


@pytest.mark.threaded_writes
def test_a_write_queued_for_a_file_the_window_leaves_is_done_before_and_leaves_no_undo_step(qtbot, stack, demo_db,
                                                                                         db):
    heard = []
    stack.operation_executed.connect(heard.append)
    stack.run(lambda d: edits.add_item(d, entity="room", values={"code": "OLD-1", "capacity": 30}))
    stack.set_database(db)  # waits for the queued write and hands its result over first
    assert [c.title for c in heard] == ["Add room OLD-1"]
    assert any(r["code"] == "OLD-1" for r in res.list_items(demo_db, "room"))
    assert stack.count() == 0 and not stack.canUndo()  # the old file's history does not apply here
