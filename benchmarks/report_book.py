"""Department book benchmark: time to render the demo department's complete timetable book.

    python benchmarks/report_book.py                 # a fresh demo database in a temporary folder
    python benchmarks/report_book.py --size large    # the large demo department (24 sections)
    python benchmarks/report_book.py --db my.atodb --repeat 5 --paper A3

    python benchmarks/report_book.py --db my.atodb --processes 1   # in this process alone

Prints the page count, the file size, the first render (cold: fonts, numba cache load), the
median of the following renders, the CPU time of this process and of its worker processes (a large
book is laid out on every core, ``services.book``), and the peak memory: this process's, the largest
worker's, and the peak of the sum of all their resident sets (sampled every 0.1 s from /proc).
Targets: the demo book in under 5 s, the large demo's in under 15 s; any book (the 20-department
database of ``benchmarks/scale.py --keep PATH``) in under 120 s and 600 MB (all processes together).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ato_desktop.services.reports import render_report  # noqa: E402
from ato_desktop.storage.database import open_database  # noqa: E402

TARGETS_S = {"small": 5.0, "large": 15.0, "db": 120.0}
MEMORY_TARGET_MB = 600


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux and macOS)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def children_cpu() -> float:
    """CPU seconds of this process's ended (waited-for) child processes."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def children_peak_mb() -> float:
    """The largest peak resident set of the ended child processes, in MB."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class TreeMemory:
    """The peak of the summed resident sets of this process and its children, sampled from /proc (Linux)."""

    def __init__(self, every: float = 0.1):
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)

    @staticmethod
    def _rss_kb(pid: str) -> int:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _tree(self) -> list[str]:
        me = str(os.getpid())
        pids = [me]
        try:
            with open(f"/proc/{me}/task/{me}/children") as fh:
                pids += fh.read().split()
        except OSError:
            pass
        return pids

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            self.peak_kb = max(self.peak_kb, sum(self._rss_kb(p) for p in self._tree()))

    def __enter__(self):
        if os.path.isdir("/proc"):
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="database to print (default: a fresh demo department)")
    ap.add_argument("--size", choices=("small", "large"), default="small",
                    help="the demo department to create when --db is not given (default small)")
    ap.add_argument("--repeat", type=int, default=3, help="renders after the first (default 3)")
    ap.add_argument("--paper", default="A4", choices=("A4", "A3"))
    ap.add_argument("--processes", type=int, default=None,
                    help="worker processes for the book (default: every core for a large book; 1: this process)")
    ap.add_argument("-v", "--verbose", action="store_true", help="say how the book's parts shared the work")
    args = ap.parse_args(argv)
    if args.verbose:
        import logging

        logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.db:
            path = Path(args.db)
        else:
            from ato_desktop.demo import create_demo_database
            from ato_desktop.demo_large import create_large_demo_database

            path = tmp / "demo.atodb"
            t = time.perf_counter()
            (create_large_demo_database if args.size == "large" else create_demo_database)(path)
            print(f"{args.size} demo database created in {time.perf_counter() - t:.2f} s "
                  f"(peak memory so far {peak_mb():.0f} MB)")
        db = open_database(path)
        memory = TreeMemory()
        try:
            times = []
            with memory:
                for i in range(1 + max(0, args.repeat)):
                    t = time.perf_counter()
                    cpu, kids = time.process_time(), children_cpu()
                    try:
                        r = render_report(db, "book", tmp / f"book{i}.pdf", paper=args.paper, processes=args.processes)
                    except Exception as exc:  # noqa: BLE001 (a benchmark reports what failed)
                        print(f"book render FAILED after {time.perf_counter() - t:.1f} s: {type(exc).__name__}: "
                              f"{str(exc)[:200]} (peak memory {peak_mb():.0f} MB)")
                        return 1
                    wall, cpu, kids = time.perf_counter() - t, time.process_time() - cpu, children_cpu() - kids
                    times.append(wall)
                    label = "first (cold)" if i == 0 else f"run {i}"
                    print(f"{label:>13}: {wall:6.2f} s wall, {cpu:6.2f} s CPU here + {kids:6.2f} s in workers  "
                          f"({r.pages} pages, {r.size / 1024:.0f} KB)")
        finally:
            db.close()
    warm = statistics.median(times[1:]) if len(times) > 1 else times[0]
    target = TARGETS_S["db" if args.db else args.size]
    verdict = "OK" if times[0] < target else "OVER TARGET"
    print(f"book render: first {times[0]:.2f} s, median warm {warm:.2f} s (target < {target:.0f} s: {verdict})")
    if hasattr(os, "getloadavg"):  # on a shared machine the wall time follows the load; the CPU time does not
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    peak = max(peak_mb(), memory.peak_mb)
    print(f"peak memory: this process {peak_mb():.0f} MB, largest worker {children_peak_mb():.0f} MB, all "
          f"processes together {memory.peak_mb:.0f} MB (target < {MEMORY_TARGET_MB} MB: "
          f"{'OK' if peak < MEMORY_TARGET_MB else 'OVER TARGET'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
