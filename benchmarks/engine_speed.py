"""Engine speed on an ITC-2007 instance: full evaluation, move/swap deltas, explained evaluate().

    python benchmarks/engine_speed.py                         # comp12
    python benchmarks/engine_speed.py --instance comp07 --repeat 2000

Targets (issue 3): a full evaluation of comp12 <= 2 ms; a move delta <= 20 us.
The assignment measured is a complete greedy timetable (every lecture placed at its
cheapest slot and room given the ones before, via ``State.move_grid``), so the
occupancy tables look like those the optimizer works on.  Figures are medians of
batches; numba compilation is excluded (it is cached on disk after the first run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from ato_desktop.engine import Assignment, State, evaluate, full_cost  # noqa: E402
from ato_desktop.engine import kernels as K  # noqa: E402
from ato_desktop.io.ctt import load_ctt_problem  # noqa: E402
from numba import njit  # noqa: E402


@njit(nogil=True)
def _moves_in_numba(cp, st, ms, mt, mr, tmp):  # pragma: no cover - benchmark helper
    """Delta of every move (ms[i] -> mt[i], mr[i]) from inside numba, as the optimizer calls it."""
    ka = np.zeros(2, np.int64)
    kt = np.zeros(2, np.int64)
    kr = np.zeros(2, np.int64)
    acc = 0
    for i in range(len(ms)):
        ka[0] = ms[i]
        kt[0] = mt[i]
        kr[0] = mr[i]
        dh, ds, _ = K.delta_moves(cp, st, ka, kt, kr, 1, tmp)
        acc += dh + ds
    return acc


@njit(nogil=True)
def _swaps_in_numba(cp, st, sa, sb, tmp):  # pragma: no cover - benchmark helper
    ka = np.zeros(2, np.int64)
    kt = np.zeros(2, np.int64)
    kr = np.zeros(2, np.int64)
    acc = 0
    for i in range(len(sa)):
        a, b = sa[i], sb[i]
        ka[0], kt[0], kr[0] = a, st.start[b], st.room[b]
        ka[1], kt[1], kr[1] = b, st.start[a], st.room[a]
        dh, ds, _ = K.delta_moves(cp, st, ka, kt, kr, 2, tmp)
        acc += dh + ds
    return acc


def dataset_dir() -> Path:
    env = os.environ.get("ATO_ITC2007_DIR")
    if env:
        return Path(env)
    shared = REPO_ROOT.parent / "shared" / "datasets" / "itc2007"
    return shared if shared.is_dir() else REPO_ROOT / "tests" / "data" / "itc2007"


def per_call(fn, n: int, batches: int = 7) -> tuple[float, float]:
    """(best, median) seconds per call over ``batches`` batches of ``n`` calls.  The best
    batch is the machine's speed; the median shows what sharing the CPUs costs."""
    times = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - t0) / n)
    return min(times), statistics.median(times)


def greedy(problem) -> Assignment:
    state = State(problem)
    order = np.argsort(-problem.session_duration, kind="stable")
    for s in order.tolist():
        gh, gs = state.move_grid(s)
        cost = gh * 1_000_000 + gs
        t, r = np.unravel_index(int(np.argmin(cost)), cost.shape)
        state.apply_move(s, int(t), int(r) if problem.session_needs_room[s] else -1)
    return state.assignment()


def fmt1(seconds: float) -> str:
    return f"{seconds * 1e6:9.2f} us" if seconds < 1e-3 else f"{seconds * 1e3:9.3f} ms"


