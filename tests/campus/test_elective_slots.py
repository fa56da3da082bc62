"""Campus elective slots: a multidisciplinary course's lessons go inside the campus's MDC slot, and the
groups that take it keep the slot free for it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ato_desktop.cli import main
from ato_desktop.services import campus, campus_sharing
from ato_desktop.services.compile import compile_database
from ato_desktop.storage import models as m
from ato_desktop.storage.database import open_database
from tests.campus.conftest import build_calendar, build_department


@pytest.fixture
def campus_db(pg_campus_url):
    db = open_database(pg_campus_url)
    build_calendar(db)
    build_department(db, "ECE")
    build_department(db, "CSE")
    with db.session() as s:  # CSE's theory course is a multidisciplinary one
        s.scalar(select(m.Course).where(m.Course.code == "CSE502")).category = "multidisciplinary"
    yield db
    db.close()


def _starts(comp, kind: str) -> list[str]:
    p = comp.problem
    si = next(i for i, label in enumerate(p.session_labels) if f" {kind} " in label)
    P = p.periods_per_day
    return [f"{p.day_names[t // P]} {p.period_labels[t % P]}" for t in range(len(p.slot_usable))
            if p.session_available[si, t]]


def test_an_mdc_slot_holds_the_mdc_lessons_and_its_takers_keep_it_free(campus_db, pg_campus_url, capsys):
    before, _, _ = compile_database(campus_db, "CSE Odd")
    assert len(_starts(before, "L")) == 12
    assert main(["campus", "add-slot", "--db", pg_campus_url, "--category", "multidisciplinary", "--day", "Wed",
                 "--periods", "P3,P4"]) == 0
    assert "Campus slot Wed P3–P4 for multidisciplinary courses" in capsys.readouterr().out
    comp, _, _ = compile_database(campus_db, "CSE Odd")
    assert _starts(comp, "L") == ["Wed P3", "Wed P4"]  # the MDC lecture: inside the slot
    lab = _starts(comp, "P")  # CSE-5A takes it: its two-period lab keeps Wed P3–P4 free
    assert "Wed P1" in lab and not {"Wed P2", "Wed P3", "Wed P4"} & set(lab)
    ece, _, _ = compile_database(campus_db, "ECE Odd")  # ECE takes no MDC course here: not affected
    assert len(_starts(ece, "L")) == 12


def test_a_slot_needs_consecutive_periods(campus_db):
    with pytest.raises(campus.ValidationError, match="consecutive"):
        campus_sharing.add_campus_slot(campus_db, "value_added", "Mon", ["P1", "P3"])
