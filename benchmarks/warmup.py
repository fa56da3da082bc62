"""Cold warm-up time, and the first real optimizer run after it in a NEW process.

    python benchmarks/warmup.py                  # warm-up + first comp01 run after it
    python benchmarks/warmup.py --baseline       # also: a cold first run WITHOUT warm-up (slow)

Each figure comes from a fresh process on an empty numba cache (a temporary
NUMBA_CACHE_DIR), like the first start after an install:

1. ``ato-desktop warm-up`` (what the installer / the app's background process runs);
2. a new process loads comp01, runs ``optimize(generations=1, population_size=2)``,
   a ``State`` with ``move_grid`` and deltas on comp01, and the same on the demo
   department; it prints the wall time and the kernels numba had to compile
   (``dispatcher.stats.cache_misses``): after a warm-up that must be none.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
ITC_DIR = REPO_ROOT.parent / "shared" / "datasets" / "itc2007"
if not ITC_DIR.is_dir():
    ITC_DIR = REPO_ROOT / "tests" / "data" / "itc2007"

FIRST_RUN = r"""
import json, sys, time
t0 = time.perf_counter()
from ato_desktop.engine.optimizer import OptimizeParams, optimize
from ato_desktop.engine.state import State, full_cost
from ato_desktop.engine.warmup import kernel_cache_stats
from ato_desktop.io.ctt import load_ctt_problem
p = load_ctt_problem(sys.argv[1])
t1 = time.perf_counter()
r = optimize(p, params=OptimizeParams(time_limit=None, generations=1, seed=0, population_size=2))
t2 = time.perf_counter()
st = State(p, r.assignment)
st.move_grid(0); st.delta_move(0, 3, 1); st.delta_swap(0, 5); st.apply_move(0, 3, 1); st.counts()
full_cost(p, r.assignment)
t3 = time.perf_counter()
demo = None
if len(sys.argv) > 2:
    from ato_desktop.demo import create_demo_database
    from ato_desktop.demo_large import create_large_demo_database
    from ato_desktop.services.compile import compile_database
    from ato_desktop.storage.database import open_database
    (create_large_demo_database if sys.argv[3:] == ["large"] else create_demo_database)(sys.argv[2])
    db = open_database(sys.argv[2])
    comp, cur, _ = compile_database(db, None)
    db.close()
    d0 = time.perf_counter()
    rd = optimize(comp.problem, params=OptimizeParams(time_limit=None, generations=1, seed=0, population_size=2))
    sd = State(comp.problem, rd.assignment); sd.move_grid(0); sd.delta_move(0, 1, 0)
    demo = round(time.perf_counter() - d0, 2)
stats = kernel_cache_stats()
print(json.dumps({"optimize_s": round(t2 - t1, 2), "state_s": round(t3 - t2, 2), "demo_s": demo,
                  "total_s": round(time.perf_counter() - t0, 2),
                  "compiled": sorted(k for k, (h, m) in stats.items() if m),
                  "cache_loads": sum(h for h, m in stats.values())}))
"""


def _env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["NUMBA_CACHE_DIR"] = str(cache)
    env.pop("ATO_DESKTOP_WARMUP_DIR", None)
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _first_run(env: dict[str, str], work: Path, size: str = "small") -> dict:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", FIRST_RUN, str(ITC_DIR / "comp01.ctt"), str(work / "demo.atodb"), size],
                         env=env, capture_output=True, text=True, check=True).stdout
    res = json.loads(out.strip().splitlines()[-1])
    res["process_s"] = round(time.perf_counter() - t, 2)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", action="store_true", help="also time a cold first run without warm-up")
    ap.add_argument("--size", choices=("small", "large"), default="small",
                    help="the demo department optimized in the first run (default small)")
    args = ap.parse_args()
    if not (ITC_DIR / "comp01.ctt").is_file():
        print(f"comp01.ctt not found in {ITC_DIR}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="ato-warmup-bench-") as tmp:
        tmp = Path(tmp)
        if args.baseline:
            (tmp / "b").mkdir()
            base = _first_run(_env(tmp / "cache-baseline"), tmp / "b", args.size)
            print(f"cold first run WITHOUT warm-up: optimize {base['optimize_s']} s, process {base['process_s']} s, "
                  f"{len(base['compiled'])} kernels compiled")
        env = _env(tmp / "cache")
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "ato_desktop", "warm-up", "--quiet"], env=env,
                             capture_output=True, text=True, check=True).stdout.strip()
        wall = time.perf_counter() - t
        print(f"cold warm-up: {out.splitlines()[-1]} (process wall {wall:.1f} s)")
        t = time.perf_counter()
        quick = subprocess.run([sys.executable, "-m", "ato_desktop", "warm-up", "--if-needed"], env=env,
                               capture_output=True, text=True, check=True).stdout.strip()
        print(f"warm-up --if-needed afterwards: {time.perf_counter() - t:.2f} s process wall ({quick})")
        (tmp / "a").mkdir()
        after = _first_run(env, tmp / "a", args.size)
        print(f"first real run after warm-up (new process): comp01 optimize {after['optimize_s']} s, "
              f"State {after['state_s']} s, demo optimize+State {after['demo_s']} s, "
              f"process {after['process_s']} s; kernels compiled: {after['compiled'] or 'none'} "
              f"({after['cache_loads']} entry points loaded from the cache)")
        return 0 if not after["compiled"] else 1


if __name__ == "__main__":
    sys.exit(main())
