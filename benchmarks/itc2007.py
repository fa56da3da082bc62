"""ITC-2007 track 3 benchmark: run `ato-desktop solve-ctt` on the competition instances.

Each instance runs in a fresh subprocess (``python -m ato_desktop solve-ctt ... --quiet``); the
hard/soft figures are those of the independent validator on the written solution file (the last
stdout line of solve-ctt).  The references are Tomáš Müller's (the ITC-2007 track 3 winner) results as
the dataset README lists them: "best" = his best published results (5, 43, 72, 35, 298, 41, 14 on
comp01-07), "comp" = his runs in the competition itself (5, 51, 84, 37, 330, 48, 20); the ratio is
soft / best published.

    python benchmarks/itc2007.py                      # comp01..comp14, 60 s each, seed 0
    python benchmarks/itc2007.py --instances comp01,comp05 --time-limit 30 --seed 3 --jobs 1
    python benchmarks/itc2007.py --instances comp01,comp05 --time-limit 30 --threads 2   # 1 against 2 threads

Prints a table (instance, hard, soft, first feasible, Müller's two references, ratio = soft / best
published), the anytime profile (the best soft cost after 10, 30, 60, 120 and 300 s, those within
the time limit: ``--time-limit 300`` gives all five), the median time to the first feasible solution,
and the geometric-mean ratio over comp01-07 and over every instance with a reference.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INSTANCES = [f"comp{i:02d}" for i in range(1, 15)]
CORE = [f"comp{i:02d}" for i in range(1, 8)]


def dataset_dir() -> Path:
    env = os.environ.get("ATO_ITC2007_DIR")
    if env:
        return Path(env)
    shared = REPO_ROOT.parent / "shared" / "datasets" / "itc2007"
    return shared if shared.is_dir() else REPO_ROOT / "tests" / "data" / "itc2007"


def read_references(readme: Path, column_prefix: str = "müller, best published") -> dict[str, int]:
    """Instance -> soft cost of the README table's column whose header starts with ``column_prefix``
    (an older README's "winner" column stands for the best published results)."""
    refs: dict[str, int] = {}
    column = None
    for line in readme.read_text(encoding="utf-8").splitlines():
        if not line.strip().startswith("|"):
            column = None if not line.strip() else column
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        lower = [c.lower() for c in cells]
        if column is None:
            hits = [i for i, c in enumerate(lower) if c.startswith(column_prefix)]
            if not hits and column_prefix.endswith("best published"):
                hits = [i for i, c in enumerate(lower) if c.startswith("winner")]
            if hits and lower[0] == "instance":
                column = hits[0]
            continue
        if set(cells[0]) <= set("-: "):
            continue
        if column < len(cells) and cells[column].isdigit():
            refs[cells[0]] = int(cells[column])
    return refs


def run_one(instance: str, data: Path, out_dir: Path, time_limit: float, seed: int,
            generations: int | None, threads: int = 1) -> dict:
    sol = out_dir / f"{instance}-t{threads}.sol"
    cmd = [sys.executable, "-m", "ato_desktop", "solve-ctt", str(data / f"{instance}.ctt"),
           "--time-limit", str(time_limit), "--seed", str(seed), "--out", str(sol), "--quiet",
           "--threads", str(threads)]
    load = os.getloadavg()[0]
    if generations:
        cmd += ["--generations", str(generations)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True,
                              timeout=time_limit * 3 + 300)
    except subprocess.TimeoutExpired:
        return {"instance": instance, "error": "timed out"}
    wall = time.perf_counter() - t0
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"instance": instance, "error": f"exit {proc.returncode}: {err}"}
    try:
        row = json.loads(lines[-1])
    except json.JSONDecodeError:
        return {"instance": instance, "error": f"last line is not JSON: {lines[-1][:80]}"}
    row["wall_seconds"] = round(wall, 2)
    row["load_before"] = round(load, 2)
    return row


def print_threads(rows: list[dict], rows_n: list[dict], threads: int) -> None:
    """1 thread against ``threads`` threads, instance by instance (validator's figures; load = 1-min load
    average when the run started, on a shared machine the figure to read the two columns with; cpu/wall =
    the search threads' CPU time over the run's seconds, at most the thread count; kernel = the share of
    the islands' time spent inside the annealing kernel, which runs without the GIL)."""
    print()
    print(f"threads: 1 against {threads} (soft at the time limit; h<n> = n hard violations left)")
    header = (f"{'instance':<9} {'soft 1':>7} {f'soft {threads}':>7} {'evals 1':>10} {f'evals {threads}':>10} "
              f"{'load 1':>6} {f'load {threads}':>6} {'cpu/wall 1':>10} {f'cpu/wall {threads}':>10} "
              f"{'kernel 1':>8} {f'kernel {threads}':>8}")
    print(header)
    print("-" * len(header))
    better = 0
    for a, b in zip(rows, rows_n):
        if "error" in a or "error" in b:
            print(f"{a['instance']:<9} ERROR {a.get('error') or b.get('error')}")
            continue
        cell = [str(r["soft"]) if r["hard"] == 0 else f"h{r['hard']}" for r in (a, b)]
        better += (b["hard"], b["soft"]) < (a["hard"], a["soft"])
        cpu = [f"{r.get('cpu_seconds', 0) / max(r['seconds'], 1e-9):.2f}" for r in (a, b)]
        ker = [f"{r.get('kernel_seconds', 0) / max(r['seconds'] * n, 1e-9):.0%}" for r, n in ((a, 1), (b, threads))]
        print(f"{a['instance']:<9} {cell[0]:>7} {cell[1]:>7} {a['evaluations']:>10} {b['evaluations']:>10} "
              f"{a['load_before']:>6} {b['load_before']:>6} {cpu[0]:>10} {cpu[1]:>10} {ker[0]:>8} {ker[1]:>8}")
    print(f"{threads} threads better on {better} of {len(rows)}")


