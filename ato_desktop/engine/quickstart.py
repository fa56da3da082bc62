"""A first timetable without numba: a greedy constructor in numpy (issue 16, "the first hour").

On the first run after an install the optimizer's numba kernels compile for a minute or two (in
the warm-up process, ``engine.warmup``).  Start must not wait for that: :func:`quick_timetable`
builds a timetable free of hard conflicts where it can (a session it cannot place without one
stays unscheduled) in a second or two, with numpy only.  The optimizer improves on it once its
kernels are ready.

Greedy: elective baskets (sync sets) move as one unit; locked units first, then the others, the
most constrained first (fewest feasible starts, then the longest); each unit takes the start that
keeps its faculty, groups and rooms free and every hard rule of the session alone
(:func:`~ato_desktop.engine.checks.feasible_starts`) and the faculty daily maximum, preferring
a day its course does not use yet and the preferred periods; rooms: an allowed, available, free
one, the smallest that holds the session (else the largest).

No Qt, no SQLAlchemy, no numba.
"""

from __future__ import annotations

import random
import time
from typing import Callable

import numpy as np

from .checks import feasible_starts
from .problem import RESOURCE_FACULTY, Assignment, Problem, sync_units


def _window_free(busy: np.ndarray, d: int, T: int) -> np.ndarray:
    """bool[T]: starts t where ``busy[..., t:t+d]`` is all zero (any leading axes reduced)."""
    b = busy.reshape(-1, T) if busy.ndim > 1 else busy.reshape(1, T)
    occupied = b.any(axis=0)
    ok = ~occupied
    out = ok.copy()
    for k in range(1, d):
        out[:T - k] &= ok[k:]
        out[T - k:] = False
    return out


