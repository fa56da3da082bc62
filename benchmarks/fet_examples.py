"""Our optimizer beside FET on fet-data's real institutions (issue 17 §3).

    nice -n 10 python benchmarks/fet_examples.py [--time-limit 60] [--files N] [--match TEXT ...] [FOLDER]

For every example file whose constraints are ALL imported (the importer's own report: nothing under
"not imported"), one after the other on the same machine:

* ours: import the file, then the optimizer's one pipeline (``services.solving.run_solve`` with
  ``OptimizerSettings(time_limit=…)``, one thread, seed 0): the time to the first timetable with zero hard
  violations (the optimizer's clock; the compile of the database before it is timed apart and counted in
  "faster"), and the hard and soft totals at the time limit;
* FET: ``fet-cl --timelimitseconds=…`` on the original file: the wall time until it reports
  ``Simulation successful`` (or ``-`` when it does not within the limit).

Prints a Markdown table and the share of the files FET solves where we reach hard 0 sooner.
``--match`` keeps files whose path contains one of the texts (case-insensitive); ``--files N`` the first N
files that qualify (Indian files first, then in path order). Files that do not qualify are counted, not run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFAULT_FOLDER = Path("/usr/share/doc/fet-data/examples")


@dataclass
class Row:
    name: str
    sessions: int
    compile_s: float
    first_hard0: float | None  # optimizer clock
    hard: int
    soft: int
    fet_s: float | None  # wall time to a successful generation
    fet_note: str

    @property
    def faster(self) -> bool | None:
        """True/False when FET solved the file; None when it did not (then: do we have a timetable?)."""
        if self.fet_s is None:
            return None
        return self.first_hard0 is not None and self.compile_s + self.first_hard0 < self.fet_s


def candidates(folder: Path, match: list[str]) -> list[Path]:
    """Example files whose constraint types the importer maps (a cheap pre-filter; the report decides)."""
    from ato_desktop.io.fet import SUPPORTED_SPACE, SUPPORTED_TIME, FetError, constraint_types

    files = sorted(p for p in folder.rglob("*.fet") if p.is_file())
    if match:
        files = [p for p in files if any(t.lower() in str(p).lower() for t in match)]
    files.sort(key=lambda p: ("/India/" not in str(p), str(p)))
    out = []
    for p in files:
        try:
            time_c, space_c = constraint_types(p)
        except FetError:
            continue
        if set(time_c) <= SUPPORTED_TIME and set(space_c) <= SUPPORTED_SPACE:
            out.append(p)
    return out


def run_ours(src: Path, tmp: Path, time_limit: float):
    """(report, row figures) or (report, None) when the importer did not import every constraint."""
    from ato_desktop.services.fet_import import import_fet
    from ato_desktop.services.solving import OptimizerSettings, run_solve
    from ato_desktop.storage.database import open_database

    report = import_fet(src, tmp / "x.atodb")
    if report.not_imported:
        return report, None
    from ato_desktop.services.compile import compile_database

    db = open_database(tmp / "x.atodb", backup=False)
    try:
        t0 = time.monotonic()
        compile_database(db, None)  # timed alone: run_solve compiles the same way before optimizing
        compile_s = time.monotonic() - t0
        run = run_solve(db, OptimizerSettings(time_limit=time_limit, seed=0, threads=1, refuse_impossible=False))
    finally:
        db.close()
    r = run.result
    return report, (compile_s, r.first_feasible_seconds, r.hard, r.soft)


def run_fet(src: Path, outdir: Path, time_limit: float) -> tuple[float | None, str]:
    """fet-cl's wall time to 'Simulation successful', or (None, why)."""
    outdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    t0 = time.monotonic()
    proc = subprocess.Popen(["fet-cl", f"--inputfile={src}", f"--outputdir={outdir}",
                             f"--timelimitseconds={int(max(1, time_limit))}", "--htmllevel=0",
                             "--writetimetablesstatistics=false"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        proc.wait(timeout=time_limit + 30)
    except subprocess.TimeoutExpired:  # FET does not always stop at its limit; SIGTERM makes it stop
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    seconds = time.monotonic() - t0
    result = outdir / "logs" / "result.txt"
    log = result.read_text(encoding="utf-8-sig", errors="replace") if result.exists() else ""
    if proc.returncode == 0 and "Simulation successful" in log:
        return seconds, ""
    if "interrupted" in log.lower() or seconds >= time_limit:
        return None, "no timetable in the limit"
    return None, f"failed (exit {proc.returncode})"


def _s(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds, for us and for fet-cl (default 60)")
    ap.add_argument("--files", type=int, default=None, help="run only the first N files that qualify")
    ap.add_argument("--match", action="append", default=[], help="only files whose path contains TEXT")
    args = ap.parse_args(argv)
    import shutil

    if shutil.which("fet-cl") is None:
        print("fet-cl is not installed (apt-get install fet).")
        return 1
    if not args.folder.is_dir():
        print(f"No folder {args.folder} (apt-get install fet-data).")
        return 1
    from ato_desktop.engine.warmup import load_kernels
    from ato_desktop.services.errors import ServiceError

    load_kernels()  # the kernels' compile is not part of any file's time
    files = candidates(args.folder, args.match)
    rows: list[Row] = []
    skipped = 0
    print(f"| file | sessions | compile s | ours: first hard 0 s | hard | soft at {args.time_limit:g} s "
          f"| fet-cl s | faster |", flush=True)
    print("|---|---:|---:|---:|---:|---:|---:|---|", flush=True)
    for src in files:
        if args.files is not None and len(rows) >= args.files:
            break
        name = str(src.relative_to(args.folder))
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            try:
                report, ours = run_ours(src, tmp, args.time_limit)
            except ServiceError as exc:  # refused by the importer (or impossible as imported): not run
                print(f"<!-- {name}: {exc} -->", flush=True)
                ours = None
            if ours is None:
                skipped += 1
                continue
            fet_s, fet_note = run_fet(src, tmp / "fet-out", args.time_limit)
        row = Row(name, report.counts.get("sessions", 0), ours[0], ours[1], ours[2], ours[3], fet_s, fet_note)
        rows.append(row)
        faster = {True: "ours", False: "FET", None: "ours only" if row.first_hard0 is not None else "neither"}
        print(f"| {name} | {row.sessions} | {row.compile_s:.1f} | {_s(row.first_hard0)} | {row.hard} | {row.soft} "
              f"| {_s(row.fet_s)}{' (' + fet_note + ')' if fet_note else ''} | {faster[row.faster]} |", flush=True)
    solved_by_fet = [r for r in rows if r.fet_s is not None]
    ours_faster = sum(1 for r in solved_by_fet if r.faster)
    print(f"\n{len(rows)} files run ({skipped} pre-selected files skipped: their import reported constraints "
          f"not imported, or refused them). FET solved {len(solved_by_fet)}; we reached hard 0 sooner on {ours_faster} of them"
          + (f" ({100 * ours_faster / len(solved_by_fet):.0f} %)" if solved_by_fet else "") + ". "
          f"Where FET found no timetable in the limit, we found one on "
          f"{sum(1 for r in rows if r.fet_s is None and r.first_hard0 is not None)} of "
          f"{sum(1 for r in rows if r.fet_s is None)}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
