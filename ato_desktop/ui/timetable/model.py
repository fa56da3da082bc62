"""The timetable view model: one timetable version, its engine state, and moves.

No Qt here. The model holds the compiled problem, the current assignment and
an engine :class:`~ato_desktop.engine.state.State` (kept in sync with every
move), maps engine session indices to the database's sessions, and applies
moves through :mod:`ato_desktop.services.timetables` (one transaction each).

Widgets listen with :meth:`TimetableModel.subscribe`; the undo commands in
:mod:`ato_desktop.ui.timetable.commands` call :meth:`place` / :meth:`restore`.
"""

from __future__ import annotations

import colorsys
import dataclasses
import time
import zlib
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from ato_desktop.engine.problem import HARD_CONSTRAINTS, UNASSIGNED, Assignment
from ato_desktop.services import timetables as tts
from ato_desktop.services.grid import GridLookups, grid_lookups
from ato_desktop.storage.compile import compile_database
from ato_desktop.storage.database import Database

GREEN, YELLOW, RED, BLOCKED = "green", "yellow", "red", "blocked"
VIEW_GROUP, VIEW_FACULTY, VIEW_ROOM, VIEW_MASTER = "group", "faculty", "room", "master"


def course_color(code: str) -> tuple[int, int, int]:
    """A stable pastel colour per course code (RGB 0-255)."""
    h = (zlib.crc32(code.encode()) % 360) / 360.0
    r, g, b = colorsys.hls_to_rgb(h, 0.82, 0.55)
    return int(r * 255), int(g * 255), int(b * 255)


@dataclass(frozen=True)
class Placement:
    """A target for one session: start slot (-1 = unscheduled) and room index (-1 = none)."""

    session: int
    start: int
    room: int


@dataclass
class DropPreview:
    """What dropping session ``s`` at each start slot would cause (computed once per drag).

    ``d_hard``/``d_soft`` are ``[T, R]`` from ``State.move_grid``; ``best_room[t]`` is
    the room a time-only drop (group / faculty / master views) would use, the current
    room when it is as good as any.
    """

    session: int
    d_hard: np.ndarray  # int[T, R]
    d_soft: np.ndarray  # int[T, R]
    best_room: np.ndarray  # int[T]
    seconds: float
    needs_room: bool = True

    def at(self, t: int, r: int | None = None) -> tuple[str, int, int, int]:
        """(category, d_hard, d_soft, room) of a drop at start ``t`` (room ``r`` or the best)."""
        if t < 0 or t >= self.d_hard.shape[0]:
            return BLOCKED, 0, 0, -1
        if not self.needs_room:  # one column: "start at t, no room"
            dh, ds, r = int(self.d_hard[t, 0]), int(self.d_soft[t, 0]), -1
        else:
            if r is None or r < 0:
                r = int(self.best_room[t])
            dh, ds = int(self.d_hard[t, r]), int(self.d_soft[t, r])
        if dh > 0:
            cat = RED
        elif ds > 0:
            cat = YELLOW
        else:
            cat = GREEN
        return cat, dh, ds, r


@dataclass
class Repair:
    moves: list[Placement]  # the dragged session's move first
    d_hard: int
    d_soft: int
    text: str


@dataclass
class ViolationRow:
    constraint: str
    hard: bool
    message: str
    sessions: tuple[int, ...]


@dataclass
class Lane:
    """One row of a grid: a day, optionally for one section (master view)."""

    day: int
    label: str
    entity: str | None = None


@dataclass
class Card:
    session: int
    view: tts.SessionView
    start: int
    room: int
    color: tuple[int, int, int] = (200, 200, 200)

    @property
    def locked(self) -> bool:
        return self.view.locked


