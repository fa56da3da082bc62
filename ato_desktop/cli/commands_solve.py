"""``check --db`` and ``solve --db``: the department database's timetable, headless."""

from __future__ import annotations

import sys
import time

from ato_desktop.cli.commands_db import _db_arg, db_path, open_db_or_fail


def cmd_check(args) -> int:
    from ato_desktop.services.solving import check_database

    db = open_db_or_fail(db_path(args), write=False)
    with db:
        findings = check_database(db, args.timetable)
    if not findings:
        print("No problems found: every session can be placed as far as the checks can tell.")
        return 0
    for f in findings:
        print(f"{f.severity.upper()}: {f.message}")
    errors = sum(f.severity == "error" for f in findings)
    print(f"{errors} error(s), {len(findings) - errors} warning(s).")
    return 1 if errors else 0


def cmd_solve(args) -> int:
    from ato_desktop.services.solving import solve_database

    db = open_db_or_fail(db_path(args))
    last = [0.0]

    def progress(p) -> None:
        now = time.monotonic()
        if now - last[0] >= 1.0:
            last[0] = now
            print(f"  {p.elapsed:6.1f}s  generation {p.generation:<5} hard {p.best_hard:<4} soft {p.best_soft:<6} "
                  f"{p.evals_per_second:,.0f} evals/s", file=sys.stderr, flush=True)

    with db:
        out = solve_database(db, timetable=args.timetable, time_limit=args.time_limit,
                             generations=args.generations, seed=args.seed, keep_changes=args.keep_changes,
                             new_name=args.name, on_progress=progress)
    print(f"Saved as timetable version '{out.version.name}': hard {out.hard}, soft {out.soft} "
          f"({out.seconds:.1f} s, {out.evaluations:,} evaluations"
          + (f", first feasible after {out.first_feasible_seconds:.2f} s" if out.first_feasible_seconds is not None else "")
          + ").")
    if out.top_violations:
        print("Top violations:")
        for line in out.top_violations:
            print(f"  - {line}")
    return 0


def register(sub) -> None:
    check = sub.add_parser("check", help="report what makes the department's timetable impossible, before optimizing")
    _db_arg(check)
    check.add_argument("--timetable", metavar="NAME", help="version whose locked sessions count (default: latest)")
    check.set_defaults(func=cmd_check)

    solve = sub.add_parser("solve", help="optimize the department's timetable and save it as a new version")
    _db_arg(solve)
    solve.add_argument("--timetable", metavar="NAME", help="start version: its locks are kept (default: latest)")
    solve.add_argument("--time-limit", type=float, default=30.0, metavar="SECONDS")
    solve.add_argument("--generations", type=int, default=None, help="stop after N generations (reproducible)")
    solve.add_argument("--seed", type=int, default=0)
    solve.add_argument("--keep-changes", action="store_true",
                       help="start from the version and change as little as possible")
    solve.add_argument("--name", help="name of the new version (default: 'Optimized <date time>')")
    solve.set_defaults(func=cmd_solve)
