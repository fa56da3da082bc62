"""Campus load test (issue 19; a benchmark, not a test): coordinators committing at once on one campus.

    python benchmarks/campus_load.py                      # a throwaway server, 20 coordinators, 300 s
    python benchmarks/campus_load.py --seconds 60
    python benchmarks/campus_load.py --db postgresql://ato_admin@campus-db/loadtest   # an empty database

Twenty coordinators (threads, each with its own connection pool) own one department each. Every
department has 4 lessons that need one of 5 shared halls and one of 10 shared faculty. In a loop each
coordinator moves its lessons to random days, periods, halls and shared faculty (one transaction) and
commits the version (``services.campus.commit``). At the end: the number of double bookings in the
committed occupancy (a self-join: must be 0), commits won and refused (every refusal must carry its
clashes in words), errors (must be 0: no deadlock or traceback escapes), and the commit latency p50/p99.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import traceback
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import select, text  # noqa: E402

from ato_desktop.services import campus  # noqa: E402
from ato_desktop.storage import models as m  # noqa: E402
from ato_desktop.storage.database import open_database  # noqa: E402

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]
PERIODS = 8
HALLS = 5
SHARED_FACULTY = 10
LESSONS = 4

DOUBLE_BOOKINGS = text("""
    SELECT count(*) FROM committed_occupancy a JOIN committed_occupancy b
      ON a.id < b.id AND a.day_id = b.day_id
     AND a.period_from <= b.period_to AND b.period_from <= a.period_to
     AND (a.room_id = b.room_id OR a.faculty_id = b.faculty_id)""")


def build(db, departments: int) -> None:
    with db.session() as s:
        for i, d in enumerate(DAYS):
            s.add(m.Day(position=i, name=d, short_name=d))
        for p in range(PERIODS):
            s.add(m.Period(position=p, label=f"P{p + 1}", start_time=f"{8 + p:02d}:00", end_time=f"{8 + p:02d}:50"))
        home = m.Department(code="CAMPUS", name="Campus")
        s.add(home)
        s.flush()
        for h in range(HALLS):
            s.add(m.Room(code=f"H{h + 1}", name=f"Hall {h + 1}", capacity=200, kind="seminar_hall", shared=True))
        for f in range(SHARED_FACULTY):
            s.add(m.Faculty(code=f"SF{f + 1}", name=f"Dr. Shared {f + 1}", department_id=home.id))
        for k in range(departments):
            code = f"D{k + 1:02d}"
            d = m.Department(code=code, name=f"Department {code}")
            s.add(d)
            s.flush()
            g = m.StudentGroup(code=f"{code}-1", department_id=d.id, strength=60)
            c = m.Course(code=f"{code}C", title="Common Course", department_id=d.id)
            s.add_all([g, c])
            s.flush()
            tt = m.Timetable(name=f"{code} Odd", department_id=d.id)
            s.add(tt)
            s.flush()
            for j in range(LESSONS):
                a = m.Activity(course=c, kind="L", sessions_per_week=1, duration=1 + (j % 2), room_kind="seminar_hall")
                a.groups = [g]
                s.add(a)
                s.flush()
                s.add(m.SessionAssignment(timetable_id=tt.id, activity_id=a.id, occurrence=0))


def shuffle(db, code: str, rng: random.Random) -> None:
    """Move the department's lessons to random slots, halls and shared faculty (one transaction)."""
    with db.session() as s:
        days = list(s.scalars(select(m.Day.id).order_by(m.Day.position)))
        periods = list(s.scalars(select(m.Period.id).order_by(m.Period.position)))
        halls = list(s.scalars(select(m.Room.id).where(m.Room.shared.is_(True))))
        shared = list(s.scalars(select(m.Faculty).where(m.Faculty.code.like("SF%"))))
        tt = s.scalar(select(m.Timetable).where(m.Timetable.name == f"{code} Odd"))
        for sa in tt.assignments:
            a = sa.activity
            sa.day_id = rng.choice(days)
            sa.period_id = periods[rng.randrange(0, PERIODS - a.duration + 1)]
            sa.room_id = rng.choice(halls)
            a.faculty = [rng.choice(shared)]


def coordinator(url: str, code: str, until: float, seed: int, out: dict) -> None:
    rng = random.Random(seed)
    db = open_database(url)
    try:
        while time.monotonic() < until:
            try:
                shuffle(db, code, rng)
                t0 = time.perf_counter()
                try:
                    campus.commit(db, code, f"{code} Odd")
                    out["won"] += 1
                except campus.CommitRefused as exc:
                    out["refused"] += 1
                    if not exc.clashes or any(str(c) not in str(exc) for c in exc.clashes[:10]):
                        out["refused_without_clashes"] += 1
                out["latency"].append(time.perf_counter() - t0)
            except Exception:  # noqa: BLE001 - counted and shown: there must be none
                out["errors"].append(traceback.format_exc(limit=3))
    finally:
        db.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="an empty campus database (default: a throwaway local server)")
    ap.add_argument("--coordinators", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    server = None
    url = args.db
    if url is None:
        from tests.campus.pgserver import start_server

        server = start_server(max_connections=args.coordinators * 3 + 10)
        url = server.url(server.create_database("load"))
    try:
        db = open_database(url)
        build(db, args.coordinators)
        results = [dict(won=0, refused=0, refused_without_clashes=0, latency=[], errors=[])
                   for _ in range(args.coordinators)]
        until = time.monotonic() + args.seconds
        threads = [threading.Thread(target=coordinator, args=(url, f"D{k + 1:02d}", until, args.seed + k, results[k]))
                   for k in range(args.coordinators)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with db.read_session() as s:
            doubles = s.scalar(DOUBLE_BOOKINGS)
            rows = s.scalar(text("SELECT count(*) FROM committed_occupancy"))
        db.close()
    finally:
        if server is not None:
            server.stop()
    lat = sorted(x for r in results for x in r["latency"])
    won = sum(r["won"] for r in results)
    refused = sum(r["refused"] for r in results)
    bare = sum(r["refused_without_clashes"] for r in results)
    errors = [e for r in results for e in r["errors"]]
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [float("nan")] * 99
    print(f"{args.coordinators} coordinators, {args.seconds:.0f} s, {HALLS} shared halls, {SHARED_FACULTY} shared faculty")
    print(f"commits: {won} won, {refused} refused ({bare} refused without clashes in words), {len(errors)} errors")
    print(f"commit latency: p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms, max {lat[-1] * 1000:.1f} ms"
          if lat else "no commits")
    print(f"end state: {rows} committed occupancy rows, {doubles} double bookings")
    for e in errors[:3]:
        print(e, file=sys.stderr)
    return 0 if doubles == 0 and not errors and not bare else 1


if __name__ == "__main__":
    sys.exit(main())
