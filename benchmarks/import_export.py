"""Import/export timings: read, check and import N faculty from CSV and XLSX; export them back.

    python benchmarks/import_export.py [N] [--size large]

Prints seconds per step. Uses a temporary database (created, then deleted): an empty one, or with
``--size large`` the large demo department (the faculty are imported next to its 93).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ato_desktop.io.export import export_rows  # noqa: E402
from ato_desktop.io.tabular import read_table  # noqa: E402
from ato_desktop.services import exports, imports  # noqa: E402
from ato_desktop.services import resources as res  # noqa: E402
from ato_desktop.storage.database import open_database  # noqa: E402


def main(n: int, size: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        headers = ["Code", "Name", "E-mail", "Department", "Max periods / week"]
        rows = [[f"F{i:05d}", f"Faculty member {i}", f"f{i}@college.edu.in", "CSE", 14 + i % 5] for i in range(n)]
        for suffix in (".csv", ".xlsx"):
            src = tmp / f"faculty{suffix}"
            export_rows(src, headers, rows)
            if size == "large":
                from ato_desktop.demo_large import create_large_demo_database

                create_large_demo_database(tmp / f"bench{suffix}.atodb")
                db = open_database(tmp / f"bench{suffix}.atodb")
            else:
                db = open_database(tmp / f"bench{suffix}.atodb")
                res.create_item(db, "department", {"code": "CSE", "name": "CS", "is_home": True})
            t0 = time.perf_counter()
            table = read_table(src)
            t1 = time.perf_counter()
            mapping = imports.mapping_for("faculty", table)
            prepared, errors = imports.prepare(db, "faculty", table, mapping)
            errors = imports.check_rows(db, "faculty", prepared, table=table, mapping=mapping)
            t2 = time.perf_counter()
            result = imports.import_rows(db, "faculty", prepared, table=table, mapping=mapping, backup=True)
            t3 = time.perf_counter()
            snap = imports.remove_imported(db, "faculty", result.ids)
            t4 = time.perf_counter()
            imports.restore_imported(db, snap)
            out = tmp / f"out{suffix}"
            t5 = time.perf_counter()
            exports.export_items(db, "faculty", out)
            t6 = time.perf_counter()
            db.close()
            assert not errors and result.count == n
            print(f"{suffix[1:]:>4} {n} faculty: read {t1 - t0:.2f} s, check every row {t2 - t1:.2f} s, "
                  f"backup+import {t3 - t2:.2f} s, undo {t4 - t3:.2f} s, export {t6 - t5:.2f} s")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=2000, help="faculty to import (default 2000)")
    ap.add_argument("--size", choices=("large",), default=None, help="import into the large demo department")
    args = ap.parse_args()
    main(args.n, args.size)
