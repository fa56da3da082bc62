"""Per-day bell schedules without a schema change: a Saturday half-day (and a break of its own) are slots
the compiler makes unusable, like a break; sessions left there are the hard 'break overlap' finding."""

from __future__ import annotations

import pytest

from ato_desktop.engine import evaluate
from ato_desktop.services import bells
from ato_desktop.services.compile import compile_database
from ato_desktop.services.errors import ValidationError

REF = "Reference timetable"


def _saturday_afternoon_sessions(db) -> int:
    from sqlalchemy import text

    with db.read_session() as s:  # the database's own connection: a file, or a campus on PostgreSQL
        return s.scalar(text("""SELECT count(*) FROM session_assignment sa JOIN timetable t ON t.id = sa.timetable_id
            JOIN day d ON d.id = sa.day_id JOIN period p ON p.id = sa.period_id
            WHERE t.name = :name AND d.name = 'Saturday' AND p.label IN ('P5', 'P6', 'P7')"""), {"name": REF})


def test_a_saturday_half_day_and_its_own_break_are_unusable_slots(demo_db):
    comp, a, _ = compile_database(demo_db, REF)
    P = comp.problem.periods_per_day
    before = evaluate(comp.problem, a)
    assert before.hard == 0 and comp.problem.slot_usable[5 * P:].sum() == comp.problem.slot_usable[:P].sum()
    assert bells.set_day_closed(demo_db, "saturday", ["P5", "p6", "P7", "P2"]) == {}
    assert bells.get_closed(demo_db) == {"Saturday": ["P2", "P5", "P6", "P7"]}
    comp, a, _ = compile_database(demo_db, REF)
    p = comp.problem
    sat = p.slot_usable[5 * P:6 * P]
    mon = p.slot_usable[:P]
    assert sat.sum() == mon.sum() - 4  # the other days keep every period
    after = evaluate(p, a)
    n = _saturday_afternoon_sessions(demo_db)
    assert n > 0 and after.hard > 0 and after.by_constraint["break_overlap"].count > 0
    # the full day again: back to a conflict-free reference timetable
    assert bells.set_day_closed(demo_db, "Saturday", []) == {"Saturday": ["P2", "P5", "P6", "P7"]}
    comp, a, _ = compile_database(demo_db, REF)
    assert evaluate(comp.problem, a).hard == 0 and bells.get_closed(demo_db) == {}


@pytest.mark.parametrize("day, periods, words", [
    ("Sunday", ["P1"], "no day 'Sunday' in the calendar"),
    ("Saturday", ["Lunch"], "Lunch is a break every day already"),
    ("Saturday", ["P9"], "no teaching period 'P9'"),
    ("Saturday", ["P1", "P2", "P3", "P4", "P5", "P6", "P7"], "no teaching period left"),
])
def test_impossible_schedules_are_refused_and_nothing_changes(demo_db, day, periods, words):
    bells.set_day_closed(demo_db, "Friday", ["P7"])
    with pytest.raises(ValidationError, match=words):
        bells.set_day_closed(demo_db, day, periods)
    assert bells.get_closed(demo_db) == {"Friday": ["P7"]}
