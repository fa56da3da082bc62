"""The conflict-directed hard phase after the greedy construction (engine.construct, issue 17): on a week
packed exactly full (every class and every room busy in every slot, lessons of 1-3 periods, teachers shared,
a course's days a must), the greedy start leaves clashes that a short annealing does not remove; the phase
places the sessions one by one, evicting what is in the way, and reaches hard 0."""

from __future__ import annotations

import dataclasses
import random

import numpy as np

from ato_desktop.engine import full_cost, full_counts
from ato_desktop.engine.optimizer import OptimizeParams, optimize
from tests.engine.handmade import S, make

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")
PERIODS = ("P1", "P2", "P3", "P4", "P5", "P6")


def packed_problem(seed: int = 0, n_groups: int = 6, n_teachers: int = 8):
    """A planted timetable that fills every slot of every class, then forgotten: only the sessions remain.
    A course is a class with one teacher; its sessions must be on as many days as the planted week uses
    (``min_days``, a must)."""
    rng = random.Random(seed)
    groups = [f"G{g}" for g in range(n_groups)]
    teachers = [f"T{f}" for f in range(n_teachers)]
    busy: set[tuple[str, int]] = set()
    planted: list[tuple[str, str, int, int]] = []  # group, teacher, start, duration
    for g in groups:
        for d in range(len(DAYS)):
            p = 0
            while p < len(PERIODS):
                dur = min(rng.choice((1, 1, 1, 2, 3)), len(PERIODS) - p)
                while True:
                    slots = [d * len(PERIODS) + p + i for i in range(dur)]
                    free = [f for f in teachers if all((f, s) not in busy for s in slots)]
                    if free or dur == 1:
                        break
                    dur -= 1
                f = rng.choice(free)
                busy.update((f, s) for s in slots)
                planted.append((g, f, slots[0], dur))
                p += dur
    days_of: dict[str, set[int]] = {}
    sessions = []
    for i, (g, f, t, dur) in enumerate(planted):
        course = f"{g}-{f}"
        days_of.setdefault(course, set()).add(t // len(PERIODS))
        sessions.append(S(f"{course} #{i}", f, g, course=course, dur=dur))
    p = make(sessions, days=DAYS, periods=PERIODS, faculty=tuple(teachers), groups=tuple(groups),
             rooms={f"R{r}": 60 for r in range(n_groups)},
             min_days={c: len(d) for c, d in days_of.items() if len(d) > 1})
    return dataclasses.replace(p, must=frozenset({"min_days"}))


SMALL = {"time_limit": None, "generations": 1, "population_size": 1, "init_iterations": 2_000,
         "generation_iterations": 20_000, "seed": 0}


def test_the_packed_week_is_full_and_a_must():
    p = packed_problem()
    assert p.session_duration.sum() == 6 * len(DAYS) * len(PERIODS)  # every class's every slot
    assert (p.session_duration > 1).any() and "min_days" in p.must


def test_without_the_hard_phase_the_same_work_leaves_clashes():
    """The search before the hard phase (hard_phase=0), at the same fixed work: hard violations left."""
    r = optimize(packed_problem(), params=OptimizeParams(**SMALL, hard_phase=0.0))
    assert r.hard > 0


def test_the_hard_phase_reaches_hard_zero_on_the_packed_week():
    p = packed_problem()
    r = optimize(p, params=OptimizeParams(**SMALL))
    assert r.hard == 0
    a = r.assignment
    assert (a.start >= 0).all() and (a.room >= 0).all()
    counts = full_counts(p, a)
    assert counts["resource_clash"] == counts["room_clash"] == counts["min_days"] == counts["unscheduled"] == 0
    assert full_cost(p, a)[0] == 0


def test_the_hard_phase_is_reproducible():
    p = packed_problem(seed=1)
    a = optimize(p, params=OptimizeParams(**SMALL)).assignment
    b = optimize(p, params=OptimizeParams(**SMALL)).assignment
    assert np.array_equal(a.start, b.start) and np.array_equal(a.room, b.room)


def test_the_hard_phase_stands_aside_for_a_must_it_does_not_weigh():
    """A must the phase does not weigh when it places a session (here most idle periods a day): it does not
    run, and the search is the one without it (FET's farabi432 met its max-days musts only so)."""
    p = dataclasses.replace(packed_problem(), must=frozenset({"min_days", "max_gaps_day"}))
    a = optimize(p, params=OptimizeParams(**SMALL)).assignment
    b = optimize(p, params=OptimizeParams(**SMALL, hard_phase=0.0)).assignment
    assert np.array_equal(a.start, b.start) and np.array_equal(a.room, b.room)
