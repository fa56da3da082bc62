"""The timetable view model: one timetable version, its engine state, and moves.

No Qt here. The model holds the compiled problem, the current assignment and
an engine :class:`~ato_desktop.engine.state.State` (kept in sync with every
move), and maps engine session indices to the database's sessions. It writes nothing: moves and
locks are operations (:mod:`ato_desktop.services.timetable_edits`) run on the writer, and
:meth:`TimetableModel.show_views` shows what they changed.
A version is read by :func:`ato_desktop.services.timetable_view.open_version`; room
choice and repairs are :mod:`ato_desktop.engine.repair`, the sentences
:mod:`ato_desktop.engine.explain`: this module keeps what the grid presents.

Widgets listen with :meth:`TimetableModel.subscribe`; :mod:`ato_desktop.ui.timetable.commands`
builds the operations from the model's session indices.
"""

from __future__ import annotations

import colorsys
import dataclasses
import time
import zlib
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from ato_desktop.engine import explain, repair
from ato_desktop.engine.explain import ViolationRow, violation_rows
from ato_desktop.engine.problem import UNASSIGNED
from ato_desktop.engine.repair import Placement
from ato_desktop.services import Database
from ato_desktop.services import timetables as tts
from ato_desktop.services.timetable_view import GridLookups, OpenedVersion, open_version

GREEN, YELLOW, RED, BLOCKED = "green", "yellow", "red", "blocked"
VIEW_GROUP, VIEW_FACULTY, VIEW_ROOM, VIEW_MASTER = "group", "faculty", "room", "master"


def course_color(code: str) -> tuple[int, int, int]:
    """A stable pastel colour per course code (RGB 0-255)."""
    h = (zlib.crc32(code.encode()) % 360) / 360.0
    r, g, b = colorsys.hls_to_rgb(h, 0.82, 0.55)
    return int(r * 255), int(g * 255), int(b * 255)


@dataclass
class DropPreview:
    """What dropping session ``s`` at each start slot would cause (computed once per drag).

    For every start slot ``t``: ``rooms[t]`` is the room the drop would use (the fixed
    room of a room view, else the best free suitable room: the current one, or one
    the course already uses, when possible) and ``d_hard[t]``/``d_soft[t]`` the exact
    engine deltas (``State.delta_move``) of moving ``s`` there. ``delta(t, r)`` gives
    the exact deltas for any other room.
    """

    session: int
    d_hard: np.ndarray  # int64[T]
    d_soft: np.ndarray  # int64[T]
    rooms: np.ndarray  # int64[T]
    seconds: float
    needs_room: bool = True
    fixed_room: int | None = None
    delta: Callable[[int, int], tuple[int, int]] | None = None

    def at(self, t: int, r: int | None = None) -> tuple[str, int, int, int]:
        """(category, d_hard, d_soft, room) of a drop at start ``t`` (room ``r`` or the previewed one)."""
        if t < 0 or t >= self.d_hard.shape[0]:
            return BLOCKED, 0, 0, -1
        if r is None or r < 0 or not self.needs_room or r == int(self.rooms[t]) or self.delta is None:
            dh, ds, r = int(self.d_hard[t]), int(self.d_soft[t]), int(self.rooms[t])
        else:
            dh, ds = self.delta(t, r)
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


def engine_ready() -> bool:
    """True when the engine's numba kernels are compiled (or a warm-up cannot tell otherwise).

    Building a :class:`State` compiles its kernels on first use, which holds the GIL for tens
    of seconds; the grid shows the timetable without colouring until the warm-up process
    (``ato_desktop.ui.warmup``) has compiled them.
    """
    from ato_desktop.engine.warmup import is_warm, kernels_loaded

    return kernels_loaded() or is_warm()  # loaded into this process: compiled (no marker file read on the UI thread)


def engine_loaded() -> bool:
    """True when the kernels are loaded into THIS process (``engine.warmup.load_kernels``): an
    engine state can then be built on the UI thread without loading anything (which holds the
    GIL for half a second or more)."""
    from ato_desktop.engine.warmup import kernels_loaded

    return kernels_loaded()


