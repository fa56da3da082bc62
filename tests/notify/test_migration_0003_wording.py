"""Revision 0003 rewords the ready-made 'timetable' template (a draft is never called published) unless
the coordinator edited it, adds the frozen-snapshot table, and downgrades back."""

from alembic import command
from sqlalchemy import create_engine

from ato_desktop.storage.migrate import alembic_config, upgrade_to


def _template(engine):
    with engine.connect() as c:
        return c.exec_driver_sql("SELECT body_text, body_html FROM mail_template WHERE name='timetable'").one()


def test_the_ready_made_template_is_reworded_and_back(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'a.atodb'}")
    upgrade_to(engine, "0002_notifications")
    text, html = _template(engine)
    assert "has been published ($week)" in text and "has been published ($week)" in html
    upgrade_to(engine, "0003_trust")
    text, html = _template(engine)
    for part in (text, html):
        assert "$published ($week)" in part and "Changes to your classes $changes_since:" in part
        assert "publish" not in part.replace("$published", "")
    with engine.begin() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM published_session").scalar() == 0
    command.downgrade(alembic_config(engine), "0002_notifications")
    text, _ = _template(engine)
    assert "has been published ($week)" in text
    engine.dispose()


def test_an_edited_template_is_left_as_it_is(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'b.atodb'}")
    upgrade_to(engine, "0002_notifications")
    with engine.begin() as c:
        c.exec_driver_sql("UPDATE mail_template SET body_text='My own words: has been published ($week).' "
                          "WHERE name='timetable'")
    upgrade_to(engine, "0003_trust")
    assert _template(engine)[0] == "My own words: has been published ($week)."
    engine.dispose()
