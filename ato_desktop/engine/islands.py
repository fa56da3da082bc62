"""The optimizer on several threads: an island model over :mod:`ato_desktop.engine.optimizer`.

``optimize(..., OptimizeParams(threads=N))`` runs N independent searches ("islands"), each a
full memetic run with its own seed (island 0 keeps ``seed``; island i > 0 draws its seed from
``"seed/i"``), on N threads.  The heavy loops are numba kernels compiled with ``nogil=True``
(each annealing chunk of about 0.05 s is one call), so the islands run in parallel and leave
the GIL to other threads (the GUI) between chunks.

Every ``exchange_every`` generations each island offers its best solution and takes the best of
all islands as a migrant when that one is strictly better than its own best (it replaces the
island's worst individual).  With a generation limit and no time limit the exchange is
synchronous (a barrier at the same generation of every island), so the result depends only on
the seed, the thread count and the generation count; with a time limit it is asynchronous (an
island never waits for another).

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


class _Exchange:
    """Where islands meet every ``every`` generations to share their best solution."""

    def __init__(self, n: int, every: int, synchronous: bool):
        self.n = n
        self.every = max(1, int(every))
        self.sync = synchronous
        self.lock = threading.Lock()
        self.shared = None  # (hard, soft+penalty, island, start, room, soft)
        self.slots = [None] * n
        self.barrier = threading.Barrier(n, action=self._pick) if synchronous else None

    @staticmethod
    def _offer(sr: "_Search", island: int):
        ind = sr.best
        if ind is None:
            return None
        h, sp = ind.fitness.values
        return (int(h), int(sp), island, ind.start.copy(), ind.room.copy(), int(ind.soft))

    def _pick(self) -> None:  # barrier action: runs once, while every island waits
        got = [s for s in self.slots if s is not None]
        self.shared = min(got, key=lambda s: s[:3]) if got else None

    def migrate(self, island: int):
        from .optimizer import _Stop

        def take(sr: _Search):
            if sr.generation % self.every:
                return None
            mine = self._offer(sr, island)
            if self.sync:
                self.slots[island] = mine
                try:
                    self.barrier.wait()
                except threading.BrokenBarrierError:  # another island stopped (cancel, optimum, error)
                    sr.stopped = True
                    raise _Stop from None
                best = self.shared
            else:
                with self.lock:
                    if mine is not None and (self.shared is None or mine[:2] < self.shared[:2]):
                        self.shared = mine
                    best = self.shared
            if best is None or best[2] == island or (mine is not None and best[:2] >= mine[:2]):
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
    searches = [_Search(problem, start, replace(params, seed=island_seed(params.seed, i), threads=1),
                        None, stop.is_set) for i in range(n)]
    exchange = _Exchange(n, params.exchange_every, synchronous=params.time_limit is None)
    logbooks: list = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        sr = searches[i]
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
