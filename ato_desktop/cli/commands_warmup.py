"""``ato-desktop warm-up [--quiet] [--if-needed]``: compile the optimizer's kernels now.

Run by the installers after installing, and by the desktop app in a background
process on its first start, so that the first click on Optimize does not wait for
numba to compile (about a minute on a slow computer).  Prints what it does on stderr
(unless ``--quiet``) and, as its last stdout line, the time it took.  Exit code 0 on
success; ``--if-needed`` returns at once when the kernels are already compiled for this
version of the app.
"""

from __future__ import annotations

import argparse
import sys
import time

from ato_desktop.cli import CliError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "warm-up",
        help="prepare the optimizer for this computer (compile its kernels; first run only)",
        description="Compile the optimizer's numba kernels and keep them in the cache, so that the first "
        "optimization in the app starts at once. Installers run this after installing.",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--progress", action="store_true",
                   help="print 'progress PERCENT SECONDS-LEFT STEP' lines on stdout (the app's progress bar)")
    p.add_argument("--if-needed", action="store_true",
                   help="do nothing when the kernels are already compiled for this version")
    p.set_defaults(func=cmd_warm_up)


def cmd_warm_up(args: argparse.Namespace) -> int:
    from ato_desktop.engine import warmup

    if args.if_needed and warmup.is_warm():
        print("The optimizer is already prepared for this computer.", flush=True)
        return 0
    t0 = time.perf_counter()

    def on_step(text: str) -> None:
        elapsed = time.perf_counter() - t0
        if not args.quiet:
            print(f"[warm-up {elapsed:5.1f}s] {text}", file=sys.stderr, flush=True)
        fraction = warmup.step_fraction(text)
        if getattr(args, "progress", False) and fraction is not None:
            left = warmup.estimate_left(fraction, elapsed)
            print(f"progress {round(100 * fraction)} {-1 if left is None else round(left)} {text}", flush=True)

    on_step("preparing the optimizer for this computer (first run only)")
    try:
        seconds = warmup.warm_up(on_step=on_step)
    except Exception as exc:  # a kernel that does not compile is a bug: say so plainly
        raise CliError(f"the optimizer could not be prepared: {type(exc).__name__}: {exc}") from exc
    note = "" if warmup.is_warm() else f" (could not record it in {warmup.marker_dir()})"
    print(f"Optimizer prepared in {seconds:.1f} s{note}.", flush=True)
    return 0
