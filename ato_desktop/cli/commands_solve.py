"""``check --db`` and ``solve --db``: the department database's timetable, headless."""

from __future__ import annotations

import argparse
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


def solve_settings(args):
    """The optimizer settings of ``solve``'s arguments (an argument not given keeps the app's default).

    ``--generations`` without ``--time-limit`` stops by generations only: the run is reproducible."""
    from ato_desktop.services.solving import OptimizerSettings

    changes = {}
    if args.time_limit is not None:
        changes["time_limit"] = args.time_limit
    elif args.generations is not None:
        changes["time_limit"] = None
    for arg, name in (("generations", "generations"), ("seed", "seed"), ("population", "population_size"),
                      ("keep_changes", "keep_changes"), ("threads", "threads")):
        if getattr(args, arg) is not None:
            changes[name] = getattr(args, arg)
    return OptimizerSettings().but(**changes)


def cmd_solve(args) -> int:
    from ato_desktop.services.solving import run_solve, save_solve

    settings = solve_settings(args)
    db = open_db_or_fail(db_path(args))
    last = [0.0]

    def progress(progress) -> None:
        p = progress.detail  # the engine's own snapshot
        now = time.monotonic()
        if now - last[0] >= 1.0:
            last[0] = now
            print(f"  {p.elapsed:6.1f}s  generation {p.generation:<5} hard {p.best_hard:<4} soft {p.best_soft:<6} "
                  f"{p.evals_per_second:,.0f} evals/s", file=sys.stderr, flush=True)

    with db:
        run = run_solve(db, settings, timetable=args.timetable, on_progress=progress)
        saved = save_solve(db, run, name=args.name)
        top = run.top_violations()
    r = run.result
    print(f"Saved as timetable version '{saved.version.name}': hard {saved.hard}, soft {saved.soft} "
          f"({r.seconds:.1f} s, {r.evaluations:,} evaluations"
          + (f", first feasible after {r.first_feasible_seconds:.2f} s" if r.first_feasible_seconds is not None else "")
          + ").")
    for line in run.end_lines():
        print(line)
    if top:
        print("Top violations:")
        for line in top:
            print(f"  - {line}")
    return 0


def _threads_arg(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"--threads must be a whole number of at least 1, not {text!r}")
    return n


def register(sub) -> None:
    check = sub.add_parser("check", help="report what makes the department's timetable impossible, before optimizing")
    _db_arg(check)
    check.add_argument("--timetable", metavar="NAME", help="version whose locked sessions count (default: latest)")
    check.set_defaults(func=cmd_check)

    solve = sub.add_parser("solve", help="optimize the department's timetable and save it as a new version")
    _db_arg(solve)
    solve.add_argument("--timetable", metavar="NAME", help="start version: its locks are kept (default: latest)")
    # no default here: an argument not given takes the app's (services.solving.OptimizerSettings);
    # importing the services would load SQLAlchemy at every start of the command line
    solve.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                       help="default: as in the app; none with --generations alone")
    solve.add_argument("--generations", type=int, default=None,
                       help="stop after N generations (without --time-limit: reproducible)")
    solve.add_argument("--seed", type=int, default=None, help="default: as in the app")
    solve.add_argument("--population", type=int, default=None, metavar="N", help="default: as in the app")
    solve.add_argument("--threads", type=_threads_arg, default=None, metavar="N",
                       help="search on N threads side by side (default: the machine's cores minus one)")
    solve.add_argument("--keep-changes", action=argparse.BooleanOptionalAction, default=None,
                       help="start from the version and change as little as possible (default: as in the app)")
    solve.add_argument("--name", help="name of the new version (default: 'Optimized <date time>')")
    solve.set_defaults(func=cmd_solve)
