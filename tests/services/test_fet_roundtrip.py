"""FET round trip: import a .fet file, solve with our optimizer, export with the timetable locked, and let
FET's own command line (``fet-cl``) regenerate exactly that timetable: FET must report a successful
generation, i.e. the timetable breaks no 100 % constraint FET knows of."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ato_desktop.services.fet_export import export_fet
from ato_desktop.services.fet_import import import_fet
from ato_desktop.services.solving import solve_database
from ato_desktop.storage.database import open_database

DATA = Path(__file__).resolve().parents[1] / "data" / "fet"
EXAMPLES = Path("/usr/share/doc/fet-data/examples")
FET_CL = shutil.which("fet-cl")
# Four Indian examples and five others that our optimizer solves (hard 0) within seconds (Kurukshetra, REVA and
# New Delhi: below).
ROUND_TRIP_EXAMPLES = [
    "FET-5-official/India/St-Marys-College/St-Marys-College-Puthanagadi.fet",
    "FET-5-official/India/2021/St-Joseph-EMHSS-Puthanangadi/stjosephemhss.fet",
    "FET-5-official/India/2021/St-Joseph-EMHSS-Puthanangadi/stjosephemhss1.fet",
    "FET-5-official/India/Chennai/Anna-University/timetable_July_Nov_09_9.fet",
    "FET-5-official/Denmark/small-school.fet",
    "FET-5-block-planning/small-example.fet",
    "FET-5-official/Argentina/Horario_ISJ.fet",
    "FET-5-mornings-afternoons/Algeria-old-format/5/AMIROUCHE.fet",
    "FET-5-mornings-afternoons/Morocco/1/farabi432.fet",
    # Bulgaria (Lom), the simpler Italian school and Greek Gymnasio passed while a FET 100 % constraint on a
    # soft-only rule could be left broken; as musts (hard) our optimizer leaves 2-4 of them after 60 s.
]

needs_fet = pytest.mark.skipif(FET_CL is None, reason="fet-cl is not installed (apt-get install fet)")


def fet_cl_generates(fet_file: Path, outdir: Path, seconds: int = 60, grace: int = 30) -> tuple[bool, str]:
    """Run ``fet-cl`` on a file; success is exit status 0 and 'Simulation successful' in logs/result.txt."""
    outdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    # fet-cl does not always stop at its time limit (a locked activity it cannot place keeps it searching);
    # SIGTERM makes it write what it has and stop ("Simulation interrupted").
    proc = subprocess.Popen([FET_CL, f"--inputfile={fet_file}", f"--outputdir={outdir}",
                             f"--timelimitseconds={seconds}", "--htmllevel=0", "--writetimetablesstatistics=false"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        output, _ = proc.communicate(timeout=seconds + grace)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    result = outdir / "logs" / "result.txt"
    log = result.read_text(encoding="utf-8-sig", errors="replace") if result.exists() else ""
    ok = proc.returncode == 0 and "Simulation successful" in log
    return ok, log + (output or "")[-3000:]


def solve_until_clean(db, *, time_limit: float, seed: int = 0):
    """Solve, stopping as soon as the best timetable has hard 0: a condition on the search, not a wall time
    (a loaded machine only makes it later); ``time_limit`` is only the cap. A FET constraint at 100 % on a
    rule the engine has only as soft is a must, counted in the hard total (docs/constraints.md "FET
    weights"): hard 0 breaks none of them."""
    clean = []

    def seen(p) -> None:
        d = p.detail
        if d is not None and d.best_hard == 0:
            clean.append(d.elapsed)

    return solve_database(db, time_limit=time_limit, seed=seed, on_progress=seen, should_stop=lambda: bool(clean))


def round_trip(src: Path, tmp_path: Path, time_limit: float = 60.0, seed: int = 0) -> tuple[bool, str]:
    db_path = tmp_path / "imported.atodb"
    import_fet(src, db_path)
    db = open_database(db_path)
    try:
        out = solve_until_clean(db, time_limit=time_limit, seed=seed)
        assert out.hard == 0, f"our optimizer left {out.hard} hard violations on {src.name}"
        fet_file = tmp_path / "export.fet"
        report = export_fet(db, fet_file, timetable=out.version.name)
        assert report.locked > 0 and report.unplaced == 0
    finally:
        db.close()
    return fet_cl_generates(fet_file, tmp_path / "fet-out")


@needs_fet
def test_handmade_file_round_trips_through_fet(tmp_path):
    ok, log = round_trip(DATA / "split_subgroups.fet", tmp_path)
    assert ok, log


@needs_fet
def test_breaks_on_some_days_round_trip_through_fet(tmp_path):
    """Break times on some days, imported as those days' closed periods, go back to FET as break times."""
    ok, log = round_trip(DATA / "some_day_breaks.fet", tmp_path)
    assert ok, log
    assert "ConstraintBreakTimes" in (tmp_path / "export.fet").read_text(encoding="utf-8")


@needs_fet
def test_fet_refuses_a_timetable_that_breaks_a_hard_rule(tmp_path):
    """The check has teeth: a locked timetable with a teacher in two places at once is refused by FET."""
    from ato_desktop.services import timetables as tts
    from ato_desktop.storage import models as m
    from sqlalchemy import select

    db_path = tmp_path / "imported.atodb"
    import_fet(DATA / "split_subgroups.fet", db_path)
    db = open_database(db_path)
    try:
        out = solve_database(db, time_limit=2.0, seed=0)
        with db.session() as s:  # put two of T1's sessions (DS #1 and the elective) at the same time
            rows = list(s.scalars(select(m.SessionAssignment).where(
                m.SessionAssignment.timetable_id == out.version.id)))
            t1 = [r for r in rows if any(f.code == "T1" for f in r.activity.faculty)]
            a, b = t1[0], t1[-1]
            assert a.activity_id != b.activity_id
            b.day_id, b.period_id = a.day_id, a.period_id
        fet_file = tmp_path / "bad.fet"
        export_fet(db, fet_file, timetable=tts.get_timetable(db, out.version.id).name)
    finally:
        db.close()
    ok, log = fet_cl_generates(fet_file, tmp_path / "fet-out", seconds=2, grace=3)
    assert not ok, log


def _examples() -> list[str]:
    if os.environ.get("ATO_FET_ALL") == "1" and EXAMPLES.is_dir():
        return [str(p.relative_to(EXAMPLES)) for p in sorted(EXAMPLES.rglob("*.fet"))]
    return ROUND_TRIP_EXAMPLES


@needs_fet
@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="Debian's fet-data is not installed (apt-get install fet-data)")
@pytest.mark.parametrize("rel", _examples())
def test_fet_example_round_trips(tmp_path, rel):
    src = EXAMPLES / rel
    if not src.exists():
        pytest.skip(f"{rel} is not in this fet-data version")
    ok, log = round_trip(src, tmp_path)
    assert ok, log


