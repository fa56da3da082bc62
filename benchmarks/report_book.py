"""Department book benchmark: time to render the demo department's complete timetable book.

    python benchmarks/report_book.py                 # a fresh demo database in a temporary folder
    python benchmarks/report_book.py --db my.atodb --repeat 5 --paper A3

Prints the page count, the file size, the first render (cold: fonts, numba cache load) and the
median of the following renders. Target: the demo book in under 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ato_desktop.reports import render_report  # noqa: E402
from ato_desktop.storage.database import open_database  # noqa: E402

TARGET_S = 5.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="database to print (default: a fresh demo department)")
    ap.add_argument("--repeat", type=int, default=3, help="renders after the first (default 3)")
    ap.add_argument("--paper", default="A4", choices=("A4", "A3"))
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.db:
            path = Path(args.db)
        else:
            from ato_desktop.demo import create_demo_database

            path = tmp / "demo.atodb"
            t = time.perf_counter()
            create_demo_database(path)
            print(f"demo database created in {time.perf_counter() - t:.2f} s")
        db = open_database(path)
        try:
            times = []
            for i in range(1 + max(0, args.repeat)):
                t = time.perf_counter()
                cpu = time.process_time()
                r = render_report(db, "book", tmp / f"book{i}.pdf", paper=args.paper)
                wall, cpu = time.perf_counter() - t, time.process_time() - cpu
                times.append(wall)
                label = "first (cold)" if i == 0 else f"run {i}"
                print(f"{label:>13}: {wall:6.2f} s wall, {cpu:6.2f} s CPU  ({r.pages} pages, {r.size / 1024:.0f} KB)")
        finally:
            db.close()
    warm = statistics.median(times[1:]) if len(times) > 1 else times[0]
    verdict = "OK" if times[0] < TARGET_S else "OVER TARGET"
    print(f"book render: first {times[0]:.2f} s, median warm {warm:.2f} s (target < {TARGET_S:.0f} s: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