Loaded = OpenedVersion  # what fetch returns


def score_of(data: "Loaded"):
    """The full score (each rule's violations) of a version read by :func:`fetch`, which the conflicts list
    shows: computed in the worker that read it, it is handed to :meth:`TimetableModel.apply` so that the UI
    thread does not evaluate the timetable again (issue 18: the stall after Accept)."""
    from ato_desktop.engine.evaluate import evaluate

    return evaluate(data.compiled.problem, data.assignment)


def fetch(db: Database, timetable: int | str | None = None, *, build_state: bool | None = None) -> OpenedVersion:
    """Read and compile a version (:func:`services.timetable_view.open_version`). No Qt: safe in a worker.

    ``build_state``: build the engine state (None: when the kernels are compiled, see
    :func:`engine_ready`; the UI thread passes :func:`engine_loaded` so that it never loads them)."""
    return open_version(db, timetable, build_state=build_state)


class TimetableModel:
    """One timetable version in memory, with its engine state."""

    def __init__(self, db: Database, timetable: int | str | None = None, *, loaded: "Loaded | None" = None):
        self.db = db
        self._listeners: list[Callable[[str], None]] = []
        self.selection: set[int] = set()
        self.version = 0
        if loaded is not None:
            self.apply(loaded)
        else:
            self.load(timetable)

    # ---- loading ---------------------------------------------------------------
    def load(self, timetable: int | str | None = None) -> None:
        """Read a version from the database (on this thread) and show it.

        The engine state is built only when the kernels are loaded into this process (else the
        state stays None and the screen asks for it without blocking, see ``TimetableScreen``)."""
        self.apply(fetch(self.db, timetable, build_state=engine_loaded()))

    def apply(self, data: "Loaded", *, score=None) -> None:
        """Show data read by :func:`fetch` (which may have run in a worker thread); ``score``: its
        :func:`score_of`, computed there too (else the first view that needs it evaluates it here)."""
        self.compiled = data.compiled
        self.problem = data.compiled.problem
        self.timetable = data.info
        self.lookups: GridLookups = data.lookups
        self.views: list[tts.SessionView] = data.views
        self.committed = tuple(getattr(data, "committed", ()))  # other departments' commitments (grey cards)
        self.assignment = data.assignment
        self.room_index = {c: i for i, c in enumerate(data.compiled.room_codes)}
        self._colors = {}
        self.state = data.state
        self._preview_saved = None  # a version read from the database is never a preview
        self._reset_caches()
        self._score_cache = score
        self.selection.clear()
        self.version += 1
        self._notify("load")

    # ---- optimizer result preview (nothing is written) ----------------------------------
    @property
    def previewing(self) -> bool:
        return getattr(self, "_preview_saved", None) is not None

    def begin_preview(self, rows: dict, *, build_state: bool = True) -> int:
        """Show an unsaved placement (``Compiled.rows_from_assignment`` of an optimizer result) in place of
        the version's own, in memory only; returns how many sessions it moves. :meth:`end_preview` (or
        loading any version) puts the version back as it was."""
        if not self.previewing:
            self._preview_saved = (self.assignment.copy(), list(self.views), self.state)
        else:  # a preview on a preview: start from the version again
            self.assignment, self.views = self._preview_saved[0].copy(), list(self._preview_saved[1])
        P = self.problem.periods_per_day
        base = self._preview_saved[0]
        for key, (day, period, room_code) in rows.items():
            s = self.compiled.index_of.get(key)
            if s is None:
                continue
            start = day * P + period if day is not None and period is not None else UNASSIGNED
            room = self.room_index.get(room_code, UNASSIGNED) if room_code else UNASSIGNED
            self.assignment.start[s] = start
            self.assignment.room[s] = room
            self.views[s] = dataclasses.replace(self.views[s], day=day if start >= 0 else None,
                                                period=period if start >= 0 else None, room=room_code)
        moved = int(((self.assignment.start != base.start) | (self.assignment.room != base.room)).sum())
        if build_state:
            self._build_state()
        else:  # a large version: the caller builds the engine state in a worker (set_preview_state)
            self.state = None
            self._reset_caches()
        self.version += 1
        self._notify("preview")
        return moved

    def set_preview_state(self, state, version: int) -> bool:
        """The engine state of the preview, built in a worker; ignored when the preview changed since."""
        if not self.previewing or self.version != version:
            return False
        self.state = state
        self._reset_caches()
        self.version += 1
        self._notify("preview")
        return True

    def end_preview(self) -> bool:
        """Back to the version as it was before :meth:`begin_preview`; False when there was no preview."""
        if not self.previewing:
            return False
        assignment, views, state = self._preview_saved
        self._preview_saved = None
        self.assignment, self.views, self.state = assignment, views, state
        self._reset_caches()
        self.version += 1
        self._notify("preview")
        return True

    def set_state(self, state, *, score=None) -> None:
        """Use an engine state built elsewhere (a worker thread) for the current assignment; tell the views.
        ``score``: the assignment's full score, computed there too."""
        self.state = state
        self._preview_cache = {}
        self._score_cache = score
        self._busy_cache = None
        self._notify("load")

    def rebuild_state(self) -> None:
        """Build the engine state now (after the first-run warm-up finished) and tell the views."""
        self._build_state()
        self._notify("load")

    def _build_state(self) -> None:
        from ato_desktop.engine.state import State

        if engine_ready():
            self.state = State(self.problem, self.assignment.copy())
        else:  # kernels not compiled yet: never compile on the UI thread (see ui.warmup)
            self.state = None
        self._reset_caches()

    def _reset_caches(self) -> None:
        self._preview_cache: dict[tuple[int, int | None], DropPreview] = {}
        self._score_cache = None
        self._busy_cache = None

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
        self._busy_cache = None
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

    def committed_for(self, kind: str, entity: str | None) -> list:
        """Other departments' committed sessions on the room or faculty member ``entity`` (a room or
        faculty view): grey, immovable cards with their owner (``services.campus.FixedCard``)."""
        if kind not in (VIEW_ROOM, VIEW_FACULTY) or not entity:
            return []
        return [c for c in self.committed if c.kind == kind and c.code == entity]

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

    def is_batch(self, group: str) -> bool:
        g = self.lookups.groups.get(group)
        return bool(g and g.parent)

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
        from ato_desktop.engine.evaluate import evaluate

        if self._score_cache is None:
            self._score_cache = evaluate(self.problem, self.assignment)
        return self._score_cache

    def violations(self) -> list[ViolationRow]:
        """Every hard and soft violation with its sentence and sessions (hard first)."""
        return violation_rows(self.score(), self.problem, self.assignment)

    def hard_conflict_sessions(self) -> frozenset[int]:
        """The scheduled sessions involved in a hard conflict (the grid marks their cards); cached per change."""
        key = (self.version, id(self.state), self.hard)
        cached = getattr(self, "_hard_sessions_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        found: frozenset[int] = frozenset()
        if self.state is not None and self.hard:
            found = frozenset(int(x) for row in self.violations() if row.hard and row.constraint != "unscheduled"
                              for x in row.sessions if int(self.assignment.start[int(x)]) >= 0)
        self._hard_sessions_cache = (key, found)
        return found

    def weekly_load(self, faculty_code: str) -> tuple[int, int]:
        """(periods scheduled this week, weekly limit) of a faculty member."""
        used = sum(int(self.problem.session_duration[s]) for s in self.scheduled()
                   if faculty_code in self.views[s].faculty)
        info = self.lookups.faculty.get(faculty_code)
        return used, info.max_weekly_periods if info else 0

    # ---- drag preview -----------------------------------------------------------------
    def _room_busy(self) -> np.ndarray:
        """int[R, T]: how many scheduled sessions occupy each room at each slot (cached per change)."""
        if self._busy_cache is None:
            self._busy_cache = repair.room_busy(self.problem, self.assignment)
        return self._busy_cache

    def best_rooms(self, s: int, busy: np.ndarray | None = None) -> np.ndarray:
        """For every start slot, the room a time-only drop of ``s`` uses (``engine.repair.best_rooms``)."""
        return repair.best_rooms(self.problem, self.assignment, s, self._room_busy() if busy is None else busy)

    def slot_deltas(self, s: int, room: int | None = None, busy: np.ndarray | None = None):
        """(d_hard[T], d_soft[T], rooms[T]) of moving ``s`` to every start slot, exact engine deltas."""
        return repair.slot_deltas(self.problem, self.assignment, self.state, s, room,
                                  self._room_busy() if busy is None else busy)

    def preview(self, s: int, room: int | None = None) -> DropPreview:
        """Colouring data for dragging ``s`` (into ``room``, or the best room per slot), cached until a change.

        One engine delta per start slot (``State.delta_move``), so it stays within a frame
        on departments with thousands of sessions (see benchmarks/grid_drag.py).
        """
        key = (s, room if room is not None and room >= 0 else None)
        p = self._preview_cache.get(key)
        if p is not None:
            return p
        t0 = time.perf_counter()
        dh, ds, rooms = self.slot_deltas(s, key[1])
        needs_room = bool(self.problem.session_needs_room[s]) and self.problem.n_rooms > 0

        def delta(t: int, r: int) -> tuple[int, int]:
            return self.state.delta_move(s, t, r)

        p = DropPreview(s, dh, ds, rooms, time.perf_counter() - t0, needs_room, key[1], delta)
        self._preview_cache[key] = p
        return p

    # ---- what an operation changed (the writes are operations: services/timetable_edits.py) ----
    def is_locked(self, s: int) -> bool:
        return self.views[s].locked

    def show_views(self, views: Iterable[tts.SessionView]) -> None:
        """Show sessions as ``views`` say (after an operation on this version, its undo or its redo);
        writes nothing: the operation did."""
        P = self.problem.periods_per_day
        relocked = False
        for v in views:
            s = self.compiled.index_of.get((v.activity_id, v.occurrence))
            if s is None:
                continue
            start = v.day * P + v.period if v.day is not None else UNASSIGNED
            room = self.room_index.get(v.room, UNASSIGNED) if v.room else UNASSIGNED
            if start != int(self.assignment.start[s]) or room != int(self.assignment.room[s]):
                self._set(s, start, room, locked=v.locked)
            elif v.locked != self.views[s].locked:
                self.views[s] = dataclasses.replace(self.views[s], locked=v.locked)
                relocked = True
        if relocked:
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
        a = self.assignment
        if start is not None or room is not None:
            a = a.copy()
            a.start[s] = a.start[s] if start is None else start
            a.room[s] = a.room[s] if room is None else room
        return explain.clash_texts(self.problem, a, s, self.room_code)

    def explain_drop(self, s: int, t: int, r: int) -> list[str]:
        """Sentences for the hard (then soft) violations a drop of ``s`` at (t, r) would add."""
        return explain.explain_drop(self.problem, self.state, self.assignment, s, t, r, label=self.short_label,
                                    room_name=self.room_code, score=self.score)

    def repairs(self, s: int, t: int, r: int, limit: int = 3, budget_s: float = 0.4) -> list[Repair]:
        """Up to ``limit`` small repairs making a hard-infeasible drop of ``s`` at (t, r) work
        (``engine.repair.find_repairs``), each with its sentence."""
        found = repair.find_repairs(self.problem, self.state, self.assignment, s, t, r, locked=self.is_locked,
                                    limit=limit, budget_s=budget_s)
        return [Repair(rp.moves, rp.d_hard, rp.d_soft, self.describe_moves(rp.moves)) for rp in found]


def open_model(db: Database, timetable: int | str | None = None) -> TimetableModel:
    return TimetableModel(db, timetable)


__all__ = [
    "GREEN", "YELLOW", "RED", "BLOCKED", "VIEW_GROUP", "VIEW_FACULTY", "VIEW_ROOM", "VIEW_MASTER",
    "TimetableModel", "Placement", "DropPreview", "Repair", "ViolationRow", "Lane", "Card", "course_color",
]

