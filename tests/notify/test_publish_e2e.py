"""Publishing the demo department: every faculty member gets exactly one message, with their own PDF."""

import io

import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import mail_templates
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from ato_desktop.services import resources as res
from tests.notify.conftest import configure


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _small_pdf(db, timetable_id, faculty_code):
    """A real PDF naming the faculty member and version (stands in until the reports module lands)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, f"Timetable {timetable_id} of {faculty_code}")
    c.save()
    return buf.getvalue()


def _check_delivery(demo_db, server, expect_in_pdf):
    faculty = {f["code"]: f for f in res.list_items(demo_db, "faculty")}
    by_addr = {f["email"]: code for code, f in faculty.items()}
    got = server.received
    addrs = [r.rcpt_tos[0] for r in got]
    assert len(addrs) == len(set(addrs)), "someone received the publish message twice"
    for r in got:
        code = by_addr[r.rcpt_tos[0]]
        msg = r.message
        assert msg["Subject"].startswith("Your timetable: " + REFERENCE_NAME)
        assert faculty[code]["name"] in msg.get_body(("plain",)).get_content()
        assert msg.get_body(("html",)) is not None
        [pdf] = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
        assert code in pdf.get_filename()
        data = pdf.get_content()
        assert data.startswith(b"%PDF")
        expect_in_pdf(code, _pdf_text(data))
    return {by_addr[a] for a in addrs}


def test_publish_reaches_each_faculty_member_once_with_their_own_pdf(demo_db, smtp_server, memory_keyring):
    configure(demo_db, smtp_server)
    result = notes.publish(demo_db, REFERENCE_NAME)  # the demo's "timetable" template, on by default
    teaching = set(result.changes)
    assert result.queue.queued == len(teaching) > 10 and not result.queue.no_email
    report = outbox.deliver_due(demo_db, pdf_maker=_small_pdf)
    assert report.sent == len(teaching), report.summary()
    reached = _check_delivery(demo_db, smtp_server, lambda code, text: (code in text) or pytest.fail(text))
    assert reached == teaching
    # publishing again and delivering again sends nothing more
    notes.publish(demo_db, REFERENCE_NAME)
    assert outbox.deliver_due(demo_db, pdf_maker=_small_pdf).sent == 0
    assert len(smtp_server.received) == len(teaching)


def test_publish_with_the_real_report_pdf(demo_db, smtp_server, memory_keyring):
    from ato_desktop.notify.scheduler import NotificationScheduler

    configure(demo_db, smtp_server)
    result = notes.publish(demo_db, REFERENCE_NAME)
    # the app's path: the on-publish event runs the delivery in the scheduler's worker thread,
    # with the default PDF maker (ato_desktop.reports)
    sched = NotificationScheduler(demo_db.path)
    sched.start()
    try:
        job = sched.trigger_delivery()
        assert sched.wait_idle(90)  # the delivery ran (and its run is recorded)
    finally:
        sched.shutdown()
    assert sched.last_runs[job].ok, sched.last_runs[job].text
    assert outbox.outbox_counts(demo_db)["sent"] == len(result.changes), sched.last_runs[job].text
    names = {f["code"]: f["name"] for f in res.list_items(demo_db, "faculty")}

    def own(code, text):
        flat = " ".join(text.split())
        assert code in flat or names[code] in flat, f"{code}'s PDF does not name them: {flat[:300]}"

    assert _check_delivery(demo_db, smtp_server, own) == set(result.changes)


def test_publish_with_notifications_off_queues_nothing(demo_db, memory_keyring):
    notes.set_on_publish(demo_db, None)
    assert notes.get_on_publish(demo_db) is None
    assert notes.publish(demo_db, REFERENCE_NAME) is None
    assert outbox.list_outbox(demo_db) == []
    from ato_desktop.services import timetables as tts

    assert tts.get_timetable(demo_db, REFERENCE_NAME).status == "published"
    with pytest.raises(notes.NotFoundError):
        notes.set_on_publish(demo_db, "no such template")
    notes.set_on_publish(demo_db, "Timetable")  # case-insensitive, stored with the template's own name
    assert notes.get_on_publish(demo_db) == "timetable"


def test_demo_carries_the_timetable_template_and_faculty_addresses(demo_db):
    tpl = mail_templates.get_template(demo_db, "timetable")
    assert tpl.attach_pdf and "$faculty_name" in tpl.body_text and "$changes" in tpl.body_text
    people = notes.recipients(demo_db)
    assert people and all("@" in p.email for p in people)
    assert len({p.email for p in people}) == len(people)
