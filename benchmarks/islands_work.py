"""Islands at fixed work (issue 18 §2): 1 thread against N threads at the same generation limit per thread.

On a shared machine wall time says little (the other processes take the cores), so this compares the
optimizer's islands at FIXED WORK: every island runs the same number of generations (``--generations``,
no time limit), as an idle machine with N cores gives N threads in the time one thread takes.  The runs
are deterministic (seed + thread count + generation limit), so the figures repeat on any load.

    python benchmarks/islands_work.py                                   # comp02-07, comp12; seeds 0,1
    python benchmarks/islands_work.py --instances comp05 --seeds 0,1,2 --generations 12
    python benchmarks/islands_work.py --exchange-at ""                  # islands that never exchange
    python benchmarks/islands_work.py --exchange-at 0.5,0.75 --threads 3
    python benchmarks/islands_work.py --heat 1                          # islands alike (no hot island)

Prints, per instance and seed, the soft cost (``h<n>`` = n hard violations left) and the evaluations
with 1 and N threads, then how often N threads were better, equal and worse.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.itc2007 import dataset_dir  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", default="comp02,comp03,comp04,comp05,comp06,comp07,comp12")
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--generations", type=int, default=6, help="generations per island (default 6)")
    ap.add_argument("--generation-iterations", type=int, default=1_500_000,
                    help="annealing iterations per offspring (default 1.5 M; the app's 60 s runs use 3 M)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--exchange-at", default=None,
                    help="comma-separated fractions of the run where the islands exchange (default: the optimizer's)")
    ap.add_argument("--heat", default=None,
                    help="comma-separated start-temperature factors of the islands, cycled (default: the optimizer's)")
    args = ap.parse_args(argv)

    from ato_desktop.engine.optimizer import OptimizeParams, optimize
    from ato_desktop.io.ctt import load_ctt_problem

    extra = {}
    if args.exchange_at is not None:
        extra["exchange_at"] = tuple(float(x) for x in args.exchange_at.split(",") if x.strip())
    if args.heat is not None:
        extra["island_heat"] = tuple(float(x) for x in args.heat.split(",") if x.strip())
    base = OptimizeParams(time_limit=None, generations=args.generations,
                          generation_iterations=args.generation_iterations, **extra)
    n = args.threads
    print(f"fixed work: {args.generations} generations x {args.generation_iterations} iterations per island; "
          f"exchange at {base.exchange_at}; island heat {base.island_heat}")
    header = f"{'instance':<9} {'seed':>4} {'soft 1':>7} {f'soft {n}':>7} {'evals 1':>10} {f'evals {n}':>10} {'s':>6}"
    print(header)
    print("-" * len(header))
    tally = {"better": 0, "equal": 0, "worse": 0}
    data = dataset_dir()
    for name in args.instances.split(","):
        problem = load_ctt_problem(data / f"{name}.ctt")
        for seed in (int(s) for s in args.seeds.split(",")):
            t0 = time.perf_counter()
            rs = [optimize(problem, params=OptimizeParams(**{**base.__dict__, "seed": seed, "threads": k}))
                  for k in (1, n)]
            cells = [str(r.soft) if r.hard == 0 else f"h{r.hard}" for r in rs]
            a, b = ((r.hard, r.soft) for r in rs)
            tally["better" if b < a else "equal" if b == a else "worse"] += 1
            print(f"{name:<9} {seed:>4} {cells[0]:>7} {cells[1]:>7} {rs[0].evaluations:>10} {rs[1].evaluations:>10} "
                  f"{time.perf_counter() - t0:>6.0f}", flush=True)
    print(f"{n} threads against 1: better {tally['better']}, equal {tally['equal']}, worse {tally['worse']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