@needs_fet
def test_demo_reference_timetable_passes_fet(demo_db_path, tmp_path):
    """The demo department's conflict-free reference timetable (labs, batches, an elective basket with
    cohorts, room kinds and features, unavailability) breaks no hard rule in FET's eyes either."""
    fet_file = tmp_path / "demo.fet"
    db = open_database(demo_db_path)
    try:
        report = export_fet(db, fet_file, timetable="Reference timetable")
    finally:
        db.close()
    assert report.locked == 155 and report.unplaced == 0
    ok, log = fet_cl_generates(fet_file, tmp_path / "fet-out")
    assert ok, log


# Kurukshetra is a relaxation of the FET file for our engine (FET's own timetable, locked, scores hard 0
# here) and the chain import -> solve -> export -> fet-cl holds on it (below: our own timetable does too).
# New Delhi: an exact packing, reached by the optimizer's conflict-directed hard phase (engine.construct) in
# 10-50 s at load 20; fet-cl on the original file takes 75-113 s or more (docs/fet.md).
SLOW = os.environ.get("ATO_FET_SLOW") == "1"


@needs_fet
@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="Debian's fet-data is not installed (apt-get install fet-data)")
@pytest.mark.skipif(not SLOW, reason="fet-cl needs 30-60 s to timetable Kurukshetra (ATO_FET_SLOW=1 runs it)")
@pytest.mark.xfail(reason="our 'same room if consecutive' counts two classes with a break between as back to back, "
                          "FET does not: FET's own timetable scores hard 21 here (the test's last assert was "
                          "missing until session 6)", strict=True)
