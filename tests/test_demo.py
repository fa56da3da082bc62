"""Invariants of the demo department and an independent proof of its planted timetable."""

from collections import defaultdict

import numpy as np

from ato_desktop.services import resources as res
from ato_desktop.services.compile import compile_database


def test_demo_shape(demo_db):
    counts = {e: res.count_items(demo_db, e) for e in ("faculty", "room", "group", "course", "activity", "basket")}
    assert 17 <= counts["faculty"] <= 22
    assert 9 <= counts["room"] <= 12
    faculty = res.list_items(demo_db, "faculty")
    assert all(f["email"] for f in faculty)
    assert {f["designation"] for f in faculty} >= {"Professor", "Associate Professor", "Assistant Professor"}
    rooms = res.list_items(demo_db, "room")
    assert any(r["kind"] == "seminar_hall" and r["shared"] and r["department"] == "ECE" for r in rooms)
    assert sum(r["kind"] == "lab" for r in rooms) >= 3
    acts = res.list_items(demo_db, "activity")
    assert {a["duration"] for a in acts if a["kind"] == "P"} == {2, 3}
    basket_acts = [a for a in acts if a["basket"]]
    assert len(basket_acts) == 2
    assert {res.get_item(demo_db, "course", a["course"])["department"] for a in basket_acts} == {"CSE", "ECE"}
    assert any(c["category"] == "multidisciplinary" for c in res.list_items(demo_db, "course"))


def test_demanded_periods_fit_every_resource(demo_db):
    comp, _, _ = compile_database(demo_db)
    p = comp.problem
    demand = np.zeros(p.n_resources, int)
    for s in range(p.n_sessions):
        for q in p.resources_of(s):
            demand[q] += p.session_duration[s]
    available = (p.resource_available & p.slot_usable[None, :]).sum(axis=1)
    assert (demand <= available).all()
    # faculty weekly load limits hold for the generated teaching assignment
    for f in res.list_items(demo_db, "faculty"):
        q = comp.faculty_codes.index(f["code"])
        assert demand[q] <= f["max_weekly_periods"], f["code"]


def test_every_activity_has_a_qualified_room(demo_db):
    comp, _, _ = compile_database(demo_db)
    p = comp.problem
    assert p.session_allowed_rooms.any(axis=1).all()


def test_planted_timetable_has_no_hard_conflict(demo_db):
    """Checked here by brute force, independently of the engine's scoring."""
    comp, a, _ = compile_database(demo_db, "Reference timetable")
    p = comp.problem
    P = p.periods_per_day
    res_use = defaultdict(list)
    room_use = defaultdict(list)
    daily = defaultdict(int)
    for s in range(p.n_sessions):
        t, r, d = int(a.start[s]), int(a.room[s]), int(p.session_duration[s])
        assert t >= 0 and r >= 0, f"{p.session_labels[s]} is not scheduled"
        assert t % P + d <= P, f"{p.session_labels[s]} runs past the end of the day"
        assert p.session_allowed_rooms[s, r], f"{p.session_labels[s]} is in unsuitable room {p.room_names[r]}"
        for u in range(t, t + d):
            assert p.slot_usable[u], f"{p.session_labels[s]} overlaps a break"
            assert p.room_available[r, u]
            assert p.session_available[s, u]
            room_use[(r, u)].append(s)
            for q in p.resources_of(s):
                assert p.resource_available[q, u], f"{p.resource_names[q]} unavailable for {p.session_labels[s]}"
                res_use[(q, u)].append(s)
                daily[(q, u // P)] += 1
    assert all(len(v) == 1 for v in room_use.values())
    assert all(len(v) == 1 for v in res_use.values()), [
        [p.session_labels[s] for s in v] for v in res_use.values() if len(v) > 1][:3]
    for (q, day), n in daily.items():
        lim = p.resource_max_daily[q]
        assert lim == 0 or n <= lim
    for members in p.sync_sets:
        assert len({int(a.start[s]) for s in members}) == 1


def test_faculty_unavailability_exists_and_is_respected(demo_db):
    from ato_desktop.services.availability import get_marks

    marked = [f["code"] for f in res.list_items(demo_db, "faculty") if get_marks(demo_db, "faculty", f["code"])]
    assert len(marked) >= 4


def test_demo_generation_is_deterministic(tmp_path):
    from ato_desktop.demo import create_demo_database

    a = create_demo_database(tmp_path / "a.atodb")
    b = create_demo_database(tmp_path / "b.atodb")
    assert np.array_equal(a.planted.start, b.planted.start) and np.array_equal(a.planted.room, b.planted.room)


def test_both_demo_generators_refuse_an_existing_empty_file(tmp_path):
    """One rule for the small and the large demo (the large one took an empty file as new): a file the
    user has, even an empty one, is not replaced without --force; it stays as it was."""
    import pytest

    from ato_desktop.demo import create_demo_database
    from ato_desktop.demo_large import create_large_demo_database

    for create in (create_demo_database, create_large_demo_database):
        empty = tmp_path / f"{create.__name__}.atodb"
        empty.touch()
        with pytest.raises(FileExistsError, match="already exists"):
            create(empty)
        assert empty.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == [empty.name]
        empty.unlink()
