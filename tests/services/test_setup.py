"""Creating a new department database."""

from __future__ import annotations

import pytest

from ato_desktop.services import calendar as cal
from ato_desktop.services import resources as res
from ato_desktop.services.errors import ValidationError
from ato_desktop.services.setup import DEFAULT_PERIODS, NewDepartment, create_department_database, suggest_path
from ato_desktop.storage.database import open_database


def test_creates_a_database_that_opens(tmp_path):
    spec = NewDepartment(tmp_path / "sub" / "ME.atodb", "Govt. Engineering College", "ME", "Mechanical Engineering",
                         days=["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
    path = create_department_database(spec)
    with open_database(path, create=False) as db:
        c = cal.get_calendar(db)
        assert [d.name for d in c.days] == spec.days
        assert [(p.label, p.is_break) for p in c.periods] == [(p[0], p[3]) for p in DEFAULT_PERIODS]
        assert cal.get_setting(db, "institution_name") == "Govt. Engineering College"
        depts = res.list_items(db, "department")
        assert [(d["code"], d["is_home"]) for d in depts] == [("ME", True)]
        assert res.count_items(db, "constraint") > 10


@pytest.mark.parametrize("change, field", [
    (dict(department_code=""), "Code"),
    (dict(department_code="M E!"), "Code"),
    (dict(days=[]), "days"),
    (dict(periods=[("P1", "10:00", "09:00", False)]), "period 1"),
    (dict(periods=[("Lunch", "12:00", "13:00", True)]), "periods"),
])
def test_bad_input_creates_no_file(tmp_path, change, field):
    values = dict(path=tmp_path / "x.atodb", institution="I", department_code="ME", department_name="Mech")
    values.update(change)
    with pytest.raises(ValidationError) as e:
        create_department_database(NewDepartment(**values))
    assert e.value.field == field
    assert list(tmp_path.iterdir()) == []


def test_never_overwrites_and_suggests_free_names(tmp_path):
    first = suggest_path(tmp_path, "CSE/AI")
    assert first.name == "CSE_AI.atodb"
    create_department_database(NewDepartment(first, "I", "CSE", "Computer Science"))
    with pytest.raises(ValidationError, match="already exists"):
        create_department_database(NewDepartment(first, "I", "CSE", "Computer Science"))
    assert suggest_path(tmp_path, "CSE/AI").name == "CSE_AI 2.atodb"
