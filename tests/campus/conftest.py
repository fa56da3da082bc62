"""A real PostgreSQL server for the campus tests: one throwaway cluster per test session.

Debian's server binaries (``/usr/lib/postgresql/*/bin``) ``initdb`` a cluster in a temporary folder; the
server listens on a Unix socket in that folder and on 127.0.0.1 at a free port (password logins over
TCP: the superuser ``postgres`` has the password ``SUPERUSER_PASSWORD``; Unix-socket logins are trusted).
It is stopped at the end of the session (tests/campus/pgserver.py). initdb refuses to run as root: as root (CI) the cluster belongs
to the ``postgres`` user and the server runs as that user through ``runuser``.

Without the binaries the campus tests skip and say why (``.ci/run`` installs them from Debian's packages).
"""

from __future__ import annotations

import pytest

from tests.campus.pgserver import SUPERUSER_PASSWORD, ServerUnavailable, start_server  # noqa: F401
from tests.keyrings import memory_keyring  # noqa: F401 (fixture)


@pytest.fixture(scope="session")
def pg_server():
    try:
        server = start_server()
    except ServerUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """A new, empty database of the test server (its URL, Unix socket, superuser)."""
    return pg_server.url(pg_server.create_database())


@pytest.fixture(scope="session")
def _campus_template(pg_server) -> str:
    """A database migrated to the head once per session (the migrations take a second or two each time)."""
    from ato_desktop.storage.database import open_database

    name = pg_server.create_database("template")
    open_database(pg_server.url(name)).close()
    return name


@pytest.fixture
def pg_campus_url(pg_server, _campus_template) -> str:
    """A new campus database with the schema at the head (a copy of the session's migrated template)."""
    return pg_server.url(pg_server.create_database(template=_campus_template))


@pytest.fixture
def no_pgpass(monkeypatch, tmp_path):
    """libpq finds no ~/.pgpass (nor a password in the environment)."""
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    monkeypatch.delenv("PGPASSWORD", raising=False)


# ---- a small campus: two departments sharing a seminar hall and one faculty member ------------------
DAYS = [("Monday", "Mon"), ("Tuesday", "Tue"), ("Wednesday", "Wed")]
PERIODS = [("P1", "09:00", "09:50"), ("P2", "09:50", "10:40"), ("P3", "11:00", "11:50"), ("P4", "11:50", "12:40")]


def build_calendar(db) -> None:
    from ato_desktop.storage import models as m

    with db.session() as s:
        for i, (name, short) in enumerate(DAYS):
            s.add(m.Day(position=i, name=name, short_name=short))
        for i, (label, a, b) in enumerate(PERIODS):
            s.add(m.Period(position=i, label=label, start_time=a, end_time=b))


def build_department(db, code: str, *, home: bool = False, hall: bool = True) -> None:
    """Department ``code`` with a group, a course, a lab activity in the shared Seminar Hall, taught by
    the shared faculty member SHR and one of its own, and a version "CODE Odd" with the lab on Tue P3–P4.
    The Seminar Hall and SHR are created by the first department that needs them."""
    from sqlalchemy import select

    from ato_desktop.storage import models as m

    with db.session() as s:
        d = m.Department(code=code, name=f"Department of {code}", is_home=home)
        s.add(d)
        s.flush()
        day = {x.short_name: x for x in s.scalars(select(m.Day))}
        period = {x.label: x for x in s.scalars(select(m.Period))}
        hall_room = s.scalar(select(m.Room).where(m.Room.code == "SH"))
        if hall_room is None:
            hall_room = m.Room(code="SH", name="Seminar Hall", capacity=120, kind="seminar_hall", shared=True)
            s.add(hall_room)
        shared = s.scalar(select(m.Faculty).where(m.Faculty.code == "SHR"))
        if shared is None:
            shared = m.Faculty(code="SHR", name="Dr. S. Sharma", department_id=d.id)
            s.add(shared)
        own_room = m.Room(code=f"{code}-101", name=f"{code} 101", capacity=60, department_id=d.id)
        own = m.Faculty(code=f"{code}1", name=f"Dr. {code} One", department_id=d.id)
        g = m.StudentGroup(code=f"{code}-5A", name=f"{code} 5A", department_id=d.id, semester=5, strength=60)
        c = m.Course(code=f"{code}501", title="Signals Lab" if code == "ECE" else "Networks Lab",
                     department_id=d.id, practical_hours=2)
        c2 = m.Course(code=f"{code}502", title="Theory", department_id=d.id)
        s.add_all([own_room, own, g, c, c2])
        s.flush()
        lab = m.Activity(course=c, kind="P", sessions_per_week=1, duration=2, room_kind="seminar_hall")
        lab.groups = [g]
        lab.faculty = [shared, own]
        lecture = m.Activity(course=c2, kind="L", sessions_per_week=1, duration=1)
        lecture.groups = [g]
        lecture.faculty = [own]
        s.add_all([lab, lecture])
        tt = m.Timetable(name=f"{code} Odd", department_id=None if home else d.id)
        s.add(tt)
        s.flush()
        s.add(m.SessionAssignment(timetable_id=tt.id, activity_id=lab.id, occurrence=0, day_id=day["Tue"].id,
                                  period_id=period["P3"].id, room_id=hall_room.id if hall else own_room.id))
        s.add(m.SessionAssignment(timetable_id=tt.id, activity_id=lecture.id, occurrence=0, day_id=day["Mon"].id,
                                  period_id=period["P1"].id, room_id=own_room.id))


@pytest.fixture
def campus_db(pg_campus_url):
    """A campus database with the calendar and two departments, ECE and CSE (build_department)."""
    from ato_desktop.storage.database import open_database

    db = open_database(pg_campus_url)
    build_calendar(db)
    build_department(db, "ECE")
    build_department(db, "CSE")
    yield db
    db.close()


def race_past_the_clash_check(monkeypatch, calls: dict, *, modules=()) -> dict:
    """Run each of ``calls`` (name -> function) on its own thread so that all of them pass the clash check
    in Python, and find no clash, before any writes (a barrier holds them there): the database decides.
    ``clashes`` is replaced in ``services.campus`` and in each of ``modules`` that imported it.
    Returns name -> the call's result, or the exception it raised."""
    import threading

    from ato_desktop.services import campus

    barrier = threading.Barrier(len(calls), timeout=30)
    real = campus.clashes
    waited: set[int] = set()

    def clashes_then_wait(s, rows, department_id):
        found = real(s, rows, department_id)
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            assert found == []
            barrier.wait()  # all have checked; now all write
        return found

    for module in (campus, *modules):
        monkeypatch.setattr(module, "clashes", clashes_then_wait)
    results: dict = {}

    def run(name, fn):
        try:
            results[name] = fn()
        except Exception as exc:  # noqa: BLE001 - the outcome is what is checked
            results[name] = exc

    threads = [threading.Thread(target=run, args=(name, fn)) for name, fn in calls.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
