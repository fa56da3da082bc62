"""Room choice and small repairs for one dragged session (the timetable grid's drop preview).

Pure numpy over a :class:`~ato_desktop.engine.problem.Problem`, an
:class:`~ato_desktop.engine.problem.Assignment` and an incremental
:class:`~ato_desktop.engine.state.State` (for exact deltas). Who clashes with whom is the engine's
own rule (:func:`~ato_desktop.engine.constraints.clashes.clashes_of`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .constraints.clashes import clashes_of
from .problem import Assignment, Problem


@dataclass(frozen=True)
class Placement:
    """A target for one session: start slot (-1 = unscheduled) and room index (-1 = none)."""

    session: int
    start: int
    room: int


@dataclass
class RepairMoves:
    """A repair found by :func:`find_repairs`: its moves (the dropped session's first) and cost deltas."""

    moves: list[Placement]
    d_hard: int
    d_soft: int


def room_busy(p: Problem, a: Assignment) -> np.ndarray:
    """int[R, T]: how many scheduled sessions occupy each room at each slot."""
    busy = np.zeros((p.n_rooms, p.n_slots), np.int32)
    ok = (a.start >= 0) & (a.room >= 0) & p.session_needs_room
    dur = p.session_duration
    for k in range(int(dur.max()) if len(dur) else 0):
        sel = ok & (dur > k) & (a.start + k < p.n_slots)
        np.add.at(busy, (a.room[sel], a.start[sel] + k), 1)
    return busy


def best_rooms(p: Problem, a: Assignment, s: int, busy: np.ndarray | None = None) -> np.ndarray:
    """For every start slot, the room a time-only drop of ``s`` uses (-1 = none needed / none at all).

    Preference: suitable and available > free > the current room or one its course
    already uses > the smallest room that fits. Deltas are then exact for that room.
    ``busy``: :func:`room_busy` of ``a`` when the caller has it.
    """
    T, R = p.n_slots, p.n_rooms
    cur = int(a.room[s])
    if not p.session_needs_room[s] or R == 0:
        return np.full(T, cur if cur >= 0 else -1, np.int64)
    busy = (room_busy(p, a) if busy is None else busy).astype(np.int32, copy=True)
    d = int(p.session_duration[s])
    t0 = int(a.start[s])
    if t0 >= 0 and cur >= 0:  # the session's own cells do not block it
        busy[cur, t0:min(t0 + d, T)] -= 1
    occ = np.zeros((R, T), np.int32)
    unavailable = np.zeros((R, T), np.int32)
    avail = ~p.room_available
    for k in range(d):
        occ[:, : T - k] += busy[:, k:]
        occ[:, T - k:] += 1 if k else 0
        unavailable[:, : T - k] += avail[:, k:]
    bad = (~p.session_allowed_rooms[s])[:, None] | (unavailable > 0)
    same_course = np.zeros(R, bool)
    mates = np.flatnonzero(p.session_course == p.session_course[s])
    used = a.room[mates]
    same_course[used[used >= 0]] = True
    if cur >= 0:
        same_course[cur] = True
    waste = np.abs(p.room_capacity.astype(np.float64) - p.session_size[s]) / (1.0 + p.room_capacity.max())
    key = bad * 8.0 + (occ > 0) * 4.0 + (~same_course)[:, None] * 2.0 + waste[:, None]
    if cur >= 0:
        key[cur] -= 0.5
    return key.argmin(axis=0).astype(np.int64)


def slot_deltas(p: Problem, a: Assignment, state, s: int, room: int | None = None,
                busy: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(d_hard[T], d_soft[T], rooms[T]) of moving ``s`` to every start slot (into ``room``, else the
    :func:`best_rooms` room per slot): exact engine deltas (``state`` holds ``a``)."""
    T = p.n_slots
    if room is not None and room >= 0 and p.session_needs_room[s]:
        rooms = np.full(T, room, np.int64)
    else:
        rooms = best_rooms(p, a, s, busy)
    dh = np.zeros(T, np.int64)
    ds = np.zeros(T, np.int64)
    delta = state.delta_move
    for t in range(T):
        dh[t], ds[t] = delta(s, t, int(rooms[t]))
    return dh, ds, rooms


def find_repairs(p: Problem, state, a: Assignment, s: int, t: int, r: int, *, locked: Callable[[int], bool],
                 limit: int = 3, budget_s: float = 0.4) -> list[RepairMoves]:
    """Up to ``limit`` small repairs making a hard-infeasible drop of ``s`` at (t, r) work.

    A short local search with State deltas: after the drop, move one (or,
    failing that, two) of the unlocked sessions now clashing with ``s`` to
    their best slots; a repair must leave the hard cost no worse than now.
    ``state`` (which holds ``a``) is changed temporarily and always put back; ``a`` is not changed.
    """
    deadline = time.perf_counter() + budget_s
    st = state
    base_h, base_s = st.hard, st.soft
    log: list[tuple[int, int, int]] = []
    work = a.copy()

    def do(x: int, tt: int, rr: int) -> None:
        log.append((x, int(st.start[x]), int(st.room[x])))
        st.apply_move(x, tt, rr)
        work.start[x], work.room[x] = tt, rr

    def revert_to(n: int) -> None:
        while len(log) > n:
            x, a0, b0 = log.pop()
            st.apply_move(x, a0, b0)
            work.start[x], work.room[x] = a0, b0

    def best_moves(x: int, k: int) -> list[tuple[int, int, int, int]]:
        dh, ds, rooms = slot_deltas(p, work, st, x)
        key = dh * 1_000_000 + ds
        order = np.argsort(key, kind="stable")
        cur = (int(st.start[x]), int(st.room[x]))
        out = []
        for tt in order:
            tt = int(tt)
            rr = int(rooms[tt])
            if (tt, rr) == cur or tt == cur[0]:
                continue
            out.append((tt, rr, int(dh[tt]), int(ds[tt])))
            if len(out) >= k:
                break
        return out

    def clashing(x: int) -> list[int]:
        return [y for y, _, _ in clashes_of(p, work.start, work.room, x)]

    found: list[RepairMoves] = []
    seen: set[tuple] = set()

    def add(moves: list[Placement], h: int, so: int) -> None:
        key = tuple(sorted((m.session, m.start) for m in moves))  # rooms alone do not make a new idea
        if key not in seen:
            seen.add(key)
            found.append(RepairMoves(moves, h - base_h, so - base_s))

    try:
        do(s, t, r)
        culprits = [x for x in clashing(s) if not locked(x)]
        for x in culprits:
            for tt, rr, dh, ds in best_moves(x, 3):
                if st.hard + dh <= base_h:
                    add([Placement(s, t, r), Placement(x, tt, rr)], st.hard + dh, st.soft + ds)
        if len(found) < limit:
            for x in culprits:
                for tt, rr, _dh, _ds in best_moves(x, 3):
                    if time.perf_counter() > deadline:
                        break
                    do(x, tt, rr)
                    # what still clashes with the dropped session, then what the moved one now hits
                    others = []
                    for y in (*clashing(s), *clashing(x)):
                        if y not in (s, x) and y not in others and not locked(y):
                            others.append(y)
                    for y in others:
                        for t2, r2, dh2, ds2 in best_moves(y, 2):
                            if st.hard + dh2 <= base_h:
                                add([Placement(s, t, r), Placement(x, tt, rr), Placement(y, t2, r2)],
                                    st.hard + dh2, st.soft + ds2)
                    revert_to(1)
    finally:
        revert_to(0)
    found.sort(key=lambda rp: (rp.d_hard, len(rp.moves), rp.d_soft))
    return found[:limit]