def print_profile(rows: list[dict]) -> None:
    """The anytime profile: the best soft cost known after 10, 30, 60, 120 and 300 s (those within the time
    limit) per instance, from solve-ctt's ``profile`` (engine costs; ``h<n>`` = still n hard violations)."""
    marks = sorted({int(c) for r in rows for c in r.get("profile", {})})
    if not marks:
        return
    print()
    print("anytime profile (best soft after N seconds):")
    header = f"{'instance':<9} " + " ".join(f"{f'{c} s':>7}" for c in marks)
    print(header)
    print("-" * len(header))
    for r in rows:
        if "error" in r:
            continue
        cells = []
        for c in marks:
            hs = r.get("profile", {}).get(str(c))
            cells.append("-" if hs is None else (str(hs[1]) if hs[0] == 0 else f"h{hs[0]}"))
        print(f"{r['instance']:<9} " + " ".join(f"{x:>7}" for x in cells))


def geomean(values: list[float]) -> float | None:
    vals = [v for v in values if v > 0]
    if not vals:
        return None
    return math.exp(sum(math.log(v) for v in vals) / len(vals))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", default=",".join(DEFAULT_INSTANCES),
                    help="comma-separated instance names (default comp01..comp14)")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance (default 60)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--generations", type=int, default=None)
    ap.add_argument("--threads", type=int, default=1,
                    help="also run every instance on N threads and print 1 against N (default 1: one run)")
    ap.add_argument("--jobs", type=int, default=1, help="instances run at the same time (default 1)")
    ap.add_argument("--data", type=Path, default=None, help="dataset folder (default ../shared/datasets/itc2007)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the solution files in this folder")
    ap.add_argument("--json", type=Path, default=None, help="also write the rows to this JSON file")
    args = ap.parse_args(argv)

    data = args.data or dataset_dir()
    if not (data / "README.md").is_file():
        print(f"dataset not found at {data}", file=sys.stderr)
        return 2
    refs = read_references(data / "README.md")
    comp_runs = read_references(data / "README.md", "müller, competition runs")
    names = [n.strip() for n in args.instances.split(",") if n.strip()]
    missing = [n for n in names if not (data / f"{n}.ctt").is_file()]
    if missing:
        print(f"unknown instance(s): {', '.join(missing)}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as tmp:
        out_dir = args.keep or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        print(f"ITC-2007 benchmark: {len(names)} instance(s), {args.time_limit:g} s each, seed {args.seed}, "
              f"jobs {args.jobs}", flush=True)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            rows = list(pool.map(lambda n: run_one(n, data, out_dir, args.time_limit, args.seed,
                                                   args.generations), names))
            rows_n = []
            if args.threads > 1:
                rows_n = list(pool.map(lambda n: run_one(n, data, out_dir, args.time_limit, args.seed,
                                                         args.generations, args.threads), names))

    print("references: Müller (ITC-2007 track 3 winner): best = best published, comp = competition runs; "
          "ratio = soft / best")
    header = (f"{'instance':<9} {'hard':>5} {'soft':>6} {'1st feas s':>10} {'evals':>10} {'best':>5} {'comp':>5} "
              f"{'ratio':>7}")
    print(header)
    print("-" * len(header))
    ratios: dict[str, float] = {}
    firsts: list[float] = []
    for r in rows:
        name = r["instance"]
        if "error" in r:
            print(f"{name:<9} ERROR {r['error']}")
            continue
        ref = refs.get(name)
        ffs = r.get("first_feasible_seconds")
        if ffs is not None and r["hard"] == 0:
            firsts.append(float(ffs))
        ratio = None
        if ref and r["hard"] == 0:  # soft / Müller's best published
            ratio = r["soft"] / ref
            ratios[name] = ratio
        print(f"{name:<9} {r['hard']:>5} {r['soft']:>6} {('-' if ffs is None else f'{ffs:.2f}'):>10} "
              f"{r.get('evaluations', 0):>10} {('-' if ref is None else ref):>5} {comp_runs.get(name, '-'):>5} "
              f"{('-' if ratio is None else f'{ratio:.2f}'):>7}")
    print_profile(rows)
    if rows_n:
        print_threads(rows, rows_n, args.threads)
    print()
    feasible = sum(1 for r in rows if "error" not in r and r["hard"] == 0)
    print(f"feasible: {feasible}/{len(rows)}")
    print(f"median time to first feasible: "
          f"{statistics.median(firsts):.2f} s" if firsts else "median time to first feasible: -")
    core = [ratios[n] for n in CORE if n in ratios]
    g = geomean(core)
    print(f"geometric-mean ratio comp01-07: {'-' if g is None else f'{g:.3f}'} "
          f"(over {len(core)} feasible of {sum(1 for n in CORE if n in names)})")
    g_all = geomean(list(ratios.values()))
    with_ref = sum(1 for n in names if n in refs)
    print(f"geometric-mean ratio, all with a reference: {'-' if g_all is None else f'{g_all:.3f}'} "
          f"(over {len(ratios)} feasible of {with_ref})")
    if args.json:
        args.json.write_text(json.dumps({"time_limit": args.time_limit, "seed": args.seed, "rows": rows,
                                         "threads": args.threads, "rows_threads": rows_n,
                                         "references": refs}, indent=2))
    return 0 if all("error" not in r for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
