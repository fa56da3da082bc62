"""Do the optimizer's threads scale, or do we serialise them?  Threads against processes, same moment.

The annealing kernel (``local_search.sa_chunk``) runs without the GIL.  On a shared machine the
thread count alone says little (the other users' load decides the CPU we get), so this compares,
round after round, the kernel's throughput (iterations per second, summed) of

- 1 thread,
- N threads in one process (what ``optimize(..., threads=N)`` does), and
- N processes of 1 thread each (no GIL shared at all),

each for ``--seconds``, with the CPU time per thread (``time.thread_time``) over wall.  If N threads
reach what N processes reach in the same round, nothing of ours serialises them; if both stay near
1 thread, the machine is busy.

    python benchmarks/thread_scaling.py                       # comp05, 2 threads, 3 rounds of 6 s
    python benchmarks/thread_scaling.py --instance comp12 --threads 2 --rounds 2 --seconds 10
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


def _search(instance: Path, seed: int):
    from ato_desktop.engine import optimizer as O
    from ato_desktop.io.ctt import ctt_to_problem, read_ctt

    sr = O._Search(ctt_to_problem(read_ctt(instance)), None, O.OptimizeParams(time_limit=None, generations=1,
                                                                                 seed=seed), None, None)
    return sr, sr.construct(None)


def _work(sr, st, seconds: float, out: dict, i: int) -> None:
    from ato_desktop.engine import local_search as SK

    p = sr.params
    fpar = np.array([1.0, 1.0, sr.W, p.p_sync, p.p_swap, p.p_room, p.p_kempe, p.p_course_room, p.p_focus])
    ipar, rs = np.zeros(4, np.int64), np.array([12345 + i], np.uint64)
    bt, br = st.start.copy(), st.room.copy()
    bf = np.array([st.tot[0], st.tot[1] + st.tot[2], st.tot[1]], np.int64)
    n, t0, c0 = 0, time.perf_counter(), time.thread_time()
    while time.perf_counter() - t0 < seconds:
        SK.sa_chunk(sr.cp, st, rs, sr.sr, fpar, ipar, 20_000, bt, br, bf)
        n += 20_000
    out[i] = (n, time.thread_time() - c0, time.perf_counter() - t0)


def _threads(instance: Path, k: int, seconds: float) -> tuple[float, float]:
    ctx = [_search(instance, i) for i in range(k)]
    out: dict = {}
    ths = [threading.Thread(target=_work, args=(*ctx[i], seconds, out, i)) for i in range(k)]
    t0 = time.perf_counter()
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    wall = time.perf_counter() - t0
    return sum(v[0] for v in out.values()) / wall, sum(v[1] for v in out.values()) / wall


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instance", default="comp05")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    from itc2007 import dataset_dir

    instance = dataset_dir() / f"{args.instance}.ctt"
    if args.child:
        rate, cpu = _threads(instance, 1, args.seconds)
        print(rate, cpu)
        return 0
    k = args.threads
    print(f"{args.instance}: kernel throughput, 1 thread / {k} threads / {k} processes, {args.seconds:g} s each")
    print(f"{'round':<6} {'load':>5} {'1 thr k it/s':>13} {'cpu/wall':>8} {f'{k} thr k it/s':>13} {'cpu/wall':>8} "
          f"{f'{k} proc k it/s':>14} {'cpu/wall':>8}")
    for r in range(args.rounds):
        load = os.getloadavg()[0]
        one = _threads(instance, 1, args.seconds)
        many = _threads(instance, k, args.seconds)
        procs = [subprocess.Popen([sys.executable, __file__, "--child", "--instance", args.instance,
                                   "--seconds", str(args.seconds)], stdout=subprocess.PIPE, text=True)
                 for _ in range(k)]
        got = [tuple(map(float, p.communicate()[0].split())) for p in procs]
        proc = (sum(g[0] for g in got), sum(g[1] for g in got))
        print(f"{r + 1:<6} {load:>5.1f} {one[0] / 1e3:>13.0f} {one[1]:>8.2f} {many[0] / 1e3:>13.0f} {many[1]:>8.2f} "
              f"{proc[0] / 1e3:>14.0f} {proc[1]:>8.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
