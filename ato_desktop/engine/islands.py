"""The optimizer on several threads: an island model over :mod:`ato_desktop.engine.optimizer`.

``optimize(..., OptimizeParams(threads=N))`` runs N independent searches ("islands"), each a
full memetic run with its own seed (island 0 keeps ``seed``; island i > 0 draws its seed from
``"seed/i"``) and its own start temperature (``island_heat``: island 0 as one thread, island 1 hotter,
a portfolio rather than two copies of one search; see ``island_params``), on N threads.  The heavy loops are numba kernels compiled with ``nogil=True``
(each annealing chunk of about 0.05 s is one call), so the islands run in parallel and leave
the GIL to other threads (the GUI) between chunks.

The islands search apart and meet only at the points ``exchange_at`` of the run (default: once,
at two thirds), where each takes the best of the others' solutions if it is better than its own
(see ``_Exchange``).  With a generation limit and no time limit the exchange is synchronous (a
barrier at the same generation of every island), so the result depends only on the seed, the
thread count and the generation count; with a time limit it is asynchronous (an island never
waits for another).

The calling thread only watches: it merges the islands' snapshots (best so far over all islands,
evaluations summed) into one ``on_progress`` callback (the one ``Progress``, the merged snapshot in
its ``detail``), polls ``should_stop`` and stops every
island on cancel (they check between chunks).  A tie between islands goes to the lowest index.
"""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Callable

from ato_desktop import thread_priority

if TYPE_CHECKING:  # the optimizer loads numba: imported where used, so default_threads() stays light
    from ato_desktop.progress import Progress

    from .optimizer import OptimizeParams, Result, Snapshot, _Search
    from .problem import Assignment, Problem

_PHASES = ("prepare", "construct", "init", "evolve", "done")


