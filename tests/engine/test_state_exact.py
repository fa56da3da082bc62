"""State exactness: counts vs a literal reference; every delta vs two full evaluations."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from ato_desktop.engine.problem import Assignment
from ato_desktop.engine.state import State, full_cost, full_counts

from tests.engine.problem_gen import random_assignment, random_problem
from tests.engine.reference import reference_cost, reference_counts

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1))
def test_counts_match_reference(seed):
    p = random_problem(seed)
    a = random_assignment(p, np.random.default_rng(seed + 1))
    state = State(p, a)
    ref = reference_counts(p, a)
    assert state.counts() == ref
    assert full_counts(p, a) == ref
    assert (state.hard, state.soft) == reference_cost(p, a) == full_cost(p, a)


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1))
def test_random_moves_and_swaps_exact(seed):
    g = np.random.default_rng(seed)
    p = random_problem(seed)
    state = State(p, random_assignment(p, g))
    S, T, R = p.n_sessions, p.n_slots, p.n_rooms
    for _ in range(25):
        before = state.assignment()
        if S >= 2 and g.random() < 0.4:
            a, b = (int(x) for x in g.choice(S, 2, replace=False))
            dh, ds = state.delta_swap(a, b)
            after = before.copy()
            after.start[a], after.start[b] = before.start[b], before.start[a]
            after.room[a], after.room[b] = before.room[b], before.room[a]
            state.apply_swap(a, b)
        else:
            s = int(g.integers(0, S))
            t = int(g.integers(-1, T))
            r = int(g.integers(-1, R))
            dh, ds = state.delta_move(s, t, r)
            after = before.copy()
            after.start[s], after.room[s] = t, r
            state.apply_move(s, t, r)
        h0, s0 = full_cost(p, before)
        h1, s1 = full_cost(p, after)
        assert (dh, ds) == (h1 - h0, s1 - s0)
        assert state.assignment() == after
        assert (state.hard, state.soft) == (h1, s1)
    assert (state.hard, state.soft) == reference_cost(p, state.assignment())
    # the incremental tables equal a fresh build
    fresh = State(p, state.assignment())
    assert np.array_equal(fresh.st.occ, state.st.occ) and np.array_equal(fresh.st.rocc, state.st.rocc)
    assert np.array_equal(fresh.st.cday, state.st.cday) and np.array_equal(fresh.st.croom, state.st.croom)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_move_grid_equals_single_deltas(seed):
    g = np.random.default_rng(seed)
    p = random_problem(seed)
    state = State(p, random_assignment(p, g))
    s = int(g.integers(0, p.n_sessions))
    gh, gs = state.move_grid(s)
    if p.session_needs_room[s]:
        assert gh.shape == (p.n_slots, p.n_rooms)
        for t in range(p.n_slots):
            for r in range(p.n_rooms):
                assert (gh[t, r], gs[t, r]) == state.delta_move(s, t, r)
    else:
        assert gh.shape == (p.n_slots, 1)
        for t in range(p.n_slots):
            assert (gh[t, 0], gs[t, 0]) == state.delta_move(s, t, int(state.room[s]))


def test_near_misses_by_hand():
    """A few hand-checked cases of the open interpretations."""
    p = random_problem(3)
    a = Assignment.empty(p)
    c = State(p, a).counts()
    # an empty timetable: only `unscheduled`, once per session
    assert c["unscheduled"] == p.n_sessions
    usable_days = sum(bool(p.slot_usable[d * p.periods_per_day:(d + 1) * p.periods_per_day].any())
                      for d in range(p.n_days))
    no_empty = (p.resource_min_daily > 0) & ~p.resource_min_daily_empty_ok
    assert c["min_days_week"] == int(p.resource_min_days.sum())  # the day profile: no day used yet
    assert c["min_hours_daily"] == int(p.resource_min_daily[no_empty].sum()) * usable_days  # empty days
    assert sum(c.values()) == p.n_sessions + sum(
        max(0, int(m)) for m in p.course_min_days) + c["min_days_week"] + c["min_hours_daily"]


def _search_tables(p):
    """The optimizer's own neighbourhood tables for p (units, course keys, Kempe flags)."""
    from ato_desktop.engine.optimizer import OptimizeParams, _Search

    return _Search(p, None, OptimizeParams(time_limit=None, generations=1), None, None).sr


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1))
def test_compound_moves_of_the_search_are_exact(seed):
    """Course-room moves, focused moves and Kempe chains (with their room repair) as the SA builds them:
    each delta equals the difference of two full evaluations, and locked rooms never move."""
    from ato_desktop.engine import kernels as K

    g = np.random.default_rng(seed)
    p = random_problem(seed, max_sessions=14)
    sr = _search_tables(p)
    cp = K.compile_problem(p)
    a = random_assignment(p, g)
    kst = K.new_state(cp)
    K.load_state(cp, kst, a.start.astype(np.int32), a.room.astype(np.int32))
    rs = np.array([seed], np.uint64)
    tmp = np.zeros(K.NC, np.int64)
    ms, mt, mr = sr.ms, sr.mt, sr.mr
    done = 0
    for _ in range(40):
        k = 0
        pick = g.random()
        if len(sr.cc) and pick < 0.35:
            k = K.course_room_move(cp, kst, rs, sr.c_ptr, sr.c_idx, sr.cc, ms, mt, mr, len(ms))
        elif len(sr.mov) and pick < 0.7:
            k = K.focus_move(cp, kst, rs, sr.mov, sr.cs_ptr, sr.cs_idx, ms, mt, mr)
        elif len(sr.mov) > 1:
            s = int(sr.mov[g.integers(0, len(sr.mov))])
            t2 = int(g.integers(0, p.n_slots))
            if sr.kempe_ok[s] and kst.start[s] >= 0 and t2 != kst.start[s]:
                k = K._kempe(cp, kst, rs, s, t2, sr.chain, sr.in_chain, ms, mt, mr, len(ms))
                if k and all(sr.kempe_ok[ms[i]] for i in range(k)):
                    K.kempe_rooms(cp, kst, ms, mt, mr, k)
                else:
                    k = 0
        if k == 0:
            continue
        done += 1
        moved = ms[:k].copy()
        assert len(set(moved.tolist())) == k
        assert (cp.lock_r[moved] < 0).all() or np.array_equal(mr[:k][cp.lock_r[moved] >= 0],
                                                              kst.room[moved][cp.lock_r[moved] >= 0])
        before = Assignment(kst.start.copy(), kst.room.copy())
        after = before.copy()
        after.start[moved] = mt[:k]
        after.room[moved] = mr[:k]
        dh, ds, dp = K.delta_moves(cp, kst, ms, mt, mr, k, tmp)
        h0, s0 = full_cost(p, before)
        h1, s1 = full_cost(p, after)
        assert (dh, ds) == (h1 - h0, s1 - s0)
        K.commit_moves(cp, kst, ms, mt, mr, k, dh, ds, dp)
        assert np.array_equal(kst.start, after.start) and np.array_equal(kst.room, after.room)
        assert (kst.tot[0], kst.tot[1]) == (h1, s1)
    fresh = State(p, Assignment(kst.start.copy(), kst.room.copy()))
    assert np.array_equal(fresh.st.occ, kst.occ) and np.array_equal(fresh.st.rocc, kst.rocc)
    assert np.array_equal(fresh.st.croom, kst.croom) and np.array_equal(fresh.st.cday, kst.cday)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1))
