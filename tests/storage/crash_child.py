"""Child process of the crash-safety test (run as a script), and the model the parent checks against.

The child applies operations k = n+1, n+2, ... forever, each ONE transaction
through the services layer, until the parent kills it with SIGKILL:

* k % 5 == 0: create room ``KX<k>`` (capacity from k)
* k % 5 == 1: rename the first faculty member to ``Name v<k>``
* k % 5 == 2: apply an "optimizer result": every session of the timetable gets a
  placement that depends on k (some unscheduled), with hard cost k and soft
  cost a checksum of the placements, via ``save_placements`` (one transaction)
* k % 5 == 3: delete room ``KX<k-3>``
* k % 5 == 4: bulk-create rooms ``BK<k>-0`` .. ``BK<k>-4`` (all or nothing)

Every operation changes the state and the state after n operations is a pure
function of n (:func:`apply_op`), so the parent can tell which n the database
holds, and any half-applied transaction matches no n at all.
"""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

TIMETABLE = "Reference timetable"


@dataclass
class Base:
    """What the operations need to know about the starting database (read once)."""

    faculty_code: str
    session_ids: list[int]
    n_days: int
    n_periods: int
    rooms: list[str]  # the original rooms, used by placements


@dataclass
class State:
    rooms: dict[str, int] = field(default_factory=dict)  # KX*/BK* rooms -> capacity
    faculty_name: str = ""
    hard: int | None = None
    soft: int | None = None
    placements: dict[int, tuple] = field(default_factory=dict)

    def copy(self) -> "State":
        return State(dict(self.rooms), self.faculty_name, self.hard, self.soft, dict(self.placements))


def placements_for(base: Base, k: int) -> dict[int, tuple]:
    out = {}
    for i, sid in enumerate(base.session_ids):
        if (i + k) % 7 == 0:
            out[sid] = (None, None, None)
        else:
            out[sid] = ((i + k) % base.n_days, (3 * i + k) % base.n_periods, base.rooms[(i * 5 + k) % len(base.rooms)])
    return out


def checksum(placements: dict[int, tuple]) -> int:
    total = 0
    for sid, (d, p, r) in sorted(placements.items()):
        total = (total * 31 + sid * 7 + (d if d is not None else 97) * 13 + (p if p is not None else 89)
                 + sum(map(ord, r or ""))) % 1_000_003
    return total


def capacity(k: int) -> int:
    return 10 + k % 90


def apply_op(state: State, base: Base, k: int) -> None:
    """The model: what operation k does to the state."""
    kind = k % 5
    if kind == 0:
        state.rooms[f"KX{k}"] = capacity(k)
    elif kind == 1:
        state.faculty_name = f"Name v{k}"
    elif kind == 2:
        pl = placements_for(base, k)
        state.placements = pl
        state.hard, state.soft = k, checksum(pl)
    elif kind == 3:
        state.rooms.pop(f"KX{k - 3}", None)
    else:
        for j in range(5):
            state.rooms[f"BK{k}-{j}"] = capacity(k + j)


def read_base(con: sqlite3.Connection) -> Base:
    fac = con.execute("SELECT code FROM faculty ORDER BY code LIMIT 1").fetchone()[0]
    tt = con.execute("SELECT id FROM timetable WHERE name=?", (TIMETABLE,)).fetchone()[0]
    sids = [r[0] for r in con.execute("SELECT id FROM session_assignment WHERE timetable_id=? ORDER BY id", (tt,))]
    n_days = con.execute("SELECT count(*) FROM day").fetchone()[0]
    n_periods = con.execute("SELECT count(*) FROM period").fetchone()[0]
    rooms = [r[0] for r in con.execute("SELECT code FROM room WHERE code NOT LIKE 'KX%' AND code NOT LIKE 'BK%' ORDER BY code")]
    return Base(fac, sids, n_days, n_periods, rooms)


def read_state(con: sqlite3.Connection, base: Base) -> State:
    rooms = {c: cap for c, cap in con.execute(
        "SELECT code, capacity FROM room WHERE code LIKE 'KX%' OR code LIKE 'BK%'")}
    name = con.execute("SELECT name FROM faculty WHERE code=?", (base.faculty_code,)).fetchone()[0]
    hard, soft, tt = con.execute("SELECT hard_cost, soft_cost, id FROM timetable WHERE name=?", (TIMETABLE,)).fetchone()
    placements = {}
    for sid, d, p, r in con.execute(
        "SELECT a.id, d.position, p.position, r.code FROM session_assignment a "
        "LEFT JOIN day d ON d.id = a.day_id LEFT JOIN period p ON p.id = a.period_id "
        "LEFT JOIN room r ON r.id = a.room_id WHERE a.timetable_id=?", (tt,)):
        placements[sid] = (d, p, r)
    return State(rooms, name, hard, soft, placements)


def run(db_path: Path, start: int) -> None:
    """Apply operations start+1, start+2, ... through the services until killed."""
    from ato_desktop.services import resources as res
    from ato_desktop.services import timetables as tts
    from ato_desktop.storage.database import open_database

    db = open_database(db_path)
    con = sqlite3.connect(db_path)
    base = read_base(con)
    con.close()
    print("ready", flush=True)
    k = start
    while True:
        k += 1
        kind = k % 5
        if kind == 0:
            res.create_item(db, "room", {"code": f"KX{k}", "capacity": capacity(k), "kind": "classroom"})
        elif kind == 1:
            res.update_item(db, "faculty", base.faculty_code, {"name": f"Name v{k}"})
        elif kind == 2:
            pl = placements_for(base, k)
            tts.save_placements(db, TIMETABLE, pl, hard=k, soft=checksum(pl))
        elif kind == 3:
            res.delete_item(db, "room", f"KX{k - 3}")
        else:
            res.bulk_create(db, "room", [{"code": f"BK{k}-{j}", "capacity": capacity(k + j)} for j in range(5)])
        if k == start + 1:  # the parent kills only after this: every round commits at least one operation
            print("first", flush=True)


if __name__ == "__main__":
    run(Path(sys.argv[1]), int(sys.argv[2]))
