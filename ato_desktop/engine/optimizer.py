"""Memetic optimizer: DEAP population + numba simulated annealing on each offspring.

Outline of one run (all randomness from ``random.Random(params.seed)``; the numba
kernels get splitmix64 seeds drawn from it):

1. *Construct* ``population_size`` individuals with a randomised most-constrained-first
   greedy (units = sessions, or whole sync sets; each placed at the start slot and room
   that raises ``W*hard + soft`` least; one well-fitting free room is tried per start
   slot; when that leaves hard violations, the conflict-directed hard phase of
   :mod:`.construct`, until ``hard_phase`` of the run) and give each a short annealing run.  Locked
   sessions are placed at their locked start/room first and never move afterwards.
2. *Generations*: DEAP toolbox ``select`` (tournament on (hard, soft)), ``mate``
   (with probability ``crossover_rate``: the child takes whole blocks - a course key
   together with any sync set touching it - from the second parent; otherwise a clone),
   ``mutate`` (simulated annealing in numba over move / swap / room / sync-set / Kempe
   (members whose room is taken at the new slot get a free one) / course-room (all
   sessions of a course key into one room) / focused (an isolated or min_days-short
   session, moved next to its group or to an unused day) neighbourhoods, hard
   constraints weighted by ``W``; the temperature follows one geometric schedule per segment of the
   run (one segment up to ``long_run_from`` s, then restarts from the elite whose ends double, ``engine.schedule``;
   from ``temp_start``, or the hotter ``long_temp_start``, with more Kempe chains, in a segment over it); a move that
   surely adds a hard violation to sessions clear of any is rejected before its delta
   is computed) and ``evaluate``
   (a full evaluation).  The child replaces the worst individual if it is better and
   not a duplicate (elitism + diversity).  ``tools.Statistics`` / ``tools.Logbook``
   record every generation.
3. ``minimal_change``: every session whose start (or, if it needs a room, room) differs
   from ``start`` costs ``change_penalty`` extra soft units *during the search* (which
   also runs cooler); the reported ``soft`` never includes that penalty.

Progress is reported at least every ``progress_interval`` seconds (annealing runs in
chunks of about 0.05 s, in numba with the GIL released), ``should_stop`` is polled
between chunks, and with ``time_limit=None`` the result depends only on the seed and
the generation count.  ``threads=N`` runs N such searches side by side as islands that
exchange their best solutions (:mod:`ato_desktop.engine.islands`).  Numba compiles
the kernels on first use (about 1.5 minutes on a busy 2-core machine, then cached on
disk); that happens before the clock starts.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
from deap import base, tools

from ato_desktop.progress import Progress  # the one progress type

from . import kernels as K
from . import local_search as SK
from .construct import hard_phase
from .problem import DEFAULT_WEIGHTS, SOFT_CONSTRAINTS, Assignment, Problem, sync_units
from .snapshot import Snapshot, report
from .population import spread as _spread, tournament as _tournament, warm_up as _warm_up
from . import schedule
from .state import check_assignment
from .result import Result, finish as _finish  # noqa: F401  (Result: part of this module's API)


@dataclass
class OptimizeParams:
    time_limit: float | None = 60.0  # seconds; None = stop by generations only
    generations: int | None = None  # generation budget (deterministic runs)
    seed: int = 0
    population_size: int = 2
    minimal_change: bool = False  # start from `start`, penalise every session moved away from it
    change_penalty: int | None = None  # soft units per moved session (minimal_change); None = 10 x max soft weight
    crossover_rate: float = 0.3
    tournament_size: int = 2
    init_iterations: int = 20_000  # annealing iterations for each initial individual
    generation_iterations: int = 3_000_000  # annealing iterations per offspring (time limits up to long_run_from)
    long_run_from: float = 60.0  # a time limit T over this anneals each offspring T / long_run_from times longer
    hard_weight: float | None = None  # W in W*hard + soft; None = 20 * (largest soft weight) + 10
    temp_start: float = 2.0  # global schedule, in soft units
    long_temp_start: float = 8.0  # temp_start of a run whose time limit is over long_run_from (it has time to cool)
    long_p_kempe: float = 0.2  # p_kempe of such a long run
    temp_end: float = 0.2
    generation_cooling: float = 0.3  # each offspring anneals from T(frac) to T(frac) * this
    p_sync: float = 0.15  # neighbourhood mix (renormalised when a kind is not possible)
    p_swap: float = 0.3
    p_room: float = 0.1
    p_kempe: float = 0.08
    p_course_room: float = 0.02  # every session of a course key into one room
    p_focus: float = 0.1  # move a session that costs something (isolated, short of min_days)
    hard_phase: float = 0.4  # the conflict-directed phase (engine.construct) ends by this share of the run, 0 = none
    hard_phase_steps: int = 2_000  # its most steps per session (the cap of a run by generations)
    progress_interval: float = 0.2  # seconds between progress callbacks
    threads: int = 1  # islands searching side by side (engine.islands); 1 = this thread only
    exchange_at: tuple[float, ...] = (2 / 3,)  # islands: points of the run (fractions) where they share their best
    island_heat: tuple[float, ...] = (1.0, 4.0)  # islands: island i starts at temp_start x island_heat[i % len]
    reheat_after: int = 0  # generations without a better best before a reheat (0 = never); only before 80 % of the run
    reheat_back: float = 0.3  # a reheat anneals the next offspring from the temperature this share of the run earlier
    anytime: bool = True  # a run over long_run_from s restarts from its elite at doubling ends (engine.schedule)
    work_rate: float | None = None  # evaluations that count as one second (a fixed-work clock); None = wall time


class _Stop(Exception):
    pass


class _Individual:
    """A DEAP individual: an assignment with a (hard, soft+penalty) fitness."""

    __slots__ = ("start", "room", "fitness", "soft")

    def __init__(self, start: np.ndarray, room: np.ndarray, fitness_cls):
        self.start = start
        self.room = room
        self.fitness = fitness_cls()
        self.soft = 0

    def key(self) -> bytes:
        return self.start.tobytes() + self.room.tobytes()


class _Search:
    """Per-run search context (compiled arrays, units, RNG, clocks, callbacks)."""

    def __init__(self, problem, start, params, on_progress, should_stop):
        self.problem = problem
        self.params = params
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.rng = random.Random(params.seed)
        self.cp = K.compile_problem(problem)
        cp = self.cp
        self._build_units()
        report(on_progress, params, Snapshot(0, -1, -1, 0, 0.0, 0.0, "prepare"))
        _warm_up(self)  # numba compile / cache load happens before the clock starts
        self.t0 = time.perf_counter()
        self.evaluations = 0
        self.history: list[Snapshot] = []
        self.last_progress = -1.0
        self.generation = 0
        self.phase = "construct"
        self.first_feasible: float | None = None
        self.best: _Individual | None = None
        self.best_h = math.inf
        self.best_s = math.inf
        self.stopped = False
        self.optimal = False
        # the soft rules' weights as given (a must's too: it counts 1 in the hard total, but the hard weight
        # stays above what one move can change in the soft total, as before the must was hard)
        soft_w = np.array([problem.weight(n, DEFAULT_WEIGHTS[n]) for n in SOFT_CONSTRAINTS], np.int64)
        self.W = float(params.hard_weight) if params.hard_weight is not None else float(20 * max(1, soft_w.max()) + 10)
        self.anchor = start if params.minimal_change and start is not None else None
        self.change_penalty = (int(params.change_penalty) if params.change_penalty is not None
                               else int(10 * max(1, soft_w.max())))
        # a repair starts cool: it should not wander far from the given timetable
        self.temp_scale = 0.25 if self.anchor is not None else 1.0
        self.initial = start  # the first individual grows from it (all of them when minimal_change)
        self.chunk = 5_000
        self.rate = 0.0
        self.cpu_seconds = self.kernel_seconds = 0.0  # CPU time in _evolve; wall time inside sa_chunk (nogil)
        self.reheats = 0

    # ---- structure ----------------------------------------------------------------
    def _build_units(self) -> None:
        cp, p = self.cp, self.problem
        S = cp.S
        units = sync_units(p)
        self.u_ptr, self.u_idx = K._csr(units)
        fixed = np.full(len(units), -1, np.int64)
        for i, g in enumerate(units):
            locks = {int(cp.lock_t[s]) for s in g if cp.lock_t[s] >= 0}
            if locks:
                fixed[i] = min(locks)
        self.u_fixed = fixed
        self.unit_of = np.zeros(S, np.int64)
        for i, g in enumerate(units):
            self.unit_of[g] = i
        single = np.array([len(g) == 1 for g in units])
        self.mov = np.array([g[0] for i, g in enumerate(units) if single[i] and fixed[i] < 0], np.int64)
        self.syu = np.array([i for i, g in enumerate(units) if not single[i] and fixed[i] < 0], np.int64)
        self.rmov = np.array([s for s in range(S) if cp.needs_room[s] and cp.lock_r[s] < 0], np.int64)
        kok = np.zeros(S, np.bool_)
        if len(self.mov):
            kok[self.mov] = cp.dur[self.mov] == 1
        self.kempe_ok = kok
        # course keys -> their room-movable sessions (course-room move); cc = keys with two or more
        by_course: list[list[int]] = [[] for _ in range(cp.C)]
        for s in self.rmov:
            by_course[int(cp.course[s])].append(int(s))
        self.c_ptr, self.c_idx = K._csr(by_course)
        self.cc = np.array([c for c in range(cp.C) if len(by_course[c]) >= 2], np.int64)
        # candidate start slots: no start-dependent hard cost; else every slot
        cands = []
        for s in range(S):
            c = np.flatnonzero(cp.static_h[s] == 0)
            if len(c) == 0:
                c = np.flatnonzero((np.arange(cp.T) % cp.P) + cp.dur[s] <= cp.P)
            if len(c) == 0:
                c = np.arange(cp.T)
            cands.append(c.tolist())
        self.cs_ptr, self.cs_idx = K._csr(cands)
        # difficulty for the constructor: few candidate starts x rooms, many conflicts, long
        n_rooms = np.maximum(np.diff(cp.ar_ptr), 1)
        deg = np.diff(cp.cf_ptr)
        self.difficulty = np.array([
            min(len(cands[s]) * (n_rooms[s] if cp.needs_room[s] else 1) for s in g)
            / (1.0 + sum(deg[s] * cp.dur[s] for s in g)) / len(g)
            for g in units
        ])
        # crossover blocks: course keys joined through sync sets
        par = list(range(cp.C))

        def f2(x):
            while par[x] != x:
                par[x] = par[par[x]]
                x = par[x]
            return x

        for g in units:
            for s in g[1:]:
                par[f2(int(cp.course[s]))] = f2(int(cp.course[g[0]]))
        roots = {f2(c) for c in range(cp.C)}
        rid = {r: i for i, r in enumerate(sorted(roots))}
        self.block_of = np.array([rid[f2(int(cp.course[s]))] for s in range(S)], np.int64)
        self.n_blocks = len(rid)
        ms = np.zeros(max(cp.kmax, K.MAX_MOVED), np.int64)
        self.sr = SK.SR(mov=self.mov, rmov=self.rmov, syu=self.syu, u_ptr=self.u_ptr, u_idx=self.u_idx,
                        u_fixed=self.u_fixed, kempe_ok=self.kempe_ok, cs_ptr=self.cs_ptr, cs_idx=self.cs_idx,
                        c_ptr=self.c_ptr, c_idx=self.c_idx, cc=self.cc, ms=ms, mt=np.zeros_like(ms),
                        mr=np.zeros_like(ms), chain=np.zeros(S + 1, np.int64), in_chain=np.zeros(S, np.int64))

    def _seed(self) -> np.ndarray:
        return np.array([self.rng.getrandbits(64)], np.uint64)

    def _new_state(self) -> K.ST:
        st = K.new_state(self.cp)
        if self.anchor is not None:
            st.anchor_t[:] = self.anchor.start
            st.anchor_r[:] = self.anchor.room
            st.anchor_w[0] = self.change_penalty
        # totals of the empty assignment (every session unscheduled), so that st.tot is absolute
        K.load_state(self.cp, st, np.full(self.cp.S, -1, np.int32), np.full(self.cp.S, -1, np.int32))
        return st

    # ---- clocks / callbacks --------------------------------------------------------
    def elapsed(self) -> float:
        if self.params.work_rate:  # the fixed-work clock: the same run whatever the machine's load
            return self.evaluations / self.params.work_rate
        return time.perf_counter() - self.t0

    def segment(self) -> tuple[float, float | None]:
        """(start, end) in seconds of the schedule's segment now (``engine.schedule``); end None: no time limit."""
        p = self.params
        ends = schedule.segment_ends(p.time_limit, p.long_run_from if p.anytime else math.inf)
        return schedule.segment_at(self.elapsed(), ends)

    def seg_frac(self) -> float:  # how far the run is through its segment, by time or by generations
        return schedule.fraction(self.elapsed(), self.segment(), self.generation, self.params.generations)

    def frac(self) -> float:  # how far the whole run is (the islands meet by it)
        p = self.params
        return schedule.fraction(self.elapsed(), (0.0, p.time_limit), self.generation, p.generations)

    def out_of_time(self) -> bool:
        p = self.params
        return p.time_limit is not None and self.elapsed() >= p.time_limit

    def check(self, force: bool = False) -> None:
        """Report progress when due; raise _Stop when asked to stop or out of time."""
        now = self.elapsed()
        if force or now - self.last_progress >= self.params.progress_interval:
            self.last_progress = now
            pr = Snapshot(
                generation=self.generation,
                best_hard=int(self.best_h) if self.best is not None else -1,
                best_soft=int(self.best.soft) if self.best is not None else -1,
                evaluations=self.evaluations,
                evals_per_second=self.evaluations / now if now > 0 else 0.0,
                elapsed=now, phase=self.phase,
            )
            self.history.append(pr)
            report(self.on_progress, self.params, pr)
        if self.should_stop is not None and self.should_stop():
            self.stopped = True
            raise _Stop
        if self.best is not None and self.best_h == 0 and self.best_s <= 0:
            # nothing can be better than hard 0 and soft 0 (every cost is >= 0): a proven optimum, stop here
            self.optimal = True
            raise _Stop
        if self.out_of_time():
            self.stopped = True
            raise _Stop

    def offer(self, start: np.ndarray, room: np.ndarray, h: int, sp: int, soft: int, fitness_cls) -> None:
        """Keep (a copy of) the best solution ever seen, by (hard, soft + penalty)."""
        if h < self.best_h or (h == self.best_h and sp < self.best_s):
            ind = _Individual(start.copy(), room.copy(), fitness_cls)
            ind.fitness.values = (h, sp)
            ind.soft = soft
            self.best, self.best_h, self.best_s = ind, h, sp
            if h == 0 and self.first_feasible is None:
                self.first_feasible = self.elapsed()

    # ---- building blocks -----------------------------------------------------------
    def construct(self, fitness_cls) -> K.ST:
        cp = self.cp
        st = self._new_state()
        # locked starts/rooms first (as a placement before everything else)
        noise = np.array([self.rng.random() for _ in range(len(self.difficulty))])
        order = np.lexsort((noise, self.difficulty * (0.8 + 0.4 * noise)))
        order = np.concatenate([order[self.u_fixed[order] >= 0], order[self.u_fixed[order] < 0]]).astype(np.int64)
        if self.initial is not None:
            # keep the given placement; (re)place only units with an unscheduled member or a broken lock
            a_t = self.initial.start.astype(np.int32).copy()
            a_r = self.initial.room.astype(np.int32).copy()
            redo = np.zeros(len(self.u_fixed), np.bool_)
            bad = (a_t < 0) | ((cp.lock_t >= 0) & (a_t != cp.lock_t)) | ((cp.lock_r >= 0) & (a_r != cp.lock_r))
            redo[self.unit_of[bad]] = True
            members = redo[self.unit_of]
            a_t[members] = -1
            a_r[members] = -1
            K.load_state(cp, st, a_t, a_r)
            order = order[redo[order]]
        rs = self._seed()
        step = 64
        for i in range(0, len(order), step):
            SK.construct(cp, st, rs, order[i:i + step], self.sr, self.W)
            self.evaluations += 1
            self.check()
        if st.tot[0] > 0 and self.params.hard_phase > 0 and self.anchor is None:  # clashes left: evict, re-place
            self.offer(st.start, st.room, int(st.tot[0]), int(st.tot[1] + st.tot[2]), int(st.tot[1]), fitness_cls)
            hard_phase(self, st, self.params.hard_phase, self.params.hard_phase_steps * cp.S)
        return st

    def anneal(self, st: K.ST, iterations: int, t_hi: float, t_lo: float, fitness_cls,
               until: float | None = None) -> tuple:
        """Simulated annealing for `iterations` steps from t_hi down to t_lo (chunked), ended at ``until`` s."""
        cp, p = self.cp, self.params
        rs = self._seed()
        p_kempe = max(p.p_kempe, p.long_p_kempe) if self.long_run() else p.p_kempe
        fpar = np.array([t_hi, (t_lo / t_hi) ** (1.0 / max(1, iterations)), self.W,
                         p.p_sync, p.p_swap, p.p_room, p_kempe, p.p_course_room, p.p_focus], np.float64)
        ipar = np.zeros(4, np.int64)
        best_t = st.start.copy()
        best_r = st.room.copy()
        best_f = np.array([st.tot[0], st.tot[1] + st.tot[2], st.tot[1]], np.int64)
        done = 0
        try:
            while done < iterations:
                n = min(self.chunk, iterations - done)
                if until is not None and p.work_rate:  # a chunk ends exactly at the segment's end
                    n = max(1, min(n, math.ceil(until * p.work_rate) - self.evaluations))
                c0 = time.perf_counter()
                SK.sa_chunk(cp, st, rs, self.sr, fpar, ipar, n, best_t, best_r, best_f)
                dt = time.perf_counter() - c0
                self.kernel_seconds += dt
                done += n
                self.evaluations += n
                if dt > 0:  # keep chunks near 0.05 s (never changes the result, only the cadence)
                    self.rate = n / dt
                    self.chunk = int(min(max(1000, 0.05 * self.rate), 2_000_000))
                self.offer(best_t, best_r, int(best_f[0]), int(best_f[1]), int(best_f[2]), fitness_cls)
                self.check(force=(ended := until is not None and self.elapsed() >= until))  # snapshot a segment's end
                if ended:
                    break
        finally:
            self.offer(best_t, best_r, int(best_f[0]), int(best_f[1]), int(best_f[2]), fitness_cls)
        return best_t, best_r, best_f

    def generation_iterations(self) -> int:
        """An offspring's annealing length: longer segments get longer chains rather than more short ones (more
        short chains from the elite stall); a generation limit alone, or a segment up to 60 s, keeps the base."""
        p = self.params
        if not self.long_run():
            return p.generation_iterations
        a, b = self.segment()
        n = int(p.generation_iterations * (b - a) / p.long_run_from)
        left = b - self.elapsed()
        rate = p.work_rate or self.rate
        if rate > 0 and left > 0:  # the segment's last chain fits the time left: it ends cooled, not cut off hot
            n = min(n, max(p.generation_iterations, int(0.9 * rate * left)))
        return n

    def long_run(self) -> bool:
        """A segment (``engine.schedule``) over ``long_run_from`` s: longer chains (``generation_iterations``), a
        hotter start (``long_temp_start``) and more Kempe chains (``long_p_kempe``); the 60 s runs, a long run's
        first segments and the runs by a generation limit alone keep the plain settings."""
        a, b = self.segment()
        return b is not None and b - a > self.params.long_run_from

    def temperature(self, frac: float) -> float:
        """The temperature ``frac`` of the way through the segment (``seg_frac``)."""
        p = self.params
        t0 = p.temp_start
        if self.long_run():
            t0 = max(t0, p.long_temp_start)  # a long run starts hotter: it escapes the deep valleys of tight files
        return schedule.temperature(frac, t0, p.temp_end, self.temp_scale)


