"""evaluate(): agrees with the kernels and the incremental State; Score, registry and summary."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import ato_desktop.engine as engine
from ato_desktop.engine import Assignment, State, evaluate, full_cost, full_counts
from ato_desktop.engine.constraints import REGISTRY, get
from ato_desktop.engine.problem import HARD_CONSTRAINTS, SOFT_CONSTRAINTS
from tests.engine.handmade import S, make, place
from tests.engine.problem_gen import random_assignment, random_problem
from tests.engine.reference import reference_cost

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_registry_has_one_unit_per_constraint_in_canonical_order() -> None:
    assert tuple(REGISTRY) == HARD_CONSTRAINTS + SOFT_CONSTRAINTS
    assert [REGISTRY[n].is_hard for n in REGISTRY] == [True] * len(HARD_CONSTRAINTS) + [False] * len(SOFT_CONSTRAINTS)
    assert all(u.name == n and u.label and u.rule for n, u in REGISTRY.items())
    assert get("gaps") is REGISTRY["gaps"]
    with pytest.raises(KeyError, match="unknown constraint 'nope'"):
        get("nope")
    assert engine.evaluate is evaluate


def _example():
    p = make([S("CS301 L", "Dr. Rao", "CSE-3A"), S("CS305 L", "Dr. Rao", "CSE-3B"), S("CS307 L", "Dr. Iyer"),
              S("CS309 L", "Dr. Iyer", size=70)],
             weights={"isolated": 0, "resource_clash": 7, "room_capacity": 2})
    a = place(p, {"CS301 L": ("Tue P3", "R1"), "CS305 L": ("Tue P3", "R2"), "CS309 L": ("Mon P1", "R2")})
    return p, a


def test_score_breakdown_and_summary() -> None:
    p, a = _example()
    score = evaluate(p, a)
    assert tuple(score.by_constraint) == HARD_CONSTRAINTS + SOFT_CONSTRAINTS
    clash = score.by_constraint["resource_clash"]
    assert (clash.count, clash.weight, clash.cost, clash.is_hard) == (1, 7, 7, True)
    assert (score.hard, score.soft) == (7 + 1, 2 * 10) == full_cost(p, a)  # clash 7, CS307 unscheduled 1
    assert not score.feasible and score.total == (8, 20)
    assert score.by_constraint["isolated"].count == 0 and not score.by_constraint["isolated"].enabled
    assert score.counts()["room_capacity"] == 10
    assert [v.constraint for v in score.violations(hard=True)] == ["unscheduled", "resource_clash"]
    assert set(score.sessions_in_violation()) == {0, 1, 2, 3}
    lines = score.summary(top=2)
    assert lines[0] == "hard 8, soft 20 (NOT feasible)"
    assert "  Faculty/group double-booked [hard]: 1 × 7 = 7" in lines
    assert lines[-3:] == ["- [hard 7] Dr. Rao has two classes at once on Tue P3: CS301 L and CS305 L",
                          "- [hard 1] CS307 L is not scheduled", "… and 1 more"]
    assert any(line.startswith("- [soft 20] CS309 L on Mon P1 has 70 students in room R2")
               for line in score.summary(top=5))
    assert pickle.loads(pickle.dumps(score)) == score  # a plain value: can go to another thread or process


def test_feasible_empty_of_violations() -> None:
    p = make([S("A", "Dr. Rao")], weights={"isolated": 0})
    score = evaluate(p, place(p, {"A": ("Mon P1", "R1")}))
    assert score.feasible and score.total == (0, 0) and score.violations() == []
    assert score.summary() == ["hard 0, soft 0 (feasible)"]


def test_assignment_that_does_not_fit_is_refused_with_the_session() -> None:
    p, a = _example()
    a.start[2] = 99
    with pytest.raises(ValueError, match=r"session 2 \(CS307 L\): start slot 99 is outside -1..7"):
        evaluate(p, a)
    with pytest.raises(ValueError, match="shape"):
        evaluate(p, Assignment(np.zeros(2, np.int32), np.zeros(2, np.int32)))


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), nonzero=st.booleans())
def test_evaluate_equals_kernels_and_state(seed, nonzero) -> None:
    p = random_problem(seed, zero_weights=not nonzero)
    a = random_assignment(p, np.random.default_rng(seed + 1))
    score = evaluate(p, a)
    state = State(p, a)
    assert (score.hard, score.soft) == full_cost(p, a) == (state.hard, state.soft) == reference_cost(p, a)
    counts = full_counts(p, a)
    for name, r in score.by_constraint.items():
        assert r.count == (counts[name] if r.weight else 0), name
        assert r.cost == r.weight * r.count == sum(v.cost for v in r.violations)
        for v in r.violations:
            assert v.count > 0 and v.message
            assert v.sessions or (name in ("min_days", "min_days_week", "min_hours_daily")
                                     and "has no sessions" in v.message)
            assert all(0 <= s < p.n_sessions for s in v.sessions)
            assert all(0 <= t < p.n_slots for t in v.slots)


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1))
def test_state_deltas_equal_two_full_evaluations(seed) -> None:
    g = np.random.default_rng(seed)
    p = random_problem(seed)
    state = State(p, random_assignment(p, g))
    S_, T, R = p.n_sessions, p.n_slots, p.n_rooms
    before = evaluate(p, state.assignment())
    for _ in range(12):
        if S_ >= 2 and g.random() < 0.4:
            a, b = (int(x) for x in g.choice(S_, 2, replace=False))
            dh, ds = state.delta_swap(a, b)
            state.apply_swap(a, b)
        else:
            s, t, r = int(g.integers(0, S_)), int(g.integers(-1, T)), int(g.integers(-1, R))
            dh, ds = state.delta_move(s, t, r)
            state.apply_move(s, t, r)
        after = evaluate(p, state.assignment())
        assert (dh, ds) == (after.hard - before.hard, after.soft - before.soft)
        assert (state.hard, state.soft) == (after.hard, after.soft)
        before = after
