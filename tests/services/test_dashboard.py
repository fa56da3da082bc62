"""services.dashboard: the figures behind the Dashboard page, from a version's sessions (a frozen
version's snapshot)."""

from __future__ import annotations

from sqlalchemy import select, update

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import dashboard, notifications
from ato_desktop.services import timetables as tts
from ato_desktop.services import version_lifecycle as versions
from ato_desktop.storage import models as m


def test_dashboard_figures_of_the_demo(demo_db):
    d = dashboard.dashboard_data(demo_db, REFERENCE_NAME)
    sessions = [v for v in tts.list_sessions(demo_db, REFERENCE_NAME) if v.scheduled]
    assert d.hard == 0
    assert sum(c for _, _, c in d.soft_rules) == d.soft > 0
    assert len(d.utilization) == len(d.days) and all(len(r) == len(d.periods) for r in d.utilization)
    assert all(0.0 <= u <= 1.0 for r in d.utilization for u in r)
    occupied = sum(u * d.rooms for r in d.utilization for u in r)
    assert round(occupied) == sum(v.duration for v in sessions if v.room)
    assert any(f.norm for f in d.faculty) and any(f.maximum for f in d.faculty)
    assert sum(f.taught for f in d.faculty) >= sum(v.duration for v in sessions if v.faculty)
    assert d.groups and all(g.days <= len(d.days) for g in d.groups)
    assert [t.name for t in d.trend] == [REFERENCE_NAME]
    assert (d.trend[0].hard, d.trend[0].soft) == (d.hard, d.soft)


def test_a_published_version_is_read_from_its_snapshot(demo_db):
    notifications.publish(demo_db, REFERENCE_NAME)
    before = dashboard.dashboard_data(demo_db, REFERENCE_NAME)
    versions.copy_to_draft(demo_db, REFERENCE_NAME, "Next")
    with demo_db.session() as s:  # every class of the busiest teacher goes to another one: not what was published
        busiest = max(before.faculty, key=lambda f: f.taught)
        other = min(before.faculty, key=lambda f: f.taught)
        ids = dict(s.execute(select(m.Faculty.code, m.Faculty.id)).all())
        s.execute(update(m.activity_faculty).where(m.activity_faculty.c.faculty_id == ids[busiest.code])
                  .values(faculty_id=ids[other.code]))
    again = dashboard.dashboard_data(demo_db, REFERENCE_NAME)
    assert again.faculty == before.faculty
    assert again.utilization == before.utilization
    live = dashboard.dashboard_data(demo_db, "Next")
    assert next(f for f in live.faculty if f.code == busiest.code).taught == 0
    assert [t.name for t in again.trend] == [REFERENCE_NAME, "Next"]


def test_the_dashboard_uses_the_comparisons_public_figures(demo_db, monkeypatch):
    """One computation of a version's figures, public in services.compare (the dashboard imported its
    private ``_figures``)."""
    from ato_desktop.services import compare

    calls = []
    real = compare.version_figures

    def counted(*args, **kw):
        calls.append(args[0].name)
        return real(*args, **kw)

    monkeypatch.setattr(compare, "version_figures", counted)
    d = dashboard.dashboard_data(demo_db, REFERENCE_NAME)
    assert calls == [REFERENCE_NAME] and d.hard == 0
