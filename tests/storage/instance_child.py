"""Second process for the two-instances tests (run as a script).

Modes:
  edit DB        open for editing (instance lock), add department OTHER, print "ready", wait for stdin EOF
  hold-write DB  open a write transaction adding department HELD, print "ready", commit on a stdin line
  writer DB P N  add N departments P0..P(N-1), one transaction each, print "done"
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    mode, db_path = argv[0], Path(argv[1])
    if mode == "edit":
        from ato_desktop.services import resources as res
        from ato_desktop.storage.instance import open_for_editing

        db = open_for_editing(db_path)
        res.create_item(db, "department", {"code": "OTHER", "name": "Added by the other instance"})
        print("ready", flush=True)
        sys.stdin.read()
        db.close()
    elif mode == "hold-write":
        con = sqlite3.connect(db_path, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO department (code, name, is_home) VALUES ('HELD', 'held transaction', 0)")
        print("ready", flush=True)
        sys.stdin.readline()
        con.execute("COMMIT")
        con.close()
        print("committed", flush=True)
    elif mode == "writer":
        from ato_desktop.services import resources as res
        from ato_desktop.storage.database import open_database

        prefix, n = argv[2], int(argv[3])
        db = open_database(db_path)
        print("ready", flush=True)
        sys.stdin.readline()  # start together with the parent
        for i in range(n):
            res.create_item(db, "department", {"code": f"{prefix}{i}", "name": f"Department {prefix}{i}"})
        db.close()
        print("done", flush=True)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
