"""Publish in the Timetables page of the real main window: each teaching faculty member receives
exactly one e-mail, with their own timetable PDF, from the file's notification scheduler."""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtCore import QSettings

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import outbox
from ato_desktop.services import resources as res
from ato_desktop.services import timetables as tts
from tests.notify.conftest import configure


def test_publish_button_sends_each_faculty_member_their_timetable_once(qtbot, demo_db_path, smtp_server,
                                                                      memory_keyring, tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    from ato_desktop.ui.app import create_main_window

    window = create_main_window(demo_db_path)
    qtbot.addWidget(window)
    try:
        db = window.database
        configure(db, smtp_server)
        window.show_page("notifications")  # the view runs this file's notification scheduler
        page = window.show_page("timetables")
        page.select_id(tts.get_timetable(db, REFERENCE_NAME).id)
        messages = []
        page.status.connect(messages.append)
        assert page.publish_selected()  # checked in a worker, then confirmed
        qtbot.waitUntil(lambda: page.publish_dialog is not None and page.publish_dialog.isVisible(), timeout=60_000)
        page.publish_dialog.publish_button.click()
        assert tts.get_timetable(db, REFERENCE_NAME).status == "published"
        queued = len(outbox.list_outbox(db))
        assert queued > 10 and "e-mail(s) to faculty queued" in messages[-1]
        qtbot.waitUntil(lambda: outbox.outbox_counts(db).get("sent", 0) == queued, timeout=120_000)
        faculty = {f["email"]: f for f in res.list_items(db, "faculty")}
        addrs = [r.rcpt_tos[0] for r in smtp_server.received]
        assert len(addrs) == len(set(addrs)) == queued  # once each
        for r in smtp_server.received:
            f = faculty[r.rcpt_tos[0]]
            [pdf] = [p for p in r.message.iter_attachments() if p.get_content_type() == "application/pdf"]
            text = " ".join(" ".join(pg.extract_text() or "" for pg in PdfReader(io.BytesIO(pdf.get_content())).pages).split())
            assert f["code"] in text or f["name"] in text  # their own timetable
        # undo then redo the publication: nothing is sent twice
        window.undo_stack.undo()
        assert tts.get_timetable(db, REFERENCE_NAME).status == "draft"
        window.undo_stack.redo()
        assert tts.get_timetable(db, REFERENCE_NAME).status == "published"
        from ato_desktop.notify.scheduler import active_scheduler
        from ato_desktop.ui.tasks import wait_idle

        assert wait_idle(30_000)  # the window's tasks, then the file's scheduler: nothing left to run
        assert active_scheduler(db.path).wait_idle(30)
        assert len(outbox.list_outbox(db)) == queued and len(smtp_server.received) == queued
    finally:
        window.close()
