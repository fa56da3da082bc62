"""ITC-2007 at fixed work: the optimizer in-process with a generation limit and no time limit, so that two
variants compare on the same number of annealing iterations whatever the machine's load (wall-clock A/B runs
on a shared 2-core machine are noise).  Prints, per instance and seed, the soft cost (engine's), the
evaluations, the evaluations per second of kernel wall time and per CPU second of the search (so a variant that
slows the kernel shows; the CPU figure is the one that stands on a loaded machine), and the mean soft.

    python benchmarks/itc2007_work.py --instances comp03,comp05 --seeds 0,1 --generations 6 --iterations 3000000
    python benchmarks/itc2007_work.py --instances comp05 --set temp_start=3 --set p_kempe=0.15

``--generations G --iterations N`` anneals G offspring of N iterations each, the shape of a long run: a 300 s
run on an idle core is about 6 offspring of 15 M (``OptimizeParams.long_run_from``); 6 x 3 M is a fifth of it.
``--set name=value`` overrides an ``OptimizeParams`` field (numbers only).  A generation-limited run keeps the
plain settings; ``--long`` gives it those of a run over ``long_run_from`` seconds (``long_temp_start``,
``long_p_kempe``).

``--time-limit T --work-rate R`` runs instead a time-limited run on a fixed-work clock
(``OptimizeParams.work_rate``: R evaluations count as one second, whatever the load), so its schedule is
that of a T-second run, and prints the best soft cost at each of ``--marks`` (seconds of that clock, default
10,30,60,120,300 up to T): the anytime profile at fixed work.  ``--set anytime=0`` gives the schedule
stretched over the whole limit (before the restarts of ``engine.schedule``).

    python benchmarks/itc2007_work.py --instances comp02 --seeds 0 --time-limit 300 --work-rate 150000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from itc2007 import dataset_dir


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", default="comp03,comp05")
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--generations", type=int, default=6, help="offspring annealed (default 6)")
    ap.add_argument("--iterations", type=int, default=3_000_000, help="annealing iterations per offspring")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override an OptimizeParams field (repeatable)")
    ap.add_argument("--long", action="store_true", help="the settings of a long run (long_temp_start, long_p_kempe)")
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--time-limit", type=float, default=None,
                    help="a time-limited run on the fixed-work clock (with --work-rate) instead of generations")
    ap.add_argument("--work-rate", type=float, default=150_000, help="evaluations per second of that clock")
    ap.add_argument("--marks", default="10,30,60,120,300", help="seconds of that clock to print the best soft at")
    args = ap.parse_args(argv)

    from ato_desktop.engine.optimizer import OptimizeParams, optimize
    from ato_desktop.io.ctt import ctt_to_problem, parse_ctt

    data = args.data or dataset_dir()
    overrides = {}
    for item in args.set:
        name, _, value = item.partition("=")
        if not hasattr(OptimizeParams, name):
            print(f"--set {item}: OptimizeParams has no field {name!r}", file=sys.stderr)
            return 2
        overrides[name] = float(value) if any(c in value for c in ".e") else int(value)
    if args.long:
        base = OptimizeParams()
        overrides = {"temp_start": base.long_temp_start, "p_kempe": max(base.p_kempe, base.long_p_kempe), **overrides}
    names = [n.strip() for n in args.instances.split(",") if n.strip()]
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    if args.time_limit:
        return _marks(args, names, seeds, overrides, data)
    print(f"fixed work: {args.generations} offspring x {args.iterations} iterations; overrides {overrides or '-'}")
    print(f"{'instance':<9} {'seed':>4} {'hard':>4} {'soft':>6} {'evals':>11} {'evals/s':>9} {'evals/cpu-s':>11}")
    for name in names:
        problem = ctt_to_problem(parse_ctt((data / f"{name}.ctt").read_text()))
        softs = []
        for seed in seeds:
            params = OptimizeParams(time_limit=None, generations=args.generations, seed=seed,
                                    generation_iterations=args.iterations, **overrides)
            t0 = time.perf_counter()
            r = optimize(problem, None, params)
            wall = time.perf_counter() - t0
            rate = r.evaluations / max(r.kernel_seconds, 1e-9)  # wall time in the kernel: shows the machine's load
            cpu_rate = r.evaluations / max(r.cpu_seconds, 1e-9)  # CPU time of the search: what the kernel costs
            softs.append(r.soft if r.hard == 0 else float("nan"))
            print(f"{name:<9} {seed:>4} {r.hard:>4} {r.soft:>6} {r.evaluations:>11} {rate:>9.0f} {cpu_rate:>11.0f}"
                  f"   (wall {wall:.0f} s)", flush=True)
        print(f"{name:<9} mean {statistics.mean(softs):.1f}", flush=True)
    return 0


def _marks(args, names, seeds, overrides, data) -> int:
    """The anytime profile of a time-limited run on the fixed-work clock."""
    from ato_desktop.engine.optimizer import OptimizeParams, optimize
    from ato_desktop.io.ctt import ctt_to_problem, parse_ctt

    marks = [float(m) for m in args.marks.split(",") if m.strip() and float(m) <= args.time_limit]
    print(f"fixed-work clock: {args.work_rate:.0f} evaluations = 1 s; time limit {args.time_limit:g} s; "
          f"overrides {overrides or '-'}")
    print(f"{'instance':<9} {'seed':>4} " + " ".join(f"{m:>6g}s" for m in marks) + f" {'evals':>11} {'cpu s':>6}")
    for name in names:
        problem = ctt_to_problem(parse_ctt((data / f"{name}.ctt").read_text()))
        for seed in seeds:
            params = OptimizeParams(time_limit=args.time_limit, generations=None, seed=seed,
                                    work_rate=args.work_rate, progress_interval=0.02, **overrides)
            r = optimize(problem, None, params)
            cells = []
            for m in marks:
                known = [h for h in r.history if h.elapsed <= m + 1e-9 and h.best_hard >= 0]
                if m >= args.time_limit:
                    h, s = r.hard, r.soft
                elif known:
                    h, s = known[-1].best_hard, known[-1].best_soft
                else:
                    h, s = -1, -1
                cells.append(f"{s:>7}" if h == 0 else f"{'h' + str(h):>7}")
            print(f"{name:<9} {seed:>4} " + " ".join(cells) + f" {r.evaluations:>11} {r.cpu_seconds:>6.0f}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
