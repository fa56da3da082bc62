"""A room's sharing grid (department × day × period): another department's room opened to CSE at some
periods is in CSE's problem then and only then; a shared hall made unavailable is unavailable to all."""

from __future__ import annotations

import pytest

from ato_desktop.services import campus, campus_sharing
from ato_desktop.services.compile import compile_database


def _open_cells(comp, code: str) -> list[str]:
    p = comp.problem
    if code not in comp.room_codes:
        return []
    i = comp.room_codes.index(code)
    P = p.periods_per_day
    return [f"{p.day_names[t // P]} {p.period_labels[t % P]}" for t in range(len(p.slot_usable)) if p.room_available[i, t]]


def test_the_sharing_grid_decides_where_a_department_may_use_a_room(campus_db):
    comp, _, _ = compile_database(campus_db, "CSE Odd")
    assert "ECE-101" not in comp.room_codes  # ECE's own room
    done = campus_sharing.set_room_sharing(campus_db, "ECE-101", "Wed", ["P1", "P2"], "department", "CSE")
    assert done.sentence == "ECE 101: 2 periods now open to CSE."
    campus_sharing.set_room_sharing(campus_db, "ECE-101", "Mon", ["P4"], "free")
    campus_sharing.set_room_sharing(campus_db, "SH", "tuesday", ["P1"], "unavailable")
    comp, _, _ = compile_database(campus_db, "CSE Odd")
    assert _open_cells(comp, "ECE-101") == ["Mon P4", "Wed P1", "Wed P2"]
    assert "Tue P1" not in _open_cells(comp, "SH") and len(_open_cells(comp, "SH")) == 11
    ece, _, _ = compile_database(campus_db, "ECE Odd")
    assert len(_open_cells(ece, "ECE-101")) == 12  # the owner keeps its room
    assert "Tue P1" not in _open_cells(ece, "SH")
    campus_sharing.set_room_sharing(campus_db, "ECE-101", "Wed", ["P1", "P2"], "owner")
    comp, _, _ = compile_database(campus_db, "CSE Odd")
    assert _open_cells(comp, "ECE-101") == ["Mon P4"]


def test_bad_sharing_settings_are_refused(campus_db):
    with pytest.raises(campus.ValidationError):
        campus_sharing.set_room_sharing(campus_db, "SH", "Tue", ["P1"], "department")  # which department?
    with pytest.raises(campus.NotFoundError):
        campus_sharing.set_room_sharing(campus_db, "SH", "Sun", ["P1"], "free")
    with pytest.raises(campus.NotFoundError):
        campus_sharing.set_room_sharing(campus_db, "SH", "Tue", ["P9"], "free")


def test_share_room_from_the_command_line(campus_db, pg_campus_url, capsys):
    from ato_desktop.cli import main

    assert main(["campus", "share-room", "--db", pg_campus_url, "--room", "ECE-101", "--day", "Wed", "--periods", "P1,P2",
                 "--mode", "department", "--department", "CSE"]) == 0
    assert "2 periods now open to CSE" in capsys.readouterr().out
    assert main(["campus", "share-room", "--db", pg_campus_url, "--room", "NOPE", "--day", "Wed", "--periods", "P1",
                 "--mode", "free"]) == 2
    assert "NOPE" in capsys.readouterr().err
