"""ITC-2007 anytime race: our optimizer on one core beside the public C solver on the other, started together.

For each instance both solvers start at the same moment, each pinned to its own core (``taskset``), both
at ``nice -n NICE`` (as root, a negative value keeps other users' jobs from distorting the race):

- ours: ``python -m ato_desktop solve-ctt INSTANCE --time-limit T --seed 0 --threads 1`` (its anytime profile
  comes from the run's own history, engine costs; the final solution is re-scored by our validator);
- the C solver (Docheinstein/itc2007-cct, built Release) in race mode (``-r``: it rewrites its solution file
  at every new best); this driver copies that file at each checkpoint and re-scores every copy with our
  independent validator (``ato_desktop.io.itc_validator``).

Rows are appended to the markdown file as each instance ends, so a cut-short run keeps what finished.

    python benchmarks/itc2007_race.py --solver /tmp/ccct/build/itc2007-cct --out benchmarks/itc2007-race-300s.md
    python benchmarks/itc2007_race.py --solver ... --instances comp01 --time-limit 30 --out /tmp/race.md
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
CHECKPOINTS = (10, 30, 60, 120, 300)


def _copy_complete(src: Path, dst: Path, instance: Path, tries: int = 20) -> bool:
    """Copy the C solver's current solution, retrying while it is being rewritten (it only ever writes
    solutions without hard violations, so a copy that does not validate to hard 0 is a half-written file)."""
    from ato_desktop.io.itc_validator import validate_files

    for _ in range(tries):
        try:
            shutil.copyfile(src, dst)
            if validate_files(instance, dst).hard == 0:
                return True
        except Exception:  # noqa: BLE001 - a half-written file: try again
            pass
        time.sleep(0.02)
    return False


def race(instance: Path, solver: Path, limit: float, nice: int, work: Path, cores: tuple[str, str]) -> dict:
    from ato_desktop.io.itc_validator import validate_files

    name = instance.stem
    ours_sol, c_sol = work / f"{name}-ours.sol", work / f"{name}-c.sol"
    pre = ["nice", "-n", str(nice)] if nice else []
    ours_cmd = pre + ["taskset", "-c", cores[0], sys.executable, "-m", "ato_desktop", "solve-ctt", str(instance),
                      "--time-limit", str(limit), "--seed", "0", "--threads", "1", "--out", str(ours_sol), "--quiet"]
    c_cmd = pre + ["taskset", "-c", cores[1], str(solver), str(instance), str(c_sol), "-t", str(int(limit)),
                   "-s", "1", "-r", "-q"]
    load = os.getloadavg()[0]
    t0 = time.monotonic()
    ours = subprocess.Popen(ours_cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    c = subprocess.Popen(c_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    c_marks: dict[int, Path] = {}
    for mark in [m for m in CHECKPOINTS if m < limit]:
        time.sleep(max(0.0, t0 + mark - 0.5 - time.monotonic()))  # just before the mark (the C run ends at it)
        snap = work / f"{name}-c-{mark}.sol"
        if c_sol.exists() and _copy_complete(c_sol, snap, instance):
            c_marks[mark] = snap
    c.wait(timeout=limit + 120)
    out, err = ours.communicate(timeout=limit * 2 + 600)
    row = {"instance": name, "load": round(load, 2)}
    try:
        ours_row = json.loads(out.strip().splitlines()[-1])
        row["ours"] = {"hard": ours_row["hard"], "soft": ours_row["soft"],
                       "profile": {int(k): v for k, v in ours_row["profile"].items()},
                       "evaluations": ours_row["evaluations"]}
    except (IndexError, ValueError, KeyError):
        row["ours_error"] = (err.strip().splitlines() or ["no output"])[-1]
    if c_sol.exists():
        c_marks[int(limit)] = c_sol  # the final file
    row["c"] = {}
    for mark, path in sorted(c_marks.items()):
        try:
            b = validate_files(instance, path)
            row["c"][mark] = [b.hard, b.soft]
        except Exception as exc:  # noqa: BLE001 - one unreadable copy is reported, not fatal
            row["c"][mark] = str(exc)[:60]
    return row


def _cell(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, str):
        return "err"
    h, s = v
    return str(s) if h == 0 else f"h{h}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solver", type=Path, required=True, help="the built itc2007-cct binary")
    ap.add_argument("--instances", default=",".join(f"comp{i:02d}" for i in range(1, 8)))
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--nice", type=int, default=-5)
    ap.add_argument("--cores", default="0,1", help="ours,C (default 0,1)")
    ap.add_argument("--out", type=Path, required=True, help="markdown file to write (rows appended as they end)")
    args = ap.parse_args(argv)
    from itc2007 import dataset_dir, read_references

    data = dataset_dir()
    refs = read_references(data / "README.md")
    marks = sorted({m for m in CHECKPOINTS if m <= args.time_limit} | {int(args.time_limit)})
    cores = tuple(args.cores.split(","))
    head = " | ".join(f"ours {m} s | C {m} s" for m in marks)
    with args.out.open("w", encoding="utf-8") as f:
        f.write(f"# ITC-2007 race: ours against the public C solver, {args.time_limit:g} s\n\n"
                f"Command: `python benchmarks/itc2007_race.py --solver {args.solver} --instances {args.instances} "
                f"--time-limit {args.time_limit:g} --nice {args.nice}`\n"
                f"(started {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; ours on core {cores[0]} with "
                f"seed 0 and 1 thread, C (Docheinstein/itc2007-cct, Release, seed 1, race mode) on core {cores[1]}; "
                "C's figures at each mark are its solution file copied then and re-scored by our validator; "
                "ours at the marks are the run's own best (engine costs), the final one re-scored by the validator; "
                "h<n> = n hard violations; ref = Müller's best published)\n\n"
                f"| instance | load | {head} | ref |\n|---|---|{'---|---|' * len(marks)}---|\n")
    with tempfile.TemporaryDirectory() as tmp:
        for name in [n.strip() for n in args.instances.split(",") if n.strip()]:
            row = race(data / f"{name}.ctt", args.solver, args.time_limit, args.nice, Path(tmp), cores)
            cells = []
            for m in marks:
                o = row.get("ours", {})
                ov = [o["hard"], o["soft"]] if o and m == marks[-1] else (o.get("profile", {}).get(m) if o else None)
                cells += [_cell(ov), _cell(row["c"].get(m))]
            with args.out.open("a", encoding="utf-8") as f:
                f.write(f"| {name} | {row['load']} | " + " | ".join(cells) + f" | {refs.get(name, '-')} |\n")
            print(json.dumps(row, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
