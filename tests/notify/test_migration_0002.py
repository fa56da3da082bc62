"""Revision 0002 (notifications) upgrades a 0001 database with data, keeping the data."""

import sqlite3

from sqlalchemy import create_engine

from ato_desktop.storage.migrate import upgrade_to


def _tables(path):
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()


def test_upgrade_from_0001_with_data_keeps_it_and_adds_templates(tmp_path):
    from alembic import command

    from ato_desktop.storage.migrate import alembic_config

    p = tmp_path / "old.atodb"
    engine = create_engine(f"sqlite:///{p}")
    upgrade_to(engine, "0001_initial")
    with engine.begin() as c:
        c.exec_driver_sql("INSERT INTO department (id, code, name, is_home) VALUES (1, 'CSE', 'CSE', 1)")
        c.exec_driver_sql(
            "INSERT INTO faculty (id, code, name, email, designation, department_id, max_weekly_periods, "
            "max_daily_periods, max_consecutive, max_days) VALUES (7, 'SRA', 'Dr. Rao', 'sra@x.in', 'Professor', 1, 14, 0, 0, 0)")
        c.exec_driver_sql("INSERT INTO setting (key, value) VALUES ('term', 'Odd 2026')")
        c.exec_driver_sql(
            "INSERT INTO timetable (id, name, status, created_at, updated_at, notes) "
            "VALUES (3, 'v1', 'published', '2026-11-01 09:00:00', '2026-11-01 09:00:00', '')")
    assert "outbox_message" not in _tables(p)

    upgrade_to(engine, "0002_notifications")
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT code, name, email FROM faculty").all() == [("SRA", "Dr. Rao", "sra@x.in")]
        assert c.exec_driver_sql("SELECT value FROM setting WHERE key='term'").scalar() == "Odd 2026"
        assert c.exec_driver_sql("SELECT name, status FROM timetable").all() == [("v1", "published")]
        names = {r[0] for r in c.exec_driver_sql("SELECT name FROM mail_template")}
        assert {"timetable", "weekly_reminder", "daily_digest"} <= names
        subject, body = c.exec_driver_sql(
            "SELECT subject, body_text FROM mail_template WHERE name='timetable'").one()
        assert "$version" in subject and "$changes" in body and "$faculty_name" in body
        # the outbox is usable with a foreign key to the existing faculty row
        c.exec_driver_sql(
            "INSERT INTO outbox_message (idempotency_key, event, template_name, timetable_id, faculty_id, faculty_code, "
            "recipient_name, recipient_email, subject, body_text, body_html, attach_pdf, message_id, status, attempts, "
            "last_error, next_attempt_at, created_at) VALUES ('k', 'publish', 'timetable', 3, 7, 'SRA', 'Dr. Rao', "
            "'sra@x.in', 's', 'b', '', 1, '<m@x>', 'queued', 0, '', '2026-11-01', '2026-11-01')")
        c.commit()

    # downgrade removes only what 0002 added
    cfg = alembic_config(engine)
    command.downgrade(cfg, "0001_initial")
    assert "outbox_message" not in _tables(p) and "mail_template" not in _tables(p)
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT code FROM faculty").all() == [("SRA",)]
    engine.dispose()


def test_demo_database_carries_the_timetable_template(demo_db):
    from ato_desktop.services import mail_templates
    from ato_desktop.services import notifications as notes

    tpl = mail_templates.get_template(demo_db, "timetable")
    assert tpl.attach_pdf and "$faculty_name" in tpl.body_text
    faculty = notes.recipients(demo_db)
    assert len(faculty) >= 18 and all(r.email.endswith("@demo-institute.edu.in") for r in faculty)
