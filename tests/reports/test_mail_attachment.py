"""The notifications outbox attaches each faculty member's timetable PDF made by the reports package."""

from __future__ import annotations

from ato_desktop.services import mail_templates
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from tests.notify.conftest import configure, memory_keyring, smtp_server  # noqa: F401  (fixtures)
from tests.reports.conftest import page_texts, read_pdf


def test_delivered_mail_carries_the_faculty_timetable_pdf(demo_db, smtp_server, memory_keyring):  # noqa: F811
    configure(demo_db, smtp_server)
    mail_templates.save_template(demo_db, "with pdf", subject="Your classes ($version)", body_text="Dear $faculty_name,\n",
                        attach_pdf=True)
    notes.queue_template(demo_db, "with pdf", to=["SFE", "ZDS"])
    report = outbox.deliver_due(demo_db)
    assert report.sent == 2, report.summary()
    by_rcpt = {r.rcpt_tos[0]: r.message for r in smtp_server.received}
    for code, name in (("SFE", "Dr. Sébastien Fernandes"), ("ZDS", "Ms. Zoë D'Souza")):
        msg = by_rcpt[f"{code.lower()}.cse@demo-institute.edu.in"]
        pdfs = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
        assert len(pdfs) == 1 and code in pdfs[0].get_filename()
        reader = read_pdf(pdfs[0].get_content())
        assert len(reader.pages) == 1
        text = page_texts(reader)[0]
        assert f"Timetable — {name} ({code})" in text and "Reference timetable" in text


def test_the_mail_carries_the_faculty_calendar_beside_the_pdf(demo_db, smtp_server, memory_keyring):  # noqa: F811
    import icalendar

    from tests.web.conftest import set_fixed_term

    set_fixed_term(demo_db)
    configure(demo_db, smtp_server)
    mail_templates.save_template(demo_db, "with pdf", subject="Your classes ($version)", body_text="Dear $faculty_name,\n",
                        attach_pdf=True)
    notes.queue_template(demo_db, "with pdf", to=["SFE"])
    report = outbox.deliver_due(demo_db)
    assert report.sent == 1, report.summary()
    msg = smtp_server.received[0].message
    parts = {p.get_content_type(): p for p in msg.iter_attachments()}
    assert set(parts) == {"application/pdf", "text/calendar"}
    ics = parts["text/calendar"]
    assert ics.get_filename().endswith(".ics") and "SFE" in ics.get_filename()
    cal = icalendar.Calendar.from_ical(ics.get_payload(decode=True))
    events = cal.walk("VEVENT")
    assert events and all("Sébastien Fernandes (SFE)" in str(e["DESCRIPTION"]) for e in events)


def test_a_send_batch_reads_the_timetable_once_for_all_its_calendars(demo_db, smtp_server, memory_keyring,  # noqa: F811
                                                                     monkeypatch):
    """Each e-mail read the whole timetable again to make its .ics; now one read per version and batch."""
    from ato_desktop.services import publishing
    from tests.web.conftest import set_fixed_term

    set_fixed_term(demo_db)
    configure(demo_db, smtp_server)
    mail_templates.save_template(demo_db, "with pdf", subject="s", body_text="b", attach_pdf=True)
    notes.queue_template(demo_db, "with pdf", to=["SFE", "ZDS", "SRA"])
    reads = []
    real = publishing.timetable_view
    monkeypatch.setattr(publishing, "timetable_view", lambda *a, **kw: reads.append(a[1:]) or real(*a, **kw))
    report = outbox.deliver_due(demo_db, pdf_maker=lambda db, tt, code: b"%PDF-1.4\n")
    assert report.sent == 3, report.summary()
    assert len(reads) == 1
    calendars = [p for r in smtp_server.received for p in r.message.iter_attachments()
                 if p.get_content_type() == "text/calendar"]
    assert len(calendars) == 3 and len({c.get_filename() for c in calendars}) == 3
