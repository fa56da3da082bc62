"""FET round trip over fet-data's examples: import, solve with our optimizer, export with the timetable
locked, and let ``fet-cl`` regenerate it (it must report ``Simulation successful``).

    python benchmarks/fet_roundtrip.py [--time-limit 5] [--all | FILE.fet ...]

Without files: the deterministic sample the import test uses (every Indian example plus about 34 others).
Prints one line per file: FET-OK (FET accepts our timetable), HARD n (our optimizer left n hard violations,
nothing to hand to FET), FET-FAIL (FET refused a timetable we called conflict-free), REFUSED (import refused).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--all", action="store_true", help="every example file")
    args = ap.parse_args(argv)
    if args.all:
        os.environ["ATO_FET_ALL"] = "1"
    from ato_desktop.services.errors import ServiceError
    from ato_desktop.services.fet_export import export_fet
    from ato_desktop.services.fet_import import import_fet
    from ato_desktop.services.solving import ImpossibleProblemError, solve_database
    from ato_desktop.storage.database import open_database
    from tests.services.test_fet_import import FET_EXAMPLES, _examples
    from tests.services.test_fet_roundtrip import FET_CL, fet_cl_generates

    if FET_CL is None:
        print("fet-cl is not installed (apt-get install fet).")
        return 1
    files = args.files or _examples()
    counts: dict[str, int] = {}
    for src in files:
        name = str(src.relative_to(FET_EXAMPLES)) if src.is_relative_to(FET_EXAMPLES) else str(src)
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            try:
                import_fet(src, tmp / "x.atodb")
                db = open_database(tmp / "x.atodb")
                try:
                    out = solve_database(db, time_limit=args.time_limit, seed=0)
                    if out.hard:
                        verdict = f"HARD {out.hard}"
                    else:
                        export_fet(db, tmp / "x.fet", timetable=out.version.name)
                finally:
                    db.close()
                if not out.hard:
                    ok, _log = fet_cl_generates(tmp / "x.fet", tmp / "fet-out", seconds=60, grace=10)
                    verdict = "FET-OK" if ok else "FET-FAIL"
            except ServiceError as exc:
                verdict = f"REFUSED ({exc})"
            except ImpossibleProblemError as exc:  # the solve's check on the data refused it
                verdict = f"IMPOSSIBLE ({str(exc).splitlines()[1][:100]})"
        key = verdict.split()[0]
        counts[key] = counts.get(key, 0) + 1
        print(f"{verdict:10} {time.monotonic() - t0:6.1f} s  {name}", flush=True)
    print(f"\n{len(files)} files: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
