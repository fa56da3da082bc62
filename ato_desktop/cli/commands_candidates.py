"""``candidates --db DB -k 3 --time-limit S``: K candidate timetables (seeds and weighting profiles),
each saved as a draft version, then compared with the first (``services.candidates``)."""

from __future__ import annotations

import sys
import time

from ato_desktop.cli import CliError
from ato_desktop.cli.commands_db import _db_arg, db_path, open_db_or_fail

PROFILE_KEYS = ("balanced", "students", "faculty")  # services.candidates.PROFILES (not imported: SQLAlchemy)


def cmd_candidates(args) -> int:
    import json

    from ato_desktop.services import candidates
    from ato_desktop.services.solving import OptimizerSettings

    if not 1 <= args.k <= candidates.MAX_K:
        raise CliError(f"-k {args.k}: give a number of candidates between 1 and {candidates.MAX_K}")
    if args.time_limit is not None and args.time_limit <= 0:
        raise CliError(f"--time-limit {args.time_limit}: give a positive number of seconds")
    if args.generations is not None and args.generations <= 0:
        raise CliError(f"--generations {args.generations}: give a positive number")
    changes: dict = {"seed": args.seed}
    if args.time_limit is not None:
        changes["time_limit"] = args.time_limit
    elif args.generations is not None:
        changes["time_limit"] = None
    if args.generations is not None:
        changes["generations"] = args.generations
    settings = OptimizerSettings().but(**changes)
    profiles = tuple(args.profile) if args.profile else None
    db = open_db_or_fail(db_path(args))
    last = [0.0]

    def progress(i, k, profile, progress) -> None:
        p = progress.detail  # the engine's own snapshot
        now = time.monotonic()
        if now - last[0] >= 1.0:
            last[0] = now
            print(f"  candidate {i + 1}/{k} ({profile}) {p.elapsed:6.1f}s hard {p.best_hard:<4} soft {p.best_soft}",
                  file=sys.stderr, flush=True)

    with db:
        result = candidates.make_candidates(db, args.k, settings, profiles=profiles, on_progress=progress)
    if args.json:
        print(json.dumps({"candidates": [c.__dict__ for c in result.candidates],
                          "comparisons": [c.as_dict() for c in result.comparisons],
                          "stopped": result.stopped}, default=str))
    else:
        for line in result.text_lines():
            print(line)
    return 0


def register(sub) -> None:
    p = sub.add_parser("candidates", help="optimize K candidate timetables (different seeds and weightings), save "
                                          "each as a draft version and compare them")
    _db_arg(p)
    p.add_argument("-k", type=int, default=3, help="how many candidates (default 3)")
    p.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                   help="for each candidate (default: as in the app; none with --generations alone)")
    p.add_argument("--generations", type=int, default=None, help="stop each run after N generations")
    p.add_argument("--seed", type=int, default=1, help="the first candidate's seed (the next ones: +1, +2, …)")
    p.add_argument("--profile", action="append", choices=PROFILE_KEYS,
                   help="weighting profiles to use in turn (repeatable; default: all: balanced, students, faculty)")
    p.add_argument("--json", action="store_true", help="the candidates and comparisons as JSON")
    p.set_defaults(func=cmd_candidates)
