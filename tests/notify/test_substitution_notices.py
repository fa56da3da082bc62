"""A substitute is told by e-mail through the outbox: delivered to a real local SMTP server, once."""

from __future__ import annotations

from ato_desktop.cli import main
from ato_desktop.services import substitution_day as sday
from ato_desktop.services import substitutions as sb
from ato_desktop.services import term as terms
from ato_desktop.services import timetables as tts
from ato_desktop.storage.database import open_database
from tests.notify.conftest import configure

DATE = "2026-12-08"


def test_substitutes_are_told_by_email_exactly_once(demo_db_path, smtp_server, memory_keyring, capsys):
    db = open_database(demo_db_path)
    try:
        for d in terms.get_term(db).days:
            terms.remove_term_day(db, d.date)
        terms.set_term(db, "2026-07-20", "2026-12-12")
        tts.set_status(db, "Reference timetable", "published")
        configure(db, smtp_server)
        sb.add_absence(db, "SRA", DATE)
        from ato_desktop.services import resources as res

        lesson_groups = [x.groups[0] for x in sday.plan_day(db, DATE, "Reference timetable").lessons]
        section = res.get_item(db, "group", lesson_groups[0])["parent"] or lesson_groups[0]
        res.update_item(db, "group", section, {"email": "cr.class@students.demo.edu.in"})
    finally:
        db.close()
    assert main(["substitutions", "plan", "--db", str(demo_db_path), "--date", DATE, "--auto", "--notify"]) == 0
    out = capsys.readouterr().out
    assert "Queued" in out
    assert main(["substitutions", "notify", "--db", str(demo_db_path), "--date", DATE, "--send"]) == 0
    out = capsys.readouterr().out
    assert "already told" in out and "Sent" in out
    db = open_database(demo_db_path)
    try:
        plan = sday.plan_day(db, DATE)
        subs = {x.arrangement.substitute for x in plan.lessons if x.arrangement.kind == "substitute"}
        assert subs
        got = smtp_server.received
        to_class = [r for r in got if r.rcpt_tos == ["cr.class@students.demo.edu.in"]]
        assert len(to_class) == 1
        text = to_class[0].message.get_body(preferencelist=("plain",)).get_content()
        assert "Changes to your classes on Tuesday 08 December 2026" in to_class[0].message["Subject"]
        assert "Dr. Srinivasa Rao is away" in text and "taken by" in text
        got = [r for r in got if r not in to_class]
        assert sorted(r.rcpt_tos[0].split(".")[0].upper() for r in got) == sorted(subs)
        msg = got[0].message
        assert "Substitution on Tuesday 08 December 2026" in msg["Subject"]
        body = msg.get_body(preferencelist=("plain",)).get_content()
        assert "Dr. Srinivasa Rao" in body and "please take" in body
        # notifying again sends nothing new
        assert main(["substitutions", "notify", "--db", str(demo_db_path), "--date", DATE, "--send"]) == 0
        assert len(smtp_server.received) == len(got) + 1
    finally:
        db.close()


def test_the_email_digest_follows_the_terms_dates(demo_db):
    import datetime as dt

    from ato_desktop.services import notifications as notes

    for d in terms.get_term(demo_db).days:
        terms.remove_term_day(demo_db, d.date)
    terms.set_term(demo_db, "2026-07-20", "2026-12-12")
    notes.publish_and_notify(demo_db, "Reference timetable")
    terms.add_holiday(demo_db, "2026-11-10", "Diwali")  # a Tuesday
    terms.add_exception(demo_db, "2026-11-14", "Monday")  # a Saturday that follows Monday
    assert notes.queue_daily_digest(demo_db, today=dt.date(2026, 11, 9)).queued == 0
    monday = {f for s in tts.list_sessions(demo_db, "Reference timetable") if s.day == 0 for f in s.faculty}
    d = notes.queue_daily_digest(demo_db, today=dt.date(2026, 11, 13))
    assert set(d.faculty) == monday
