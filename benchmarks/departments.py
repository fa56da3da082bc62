"""Department benchmark (issue 18 §3): the optimizer on the product's own model, not only ITC-2007.

Problems: the small and the large demo department (``ato-desktop demo create PATH [--size large]``),
FET example files imported with ``import-fet`` (default: Debian's fet-data Indian examples, when
installed) and generated departments of several sizes (sections of 60 students with two lab
batches each, 3 lectures + 1 tutorial per course, a 2-period lab per batch for every other course).
For each problem and for 1 and N threads: the time to zero hard violations and the best (hard, soft)
after each checkpoint (default 10 s; ``--checkpoints 10,60,300`` for the long version), from the
optimizer's progress history.

Then the minimal-change repair on the large demo: ``--edits`` (default 20) random breaking hand edits
(a session moved to a slot where it clashes) on the planted reference timetable, then "keep my
changes" (``minimal_change``): how many sessions it moved, the time to zero hard, the final score.

    python benchmarks/departments.py                                  # short: 10 s per run
    python benchmarks/departments.py --checkpoints 10,60,300 --threads 2
    python benchmarks/departments.py --only small --checkpoints 1     # a smoke run

Runs one after the other (one optimizer at a time); prints the 1-min load average beside each run,
since the figures mean little on a loaded machine.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FET_DEFAULT = Path("/usr/share/doc/fet-data/examples/FET-5-official/India")
GENERATED = {"gen-6": 6, "gen-12": 12, "gen-24": 24}  # name -> sections


def _compile(path: Path, timetable=None):
    from ato_desktop.services.compile import compile_database
    from ato_desktop.storage.database import open_database

    db = open_database(path)
    try:
        comp, assignment, _ = compile_database(db, timetable)
    finally:
        db.close()
    return comp.problem, assignment


def demo(size: str, tmp: Path):
    from ato_desktop.demo import REFERENCE_NAME, create_demo_database
    from ato_desktop.demo_large import create_large_demo_database

    path = tmp / f"demo-{size}.atodb"
    (create_large_demo_database if size == "large" else create_demo_database)(path)
    return _compile(path, REFERENCE_NAME)


def fet(source: Path, tmp: Path):
    from ato_desktop.services.fet_import import import_fet

    out = tmp / f"{source.stem}.atodb"
    import_fet(source, out)
    return _compile(out)[0]


def generated(sections: int, tmp: Path, seed: int = 7):
    """A generated department with ``sections`` sections (see the module docstring)."""
    from ato_desktop.demo import DAYS, PERIODS
    from ato_desktop.services import calendar as cal
    from ato_desktop.services import resources as res
    from ato_desktop.storage.database import open_database

    path = tmp / f"gen-{sections}.atodb"
    rnd = random.Random(seed)
    n_fac = max(4, sections * 5 // 2)
    db = open_database(path)
    try:
        cal.set_calendar(db, DAYS, PERIODS)
        res.bulk_create(db, "department", [{"code": "GEN", "name": "Generated department", "is_home": True}])
        res.bulk_create(db, "faculty", [
            {"code": f"F{i:03d}", "name": f"Teacher {i}", "department": "GEN", "max_weekly_periods": 18}
            for i in range(n_fac)])
        res.bulk_create(db, "room", [
            {"code": f"R{i:02d}", "capacity": 70, "department": "GEN", "kind": "classroom"}
            for i in range(sections)] + [
            {"code": f"L{i:02d}", "capacity": 35, "department": "GEN", "kind": "lab"}
            for i in range(max(1, sections // 2))])
        secs = [f"S{i:02d}" for i in range(sections)]
        res.bulk_create(db, "group", [
            {"code": s, "department": "GEN", "semester": 1 + 2 * (i % 4), "section": s, "strength": 60}
            for i, s in enumerate(secs)])
        res.bulk_create(db, "group", [
            {"code": f"{s}-B{b}", "department": "GEN", "semester": 1 + 2 * (i % 4), "section": s,
             "strength": 30, "parent": s} for i, s in enumerate(secs) for b in (1, 2)])
        res.bulk_create(db, "course", [
            {"code": f"{s}C{k}", "title": f"Course {k} of {s}", "department": "GEN", "lecture_hours": 3,
             "tutorial_hours": 1, "practical_hours": 2 if k % 2 else 0} for s in secs for k in range(5)])
        acts = []
        for s in secs:
            for k in range(5):
                t = f"F{rnd.randrange(n_fac):03d}"
                acts.append({"course": f"{s}C{k}", "kind": "L", "groups": [s], "faculty": [t],
                             "sessions_per_week": 3, "min_days": 3})
                acts.append({"course": f"{s}C{k}", "kind": "T", "groups": [s], "faculty": [t],
                             "sessions_per_week": 1})
                if k % 2:
                    for b in (1, 2):
                        acts.append({"course": f"{s}C{k}", "kind": "P", "groups": [f"{s}-B{b}"],
                                     "faculty": [f"F{rnd.randrange(n_fac):03d}"], "sessions_per_week": 1,
                                     "duration": 2, "room_kind": "lab"})
        res.bulk_create(db, "activity", acts)
    finally:
        db.close()
    return _compile(path)[0]


def profile(result, checkpoints: list[float]) -> dict[float, tuple[int, int] | None]:
    """The best (hard, soft) known after each checkpoint (None: nothing placed yet / beyond the run)."""
    out = {}
    for c in checkpoints:
        seen = [(p.best_hard, p.best_soft) for p in result.history if p.elapsed <= c and p.best_hard >= 0]
        out[c] = seen[-1] if seen else None
        if c >= result.seconds and result.history:
            out[c] = (result.hard, result.soft)
    return out


def measure(problem, threads: int, checkpoints: list[float], seed: int) -> dict:
    from ato_desktop.engine.optimizer import OptimizeParams, optimize

    load = os.getloadavg()[0]
    r = optimize(problem, params=OptimizeParams(time_limit=max(checkpoints), seed=seed, threads=threads))
    return {"threads": threads, "hard": r.hard, "soft": r.soft, "zero_hard": r.first_feasible_seconds,
            "profile": profile(r, checkpoints), "load": load, "evaluations": r.evaluations}


def breaking_edits(problem, base, n: int, seed: int):
    """``n`` hand edits on ``base``: each moves a session (not in an elective basket, not locked) to a
    start where the hard count rises."""
    import numpy as np

    from ato_desktop.engine.state import full_cost

    g = np.random.default_rng(seed)
    in_sync = np.zeros(problem.n_sessions, bool)
    for m in problem.sync_sets:
        in_sync[m] = True
    edited = base.copy()
    hard = full_cost(problem, edited)[0]
    movable = [s for s in range(problem.n_sessions) if not in_sync[s] and edited.start[s] >= 0]
    done, tries = 0, 0
    while done < n and tries < 100 * n:
        tries += 1
        s = int(g.choice(movable))
        d = int(problem.session_duration[s])
        starts = [t for t in range(problem.n_slots) if problem.slot_usable[t] and t != edited.start[s]
                  and t % problem.periods_per_day + d <= problem.periods_per_day]
        if not starts:
            continue
        old = int(edited.start[s])
        edited.start[s] = starts[int(g.integers(0, len(starts)))]
        h = full_cost(problem, edited)[0]
        if h > hard:
            hard, done = h, done + 1
        else:
            edited.start[s] = old
    return edited, done, hard


def repair(problem, base, edits: int, time_limit: float, seed: int, threads: int) -> dict:
    from ato_desktop.engine.optimizer import OptimizeParams, optimize

    edited, done, hard = breaking_edits(problem, base, edits, seed)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    r = optimize(problem, start=edited, params=OptimizeParams(time_limit=time_limit, seed=seed,
                                                              minimal_change=True, threads=threads))
    return {"edits": done, "hard_after_edits": hard, "hard": r.hard, "soft": r.soft, "moved": r.changed_sessions,
            "zero_hard": r.first_feasible_seconds, "seconds": time.perf_counter() - t0, "load": load,
            "threads": threads}


def _cell(hs) -> str:
    if hs is None:
        return "-"
    return str(hs[1]) if hs[0] == 0 else f"h{hs[0]}/{hs[1]}"


def main(argv: list[str] | None = None) -> int:
    from ato_desktop.engine.islands import default_threads

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkpoints", default="10", help="seconds, comma-separated (default 10; the run lasts the "
                    "largest); the issue's long version: 10,60,300")
    ap.add_argument("--threads", type=int, default=max(2, default_threads()),
                    help="N in '1 and N threads' (default: the machine's cores minus one, at least 2)")
    ap.add_argument("--only", default=None,
                    help="comma-separated: small, large, fet, gen-6, gen-12, gen-24, repair (default: all)")
    ap.add_argument("--fet", type=Path, nargs="*", default=None,
                    help=f".fet files (default: every .fet under {FET_DEFAULT}, when installed)")
    ap.add_argument("--edits", type=int, default=20, help="breaking hand edits before the repair (default 20)")
    ap.add_argument("--repair-time", type=float, default=None, help="repair time limit (default: largest checkpoint)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    checkpoints = sorted(float(c) for c in args.checkpoints.split(",") if c.strip())
    only = set(args.only.split(",")) if args.only else None
    want = (lambda name: only is None or name in only)
    threads = [1] if args.threads <= 1 else [1, args.threads]

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        problems: list[tuple[str, object]] = []
        large = None
        for size in ("small", "large"):
            if want(size) or (size == "large" and want("repair")):
                p, a = demo(size, tmp)
                if size == "large":
                    large = (p, a)
                if want(size):
                    problems.append((f"demo-{size}", p))
        if want("fet"):
            files = args.fet if args.fet is not None else sorted(FET_DEFAULT.rglob("*.fet"))
            for f in files:
                try:
                    problems.append((f"fet:{f.stem}", fet(f, tmp)))
                except Exception as exc:  # one line per file that does not import
                    print(f"fet:{f.stem}: not imported: {exc}", file=sys.stderr)
        for name, sections in GENERATED.items():
            if want(name):
                problems.append((name, generated(sections, tmp)))

        marks = " ".join(f"{f'{c:g} s':>9}" for c in checkpoints)
        header = f"{'problem':<34} {'sessions':>8} {'thr':>3} {'zero hard s':>11} {marks} {'load':>5}"
        print(f"optimizer on departments: best soft (h<n>/<soft> while hard violations remain) after each checkpoint, "
              f"seed {args.seed}")
        print(header)
        print("-" * len(header))
        for name, p in problems:
            for n in threads:
                m = measure(p, n, checkpoints, args.seed)
                zh = "-" if m["zero_hard"] is None else f"{m['zero_hard']:.2f}"
                cells = " ".join(f"{_cell(m['profile'][c]):>9}" for c in checkpoints)
                print(f"{name:<34} {p.n_sessions:>8} {n:>3} {zh:>11} {cells} {m['load']:>5.1f}", flush=True)

        if want("repair") and large is not None:
            p, base = large
            limit = args.repair_time or max(checkpoints)
            print()
            print(f"minimal-change repair on the large demo ({p.n_sessions} sessions): {args.edits} breaking edits, "
                  f"then 'keep my changes' for {limit:g} s")
            for n in threads:
                r = repair(p, base, args.edits, limit, args.seed, n)
                zh = "-" if r["zero_hard"] is None else f"{r['zero_hard']:.2f} s"
                print(f"  {n} thread(s): {r['edits']} edits (hard {r['hard_after_edits']}); moved {r['moved']} "
                      f"sessions; zero hard after {zh}; final hard {r['hard']} soft {r['soft']} "
                      f"in {r['seconds']:.1f} s (load {r['load']:.1f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