def fmt(t: tuple[float, float]) -> str:
    return f"{fmt1(t[0])} {fmt1(t[1])}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instance", default="comp12")
    ap.add_argument("--size", choices=("small", "large"), default=None,
                    help="time a demo department's problem instead of an ITC-2007 instance")
    ap.add_argument("--repeat", type=int, default=1000, help="calls per batch for the fast figures")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    if args.size:
        import tempfile

        from ato_desktop.demo import create_demo_database
        from ato_desktop.demo_large import create_large_demo_database

        with tempfile.TemporaryDirectory() as tmp:
            made = (create_large_demo_database if args.size == "large" else create_demo_database)(Path(tmp) / "d.atodb")
        p, planted = made.problem, made.planted
        args.instance = f"{args.size} demo"
    else:
        planted = None
        path = dataset_dir() / f"{args.instance}.ctt"
        if not path.is_file():
            print(f"instance not found: {path}", file=sys.stderr)
            return 2
        p = load_ctt_problem(path)
    print(f"{args.instance}: {p.n_sessions} sessions, {p.n_slots} slots, {p.n_rooms} rooms, "
          f"{p.n_resources} resources, {p.n_courses} courses")

    t0 = time.perf_counter()
    cp = K.compile_problem(p)
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    a = planted if planted is not None else greedy(p)  # a demo: its planted reference timetable
    greedy_s = time.perf_counter() - t0
    state = State(p, a)
    print(f"compile problem: {compile_s * 1e3:.1f} ms; greedy start: {greedy_s:.2f} s, "
          f"hard {state.hard}, soft {state.soft}")
    assert (state.hard, state.soft) == full_cost(p, a)

    start, room = a.start.astype(np.int32), a.room.astype(np.int32)
    K.full_cost_kernel(cp, start, room)
    full = per_call(lambda: K.full_cost_kernel(cp, start, room), max(1, args.repeat // 10))
    full_py = per_call(lambda: full_cost(p, a), max(1, args.repeat // 10))

    g = np.random.default_rng(args.seed)
    S, T, R = p.n_sessions, p.n_slots, p.n_rooms
    n = 4096
    ms = g.integers(0, S, n)
    mt = g.integers(0, T, n)
    mr = g.integers(0, R, n)
    sa = g.integers(0, S, n)
    sb = (sa + 1 + g.integers(0, S - 1, n)) % S
    tmp = np.zeros(K.NC, np.int64)
    st = state.st
    _moves_in_numba(cp, st, ms, mt, mr, tmp)  # compile
    _swaps_in_numba(cp, st, sa, sb, tmp)
    move_k = tuple(x / n for x in per_call(lambda: _moves_in_numba(cp, st, ms, mt, mr, tmp), 1))
    swap_k = tuple(x / n for x in per_call(lambda: _swaps_in_numba(cp, st, sa, sb, tmp), 1))
    i = [0]

    def py_move():
        j = i[0] = (i[0] + 1) % n
        state.delta_move(int(ms[j]), int(mt[j]), int(mr[j]))

    def py_swap():
        j = i[0] = (i[0] + 1) % n
        state.delta_swap(int(sa[j]), int(sb[j]))

    move_py = per_call(py_move, args.repeat)
    swap_py = per_call(py_swap, args.repeat)

    def py_grid():
        j = i[0] = (i[0] + 1) % n
        state.move_grid(int(ms[j]))

    grid = per_call(py_grid, 50)

    ev = per_call(lambda: evaluate(p, a), 3, batches=5)
    score = evaluate(p, a)
    assert (score.hard, score.soft) == (state.hard, state.soft)
    nv = len(score.violations())

    print()
    if hasattr(os, "getloadavg"):
        print(f"load average (1 min) {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs: figures grow with the load")
    print(f"{'measure':<52} {'best':>12} {'median':>12}   target")
    print(f"{'full evaluation, kernel full_cost_kernel':<52} {fmt(full)}   <= 2 ms")
    print(f"{'full evaluation, state.full_cost() (Python entry)':<52} {fmt(full_py)}")
    print(f"{'move delta, delta_moves called inside numba':<52} {fmt(move_k)}   <= 20 us")
    print(f"{'swap delta, delta_moves (k=2) called inside numba':<52} {fmt(swap_k)}")
    print(f"{'move delta, State.delta_move() (Python entry)':<52} {fmt(move_py)}")
    print(f"{'swap delta, State.delta_swap() (Python entry)':<52} {fmt(swap_py)}")
    print(f"{'move grid of one session, State.move_grid() (T x R)':<52} {fmt(grid)}")
    print(f"{'evaluate() with explanations':<52} {fmt(ev)}   ({nv} violations)")
    print()
    print("\n".join(score.summary(top=5)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
