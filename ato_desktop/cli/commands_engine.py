"""Engine commands on ITC-2007 files: ``solve-ctt`` and ``validate-ctt``.

``solve-ctt INSTANCE.ctt --time-limit S --seed N --out SOLUTION.sol`` reads and
checks the instance, optimizes it, writes the solution in the competition
format, re-reads the written file, scores it with the independent validator
(:mod:`ato_desktop.io.itc_validator`) and prints, as its last stdout line, one
JSON object ``{"instance", "hard", "soft", "seconds", "first_feasible_seconds",
"evaluations", ...}``.  Progress goes to stderr at most once a second.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import threading
import time
from pathlib import Path

from ato_desktop.cli import CliError
from ato_desktop.io.ctt import CttFormatError, CttInstance, ctt_to_problem, read_ctt


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "solve-ctt",
        help="optimize an ITC-2007 .ctt instance and write the competition solution file",
        description="Read an ITC-2007 curriculum-based instance (.ctt), check it, optimize it for the "
        "given time, write the solution (CourseID RoomID Day DayPeriod per line) and score the written "
        "file with the independent UD2 validator. The last stdout line is a JSON summary.",
    )
    p.add_argument("instance", metavar="INSTANCE.ctt", help="the instance file")
    p.add_argument("--time-limit", type=_positive_float, default=60.0, metavar="SECONDS",
                   help="wall-clock budget of the optimizer (default 60)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default 0)")
    p.add_argument("--generations", type=_positive_int, default=None, metavar="N",
                   help="stop after N generations (default: only the time limit)")
    p.add_argument("--threads", type=_positive_int, default=1, metavar="N",
                   help="search on N threads side by side, exchanging the best solutions (default 1)")
    p.add_argument("--out", required=True, metavar="SOLUTION.sol", help="where to write the solution")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=cmd_solve_ctt)

    v = sub.add_parser(
        "validate-ctt",
        help="score an ITC-2007 solution file (UD2) with the independent validator",
        description="Print the UD2 hard violations and soft costs of SOLUTION for INSTANCE.",
    )
    v.add_argument("instance", metavar="INSTANCE.ctt")
    v.add_argument("solution", metavar="SOLUTION.sol")
    v.add_argument("--details", action="store_true", help="also list every violation")
    v.add_argument("--json", action="store_true", help="print the breakdown as one JSON object")
    v.set_defaults(func=cmd_validate_ctt)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _read_instance(path: str) -> CttInstance:
    try:
        return read_ctt(path)
    except CttFormatError as exc:
        raise CliError(f"{path}: {exc}") from None
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None


def _import_optimizer():
    from ato_desktop.engine.optimizer import OptimizeParams, optimize
    return optimize, OptimizeParams


class _Progress:
    """Prints one progress line on stderr at most once a second (the engine's snapshot, ``progress.detail``)."""

    def __init__(self, label: str, quiet: bool) -> None:
        self.label = label
        self.quiet = quiet
        self.last = 0.0

    def __call__(self, progress) -> None:
        now = time.monotonic()
        if self.quiet or now - self.last < 1.0:
            return
        self.last = now
        p = progress.detail
        print(f"[{self.label}] gen {p.generation}, hard {p.best_hard} soft {p.best_soft}, {p.evaluations} evals, "
              f"{p.elapsed:.1f}s", file=sys.stderr, flush=True)


PROFILE_SECONDS = (10, 30, 60, 120, 300)  # the anytime profile's checkpoints (benchmarks/itc2007.py)


def anytime_profile(result, time_limit: float | None) -> dict[str, list[int]]:
    """The best ``[hard, soft]`` known at each checkpoint of ``PROFILE_SECONDS`` within the time limit, from
    the run's progress history (the engine's costs; a run that ended earlier keeps its final best)."""
    out: dict[str, list[int]] = {}
    for c in PROFILE_SECONDS:
        if time_limit is not None and c > time_limit + 1e-9:
            break
        best = None
        for p in result.history:
            if p.elapsed <= c and p.best_hard >= 0:
                best = [int(p.best_hard), int(p.best_soft)]
        if result.seconds <= c:
            best = [int(result.hard), int(result.soft)]
        if best is not None:
            out[str(c)] = best
    return out


def cmd_solve_ctt(args: argparse.Namespace) -> int:
    from ato_desktop.engine.checks import check_problem
    from ato_desktop.io.ctt import write_solution
    from ato_desktop.io.itc_validator import format_breakdown, validate_solution

    inst = _read_instance(args.instance)
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CliError(f"cannot write {out}: folder {out.parent} does not exist")
    if out.is_dir():
        raise CliError(f"cannot write {out}: it is a folder")
    problem = ctt_to_problem(inst)
    label = Path(args.instance).stem

    for f in check_problem(problem):
        print(f"[{label}] {f.severity}: {f.message}", file=sys.stderr)

    optimize, OptimizeParams = _import_optimizer()
    params = OptimizeParams(time_limit=args.time_limit, generations=args.generations, seed=args.seed,
                            threads=args.threads)
    if not args.quiet:
        print(f"[{label}] {problem.n_sessions} lectures, {problem.n_rooms} rooms, {problem.n_slots} periods; "
              f"optimizing for {args.time_limit:g} s (seed {args.seed}, {args.threads} thread(s))", file=sys.stderr, flush=True)
    # Ctrl-C stops the search early; the best solution so far is still written and scored.
    stop = threading.Event()

    def _on_sigint(signum, frame):  # pragma: no cover - interactive
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print(f"[{label}] stopping (Ctrl-C again to abort)...", file=sys.stderr, flush=True)

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        result = optimize(problem, None, params, on_progress=_Progress(label, args.quiet),
                          should_stop=stop.is_set)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)

    try:
        write_solution(out, problem, result.assignment)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    try:
        score = validate_solution(inst, out)  # the file as written, re-read
    except CttFormatError as exc:  # would be a bug in write_solution
        raise CliError(f"the written solution {out} does not read back: {exc}") from None

    engine_hard, engine_soft = int(result.hard), int(result.soft)
    if (engine_hard == 0) != (score.hard == 0) or (score.hard == 0 and engine_soft != score.soft):
        print(f"[{label}] warning: the engine reported hard {engine_hard} soft {engine_soft}, "
              f"the validator hard {score.hard} soft {score.soft}", file=sys.stderr)
    print(format_breakdown(score))
    from ato_desktop.engine.infeasibility import lower_bound

    bound = lower_bound(problem)
    if not args.quiet:
        print(f"[{label}] {bound.text()}", file=sys.stderr)
    ffs = result.first_feasible_seconds
    summary = {
        "instance": label,
        "hard": score.hard,
        "soft": score.soft,
        "seconds": round(float(result.seconds), 3),
        "first_feasible_seconds": None if ffs is None else round(float(ffs), 3),
        "evaluations": int(result.evaluations),
        "cpu_seconds": round(float(result.cpu_seconds), 2),
        "kernel_seconds": round(float(result.kernel_seconds), 2),
        "engine_hard": engine_hard,
        "engine_soft": engine_soft,
        "seed": args.seed,
        "threads": args.threads,
        "lower_bound": [bound.hard, bound.soft],
        "time_limit": args.time_limit,
        "profile": anytime_profile(result, args.time_limit),
    }
    print(json.dumps(summary), flush=True)
    return 0


def cmd_validate_ctt(args: argparse.Namespace) -> int:
    from ato_desktop.io.itc_validator import format_breakdown, validate_solution

    inst = _read_instance(args.instance)
    try:
        score = validate_solution(inst, args.solution)
    except CttFormatError as exc:
        raise CliError(f"{args.solution}: {exc}") from None
    except OSError as exc:
        raise CliError(f"cannot read {args.solution}: {exc.strerror or exc}") from None
    if args.json:
        print(json.dumps({"instance": Path(args.instance).stem, **score.as_dict()}))
    else:
        print(format_breakdown(score, details=args.details))
    return 0