class TimetableModel:
    """One timetable version in memory, with its engine state."""

    def __init__(self, db: Database, timetable: int | str | None = None):
        self.db = db
        self._listeners: list[Callable[[str], None]] = []
        self.selection: set[int] = set()
        self.version = 0
        self.load(timetable)

    # ---- loading ---------------------------------------------------------------
    def load(self, timetable: int | str | None = None) -> None:
        comp, assignment, tt_id = compile_database(self.db, timetable)
        if tt_id is None:
            raise ValueError("The database has no timetable version yet: create one first.")
        self.compiled = comp
        self.problem = comp.problem
        self.timetable = tts.get_timetable(self.db, tt_id)
        self.lookups: GridLookups = grid_lookups(self.db)
        views = tts.list_sessions(self.db, tt_id)
        self.views: list[tts.SessionView | None] = [None] * self.problem.n_sessions
        for v in views:
            s = comp.index_of.get((v.activity_id, v.occurrence))
            if s is not None:
                self.views[s] = v
        missing = [i for i, v in enumerate(self.views) if v is None]
        if missing:
            raise ValueError(f"{len(missing)} sessions of the compiled problem have no row in the timetable.")
        self.assignment = assignment if assignment is not None else Assignment.empty(self.problem)
        self.room_index = {c: i for i, c in enumerate(comp.room_codes)}
        self._colors = {}
        self._build_state()
        self.selection.clear()
        self.version += 1
        self._notify("load")

    def _build_state(self) -> None:
        try:
            from ato_desktop.engine.state import State
        except ImportError:  # engine not built yet: grid without colouring / score
            self.state = None
        else:
            self.state = State(self.problem, self.assignment.copy())
        self._preview_cache: dict[int, DropPreview] = {}
        self._score_cache = None

    @property
    def timetable_id(self) -> int:
        return self.timetable.id

    # ---- listeners ------------------------------------------------------------
    def subscribe(self, fn: Callable[[str], None]) -> None:
        self._listeners.append(fn)

    def _notify(self, what: str) -> None:
        for fn in list(self._listeners):
            fn(what)

    def _changed(self) -> None:
        self.version += 1
        self._preview_cache.clear()
        self._score_cache = None
        self._notify("placement")

    # ---- cards ------------------------------------------------------------------
    def color_of(self, s: int) -> tuple[int, int, int]:
        code = self.views[s].course_code
        c = self._colors.get(code)
        if c is None:
            c = self._colors[code] = course_color(code)
        return c

    def card(self, s: int) -> Card:
        return Card(s, self.views[s], int(self.assignment.start[s]), int(self.assignment.room[s]), self.color_of(s))

    def cards(self) -> list[Card]:
        return [self.card(s) for s in range(self.problem.n_sessions)]

    def scheduled(self) -> list[int]:
        return [int(s) for s in np.flatnonzero(self.assignment.start >= 0)]

    def unscheduled(self) -> list[int]:
        return [int(s) for s in np.flatnonzero(self.assignment.start < 0)]

    def room_code(self, r: int) -> str | None:
        return self.compiled.room_codes[r] if r >= 0 else None

    def slot_label(self, t: int) -> str:
        return self.problem.slot_label(t) if t >= 0 else "unscheduled"

    def short_label(self, s: int) -> str:
        v = self.views[s]
        return f"{v.course_code} {v.kind} ({', '.join(v.groups)})"

    # ---- which sessions a view shows ----------------------------------------------
    def entities(self, kind: str) -> list[tuple[str, str]]:
        """(code, display) of the things a view can show."""
        lk = self.lookups
        if kind == VIEW_GROUP:
            out = []
            for sec in lk.sections():
                out.append((sec, sec))
                out.extend((b, f"  {b}") for b in lk.groups[sec].batches)
            return out
        if kind == VIEW_FACULTY:
            used = {f for v in self.views for f in v.faculty}
            return [(f.code, f"{f.name} ({f.code})") for f in sorted(lk.faculty.values(), key=lambda f: f.name)
                    if f.code in used or f.department == lk.home_department]
        if kind == VIEW_ROOM:
            return [(c, f"{c} {lk.rooms[c].name}" if c in lk.rooms else c) for c in self.compiled.room_codes]
        return [("", "All sections")]

    def sessions_for(self, kind: str, entity: str | None) -> list[int]:
        """Scheduled sessions shown in a view of ``entity``."""
        out = []
        if kind == VIEW_GROUP:
            fam = self.lookups.family(entity)
            for s in self.scheduled():
                if fam.intersection(self.views[s].groups):
                    out.append(s)
        elif kind == VIEW_FACULTY:
            out = [s for s in self.scheduled() if entity in self.views[s].faculty]
        elif kind == VIEW_ROOM:
            r = self.room_index.get(entity, -2)
            out = [s for s in self.scheduled() if int(self.assignment.room[s]) == r]
        else:
            out = self.scheduled()
        return out

    def section_of(self, s: int) -> list[str]:
        """The sections (top-level groups) a session belongs to, for the master view."""
        secs = []
        for g in self.views[s].groups:
            info = self.lookups.groups.get(g)
            sec = info.parent if info and info.parent else g
            if sec not in secs:
                secs.append(sec)
        return secs

    def master_sections(self) -> list[str]:
        """Sections of the home department, plus any other top-level group with a session here."""
        lk = self.lookups
        used = {sec for s in range(self.problem.n_sessions) for sec in self.section_of(s)}
        return [c for c in lk.sections() if lk.groups[c].department == lk.home_department or c in used]

    def lanes(self, kind: str, entity: str | None) -> list[Lane]:
        days = self.problem.day_names
        if kind != VIEW_MASTER:
            return [Lane(d, days[d]) for d in range(self.problem.n_days)]
        secs = self.master_sections()
        return [Lane(d, f"{days[d]}  {sec}", sec) for d in range(self.problem.n_days) for sec in secs]

    # ---- score and conflicts ---------------------------------------------------------
    @property
    def hard(self) -> int | None:
        return int(self.state.hard) if self.state is not None else None

    @property
    def soft(self) -> int | None:
        return int(self.state.soft) if self.state is not None else None

    def score(self):
        try:
            from ato_desktop.engine.evaluate import evaluate
        except ImportError:  # the engine's explanations are not there yet
            return None
        if self._score_cache is None:
            self._score_cache = evaluate(self.problem, self.assignment)
        return self._score_cache

    def violations(self) -> list[ViolationRow]:
        sc = self.score()
        if sc is None:
            return []
        rows = []
        for name, c in sc.by_constraint.items():
            hard = name in HARD_CONSTRAINTS
            for v in c.violations:
                rows.append(ViolationRow(name, hard, v.message, tuple(int(x) for x in v.sessions)))
        rows.sort(key=lambda r: (not r.hard, r.constraint))
        return rows

    def weekly_load(self, faculty_code: str) -> tuple[int, int]:
        """(periods scheduled this week, weekly limit) of a faculty member."""
        used = sum(int(self.problem.session_duration[s]) for s in self.scheduled()
                   if faculty_code in self.views[s].faculty)
        info = self.lookups.faculty.get(faculty_code)
        return used, info.max_weekly_periods if info else 0

    # ---- drag preview -----------------------------------------------------------------
    def preview(self, s: int) -> DropPreview:
        """Colouring data for dragging session ``s``: ONE ``State.move_grid`` call, cached."""
        p = self._preview_cache.get(s)
        if p is not None:
            return p
        t0 = time.perf_counter()
        d_hard, d_soft = self.state.move_grid(s)
        d_hard = np.asarray(d_hard)
        d_soft = np.asarray(d_soft)
        T, R = d_hard.shape
        needs_room = bool(self.problem.session_needs_room[s]) and R > 0 and self.problem.n_rooms > 0
        if not needs_room:
            best = np.full(T, -1, np.int64)
        else:
            key = d_hard.astype(np.float64) * 1e6 + d_soft
            cur = int(self.assignment.room[s])
            if cur >= 0:
                key = key + 0.5  # everything else a little worse: keep the current room on ties
                key[:, cur] -= 0.5
            best = key.argmin(axis=1)
        p = DropPreview(s, d_hard, d_soft, best, time.perf_counter() - t0, needs_room)
        self._preview_cache[s] = p
        return p

    # ---- moves (through the services) ---------------------------------------------------
    def is_locked(self, s: int) -> bool:
        return self.views[s].locked

    def place(self, s: int, start: int, room: int) -> tts.SessionView:
        """Move session ``s`` (start -1 = unschedule); returns its view before, for undo."""
        P = self.problem.periods_per_day
        v = self.views[s]
        if start < 0:
            before = tts.move_session(self.db, v.id, None, None, None)
            start, room = UNASSIGNED, UNASSIGNED
        else:
            before = tts.move_session(self.db, v.id, start // P, start % P, self.room_code(room))
            if room < 0:  # the service kept the room
                room = int(self.assignment.room[s])
        self._set(s, start, room, locked=v.locked)
        return before

    def restore(self, before: tts.SessionView) -> None:
        """Undo: put the session back exactly as ``before`` (slot, room, lock)."""
        tts.restore_session(self.db, before)
        s = self.compiled.index_of[(before.activity_id, before.occurrence)]
        P = self.problem.periods_per_day
        start = before.day * P + before.period if before.day is not None else UNASSIGNED
        room = self.room_index.get(before.room, UNASSIGNED) if before.room else UNASSIGNED
        self._set(s, start, room, locked=before.locked)

    def set_locked(self, sessions: Iterable[int], locked: bool) -> list[tts.SessionView]:
        sessions = list(sessions)
        before = tts.set_locked(self.db, [self.views[s].id for s in sessions], locked)
        for s in sessions:
            self.views[s] = dataclasses.replace(self.views[s], locked=locked)
        self._notify("lock")
        return before

    def restore_locks(self, before: list[tts.SessionView]) -> None:
        for b in before:
            s = self.compiled.index_of[(b.activity_id, b.occurrence)]
            tts.restore_session(self.db, b)
            self.views[s] = dataclasses.replace(self.views[s], locked=b.locked)
        self._notify("lock")

    def _set(self, s: int, start: int, room: int, *, locked: bool) -> None:
        P = self.problem.periods_per_day
        self.assignment.start[s] = start
        self.assignment.room[s] = room
        if self.state is not None:
            self.state.apply_move(s, start, room)
        self.views[s] = dataclasses.replace(
            self.views[s], day=start // P if start >= 0 else None, period=start % P if start >= 0 else None,
            room=self.room_code(room), locked=locked)
        self._changed()

    # ---- swaps and repairs -------------------------------------------------------------------
    def swap_delta(self, a: int, b: int) -> tuple[int, int]:
        dh, ds = self.state.delta_swap(a, b)
        return int(dh), int(ds)

    def swap_moves(self, a: int, b: int) -> list[Placement]:
        sa, ra = int(self.assignment.start[a]), int(self.assignment.room[a])
        sb, rb = int(self.assignment.start[b]), int(self.assignment.room[b])
        return [Placement(a, sb, rb), Placement(b, sa, ra)]

    def describe_moves(self, moves: list[Placement]) -> str:
        parts = []
        for mv in moves:
            v = self.views[mv.session]
            if mv.start < 0:
                parts.append(f"unschedule {v.course_code} {v.kind}")
            else:
                room = self.room_code(mv.room)
                parts.append(f"move {v.course_code} {v.kind} to {self.slot_label(mv.start)}" + (f" ({room})" if room else ""))
        text = " and ".join(parts)
        return text[:1].upper() + text[1:]

    # ---- what a drop would touch -----------------------------------------------------------
    def overlapping(self, s: int, start: int | None = None, room: int | None = None) -> list[tuple[int, str]]:
        """Scheduled sessions that would clash with ``s`` at (start, room): (session, what is shared)."""
        p = self.problem
        a = self.assignment
        start = int(a.start[s]) if start is None else start
        room = int(a.room[s]) if room is None else room
        if start < 0:
            return []
        d = int(p.session_duration[s])
        res_s = set(int(q) for q in p.resources_of(s))
        out = []
        for x in self.scheduled():
            if x == s:
                continue
            tx, dx = int(a.start[x]), int(p.session_duration[x])
            if tx >= start + d or start >= tx + dx:
                continue
            shared = res_s.intersection(int(q) for q in p.resources_of(x))
            if shared:
                out.append((x, ", ".join(p.resource_names[q] for q in sorted(shared))))
            elif room >= 0 and int(a.room[x]) == room and p.session_needs_room[x]:
                out.append((x, f"room {self.room_code(room)}"))
        return out

    def _counts_after(self, s: int, t: int, r: int) -> dict[str, int]:
        st = self.state
        old = (int(st.start[s]), int(st.room[s]))
        st.apply_move(s, t, r)
        try:
            return st.counts()
        finally:
            st.apply_move(s, *old)

    def explain_drop(self, s: int, t: int, r: int) -> list[str]:
        """Sentences for the hard (then soft) violations a drop of ``s`` at (t, r) would add."""
        try:
            from ato_desktop.engine.evaluate import evaluate
        except ImportError:
            evaluate = None
        if evaluate is not None:
            a = self.assignment.copy()
            a.start[s], a.room[s] = t, r
            before = {(name, v.message) for name, c in self.score().by_constraint.items() for v in c.violations}
            after = evaluate(self.problem, a)
            hard, soft = [], []
            for name, c in after.by_constraint.items():
                for v in c.violations:
                    if (name, v.message) in before or s not in [int(x) for x in v.sessions]:
                        continue
                    (hard if name in HARD_CONSTRAINTS else soft).append(v.message)
            if hard or soft:
                return hard + soft
        # without the engine's sentences: name the clashes ourselves, then the counts that rise
        before = self.state.counts()
        after = self._counts_after(s, t, r)
        out = []
        for x, what in self.overlapping(s, t, r):
            out.append(f"{what}: already busy with {self.short_label(x)} at "
                       f"{self.slot_label(int(self.assignment.start[x]))}.")
        for name in (*HARD_CONSTRAINTS, *[k for k in after if k not in HARD_CONSTRAINTS]):
            diff = after.get(name, 0) - before.get(name, 0)
            if diff > 0 and name not in ("resource_clash", "room_clash"):
                out.append(f"{name.replace('_', ' ')}: +{diff}")
        return out

    def repairs(self, s: int, t: int, r: int, limit: int = 3, budget_s: float = 0.4) -> list[Repair]:
        """Up to ``limit`` small repairs making a hard-infeasible drop of ``s`` at (t, r) work.

        A short local search with State deltas: after the drop, move one (or,
        failing that, two) of the unlocked sessions now clashing with ``s`` to
        their best slots; a repair must leave the hard cost no worse than now.
        The state is changed temporarily and always put back.
        """
        deadline = time.perf_counter() + budget_s
        st = self.state
        base_h, base_s = st.hard, st.soft
        log: list[tuple[int, int, int]] = []
        saved = self.assignment.copy()

        def do(x: int, tt: int, rr: int) -> None:
            log.append((x, int(st.start[x]), int(st.room[x])))
            st.apply_move(x, tt, rr)
            self.assignment.start[x], self.assignment.room[x] = tt, rr

        def revert_to(n: int) -> None:
            while len(log) > n:
                x, a, b = log.pop()
                st.apply_move(x, a, b)
                self.assignment.start[x], self.assignment.room[x] = a, b

        def best_moves(x: int, k: int) -> list[tuple[int, int, int, int]]:
            dh, ds = st.move_grid(x)
            key = dh * 1_000_000 + ds
            order = np.argsort(key, axis=None, kind="stable")
            R = dh.shape[1]
            cur = (int(st.start[x]), int(st.room[x]))
            out = []
            for i in order[: k * 4 + 1]:
                tt, rr = divmod(int(i), R)
                if not self.problem.session_needs_room[x]:
                    rr = cur[1]
                if (tt, rr) == cur:
                    continue
                out.append((tt, rr, int(dh.flat[i]), int(ds.flat[i])))
                if len(out) >= k:
                    break
            return out

        found: list[Repair] = []
        seen: set[tuple] = set()

        def add(moves: list[Placement], h: int, so: int) -> None:
            key = tuple(sorted((m.session, m.start) for m in moves))  # rooms alone do not make a new idea
            if key not in seen:
                seen.add(key)
                found.append(Repair(moves, h - base_h, so - base_s, self.describe_moves(moves)))

        try:
            do(s, t, r)
            culprits = [x for x, _ in self.overlapping(s) if not self.is_locked(x)]
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
                        others = [y for y, _ in self.overlapping(x) if y != s and not self.is_locked(y)]
                        for y in others:
                            for t2, r2, dh2, ds2 in best_moves(y, 2):
                                if st.hard + dh2 <= base_h:
                                    add([Placement(s, t, r), Placement(x, tt, rr), Placement(y, t2, r2)],
                                        st.hard + dh2, st.soft + ds2)
                        revert_to(1)
        finally:
            revert_to(0)
            self.assignment.start[:] = saved.start
            self.assignment.room[:] = saved.room
        found.sort(key=lambda rp: (rp.d_hard, len(rp.moves), rp.d_soft))
        return found[:limit]


def open_model(db: Database, timetable: int | str | None = None) -> TimetableModel:
    return TimetableModel(db, timetable)


__all__ = [
    "GREEN", "YELLOW", "RED", "BLOCKED", "VIEW_GROUP", "VIEW_FACULTY", "VIEW_ROOM", "VIEW_MASTER",
    "TimetableModel", "Placement", "DropPreview", "Repair", "ViolationRow", "Lane", "Card", "course_color",
]
