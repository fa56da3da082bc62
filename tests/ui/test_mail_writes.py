"""The Notifications page's and the mail settings' writes are operations on the window's one writer:
a template edit is one undo step; the outbox's decisions and the mail settings are not undoable."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from ato_desktop.services import mail_settings, mail_templates, outbox
from ato_desktop.services import notifications as notes
from ato_desktop.services.errors import NotFoundError
from tests.notify.conftest import memory_keyring  # noqa: F401 (fixture)


def _view(window):
    view = window.pages["notifications"].ensure_loaded()
    window.show_page("notifications")
    return view


@pytest.mark.threaded_writes
def test_saving_a_template_runs_on_the_writer_and_is_one_undo_step(qtbot, window):
    view, db = _view(window), window.database
    tab = view.templates_tab
    tab.new_template()
    tab.template_name.setText("reminder")
    with qtbot.waitSignal(window.undo_stack.operation_executed, timeout=10_000) as blocker:
        tab.save_template()
    change = blocker.args[0]
    assert change.title == "Save mail template reminder" and change.concerns("notifications")
    assert window.undo_stack.operations.writer_thread is not threading.main_thread()
    qtbot.waitUntil(lambda: "reminder" in [tab.template_list.item(i).text()
                                           for i in range(tab.template_list.count())], timeout=10_000)
    assert window.undo_stack.undoText() == "Save mail template reminder"

    with qtbot.waitSignal(window.undo_stack.operation_executed, timeout=10_000):
        window.act_undo.trigger()
    with pytest.raises(NotFoundError):
        mail_templates.get_template(db, "reminder")
    qtbot.waitUntil(lambda: "reminder" not in [tab.template_list.item(i).text()  # the page followed the signal
                                               for i in range(tab.template_list.count())], timeout=10_000)
    with qtbot.waitSignal(window.undo_stack.operation_executed, timeout=10_000):
        window.act_redo.trigger()
    assert mail_templates.get_template(db, "reminder").subject == "Your timetable: $version"


def test_editing_and_deleting_a_template_undo_back_to_the_old_one(qtbot, window):
    view, db = _view(window), window.database
    tab = view.templates_tab
    old = mail_templates.get_template(db, notes.WEEKLY_TEMPLATE)
    tab.select_template(old.name)
    tab.template_subject.setText("Changed: $week")
    assert tab.save_template()
    assert mail_templates.get_template(db, old.name).subject == "Changed: $week"
    window.act_undo.trigger()
    assert replace(mail_templates.get_template(db, old.name), id=old.id) == old  # put back (a new row)

    tab.select_template(old.name)
    tab.delete_template()
    assert window.undo_stack.undoText() == f"Delete mail template {old.name}"
    window.act_undo.trigger()
    assert replace(mail_templates.get_template(db, old.name), id=old.id) == old  # put back (a new row)


def test_outbox_decisions_go_through_the_writer_and_leave_no_undo_step(qtbot, window):
    view, db = _view(window), window.database
    mail_templates.save_template(db, "plain", subject="Hello $faculty_name", body_text="b", attach_pdf=False)
    notes.queue_template(db, "plain", to=["SRA", "AIY"])
    heard = []
    window.undo_stack.operation_executed.connect(heard.append)
    steps = window.undo_stack.count()
    tab = view.outbox_tab
    tab.refresh_outbox()
    tab.outbox_table.selectAll()
    tab.delete_selected()
    assert [c.title for c in heard] == ["Delete 2 message(s)"] and heard[0].concerns("notifications")
    assert outbox.outbox_counts(db)["queued"] == 0 and tab.outbox_table.rowCount() == 0
    assert window.undo_stack.count() == steps  # not undoable


def test_mail_settings_are_saved_by_an_operation(qtbot, window, memory_keyring):
    from ato_desktop.ui.mail_settings import MailSettingsDialog

    heard = []
    window.undo_stack.operation_executed.connect(heard.append)
    dlg = MailSettingsDialog(window.database, window)
    qtbot.addWidget(dlg)
    dlg.host.setText("smtp.example.edu")
    dlg.sender.setText("tt@example.edu")
    assert dlg.save()
    assert [c.title for c in heard] == ["Change mail settings"] and window.undo_stack.count() == 0
    assert mail_settings.get_mail_settings(window.database).host == "smtp.example.edu"
    dlg.host.setText("")
    assert not dlg.save() and len(heard) == 1  # refused: one sentence, nothing written
    assert mail_settings.get_mail_settings(window.database).host == "smtp.example.edu"