def quick_timetable(problem: Problem, seed: int = 1, should_stop: Callable[[], bool] | None = None,
                    time_limit: float | None = 5.0, tries: int = 8, start: Assignment | None = None) -> Assignment:
    """A greedy timetable of ``problem`` (numpy only); unplaceable sessions stay unscheduled.

    Up to ``tries`` passes ("squeaky wheel": the units a pass could not place go first in the next);
    the pass that places the most sessions is returned.  ``should_stop()`` (checked between units)
    or ``time_limit`` seconds end it early, with the best found so far.  ``start`` ("Keep my changes"):
    its placements are kept where they break no hard rule, the rest is placed around them."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    units = sync_units(problem)
    first: set[int] = set()
    best: Assignment | None = None
    for _ in range(max(1, tries)):
        a, failed = _one_pass(problem, units, first, rng, should_stop, t0, time_limit, start)
        if best is None or (a.start >= 0).sum() > (best.start >= 0).sum():
            best = a
        if not failed or (should_stop is not None and should_stop()):
            break
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            break
        first |= failed
    return best


def _one_pass(problem: Problem, units: list[list[int]], first: set[int], rng: random.Random,
              should_stop, t0: float, time_limit: float | None,
              start: Assignment | None = None) -> tuple[Assignment, set[int]]:
    p = problem
    T, P, R, Q = p.n_slots, p.periods_per_day, p.n_rooms, p.n_resources
    D = p.n_days
    a = Assignment.empty(p)
    res_busy = np.zeros((Q, T), np.int32)
    room_busy = np.zeros((R, T), np.int32)
    day_load = np.zeros((Q, D), np.int32)
    faculty = p.resource_kind == RESOURCE_FACULTY
    max_daily = np.where(faculty, p.resource_max_daily, 0).astype(np.int32)
    course_days = np.zeros((max(p.n_courses, 1), D), np.int32)
    dur = p.session_duration.astype(np.int64)
    feas = [feasible_starts(p, s) for s in range(p.n_sessions)]
    day_of = np.arange(T) // P

    def unit_starts(g: list[int]) -> np.ndarray:
        ok = np.ones(T, bool)
        for s in g:
            ok &= feas[s]
            ok &= _window_free(res_busy[p.resources_of(s)], int(dur[s]), T) if len(p.resources_of(s)) else True
            for q in p.resources_of(s):
                if max_daily[q] > 0:
                    ok &= day_load[q, day_of] + dur[s] <= max_daily[q]
        locks = {int(p.locked_start[s]) for s in g if p.locked_start[s] >= 0}
        if locks:
            only = np.zeros(T, bool)
            if len(locks) == 1:
                only[locks.pop()] = True
            ok &= only
        return ok

    def pick_rooms(g: list[int], t: int) -> dict[int, int] | None:
        taken: set[int] = set()
        out: dict[int, int] = {}
        for s in g:
            if not p.session_needs_room[s]:
                out[s] = -1
                continue
            d = int(dur[s])
            lr = int(p.locked_room[s])
            cands = [lr] if lr >= 0 else np.flatnonzero(p.session_allowed_rooms[s]).tolist()
            free = [r for r in cands if r not in taken and p.room_available[r, t:t + d].all()
                    and not room_busy[r, t:t + d].any()]
            if not free:
                return None
            fits = [r for r in free if p.room_capacity[r] >= p.session_size[s]]
            r = (min(fits, key=lambda r: p.room_capacity[r]) if fits
                 else max(free, key=lambda r: p.room_capacity[r]))
            out[s] = r
            taken.add(r)
        return out

    def place(g: list[int], t: int, rooms: dict[int, int]) -> None:
        for s in g:
            d = int(dur[s])
            a.start[s], a.room[s] = t, rooms[s]
            res_busy[p.resources_of(s), t:t + d] += 1
            if rooms[s] >= 0:
                room_busy[rooms[s], t:t + d] += 1
            day_load[p.resources_of(s), t // P] += d
            course_days[int(p.session_course[s]), t // P] += 1

    n_feas = [int(np.logical_and.reduce([feas[s] for s in g]).sum()) for g in units]
    locked = [any(p.locked_start[s] >= 0 for s in g) for g in units]
    order = sorted(range(len(units)), key=lambda i: (not locked[i], i not in first, n_feas[i], -int(dur[units[i]].max()),
                                                     -len(units[i]), rng.random()))
    failed: set[int] = set()
    if start is not None:  # keep the given placement where it breaks no hard rule
        kept = set()
        for i in order:
            g = units[i]
            ts = {int(start.start[s]) for s in g}
            t = ts.pop() if len(ts) == 1 else -1
            if t < 0 or not unit_starts(g)[t]:
                continue
            rooms = {s: int(start.room[s]) if p.session_needs_room[s] else -1 for s in g}
            if any(r >= 0 and (not p.session_allowed_rooms[s, r] or not p.room_available[r, t:t + dur[s]].all()
                               or room_busy[r, t:t + dur[s]].any()) for s, r in rooms.items()) \
                    or any(p.session_needs_room[s] and r < 0 for s, r in rooms.items()) \
                    or len({r for r in rooms.values() if r >= 0}) < sum(r >= 0 for r in rooms.values()):
                continue
            place(g, t, rooms)
            kept.add(i)
        order = [i for i in order if i not in kept]
    for i in order:
        if should_stop is not None and should_stop():
            break
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            break
        g = units[i]
        failed.add(i)
        ok = unit_starts(g)
        starts = np.flatnonzero(ok)
        if not len(starts):
            continue
        # cheaper first: a day the course does not use yet, preferred periods, then a little noise
        cost = np.zeros(len(starts))
        for s in g:
            cost += 10.0 * course_days[int(p.session_course[s]), day_of[starts]]
            cost -= p.session_pref[s, starts]
            for q in p.resources_of(s):
                cost -= p.resource_pref[q, starts]
        cost += np.array([rng.random() for _ in starts])
        for t in starts[np.argsort(cost, kind="stable")].tolist():
            rooms = pick_rooms(g, t)
            if rooms is not None:
                place(g, t, rooms)
                failed.discard(i)
                break
    return a, failed


__all__ = ["quick_timetable"]
