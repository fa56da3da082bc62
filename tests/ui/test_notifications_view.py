"""The Notifications page, offscreen, on the demo database with a real SMTP server."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt, QTime

from ato_desktop.notify import scheduler as sch
from ato_desktop.services import faculty_changes
from ato_desktop.services import mail_templates
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from ato_desktop.storage.database import open_database
from ato_desktop.ui.mail_outbox_tab import OUTBOX_COLUMNS
from ato_desktop.ui.mail_schedules_tab import ON_PUBLISH_ROW
from ato_desktop.ui.notifications_view import NotificationsView
from tests.notify.conftest import configure
from tests.notify.conftest import down_server, memory_keyring, smtp_server  # noqa: F401 (fixtures)

STATUS, ERROR = OUTBOX_COLUMNS.index("Status"), OUTBOX_COLUMNS.index("Error")


@pytest.fixture
def view(qtbot, demo_db):
    v = NotificationsView(demo_db)
    qtbot.addWidget(v)
    v.resize(1200, 700)
    v.show()
    yield v
    v.shutdown()
    sch.shutdown_all()


def _column(v, col):
    t = v.outbox_tab.outbox_table
    return [t.item(r, col).text() for r in range(t.rowCount())]


def test_outbox_shows_errors_and_retry_delivers_once(qtbot, view, demo_db, down_server, memory_keyring):
    assert view.scheduler is sch.active_scheduler(demo_db.path) and view.scheduler.running
    configure(demo_db, down_server)
    mail_templates.save_template(demo_db, "plain", subject="Hello $faculty_name", body_text="b", attach_pdf=False)
    notes.queue_template(demo_db, "plain", to=["SRA", "AIY"])
    outbox.deliver_due(demo_db)  # the server is down
    view.outbox_tab.refresh_outbox()
    assert _column(view, STATUS) == ["queued", "queued"]
    assert all("Connection refused" in e for e in _column(view, ERROR))
    assert "2 queued" in view.outbox_tab.outbox_counts.text()
    assert not view.outbox_tab.retry_button.isEnabled()

    down_server.start()
    view.outbox_tab.outbox_table.selectAll()
    assert view.outbox_tab.retry_button.isEnabled()
    qtbot.mouseClick(view.outbox_tab.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.busy, timeout=10000)
    assert _column(view, STATUS) == ["sent", "sent"] and _column(view, ERROR) == ["", ""], view.outbox_tab.outbox_status.text()
    assert "2 sent" in view.outbox_tab.outbox_status.text()
    assert sorted(r.rcpt_tos[0] for r in down_server.received) == [
        "aiy.cse@demo-institute.edu.in", "sra.cse@demo-institute.edu.in"]

    view.outbox_tab.outbox_table.selectAll()
    view.outbox_tab.retry_selected()  # sent messages are not sent again
    qtbot.waitUntil(lambda: not view.busy, timeout=10000)
    assert len(down_server.received) == 2

    view.outbox_tab.status_filter.setCurrentIndex(view.outbox_tab.status_filter.findData("failed"))
    assert view.outbox_tab.outbox_table.rowCount() == 0
    view.outbox_tab.status_filter.setCurrentIndex(0)
    view.outbox_tab.outbox_search.setText("aiy.cse")
    assert view.outbox_tab.outbox_table.rowCount() == 1


def test_template_editor_live_preview_variables_and_save(qtbot, view, demo_db):
    names = [view.templates_tab.template_list.item(i).text() for i in range(view.templates_tab.template_list.count())]
    assert {"timetable", "weekly_reminder", "daily_digest"} <= set(names)
    view.templates_tab.select_template("timetable")
    assert view.templates_tab.template_subject.text() == "Your timetable: $version ($term)" and view.templates_tab.attach_pdf.isChecked()
    qtbot.waitUntil(lambda: view.templates_tab.preview_subject.text().startswith("Subject: Your timetable: "), timeout=15_000)
    assert "$" not in view.templates_tab.preview_text.toPlainText()

    code = view.templates_tab.preview_faculty.currentData()
    name = next(r.name for r in notes.recipients(demo_db) if r.code == code)
    view.templates_tab.template_subject.setText("Hello <$faculty_name>")  # live: no save needed
    qtbot.waitUntil(lambda: view.templates_tab.preview_subject.text() == f"Subject: Hello <{name}>", timeout=15_000)
    view.templates_tab.body_html.setPlainText("<p>Dear $faculty_name</p>")
    qtbot.waitUntil(lambda: not view.templates_tab.preview_pending and "Dear" in view.templates_tab.preview_html.toHtml(), timeout=15_000)

    view.templates_tab.body_text.setFocus()
    view.templates_tab.body_text.moveCursor(view.templates_tab.body_text.textCursor().MoveOperation.End)
    view.templates_tab._last_editor = view.templates_tab.body_text  # offscreen focus events are not guaranteed
    view.templates_tab.insert_variable("week")
    assert view.templates_tab.body_text.toPlainText().endswith("$week")

    view.templates_tab.new_template()
    view.templates_tab.template_name.setText("notice")
    view.templates_tab.body_text.setPlainText("   ")
    assert view.templates_tab.save_template() is False and "text" in view.templates_tab.template_status.text()
    assert "notice" not in [t.name for t in mail_templates.list_templates(demo_db)]
    view.templates_tab.body_text.setPlainText("Dear $facultyname, see $classes")  # a typo: refused, naming it
    assert view.templates_tab.save_template() is False and "$facultyname is not a known variable" in view.templates_tab.template_status.text()
    assert "notice" not in [t.name for t in mail_templates.list_templates(demo_db)]
    view.templates_tab.body_text.setPlainText("Dear $faculty_name, see $classes")
    view.templates_tab.attach_pdf.setChecked(False)
    assert view.templates_tab.save_template() is True
    t = mail_templates.get_template(demo_db, "notice")
    assert t.subject == "Your timetable: $version" and not t.attach_pdf
    assert view.templates_tab.template_list.currentItem().text() == "notice"

    view.templates_tab.select_template("timetable")
    view.templates_tab.delete_template()  # the on-publish template is protected
    assert "published" in view.templates_tab.template_status.text()
    view.templates_tab.select_template("notice")
    view.templates_tab.delete_template()
    assert "notice" not in [t.name for t in mail_templates.list_templates(demo_db)]


def test_send_template_to_everyone_in_the_background(qtbot, view, demo_db, smtp_server, memory_keyring):
    configure(demo_db, smtp_server)
    mail_templates.save_template(demo_db, "plain", subject="Hello $faculty_name", body_text="$classes", attach_pdf=False)
    view.templates_tab.refresh_templates()
    view.templates_tab.select_template("plain")
    view.templates_tab.send_template_to_everyone()
    qtbot.waitUntil(lambda: not view.busy, timeout=15000)
    teaching = faculty_changes.change_summary(demo_db, None, "Reference timetable")
    got = [r.rcpt_tos[0] for r in smtp_server.received]
    assert len(got) == len(set(got)) == len(teaching)
    assert set(_column(view, STATUS)) == {"sent"}


def test_schedules_add_list_remove_and_persist(qtbot, view, demo_db):
    assert view.schedules_tab.schedule_ids() == [ON_PUBLISH_ROW]  # the demo sends "timetable" on publish
    view.schedules_tab.schedule_kind.setCurrentIndex(view.schedules_tab.schedule_kind.findData("weekly"))
    view.schedules_tab.schedule_day.setCurrentIndex(view.schedules_tab.schedule_day.findData("mon"))
    view.schedules_tab.schedule_time.setTime(QTime(7, 0))
    assert view.schedules_tab.schedule_template.currentText() == "weekly_reminder"
    qtbot.mouseClick(view.schedules_tab.add_schedule_button, Qt.MouseButton.LeftButton)
    assert "Every Monday at 07:00" in view.schedules_tab.schedule_status.text()
    view.schedules_tab.schedule_kind.setCurrentIndex(view.schedules_tab.schedule_kind.findData("daily"))
    assert view.schedules_tab.schedule_template.currentText() == "daily_digest" and not view.schedules_tab.schedule_day.isEnabled()
    view.schedules_tab.schedule_time.setTime(QTime(18, 30))
    view.schedules_tab.add_schedule()
    weekly, daily = sch.weekly_id("mon", 7, 0, "weekly_reminder"), sch.daily_id(18, 30, "daily_digest")
    assert set(view.schedules_tab.schedule_ids()) == {ON_PUBLISH_ROW, weekly, daily}
    t = view.schedules_tab.schedule_table
    texts = {t.item(r, 0).data(Qt.ItemDataRole.UserRole): [t.item(r, c).text() for c in range(5)]
             for r in range(t.rowCount())}
    assert texts[weekly][:3] == ["Weekly", "Every Monday at 07:00", "weekly_reminder"]
    assert texts[weekly][3].startswith("Mon ")
    assert texts[daily][:3] == ["Daily digest", "Every day at 18:30", "daily_digest"]

    t.selectRow(view.schedules_tab.schedule_ids().index(ON_PUBLISH_ROW))
    view.schedules_tab.remove_selected_schedule()
    assert notes.get_on_publish(demo_db) is None and ON_PUBLISH_ROW not in view.schedules_tab.schedule_ids()
    view.schedules_tab.schedule_kind.setCurrentIndex(view.schedules_tab.schedule_kind.findData("publish"))
    view.schedules_tab.add_schedule()
    assert notes.get_on_publish(demo_db) == "timetable"
    view.schedules_tab.remove_schedule(daily)
    assert set(view.schedules_tab.schedule_ids()) == {ON_PUBLISH_ROW, weekly}

    # the schedules live in the database file: a fresh scheduler (next app start) has them
    view.shutdown()
    again = sch.NotificationScheduler(demo_db.path)
    again.start(paused=True)
    try:
        assert {j.id for j in again.schedules()} == {weekly}
    finally:
        again.shutdown()


def test_set_database_switches_files_and_schedulers(qtbot, view, demo_db, tmp_path):
    first = view.scheduler
    other_path = tmp_path / "other.atodb"
    shutil.copyfile(demo_db.path, other_path)
    other = open_database(other_path)
    try:
        mail_templates.save_template(other, "only_here", subject="s", body_text="b")
        view.set_database(other)
        assert not first.running  # the view had started it, so it stopped it
        assert view.scheduler.db_path == str(other_path.resolve()) and view.scheduler.running
        assert "only_here" in [view.templates_tab.template_list.item(i).text() for i in range(view.templates_tab.template_list.count())]
        view.set_database(None)
        assert not view.isEnabled() and view.outbox_tab.outbox_table.rowCount() == 0
    finally:
        view.shutdown()
        other.close()


def test_a_scheduler_given_by_the_app_is_not_stopped_by_the_view(qtbot, demo_db):
    app_sched = sch.ensure_scheduler(demo_db.path)
    try:
        v = NotificationsView(demo_db, scheduler=app_sched)
        qtbot.addWidget(v)
        v.set_database(None)
        v.shutdown()
        assert app_sched.running
    finally:
        sch.shutdown_all()


def test_read_only_file_is_shown_but_starts_no_scheduler(qtbot, demo_db_path):
    from ato_desktop.storage.database import open_readonly

    db = open_readonly(demo_db_path)
    try:
        v = NotificationsView(db)
        qtbot.addWidget(v)
        v.show()
        assert v.scheduler is None and sch.active_scheduler(demo_db_path) is None
        assert v.outbox_tab.send_button.isHidden() and v.schedules_tab.add_schedule_button.isHidden()
        assert "read-only" in v.schedules_tab.schedule_status.text()
        assert v.templates_tab.template_list.count() >= 3
        v.shutdown()
    finally:
        db.close()


def test_main_window_style_readonly_flag_and_quit(qtbot, view, demo_db):
    from PySide6.QtWidgets import QApplication

    first = view.scheduler
    view.set_database(demo_db, readonly=True)  # what the main window passes for a second instance
    assert view.scheduler is None and not first.running and view.schedules_tab.add_schedule_button.isHidden()
    view.set_database(demo_db, readonly=False)
    assert view.scheduler is not None and view.scheduler.running and not view.schedules_tab.add_schedule_button.isHidden()
    messages = []
    view.status.connect(messages.append)
    view.outbox_tab.retry_all()
    qtbot.waitUntil(lambda: not view.busy, timeout=10000)
    assert messages and messages[-1].endswith(".")
    QApplication.instance().aboutToQuit.emit()  # the app quits: every scheduler stops
    assert not view.scheduler.running and sch.active_scheduler(demo_db.path) is None


def test_created_without_a_database_then_given_one(qtbot, demo_db):
    v = NotificationsView(None)
    qtbot.addWidget(v)
    assert not v.isEnabled() and v.scheduler is None
    v.set_database(demo_db)
    try:
        assert v.isEnabled() and v.scheduler.running and v.templates_tab.template_list.count() >= 3
    finally:
        v.shutdown()
        sch.shutdown_all()


def test_a_message_that_may_have_been_sent_waits_for_the_coordinator(qtbot, view, demo_db, memory_keyring):
    from tests.notify.conftest import DropAfterDataHandler, SmtpServer

    server = SmtpServer()
    server.handler = DropAfterDataHandler(drops=2)
    server.start()
    try:
        configure(demo_db, server)
        mail_templates.save_template(demo_db, "plain", subject="Hello $faculty_name", body_text="b", attach_pdf=False)
        notes.queue_template(demo_db, "plain", to=["SRA", "AIY"])
        outbox.deliver_due(demo_db)  # both accepted, both replies lost
        view.outbox_tab.refresh_outbox()
        assert _column(view, STATUS) == ["may have been sent", "may have been sent"]
        assert all("may have been sent" in e for e in _column(view, ERROR))
        assert not view.outbox_tab.send_again_button.isEnabled() and not view.outbox_tab.mark_sent_button.isEnabled()
        view.outbox_tab.status_filter.setCurrentIndex(view.outbox_tab.status_filter.findData("uncertain"))
        assert view.outbox_tab.outbox_table.rowCount() == 2
        view.outbox_tab.outbox_table.selectRow(0)
        assert view.outbox_tab.send_again_button.isEnabled() and view.outbox_tab.mark_sent_button.isEnabled()
        qtbot.mouseClick(view.outbox_tab.mark_sent_button, Qt.MouseButton.LeftButton)
        assert "Marked 1 message(s) as sent." in view.outbox_tab.outbox_status.text()
        assert view.outbox_tab.outbox_table.rowCount() == 1  # the filter shows only the one left
        view.outbox_tab.outbox_table.selectRow(0)
        qtbot.mouseClick(view.outbox_tab.send_again_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not view.busy, timeout=10000)
        assert {r.status for r in outbox.list_outbox(demo_db)} == {"sent"}
        assert len(server.received) == 3  # two first tries, one sent again on request
    finally:
        server.stop()