def test_annealing_chunk_keeps_totals_exact_and_locks(seed):
    """sa_chunk with every neighbourhood switched on, hot: the running totals stay equal
    to a full evaluation and sessions with a locked start / room never leave it."""
    from ato_desktop.engine import kernels as K

    g = np.random.default_rng(seed)
    p = random_problem(seed, max_sessions=14)
    sr = _search_tables(p)
    cp = K.compile_problem(p)
    a = random_assignment(p, g)
    lt, lr = cp.lock_t >= 0, cp.lock_r >= 0
    a.start[lt] = cp.lock_t[lt]
    a.room[lr] = cp.lock_r[lr]
    kst = K.new_state(cp)
    K.load_state(cp, kst, a.start.astype(np.int32), a.room.astype(np.int32))
    fpar = np.array([50.0, 1.0, 3.0, 0.1, 0.2, 0.1, 0.15, 0.15, 0.15], np.float64)
    ipar = np.zeros(4, np.int64)
    bt, br = kst.start.copy(), kst.room.copy()
    bf = np.array([kst.tot[0], kst.tot[1] + kst.tot[2], kst.tot[1]], np.int64)
    K.sa_chunk(cp, kst, np.array([seed], np.uint64), sr, fpar, ipar, 400, bt, br, bf)
    now = Assignment(kst.start.copy(), kst.room.copy())
    assert (kst.tot[0], kst.tot[1]) == full_cost(p, now)
    assert np.array_equal(now.start[lt], cp.lock_t[lt]) and np.array_equal(now.room[lr], cp.lock_r[lr])
    assert (bf[0], bf[2]) == full_cost(p, Assignment(bt.copy(), br.copy()))


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(0, 40), cols=st.integers(0, 12), block=st.integers(1, 16), seed=st.integers(0, 2**31 - 1))
def test_csr_of_a_mask_equals_the_csr_of_its_rows(rows, cols, block, seed):
    """The compiled problem's allowed-room and conflict lists are read from boolean masks block by block."""
    from ato_desktop.engine.kernels import _csr, _csr_rows

    mask = np.random.default_rng(seed).random((rows, cols)) < 0.4
    ptr, idx = _csr_rows(mask, block=block)
    want_ptr, want_idx = _csr([list(np.flatnonzero(mask[s])) for s in range(rows)])
    assert ptr.dtype == idx.dtype == np.int64
    assert ptr.tolist() == want_ptr.tolist() and idx.tolist() == want_idx.tolist()
