"""ITC-2007 track 3 benchmark: run `ato-desktop solve-ctt` on the competition instances.

Each instance runs in a fresh subprocess (``python -m ato_desktop solve-ctt ... --quiet``); the
hard/soft figures are those of the independent validator on the written solution file (the last
stdout line of solve-ctt).  The reference is the "winner" column of the dataset README.

    python benchmarks/itc2007.py                      # comp01..comp14, 60 s each, seed 0
    python benchmarks/itc2007.py --instances comp01,comp05 --time-limit 30 --seed 3 --jobs 1

Prints a table (instance, hard, soft, first feasible, reference, ratio = soft / reference), the
median time to the first feasible solution, and the geometric-mean ratio over comp01-07 and over
every instance with a reference.
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


def read_references(readme: Path) -> dict[str, int]:
    """Instance -> soft cost of the "winner" column of the README's markdown table."""
    refs: dict[str, int] = {}
    column = None
    for line in readme.read_text(encoding="utf-8").splitlines():
        if not line.strip().startswith("|"):
            column = None if not line.strip() else column
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        lower = [c.lower() for c in cells]
        if column is None:
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
            generations: int | None) -> dict:
    sol = out_dir / f"{instance}.sol"
    cmd = [sys.executable, "-m", "ato_desktop", "solve-ctt", str(data / f"{instance}.ctt"),
           "--time-limit", str(time_limit), "--seed", str(seed), "--out", str(sol), "--quiet"]
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
    return row


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

    header = f"{'instance':<9} {'hard':>5} {'soft':>6} {'1st feas s':>10} {'evals':>10} {'ref':>5} {'ratio':>7}"
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
        if ref and r["hard"] == 0:
            ratio = r["soft"] / ref
            ratios[name] = ratio
        print(f"{name:<9} {r['hard']:>5} {r['soft']:>6} {('-' if ffs is None else f'{ffs:.2f}'):>10} "
              f"{r.get('evaluations', 0):>10} {('-' if ref is None else ref):>5} "
              f"{('-' if ratio is None else f'{ratio:.2f}'):>7}")
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
                                         "references": refs}, indent=2))
    return 0 if all("error" not in r for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
