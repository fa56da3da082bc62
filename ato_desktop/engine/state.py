"""Incremental evaluation state over a Problem (exact deltas, numba kernels).

``State`` keeps an assignment plus occupancy tables so that the cost change of a
move or swap is computed from the few components it touches (see ``kernels``).
Totals ``hard`` / ``soft`` are weighted sums (``Problem.weights``; a missing weight
takes its ``DEFAULT_WEIGHTS`` value) and always equal a full evaluation.

``move_grid(s)`` returns ``(d_hard, d_soft)`` arrays of shape ``[T, R]`` giving the
change of moving ``s`` to every start slot and room.  For a session that needs no
room (``session_needs_room[s]`` False) the arrays have shape ``[T, 1]``: column 0
is "start at t, room left as it is" (the room is ignored for such sessions).
"""

from __future__ import annotations

import numpy as np

from . import kernels as K
from .problem import Assignment, Problem


def _check(problem: Problem, s: int, start: int, room: int) -> None:
    if not 0 <= s < problem.n_sessions:
        raise IndexError(f"session {s} out of range 0..{problem.n_sessions - 1}")
    if not -1 <= start < problem.n_slots:
        raise ValueError(f"start slot {start} out of range -1..{problem.n_slots - 1}")
    if not -1 <= room < problem.n_rooms:
        raise ValueError(f"room {room} out of range -1..{problem.n_rooms - 1}")


def check_assignment(problem: Problem, assignment: Assignment) -> None:
    S = problem.n_sessions
    st, rm = np.asarray(assignment.start), np.asarray(assignment.room)
    if st.shape != (S,) or rm.shape != (S,):
        raise ValueError(f"assignment arrays must have shape ({S},), got {st.shape} and {rm.shape}")
    if S and (st.min() < -1 or st.max() >= problem.n_slots):
        raise ValueError(f"assignment start slots must lie in -1..{problem.n_slots - 1}")
    if S and (rm.min() < -1 or rm.max() >= problem.n_rooms):
        raise ValueError(f"assignment rooms must lie in -1..{problem.n_rooms - 1}")


class State:
    """Current assignment + incremental cost tables for one Problem."""

    def __init__(self, problem: Problem, assignment: Assignment | None = None):
        check_assignment(problem, assignment or Assignment.empty(problem))
        self.problem = problem
        self.cp = K.compile_problem(problem)
        self.st = K.new_state(self.cp)
        self._tmp = np.zeros(K.NC, np.int64)
        self._ms = np.zeros(max(self.cp.kmax, 2), np.int64)
        self._mt = np.zeros_like(self._ms)
        self._mr = np.zeros_like(self._ms)
        a = assignment or Assignment.empty(problem)
        K.load_state(self.cp, self.st, np.asarray(a.start, np.int32), np.asarray(a.room, np.int32))

    # ---- views ------------------------------------------------------------
    @property
    def start(self) -> np.ndarray:
        return self.st.start

    @property
    def room(self) -> np.ndarray:
        return self.st.room

    @property
    def hard(self) -> int:
        return int(self.st.tot[0])

    @property
    def soft(self) -> int:
        return int(self.st.tot[1])

    def counts(self) -> dict[str, int]:
        c = K.full_counts(self.cp, self.st.start, self.st.room)
        return {name: int(c[i]) for i, name in enumerate(K.CONSTRAINTS)}

    def assignment(self) -> Assignment:
        return Assignment(self.st.start.copy(), self.st.room.copy())

    # ---- deltas -----------------------------------------------------------
    def delta_move(self, s: int, start: int, room: int) -> tuple[int, int]:
        _check(self.problem, s, start, room)
        self._ms[0], self._mt[0], self._mr[0] = s, start, room
        dh, ds, _ = K.delta_moves(self.cp, self.st, self._ms, self._mt, self._mr, 1, self._tmp)
        return int(dh), int(ds)

    def _swap_arrays(self, a: int, b: int) -> None:
        if a == b:
            raise ValueError("swap needs two different sessions")
        _check(self.problem, a, -1, -1)
        _check(self.problem, b, -1, -1)
        st = self.st
        self._ms[0], self._mt[0], self._mr[0] = a, st.start[b], st.room[b]
        self._ms[1], self._mt[1], self._mr[1] = b, st.start[a], st.room[a]

    def delta_swap(self, a: int, b: int) -> tuple[int, int]:
        self._swap_arrays(a, b)
        dh, ds, _ = K.delta_moves(self.cp, self.st, self._ms, self._mt, self._mr, 2, self._tmp)
        return int(dh), int(ds)

    def apply_move(self, s: int, start: int, room: int) -> None:
        _check(self.problem, s, start, room)
        self._ms[0], self._mt[0], self._mr[0] = s, start, room
        K.apply_moves(self.cp, self.st, self._ms, self._mt, self._mr, 1, self._tmp)

    def apply_swap(self, a: int, b: int) -> None:
        self._swap_arrays(a, b)
        K.apply_moves(self.cp, self.st, self._ms, self._mt, self._mr, 2, self._tmp)

    def move_grid(self, s: int) -> tuple[np.ndarray, np.ndarray]:
        _check(self.problem, s, -1, -1)
        cols = self.problem.n_rooms if self.problem.session_needs_room[s] else 1
        gh = np.zeros((self.problem.n_slots, cols), np.int64)
        gs = np.zeros_like(gh)
        K.move_grid_kernel(self.cp, self.st, s, gh, gs)
        return gh, gs


def full_cost(problem: Problem, assignment: Assignment) -> tuple[int, int]:
    """Weighted (hard, soft) totals of an assignment, computed from scratch (numba)."""
    check_assignment(problem, assignment)
    cp = K.compile_problem(problem)
    h, s = K.full_cost_kernel(cp, np.asarray(assignment.start, np.int32), np.asarray(assignment.room, np.int32))
    return int(h), int(s)


def full_counts(problem: Problem, assignment: Assignment) -> dict[str, int]:
    """Unweighted count per constraint name, computed from scratch."""
    check_assignment(problem, assignment)
    cp = K.compile_problem(problem)
    c = K.full_counts(cp, np.asarray(assignment.start, np.int32), np.asarray(assignment.room, np.int32))
    return {name: int(c[i]) for i, name in enumerate(K.CONSTRAINTS)}
