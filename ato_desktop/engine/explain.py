"""Sentences about a timetable: its violations as rows, and what one drop would break.

Pure (no Qt, no database): the grid's conflicts panel and its hard-drop dialog show these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .constraints.clashes import clashes_of
from .evaluate import evaluate
from .problem import HARD_CONSTRAINTS, Assignment, Problem
from .rules import BY_NAME


@dataclass
class ViolationRow:
    constraint: str
    hard: bool
    message: str
    sessions: tuple[int, ...]


def violation_rows(score, problem: Problem | None = None, assignment: Assignment | None = None) -> list[ViolationRow]:
    """An engine ``Score``'s violations as rows, hard first (pure: a worker may build them); with the
    problem and assignment, also every teacher above their weekly limit (a hard rule on the data)."""
    rows = []
    for name, c in score.by_constraint.items():
        hard = name in HARD_CONSTRAINTS
        for v in c.violations:
            rows.append(ViolationRow(name, hard, v.message, tuple(int(x) for x in v.sessions)))
    if problem is not None and assignment is not None:
        from .constraints.faculty_load import weekly_load

        rows += [ViolationRow("weekly_load", True, v.message, v.sessions) for v in weekly_load(problem, assignment)]
    rows.sort(key=lambda r: (not r.hard, r.constraint))
    return rows


def clash_texts(p: Problem, a: Assignment, s: int, room_name: Callable[[int], str]) -> list[tuple[int, str]]:
    """(session, what it shares with ``s``) for every session clashing with ``s`` as placed in ``a``."""
    out = []
    for x, shared, same_room in clashes_of(p, a.start, a.room, s):
        if shared:
            out.append((x, ", ".join(p.resource_names[q] for q in shared)))
        elif same_room:
            out.append((x, f"room {room_name(int(a.room[s]))}"))
    return out


def _counts_after(state, s: int, t: int, r: int) -> dict[str, int]:
    old = (int(state.start[s]), int(state.room[s]))
    state.apply_move(s, t, r)
    try:
        return state.counts()
    finally:
        state.apply_move(s, *old)


def explain_drop(p: Problem, state, a: Assignment, s: int, t: int, r: int, *, label: Callable[[int], str],
                 room_name: Callable[[int], str], score: Callable[[], object] | None = None) -> list[str]:
    """Sentences for the hard (then soft) violations a drop of ``s`` at (t, r) would add.

    ``state`` holds ``a`` (it is changed for a moment and put back); ``score()``: ``evaluate(p, a)``
    when the caller keeps it (called only on a small department); ``label``/``room_name`` name a session and a room."""
    if p.n_sessions <= 600:  # two full evaluations: small departments
        after_a = a.copy()
        after_a.start[s], after_a.room[s] = t, r
        now = evaluate(p, a) if score is None else score()
        before = {(name, v.message) for name, c in now.by_constraint.items() for v in c.violations}
        after = evaluate(p, after_a)
        hard, soft = [], []
        for name, c in after.by_constraint.items():
            for v in c.violations:
                if (name, v.message) in before or s not in [int(x) for x in v.sessions]:
                    continue
                (hard if name in HARD_CONSTRAINTS else soft).append(v.message)
        if hard or soft:
            return hard + soft
    # large department, or no new sentence: name the clashes ourselves, then the counts that rise
    before_counts = state.counts()
    after_counts = _counts_after(state, s, t, r)
    moved = a.copy()
    moved.start[s], moved.room[s] = t, r
    out = []
    for x, what in clash_texts(p, moved, s, room_name):
        out.append(f"{what}: already busy with {label(x)} at {p.slot_label(int(a.start[x]))}.")
    for name in (*HARD_CONSTRAINTS, *[k for k in after_counts if k not in HARD_CONSTRAINTS]):
        diff = after_counts.get(name, 0) - before_counts.get(name, 0)
        if diff > 0 and name not in ("resource_clash", "room_clash"):
            rule = BY_NAME.get(name)  # the rule in the coordinator's words (issue 16 §4)
            out.append(f"{rule.plain if rule else name.replace('_', ' ')}: +{diff}")
    return out
