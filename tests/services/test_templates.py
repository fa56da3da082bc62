"""The credit template and UGC norms: stored per database in the settings table, validated, undoable, and
read by Generate from L-T-P."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ato_desktop.services import activities as acts
from ato_desktop.services import resources as res
from ato_desktop.services import templates as tpl
from ato_desktop.services.errors import ValidationError


@pytest.fixture
def dept(db):
    res.create_item(db, "department", {"code": "CSE", "name": "Computer Science"})
    res.create_item(db, "faculty", {"code": "SRA", "name": "S Rao", "department": "CSE"})
    res.create_item(db, "faculty", {"code": "PRF", "name": "A Prof", "department": "CSE",
                                    "designation": "Professor"})
    res.create_item(db, "group", {"code": "CSE-3A", "department": "CSE", "strength": 60})
    # credits only (no L-T-P hours): a skill enhancement course of 3 credits, a major of 4
    res.create_item(db, "course", {"code": "SEC1", "title": "Web Lab", "department": "CSE", "credits": 3,
                                   "category": "skill_enhancement", "lecture_hours": 0, "tutorial_hours": 0,
                                   "practical_hours": 0})
    res.create_item(db, "course", {"code": "CS301", "title": "OS", "department": "CSE", "credits": 4,
                                   "lecture_hours": 3, "tutorial_hours": 1, "practical_hours": 2})
    return db


def kinds(plan):
    return sorted((a["kind"], a["sessions_per_week"], a["duration"]) for a in plan.to_create)


def test_default_template_is_ugc_and_generate_uses_it_for_credits_only_courses(dept):
    t = tpl.get_template(dept)
    assert (t.lecture_hours, t.tutorial_hours, t.practical_hours) == (1, 1, 2)
    assert [c.key for c in t.categories][:6] == ["major", "minor", "mdc", "aec", "sec", "vac"]
    assert {"internship", "project"} <= {c.key for c in t.categories}
    assert t.norm("Assistant Professor") == 16 and t.norm("Associate Professor") == t.norm("Professor") == 14
    plan = acts.plan_from_ltp(dept, "SEC1", ["CSE-3A"], faculty=["SRA"])
    # SEC: 1 lecture credit + 2 practical credits -> 1 h lecture, 4 h practical (two 2-period labs)
    assert kinds(plan) == [("L", 1, 1), ("P", 2, 2)]
    assert "its 3 credits as Skill enhancement (SEC) (1-0-2 credits) give 1-0-4 hours" in plan.notes[0]


def test_an_institution_template_changes_the_hours_and_undo_puts_the_old_one_back(dept):
    t = tpl.get_template(dept)
    own = tpl.Category("oe", "Open elective", "skill_enhancement", 3, 2, 0, 1)
    before = tpl.set_template(dept, replace(t, practical_hours=3, categories=t.categories + (own,)))
    assert before == tpl.DEFAULT
    plan = acts.plan_from_ltp(dept, "SEC1", ["CSE-3A"], faculty=["SRA"])
    assert kinds(plan) == [("L", 1, 1), ("P", 3, 2)]  # 2 practical credits x 3 h = 6 h: three 2-period labs
    plan = acts.plan_from_ltp(dept, "SEC1", ["CSE-3A"], faculty=["SRA"], category="Open elective")
    assert kinds(plan) == [("L", 2, 1), ("P", 1, 3)]  # the institution's own category chosen
    with pytest.raises(ValidationError, match="no category 'nope'"):
        acts.plan_from_ltp(dept, "SEC1", ["CSE-3A"], faculty=["SRA"], category="nope")
    # a course with hours keeps them; a note says when they are worth other credits than the course has
    plan = acts.plan_from_ltp(dept, "CS301", ["CSE-3A"], faculty=["SRA"])
    assert kinds(plan) == [("L", 3, 1), ("P", 1, 2), ("T", 1, 1)]
    assert "CS301 has 4 credits, but its 3-1-2 hours a week are worth 4.66667" in plan.notes[0]
    tpl.set_template(dept, before)  # undo
    assert tpl.get_template(dept) == tpl.DEFAULT


@pytest.mark.parametrize("change, words", [
    ({"practical_hours": 0}, "practical hours per credit: must be between 1 and 6"),
    ({"categories": (tpl.Category("x", "X", "major", 4, 3, 0, 0),)}, "add up to 3, not its 4 credits"),
    ({"categories": (tpl.Category("x", "X", "nonsense", 1, 1, 0, 0),)}, "'nonsense' is not a course category"),
    ({"categories": (tpl.Category("a b", "X", "major", 1, 1, 0, 0),)}, "a category key is letters"),
    ({"norms": (("Dean", 4),)}, "'Dean' is not a designation"),
    ({"relaxed": ("NOBODY",)}, "no faculty member 'NOBODY'"),
])
def test_impossible_templates_are_refused_in_one_sentence_and_nothing_changes(dept, change, words):
    with pytest.raises(ValidationError, match=words):
        tpl.set_template(dept, replace(tpl.DEFAULT, **change))
    assert tpl.get_template(dept) == tpl.DEFAULT


def test_norms_by_designation_with_the_relaxation(dept):
    assert tpl.norms_by_faculty(dept) == {"SRA": 16, "PRF": 14}
    tpl.set_template(dept, replace(tpl.DEFAULT, relaxed=("prf",)))
    assert tpl.norms_by_faculty(dept) == {"SRA": 16, "PRF": 12}
    assert tpl.below_norm(10, 12) == "2 below the UGC norm of 12" and tpl.below_norm(12, 12) == ""