def test_kurukshetra_with_fets_own_timetable_round_trips(tmp_path):
    """FET's own timetable of Kurukshetra (its data_and_timetable file, every activity locked where FET put
    it) imports, is conflict-free for our engine, exports with our timetable locked, and fet-cl accepts it:
    the import and the export are right on this file."""
    src = EXAMPLES / "FET-5-official/India/Kurukshetra/Institute-of-Technology/MED_2019-20-1.fet"
    ok, log = fet_cl_generates(src, tmp_path / "fet-own", seconds=300)
    if not ok:
        pytest.skip("fet-cl found no timetable of its own within 300 s on this machine")
    (own,) = (tmp_path / "fet-own" / "timetables").glob("*/*_data_and_timetable.fet")
    (tmp_path / "ours").mkdir()
    ok, log = round_trip(own, tmp_path / "ours", time_limit=5.0)
    assert ok, log


@needs_fet
def test_fet_accepts_and_solves_the_exported_relations_between_activities(tmp_path):
    """The relations between activities (issue 17) written by export-fet are FET's own: fet-cl reads them (an
    'activity ends students day' only at 100 %, which weight 1000 is written as) and generates a timetable;
    our optimizer's timetable of the same file round-trips as the others do."""
    db_path = tmp_path / "rel.atodb"
    import_fet(DATA / "relations.fet", db_path)
    db = open_database(db_path)
    try:
        fet_file = tmp_path / "relations.fet"
        report = export_fet(db, fet_file)
    finally:
        db.close()
    assert report.constraints["ConstraintActivityEndsStudentsDay"] == 2
    assert report.constraints["ConstraintActivitiesSameRoomIfConsecutive"] == 1
    assert re.search(r"<ConstraintActivityEndsStudentsDay>\s*<Weight_Percentage>100</Weight_Percentage>",
                     fet_file.read_text(encoding="utf-8"))
    ok, log = fet_cl_generates(fet_file, tmp_path / "fet-out", seconds=20)
    assert ok, log
    (tmp_path / "trip").mkdir()
    ok, log = round_trip(DATA / "relations.fet", tmp_path / "trip")
    assert ok, log


@needs_fet
@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="Debian's fet-data is not installed (apt-get install fet-data)")
@pytest.mark.timeout(900)  # the solve's own cap is 300 s, then fet-cl: on a loaded machine, past the default
@pytest.mark.parametrize("seed", [1, pytest.param(0, marks=pytest.mark.skipif(
    not SLOW, reason="seed 0 needs 1-4 min with the musts (ATO_FET_SLOW=1 runs it)"))])
def test_kurukshetra_round_trips(tmp_path, seed):
    """Our own timetable of Kurukshetra (FET's 100 % rules: the engine's hard rules and the musts, e.g. min
    days on the lunch breaks; reached by the conflict-directed moves of engine.kernels.clash_pick and the swaps
    of focus_move) passes fet-cl, on two seeds (seed 1: 60-90 s at load 16 on 2 cores, import to fet-cl's
    verdict; seed 0 only with ATO_FET_SLOW=1; without the swaps: four musts left after 240 s)."""
    src = EXAMPLES / "FET-5-official/India/Kurukshetra/Institute-of-Technology/MED_2019-20-1.fet"
    ok, log = round_trip(src, tmp_path, time_limit=300.0, seed=seed)  # the cap only: a loaded machine
    assert ok, log


@needs_fet
@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="Debian's fet-data is not installed (apt-get install fet-data)")
@pytest.mark.skipif(not SLOW, reason="REVA University takes 20-30 s, import to fet-cl's verdict (ATO_FET_SLOW=1)")
def test_reva_university_round_trips(tmp_path):
    """REVA University (2095 sessions a week, one room): hard 0 in about 3 s here, fet-cl accepts it."""
    ok, log = round_trip(EXAMPLES / "FET-5-official/India/REVA-University/REVA-UNIVERSITY_JANUARY2016.fet",
                         tmp_path, time_limit=120.0)
    assert ok, log


@needs_fet
@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="Debian's fet-data is not installed (apt-get install fet-data)")
@pytest.mark.timeout(900)
@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.skipif(
    not SLOW, reason="one New Delhi seed in the suite; seed 1 with ATO_FET_SLOW=1"))])
def test_new_delhi_round_trips(tmp_path, seed):
    """New Delhi packs 40 periods of most classes into the 40 slots their rooms are open: the greedy start
    leaves about 100 clashes that the annealing alone did not remove in 300 s (hard 12-13 left); the
    conflict-directed hard phase (engine.construct) places the sessions one by one, evicting what is in the
    way, and reaches hard 0 in 10-50 s at load 20 on 2 cores (seeds 0-3)."""
    ok, log = round_trip(EXAMPLES / "FET-5-official/India/New-Delhi/Eng_College.fet", tmp_path, time_limit=300.0,
                         seed=seed)
    assert ok, log
