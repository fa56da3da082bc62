"""A simulated month of absences: is the load of substitutions spread fairly?

    python benchmarks/substitutions_month.py                  # a fresh demo department
    python benchmarks/substitutions_month.py --size large     # a fresh large demo department (issue 16)
    python benchmarks/substitutions_month.py --db my.atodb --days 20 --seed 0 --per-day 3

On a copy of the database: the most recently published version is used (the first version is
published on the copy if none is; a term around today is set if the file has none). For 20 teaching days of the term, a seeded random
choice of 1 to ``--per-day`` faculty members of the home department is absent (most for the whole day,
some for a few periods), and each day is planned with ``auto`` (as ``substitutions plan --auto``).
Prints the lessons covered, those left to self-study, the time per day, and the spread of the
register: max minus min substitutions taken per eligible faculty member (the home department).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ato_desktop.services import substitution_day as sday
from ato_desktop.services import substitution_register as sreg
from ato_desktop.services import substitutions as sb  # noqa: E402
from ato_desktop.services import term as terms  # noqa: E402
from ato_desktop.services import timetables as tts  # noqa: E402
from ato_desktop.storage.database import Database, open_database  # noqa: E402


def simulate_month(db: Database, *, days: int = 20, seed: int = 0, per_day: int = 3) -> dict:
    """Record random absences on ``days`` teaching days of the term and plan each with auto."""
    rng = random.Random(seed)
    reg0 = sreg.register(db)
    pool = sorted(reg0.eligible())
    dates = [d.date for d in terms.term_dates(db)][:days]
    if len(dates) < days:
        raise SystemExit(f"the term has only {len(dates)} teaching days")
    lessons = self_study = 0
    seconds = []
    periods = [p.label for p in __import__("ato_desktop.services.calendar", fromlist=["x"]).get_calendar(db).periods
               if not p.is_break]
    for d in dates:
        for code in rng.sample(pool, rng.randint(1, per_day)):
            if rng.random() < 0.2:
                first = rng.randrange(len(periods) - 1)
                sb.add_absence(db, code, d, periods=periods[first:first + 2], reason="duty")
            else:
                sb.add_absence(db, code, d, reason=rng.choice(["leave", "leave", "other"]))
        t0 = time.perf_counter()
        sb.auto_plan(db, d)
        seconds.append(time.perf_counter() - t0)
        plan = sday.plan_day(db, d)
        lessons += len(plan.lessons)
        self_study += sum(1 for x in plan.lessons if x.arrangement and x.arrangement.kind == "self_study")
        assert all(x.covered for x in plan.lessons), f"{d}: a lesson is left uncovered"
    reg = sreg.register(db)
    taken = {t.code: t.taken for t in reg.totals if t.code in reg.eligible()}
    return {"days": len(dates), "lessons": lessons, "self_study": self_study, "register": reg,
            "spread": reg.spread(), "taken": taken, "median_plan_s": statistics.median(seconds)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="database to copy (default: a fresh demo department)")
    ap.add_argument("--size", choices=("small", "large"), default="small",
                    help="the fresh demo department's size, without --db (default small)")
    ap.add_argument("--days", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-day", type=int, default=3, help="at most this many absent per day (default 3)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "month.atodb"
        if args.db:
            shutil.copyfile(args.db, path)
        elif args.size == "large":
            from ato_desktop.demo_large import create_large_demo_database

            create_large_demo_database(path)
        else:
            from ato_desktop.demo import create_demo_database

            create_demo_database(path)
        db = open_database(path)
        try:
            if tts.latest_published(db) is None:
                tts.set_status(db, tts.list_timetables(db)[0].id, "published")
            if not terms.get_term(db).is_set:  # e.g. the scale benchmark's file
                terms.set_demo_term(db, terms.today())
            t0 = time.perf_counter()
            out = simulate_month(db, days=args.days, seed=args.seed, per_day=args.per_day)
            total = time.perf_counter() - t0
        finally:
            db.close()
    print(f"{out['days']} days, {out['lessons']} lessons to cover, {out['self_study']} left to self-study, "
          f"{total:.1f} s in all (median auto plan {out['median_plan_s'] * 1000:.0f} ms)")
    print("substitutions taken: " + ", ".join(f"{c} {n}" for c, n in sorted(out["taken"].items())))
    print(f"spread (max minus min substitutions per eligible faculty member): {out['spread']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