def optimize(
    problem: Problem,
    start: Assignment | None = None,
    params: OptimizeParams | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Result:
    """Optimize `problem` (see module docstring); cancel returns the best so far.

    With ``params.threads`` > 1 the search runs as islands on that many threads (see
    :mod:`ato_desktop.engine.islands`)."""
    params = params or OptimizeParams()
    if params.time_limit is None and not params.generations:
        raise ValueError("give a time_limit or a number of generations (both are missing)")
    if params.population_size < 1:
        raise ValueError("population_size must be at least 1")
    if params.threads < 1:
        raise ValueError("threads must be at least 1")
    if start is not None:
        check_assignment(problem, start)
        start = Assignment(np.asarray(start.start, np.int32).copy(), np.asarray(start.room, np.int32).copy())
    if params.minimal_change and start is None:
        raise ValueError("minimal_change needs a start assignment")
    if params.threads > 1:
        from .islands import optimize_islands

        return optimize_islands(problem, start, params, on_progress, should_stop)
    sr = _Search(problem, start, params, on_progress, should_stop)
    logbook = _evolve(sr, start)
    return _finish(problem, start, [sr], logbook, on_progress, sr.history, sr.elapsed())


def _evolve(sr: "_Search", start: Assignment | None, migrate: Callable | None = None) -> tools.Logbook:
    """Build the population and evolve it until the generation limit or a stop (``_Stop``).

    ``migrate(sr)``, when given, is called after every generation; it may return a migrant
    ``(start, room, hard, soft_plus_penalty, soft)`` that replaces the worst individual
    when it is better than that one and not a duplicate (the island model)."""
    cpu0 = time.thread_time()
    try:
        return _evolve_run(sr, start, migrate)
    finally:
        sr.cpu_seconds += time.thread_time() - cpu0


def _evolve_run(sr: "_Search", start: Assignment | None, migrate: Callable | None) -> tools.Logbook:
    params, cp = sr.params, sr.cp

    class Fitness(base.Fitness):  # per-run class, no creator globals
        weights = (-1.0, -1.0)

    def evaluate(ind):
        h, s = K.full_cost_kernel(cp, ind.start, ind.room)
        st = sr._new_state()
        pen = 0
        if sr.anchor is not None:
            K.load_state(cp, st, ind.start, ind.room)
            pen = int(st.tot[2])
        sr.evaluations += 1
        ind.soft = int(s)
        return int(h), int(s) + pen

    def mate(a, b):
        child = _Individual(a.start.copy(), a.room.copy(), Fitness)
        if sr.n_blocks > 1 and sr.rng.random() < params.crossover_rate:
            take = np.array([sr.rng.random() < 0.5 for _ in range(sr.n_blocks)])
            m = take[sr.block_of]
            child.start[m] = b.start[m]
            child.room[m] = b.room[m]
        return child

    def mutate(ind, iterations, t_hi, t_lo):
        st = sr._new_state()
        K.load_state(cp, st, ind.start, ind.room)
        bt, br, bf = sr.anneal(st, iterations, t_hi, t_lo, Fitness, until=sr.segment()[1])
        ind.start, ind.room = bt.copy(), br.copy()
        return (ind,)

    toolbox = base.Toolbox()
    toolbox.register("evaluate", evaluate)
    toolbox.register("mate", mate)
    toolbox.register("mutate", mutate)
    toolbox.register("select", _tournament, tournsize=params.tournament_size, rng=sr.rng)
    stats = tools.Statistics(key=lambda ind: ind.fitness.values)
    stats.register("min_hard", lambda v: min(x[0] for x in v))
    stats.register("min_soft", lambda v: min(x[1] for x in v if x[0] == min(y[0] for y in v)))
    stats.register("avg_soft", lambda v: float(np.mean([x[1] for x in v])))
    stats.register("distinct", lambda v: len(set(v)))
    logbook = tools.Logbook()
    logbook.header = ["gen", "evals", "elapsed", "min_hard", "min_soft", "avg_soft", "distinct", "spread"]

    pop: list[_Individual] = []
    try:
        sr.check(force=True)
        for i in range(params.population_size):
            sr.phase = "construct"
            if i > 0 and not params.minimal_change:
                sr.initial = None  # only the first individual starts from `start`
            st = sr.construct(Fitness)
            ind = _Individual(st.start.copy(), st.room.copy(), Fitness)
            ind.fitness.values = toolbox.evaluate(ind)
            sr.offer(ind.start, ind.room, *ind.fitness.values, ind.soft, Fitness)
            sr.phase = "init"
            t_hi = sr.temperature(0.0)
            toolbox.mutate(ind, params.init_iterations, t_hi, sr.temperature(0.3))
            ind.fitness.values = toolbox.evaluate(ind)
            pop.append(ind)
        sr.phase = "evolve"
        record = stats.compile(pop)
        logbook.record(gen=0, evals=sr.evaluations, elapsed=round(sr.elapsed(), 3), spread=_spread(pop), **record)
        seen = {ind.key() for ind in pop}

        def admit(child, force: bool = False) -> None:  # force: a reheated child takes the worst's place anyway
            key = child.key()
            worst = min(range(len(pop)), key=lambda i: pop[i].fitness)
            if key not in seen and (child.fitness > pop[worst].fitness or (force and len(pop) > 1)):
                seen.discard(pop[worst].key())
                pop[worst] = child
                seen.add(key)

        best_seen, stall = (sr.best_h, sr.best_s), 0
        while True:
            if params.generations and sr.generation >= params.generations:
                break
            sr.generation += 1
            frac = sr.seg_frac()
            p1, p2 = toolbox.select(pop, 2)
            child = toolbox.mate(p1, p2)
            t_hi, hot = sr.temperature(frac), False
            if params.reheat_after and stall >= params.reheat_after and frac < 0.8:  # stuck: reheat
                t_hi, stall, sr.reheats = sr.temperature(max(0.0, frac - params.reheat_back)), 0, sr.reheats + 1
                hot = True
            n = sr.generation_iterations()  # it ends no hotter than the schedule where it ends (engine.schedule)
            t_lo = schedule.chain_end(t_hi * params.generation_cooling, sr.elapsed(), n, params.work_rate or sr.rate,
                                      sr.segment(), sr.temperature)
            toolbox.mutate(child, n, t_hi, t_lo)
            child.fitness.values = toolbox.evaluate(child)
            admit(child, force=hot)
            record = stats.compile(pop)
            logbook.record(gen=sr.generation, evals=sr.evaluations, elapsed=round(sr.elapsed(), 3),
                           spread=_spread(pop), **record)
            sr.check()
            if migrate is not None:
                got = migrate(sr)
                if got is not None:
                    m_start, m_room, m_h, m_sp, m_soft = got
                    ind = _Individual(m_start.copy(), m_room.copy(), Fitness)
                    ind.fitness.values = (m_h, m_sp)
                    ind.soft = m_soft
                    admit(ind)
                    sr.offer(ind.start, ind.room, m_h, m_sp, m_soft, Fitness)
            best_seen, stall = ((sr.best_h, sr.best_s), 0) if (sr.best_h, sr.best_s) < best_seen else (best_seen, stall + 1)
    except _Stop:
        pass
    sr.phase = "done"
    return logbook
