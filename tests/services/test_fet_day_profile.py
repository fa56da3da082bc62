"""FET's day-profile constraints (issue 17): teachers' and students' max gaps per week / day, min hours
daily, early max beginnings at second hour, students' max hours daily / continuously, teachers' min days
per week — imported onto the engine's rules with per-resource limits, scored, and exported back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy import select

from ato_desktop.io import fet as fio
from ato_desktop.services.fet_import import import_fet, soft_weight
from ato_desktop.services.fet_profile import PROFILE_TYPES
from ato_desktop.storage import models as m
from ato_desktop.storage.compile import compile_session
from ato_desktop.storage.database import open_database
from tests.fet_files import import_then_export

DATA = Path(__file__).resolve().parents[1] / "data" / "fet"


def _rules(path: Path) -> dict[str, tuple[int, bool, dict]]:
    db = open_database(path)
    try:
        with db.read_session() as s:
            return {c.type: (c.weight, c.enabled, dict(c.params or {})) for c in s.scalars(select(m.ConstraintInstance))}
    finally:
        db.close()


def test_every_day_profile_type_is_imported_with_per_resource_limits(tmp_path):
    out = tmp_path / "profile.atodb"
    report = import_fet(DATA / "day_profile.fet", out)
    assert set(PROFILE_TYPES) - {"ConstraintStudentsIntervalMaxDaysPerWeek"} <= set(report.imported)
    # one part of the day per kind for interval max days: a students' constraint on another part is listed
    assert report.not_imported == {"ConstraintStudentsIntervalMaxDaysPerWeek": (
        1, "a second part of the day for students (one is kept)")}
    assert set(PROFILE_TYPES) <= fio.SUPPORTED_TIME  # the survey shows them as imported
    text = "\n".join(report.lines())
    # a 100 % constraint makes the rule a must (hard); a 95 % one on the same rule counts as hard too
    assert "below 100 % on the rule 'max_gaps_week' count as hard too" in text
    rules = _rules(out)
    # all teachers 3, Dr. Rao 1 (95 %): the strictest value, the highest percentage
    assert rules["max_gaps_week"] == (1000, True, {"fet_weight_percentage": 100.0, "must": True, "faculty_limit": 3,
                                                   "group_limit": 0, "overrides": {"Dr. Rao": 1}})
    # a group's constraint binds its subgroups; weights below 100 % keep FET's order
    w, on, params = rules["max_gaps_day"]
    assert (w, on) == (soft_weight(90), True) == (10, True)
    assert params["overrides"] == {"BSc 1 A1": 0, "BSc 1 A2": 0, "Dr. Iyer": 1}
    assert rules["min_hours_daily"][2]["no_empty_days"] == ["Dr. Iyer", "MSc 1"]  # Allow_Empty_Days false
    assert rules["min_hours_daily"][2]["overrides"] == {"Dr. Iyer": 2, "MSc 1": 3}
    assert rules["early_start"][2]["overrides"] == {"BSc 1 B": 0}
    assert rules["group_max_daily"][2]["overrides"] == {"BSc 1 A1": 3, "BSc 1 A2": 3, "BSc 1 B": 3}  # the year
    assert rules["group_max_consecutive"][2]["overrides"] == {"BSc 1 A1": 2}
    assert rules["min_days_week"][:2] == (1000, True)
    assert rules["min_days_week"][2]["overrides"] == {"Dr. Rao": 2}  # a minimum: the larger is stricter
    assert rules["interval_max_days"] == (1000, True, {
        "fet_weight_percentage": 100.0, "must": True, "faculty_limit": 1, "overrides": {"Dr. Rao": 0, "MSc 1": 1},
        "faculty_from": 1, "faculty_to": 1, "group_from": 3, "group_to": 4})  # end hour empty: the day's end
    assert rules["gaps"][1] is False and rules["isolated"][1] is False  # FET asked for nothing like them

    db = open_database(out)
    try:
        with db.read_session() as s:
            comp = compile_session(s)
    finally:
        db.close()
    p = comp.problem
    q = {c: i for i, c in enumerate(comp.faculty_codes)}
    q.update({c: comp.n_faculty + i for i, c in enumerate(comp.group_codes)})
    assert p.resource_max_gaps_week[q["Dr. Rao"]] == 1 and p.resource_max_gaps_week[q["Dr. Iyer"]] == 3
    assert p.resource_max_gaps_week[q["MSc 1"]] == 0
    assert p.resource_min_daily[q["MSc 1"]] == 3 and not p.resource_min_daily_empty_ok[q["MSc 1"]]
    assert p.resource_min_daily[q["BSc 1 B"]] == 2 and p.resource_min_daily_empty_ok[q["BSc 1 B"]]
    assert p.resource_early_max_second[q["BSc 1 A1"]] == 1 and p.resource_early_max_second[q["BSc 1 B"]] == 0
    assert p.resource_early_max_second[q["Dr. Rao"]] == -1  # a students' rule
    assert p.resource_group_max_daily[q["MSc 1"]] == 4 and p.resource_group_max_daily[q["BSc 1 A2"]] == 3
    assert p.resource_min_days[q["Dr. Rao"]] == 2 and p.resource_min_days[q["MSc 1"]] == 0
    assert p.resource_interval_max_days[q["Dr. Rao"]] == 0 and p.resource_interval_max_days[q["BSc 1 B"]] == -1
    assert (p.resource_interval_from[q["Dr. Iyer"]], p.resource_interval_to[q["Dr. Iyer"]]) == (0, 1)
    assert (p.resource_interval_from[q["MSc 1"]], p.resource_interval_to[q["MSc 1"]]) == (2, 4)


def test_export_writes_the_limits_back_and_they_import_again(tmp_path):
    first, fet_out, rep = import_then_export(DATA / "day_profile.fet", tmp_path)
    time_c, _ = fio.constraint_types(fet_out)
    assert time_c["ConstraintTeacherMaxGapsPerWeek"] == 1 and time_c["ConstraintTeachersMaxGapsPerWeek"] == 1
    assert time_c["ConstraintStudentsSetMaxGapsPerDay"] == 2  # the two subgroups of BSc 1 A, by code
    assert time_c["ConstraintTeacherMinHoursDaily"] == 1 and time_c["ConstraintStudentsSetMinHoursDaily"] == 1
    assert rep.constraints["ConstraintStudentsEarlyMaxBeginningsAtSecondHour"] == 1
    again = tmp_path / "again.atodb"
    import_fet(fet_out, again)
    a, b = _rules(first), _rules(again)
    for rule in ("max_gaps_week", "max_gaps_day", "min_hours_daily", "early_start", "group_max_daily",
                 "group_max_consecutive", "min_days_week", "interval_max_days"):
        pa = {k: v for k, v in a[rule][2].items() if k != "fet_weight_percentage"}
        pb = {k: v for k, v in b[rule][2].items() if k != "fet_weight_percentage"}
        assert pa == pb, rule
        assert b[rule][1] is True and b[rule][0] == min(a[rule][0], 1000)
    assert np.isclose(b["max_gaps_day"][2]["fet_weight_percentage"], 90.0)


def test_rules_at_100_percent_are_musts_of_the_compiled_problem(tmp_path):
    """A FET constraint at 100 % on a rule the engine has only as soft makes the rule a must: the compiled
    problem counts its violations in the hard total (docs/constraints.md "FET weights"); a rule whose FET
    constraints are all below 100 % stays soft with its weight."""
    from ato_desktop.engine import evaluate
    from ato_desktop.engine.problem import Assignment

    out = tmp_path / "profile.atodb"
    import_fet(DATA / "day_profile.fet", out)
    rules = _rules(out)
    db = open_database(out)
    try:
        with db.read_session() as s:
            p = compile_session(s).problem
    finally:
        db.close()
    musts = {name for name, (w, on, params) in rules.items() if on and params.get("fet_weight_percentage") == 100}
    assert "max_gaps_week" in musts and "max_gaps_day" not in musts  # 100 %, and 90 % only
    assert p.must == musts
    assert p.is_hard("max_gaps_week") and not p.is_hard("max_gaps_day")
    assert p.effective_weight("max_gaps_week") == 1 and p.effective_weight("max_gaps_day") == 10
    # nothing placed: only 'unscheduled' is broken, and every must is evaluated as a hard rule
    score = evaluate(p, Assignment.empty(p))
    assert all(score.by_constraint[name].is_hard for name in musts)
    assert not score.by_constraint["max_gaps_day"].is_hard


def test_min_days_below_100_percent_beside_100_percent_ones_are_not_imported(tmp_path):
    """One weight per rule: with a min-days constraint at 100 % the rule is a must, and a 95 % one is left out
    (listed, with the reason) rather than made hard, which would be stricter than FET."""
    extra = ("<ConstraintMinDaysBetweenActivities><Weight_Percentage>100</Weight_Percentage><Consecutive_If_Same_Day>"
             "false</Consecutive_If_Same_Day><Number_of_Activities>2</Number_of_Activities><Activity_Id>1</Activity_Id>"
             "<Activity_Id>2</Activity_Id><MinDays>1</MinDays><Active>true</Active><Comments></Comments>"
             "</ConstraintMinDaysBetweenActivities>\n</Time_Constraints_List>")
    src = tmp_path / "mixed.fet"
    src.write_text((DATA / "split_subgroups.fet").read_text("utf-8").replace("</Time_Constraints_List>", extra), "utf-8")
    report = import_fet(src, tmp_path / "mixed.atodb")
    # the 95 % one on activities 1-3 is left out; the one between different activities (11, 12) as before
    n, why = report.not_imported["ConstraintMinDaysBetweenActivities"]
    assert n == 2 and "below 100 % while others are at 100 %" in why and "between different activities" in why
    w, on, params = _rules(tmp_path / "mixed.atodb")["min_days"]
    assert (w, on, params.get("must")) == (1000, True, True)
    # all below 100 %: both imported, soft with FET's order of importance
    plain = import_fet(DATA / "split_subgroups.fet", tmp_path / "plain.atodb")
    assert plain.not_imported["ConstraintMinDaysBetweenActivities"][0] == 1  # only the one between 11 and 12
    w, on, params = _rules(tmp_path / "plain.atodb")["min_days"]
    assert (w, on, "must" in params) == (soft_weight(95), True, False)
