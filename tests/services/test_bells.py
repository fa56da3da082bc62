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


SATURDAY_TIMES = {"P1": ("08:00", "08:45"), "P2": ("08:45", "09:30"), "P3": ("09:30", "10:15")}


def test_a_day_with_its_own_period_times(demo_db):
    """A Saturday whose periods start earlier and are shorter: kept in the settings table (no migration),
    only where they differ from the calendar's; the optimizer's slots do not change."""
    from ato_desktop.storage import models as m

    comp_before, _, _ = compile_database(demo_db, REF)
    given = dict(SATURDAY_TIMES, p4=("10:15", "11:00"), P5=("13:10", "14:00"))  # P5 as the calendar has it
    assert bells.set_day_times(demo_db, "saturday", given) == {}
    own = dict(SATURDAY_TIMES, P4=("10:15", "11:00"))
    assert bells.get_times(demo_db) == {"Saturday": own}
    with demo_db.read_session() as s:
        assert bells.day_times_by_position(s) == {5: {0: ("08:00", "08:45"), 1: ("08:45", "09:30"),
                                                      2: ("09:30", "10:15"), 3: ("10:15", "11:00")}}
        assert s.get(m.Setting, bells.PERIOD_TIMES_KEY) is not None
    comp_after, _, _ = compile_database(demo_db, REF)
    assert (comp_after.problem.slot_usable == comp_before.problem.slot_usable).all()
    assert bells.set_day_times(demo_db, "Saturday", {}) == {"Saturday": own}  # the calendar's times again
    assert bells.get_times(demo_db) == {}


@pytest.mark.parametrize("day, times, words", [
    ("Sunday", {"P1": ("08:00", "08:45")}, "no day 'Sunday' in the calendar"),
    ("Saturday", {"P9": ("08:00", "08:45")}, "no period 'P9'"),
    ("Saturday", {"P1": ("8 am", "08:45")}, "'8 am' is not a time like 09:00"),
    ("Saturday", {"P1": ("08:45", "08:00")}, "Saturday P1 ends (08:00) before it starts (08:45)"),
    ("Saturday", {"P1": ("08:00", "10:00")}, "Saturday P2 starts at 09:50, before P1 ends (10:00)"),
])
def test_impossible_period_times_are_refused_and_nothing_changes(demo_db, day, times, words):
    bells.set_day_times(demo_db, "Friday", {"P7": ("14:50", "15:30")})
    with pytest.raises(ValidationError, match=words.replace("(", r"\(").replace(")", r"\)")):
        bells.set_day_times(demo_db, day, times)
    assert bells.get_times(demo_db) == {"Friday": {"P7": ("14:50", "15:30")}}


def test_closed_periods_and_times_change_together_or_not_at_all(demo_db):
    with pytest.raises(ValidationError, match="not a time"):
        bells.set_day_schedule(demo_db, "Saturday", closed=["P5", "P6", "P7"], times={"P1": ("x", "08:45")})
    assert bells.get_closed(demo_db) == {} and bells.get_times(demo_db) == {}
    change = bells.change_bell_schedule(demo_db, closed={"Saturday": ["P5", "P6", "P7"]},
                                        times={"Saturday": SATURDAY_TIMES})
    assert bells.get_closed(demo_db) == {"Saturday": ["P5", "P6", "P7"]}
    assert bells.get_times(demo_db) == {"Saturday": SATURDAY_TIMES}
    redo = change.undo(demo_db)  # one undo step puts both back
    assert bells.get_closed(demo_db) == {} and bells.get_times(demo_db) == {}
    redo.undo(demo_db)
    assert bells.get_times(demo_db) == {"Saturday": SATURDAY_TIMES}