def default_threads() -> int:
    """The machine's cores minus one (one stays for the GUI and the rest of the system), at least one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


def island_seed(seed: int, island: int) -> int:
    """Island 0 keeps ``seed``; the others get a seed of their own, the same on every run."""
    return seed if island == 0 else random.Random(f"{seed}/{island}").getrandbits(62)


def island_params(params: OptimizeParams, island: int) -> OptimizeParams:
    """One island's settings: its own seed (``island_seed``), one thread, and its start temperature
    ``temp_start`` times ``island_heat[island % len(island_heat)]``.  Island 0 keeps 1.0: it is the
    one-thread run until the first meeting.  Island 1 starts four times as hot (at 8, not 2) and explores
    other valleys.  Only the start moves: every island cools to the same ``temp_end``.  A run over
    ``long_run_from`` starts at ``max(temp_start, long_temp_start)`` (8), so there the first two islands
    start alike."""
    heat = params.island_heat[island % len(params.island_heat)] if params.island_heat else 1.0
    return replace(params, seed=island_seed(params.seed, island), threads=1, temp_start=params.temp_start * heat)


class _Exchange:
    """Where islands meet, at fixed points of the run (fractions of its generations or of its time limit),
    to share their best solution.

    Each island searches on its own between the points: islands that exchanged every generation all
    followed one lineage (after each exchange both annealed the same best), so the second core bought
    nothing at the same work per thread; kept apart they end in different places and the run keeps the
    better one.  At a point each island posts its best; an island takes the best other island's post
    when it is strictly better than its own best (it replaces the island's worst individual; the
    island's own best stays in its population).  With a generation limit and no time limit every
    island meets the others at a barrier at the same generation (the result depends only on the seed,
    the thread count and the generation count); with a time limit nobody waits: an island looks at the
    others' posts for its last point after every generation and takes each post at most once."""

    def __init__(self, n: int, at, synchronous: bool):
        self.n = n
        self.points = sorted({float(f) for f in at if 0.0 < float(f) < 1.0})
        self.sync = synchronous
        self.lock = threading.Lock()
        self.posts = [[None] * n for _ in self.points]  # (hard, soft+penalty, island, start, room, soft)
        self.passed = [0] * n  # points each island has passed
        self.taken = [set() for _ in range(n)]  # (point, island) posts each island has taken (or refused)
        self.barrier = threading.Barrier(n) if synchronous and self.points else None

    @staticmethod
    def _offer(sr: "_Search", island: int):
        ind = sr.best
        if ind is None:
            return None
        h, sp = ind.fitness.values
        return (int(h), int(sp), island, ind.start.copy(), ind.room.copy(), int(ind.soft))

    def migrate(self, island: int):
        from .optimizer import _Stop

        def take(sr: _Search):
            k = self.passed[island]
            if k < len(self.points) and sr.frac() >= self.points[k]:
                with self.lock:
                    self.posts[k][island] = self._offer(sr, island)
                    self.passed[island] = k + 1
                if self.sync:
                    try:
                        self.barrier.wait()
                    except threading.BrokenBarrierError:  # another island stopped (cancel, optimum, error)
                        sr.stopped = True
                        raise _Stop from None
            k = self.passed[island] - 1
            if k < 0:
                return None
            mine = self._offer(sr, island)
            with self.lock:
                got = [p for i, p in enumerate(self.posts[k]) if p is not None and i != island
                       and (k, i) not in self.taken[island]]
                for p in got:
                    self.taken[island].add((k, p[2]))
            if not got:
                return None
            best = min(got, key=lambda p: p[:3])
            if mine is not None and best[:2] >= mine[:2]:
                return None
            h, sp, _i, start, room, soft = best
            return start, room, h, sp, soft

        return take

    def abort(self) -> None:
        if self.barrier is not None:
            self.barrier.abort()


def _merged(searches: list[_Search], now: float) -> Snapshot:
    from .optimizer import Snapshot

    best = None
    for i, s in enumerate(searches):
        ind = s.best  # read once: another thread may replace it
        if ind is not None:
            key = (*ind.fitness.values, i)
            if best is None or key < best[0]:
                best = (key, ind.soft)
    evaluations = sum(s.evaluations for s in searches)
    phase = min((s.phase for s in searches), key=lambda p: _PHASES.index(p) if p in _PHASES else 0)
    return Snapshot(
        generation=max(s.generation for s in searches),
        best_hard=int(best[0][0]) if best else -1,
        best_soft=int(best[1]) if best else -1,
        evaluations=evaluations,
        evals_per_second=evaluations / now if now > 0 else 0.0,
        elapsed=now, phase=phase,
    )


def optimize_islands(
    problem: Problem,
    start: Assignment | None,
    params: OptimizeParams,
    on_progress: Callable[[Progress], None] | None,
    should_stop: Callable[[], bool] | None,
) -> Result:
    """``optimize`` with ``params.threads`` islands (arguments already checked by ``optimize``)."""
    from .optimizer import Snapshot, _evolve, _finish, _Search, report

    n = params.threads
    report(on_progress, params, Snapshot(0, -1, -1, 0, 0.0, 0.0, "prepare"))
    stop = threading.Event()
    # built here, one after the other: numba compiles (or loads) the kernels once, before the clock starts
    searches = [_Search(problem, start, island_params(params, i),
                        None, stop.is_set) for i in range(n)]
    exchange = _Exchange(n, params.exchange_at, synchronous=params.time_limit is None)
    logbooks: list = [None] * n
    errors: list[BaseException] = []

    priority = thread_priority.current()  # the islands run at the caller's priority (a task's: background)

    def run(i: int) -> None:
        sr = searches[i]
        thread_priority.apply(priority)  # Linux threads inherit it; Windows and macOS threads do not
        try:
            logbooks[i] = _evolve(sr, start, exchange.migrate(i))
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)
            stop.set()
        finally:
            if sr.optimal:  # nothing beats it: the others stop too
                stop.set()
            exchange.abort()  # never leave an island waiting for one that has ended

    t0 = time.perf_counter()
    for sr in searches:
        sr.t0 = t0
    workers = [threading.Thread(target=run, args=(i,), name=f"ato-island-{i}", daemon=True) for i in range(n)]
    for w in workers:
        w.start()
    history: list[Snapshot] = []
    last = -1.0
    poll = min(0.05, params.progress_interval)
    while True:
        alive = [w for w in workers if w.is_alive()]
        if not alive:
            break
        alive[0].join(poll)
        if should_stop is not None and not stop.is_set() and should_stop():
            stop.set()
            exchange.abort()
        now = time.perf_counter() - t0
        if now - last >= params.progress_interval:
            last = now
            pr = _merged(searches, now)
            history.append(pr)
            report(on_progress, params, pr)
    if errors:
        raise errors[0]
    return _finish(problem, start, searches, logbooks[0], on_progress, history, time.perf_counter() - t0)
