"""The day profile's limits (issue 17) live in the rules' constraint parameters: typed, checked by the
services, compiled into the Problem's per-resource arrays and scored. Real demo database."""

from __future__ import annotations

import numpy as np
import pytest

from ato_desktop.engine import evaluate
from ato_desktop.services import resources as res
from ato_desktop.services.compile import compile_database
from ato_desktop.services.errors import ValidationError

REF = "Reference timetable"


def _compiled(db):
    comp, a, _ = compile_database(db, REF)
    return comp, comp.problem, a


def test_limits_reach_the_problem_per_resource_and_cost_what_the_engine_counts(demo_db):
    comp, p, a = _compiled(demo_db)
    assert (p.resource_max_gaps_week == -1).all() and (p.resource_min_days == 0).all()  # no limits: none
    nf = comp.n_faculty
    section = next(g for g in res.list_items(demo_db, "group") if g.get("parent") is None
                   and any(x.get("parent") == g["code"] for x in res.list_items(demo_db, "group")))
    batches = [g["code"] for g in res.list_items(demo_db, "group") if g.get("parent") == section["code"]]
    fac = comp.faculty_codes[0]
    saved = res.update_item(demo_db, "constraint", "max_gaps_week", {
        "weight": 4, "params": {"group_limit": 0, "overrides": f"{section['code']}=2, {batches[0]}=3, {fac}=1"}})
    assert saved["params"]["overrides"] == dict(sorted({section["code"]: 2, batches[0]: 3, fac: 1}.items()))
    comp, p, a = _compiled(demo_db)
    lim = p.resource_max_gaps_week
    assert lim[0] == 1 and (lim[1:nf] == -1).all()  # no faculty default: only the override
    leaf = {code: nf + i for i, code in enumerate(comp.group_codes)}
    assert lim[leaf[batches[0]]] == 3  # a batch's own value wins over its section's
    assert all(lim[leaf[b]] == 2 for b in batches[1:])
    others = [q for code, q in leaf.items() if code not in batches]
    assert (lim[others] == 0).all()
    score = evaluate(p, a)
    r = score.by_constraint["max_gaps_week"]
    gaps = {q: sum(1 for v in score.by_constraint["max_gaps_week"].violations if q in v.resources) for q in others}
    assert r.weight == 4 and r.cost == 4 * r.count and r.count > 0 and any(gaps.values())
    # switched off: no limits compiled at all (the engine skips the rule)
    res.update_item(demo_db, "constraint", "max_gaps_week", {"enabled": False})
    _, p, _ = _compiled(demo_db)
    assert (p.resource_max_gaps_week == -1).all()


def test_min_hours_daily_empty_days_and_kinds(demo_db):
    comp, _, _ = _compiled(demo_db)
    fac = comp.faculty_codes[1]
    res.update_item(demo_db, "constraint", "min_hours_daily", {"params": {
        "faculty_limit": 2, "group_limit": -1, "overrides": "", "allow_empty_days": True, "no_empty_days": fac}})
    comp, p, a = _compiled(demo_db)
    nf = comp.n_faculty
    assert (p.resource_min_daily[:nf] == 2).all() and (p.resource_min_daily[nf:] == 0).all()
    assert np.flatnonzero(~p.resource_min_daily_empty_ok).tolist() == [1]
    # a rule for faculty only ignores a group's override, and the other way round
    group = comp.group_codes[0]
    res.update_item(demo_db, "constraint", "min_days_week", {"params": {"faculty_limit": 3,
                                                                         "overrides": f"{group}=5"}})
    res.update_item(demo_db, "constraint", "group_max_daily", {"params": {"group_limit": 5,
                                                                          "overrides": f"{fac}=1"}})
    comp, p, _ = _compiled(demo_db)
    assert (p.resource_min_days[:nf] == 3).all() and (p.resource_min_days[nf:] == 0).all()
    assert (p.resource_group_max_daily[:nf] == 0).all() and (p.resource_group_max_daily[nf:] == 5).all()


def test_bad_parameters_are_refused_in_a_sentence_and_notes_are_kept(demo_db):
    with pytest.raises(ValidationError, match="'T1' is not CODE=limit"):
        res.update_item(demo_db, "constraint", "max_gaps_day", {"params": {"overrides": "T1"}})
    with pytest.raises(ValidationError, match="T1: 'x' is not a whole number"):
        res.update_item(demo_db, "constraint", "max_gaps_day", {"params": {"overrides": {"T1": "x"}}})
    with pytest.raises(ValidationError, match="must be at least -1"):
        res.update_item(demo_db, "constraint", "max_gaps_day", {"params": {"faculty_limit": -2}})
    with pytest.raises(ValidationError, match="early_start has no parameter 'faculty_limit'"):
        res.update_item(demo_db, "constraint", "early_start", {"params": {"faculty_limit": 1}})
    # the FET import's note (the percentage a rule came from) does not block an edit of the weight
    res.update_item(demo_db, "constraint", "max_gaps_day", {"params": {"fet_weight_percentage": 95.0,
                                                                       "group_limit": 1}})
    saved = res.update_item(demo_db, "constraint", "max_gaps_day", {"weight": 9})
    assert saved["params"]["fet_weight_percentage"] == 95.0 and saved["weight"] == 9


def test_interval_max_days_compiles_each_kinds_part_of_the_day(demo_db):
    res.update_item(demo_db, "constraint", "interval_max_days", {"params": {
        "faculty_limit": 2, "faculty_from": 1, "faculty_to": 2, "group_limit": -1, "group_from": 5, "group_to": 7}})
    comp, p, a = _compiled(demo_db)
    nf = comp.n_faculty
    assert (p.resource_interval_max_days[:nf] == 2).all() and (p.resource_interval_max_days[nf:] == -1).all()
    assert (p.resource_interval_from[:nf] == 0).all() and (p.resource_interval_to[:nf] == 2).all()
    assert (p.resource_interval_from[nf:] == 4).all() and (p.resource_interval_to[nf:] == 7).all()
    r = evaluate(p, a).by_constraint["interval_max_days"]
    assert r.cost == r.weight * r.count
    with pytest.raises(ValidationError, match="must be at least 1"):
        res.update_item(demo_db, "constraint", "interval_max_days", {"params": {"faculty_from": 0}})
