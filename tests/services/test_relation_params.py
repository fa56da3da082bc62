"""Relations between activities kept in their rule's constraint row (issue 17): typed and checked by the
services, compiled into Problem.relations, and cleaned (with undo) when an activity is deleted. Real demo file."""

from __future__ import annotations

import pytest

from ato_desktop.engine import evaluate
from ato_desktop.services import resource_edits as edits
from ato_desktop.services import resources as res
from ato_desktop.services.compile import compile_database
from ato_desktop.services.errors import ValidationError

REF = "Reference timetable"


def _two_activities(db):
    acts = sorted(res.list_items(db, "activity"), key=lambda a: a["id"])
    multi = next(a for a in acts if a["sessions_per_week"] >= 2)
    other = next(a for a in acts if a["id"] != multi["id"])
    return multi, other


def _relations(db):
    comp, a, _ = compile_database(db, REF)
    return comp, a, [(x.rule, x.sessions.tolist(), x.param) for x in comp.problem.relations]


def test_relations_reach_the_engine_and_change_the_score(demo_db):
    multi, other = _two_activities(demo_db)
    comp, a, rels = _relations(demo_db)
    assert rels == []
    before = evaluate(comp.problem, a).by_constraint["activities_same_day"]
    assert before.count == 0
    res.update_item(demo_db, "constraint", "activities_same_day",
                    {"weight": 4, "params": {"relations": [{"activities": [[multi["id"], 0], [multi["id"], 1]]}]}})
    res.update_item(demo_db, "constraint", "activities_not_overlapping",
                    {"params": {"relations": [{"activities": [multi["id"], other["id"]]}]}})
    old_problem = comp.problem
    comp, a, rels = _relations(demo_db)
    from ato_desktop.services.scores import describe_changes

    assert "relations between activities" in describe_changes(old_problem, comp.problem)  # fingerprints differ
    i0, i1 = comp.index_of[(multi["id"], 0)], comp.index_of[(multi["id"], 1)]
    assert ("activities_same_day", [i0, i1], 0) in rels
    members = [comp.index_of[(multi["id"], k)] for k in range(multi["sessions_per_week"])] + \
        [comp.index_of[(other["id"], k)] for k in range(other["sessions_per_week"])]
    assert ("activities_not_overlapping", members, 0) in rels
    after = evaluate(comp.problem, a).by_constraint["activities_same_day"]
    days = {int(a.start[i]) // comp.problem.periods_per_day for i in (i0, i1) if a.start[i] >= 0}
    assert (after.count, after.cost) == (len(days) - 1, 4 * (len(days) - 1))


@pytest.mark.parametrize("params, words", [
    ({"relations": [{"activities": [999999, 1]}]}, "names the activity 999999, which does not exist"),
    ({"relations": [{"activities": [[1, 50], 2]}]}, "has no session 51"),
    ({"relations": [{"activities": [1, 2, 3]}]}, "relation 1 names 3 activities; activities consecutive takes 2"),
    ({"relations": "1, 2"}, "must be a list of relations"),
    ({"limit": 3}, "has no parameter 'limit'"),
])
def test_bad_relations_are_refused_in_one_sentence_and_change_nothing(demo_db, params, words):
    before = res.get_item(demo_db, "constraint", "activities_consecutive")
    with pytest.raises(ValidationError, match=words):
        res.update_item(demo_db, "constraint", "activities_consecutive", {"params": params})
    assert res.get_item(demo_db, "constraint", "activities_consecutive") == before


def test_min_gaps_needs_its_gap(demo_db):
    multi, other = _two_activities(demo_db)
    with pytest.raises(ValidationError, match="needs a minimum gap"):
        res.update_item(demo_db, "constraint", "activities_min_gaps",
                        {"params": {"relations": [{"activities": [multi["id"]]}, ]}})
    res.update_item(demo_db, "constraint", "activities_min_gaps",
                    {"params": {"relations": [{"activities": [multi["id"]], "min_gap": 2}]}})
    _, _, rels = _relations(demo_db)
    assert [r for r in rels if r[0] == "activities_min_gaps"][0][2] == 2


def test_deleting_an_activity_takes_it_out_of_its_relations_and_undo_puts_it_back(demo_db):
    multi, other = _two_activities(demo_db)
    third = next(a for a in res.list_items(demo_db, "activity") if a["id"] not in (multi["id"], other["id"]))
    stored = {"relations": [{"activities": [multi["id"], other["id"]]},
                            {"activities": [other["id"], third["id"], multi["id"]]}]}
    res.update_item(demo_db, "constraint", "activities_not_overlapping", {"params": stored})
    assert any("leaves the relations" in c for c in res.dependents(demo_db, "activity", other["id"])["cleared"])
    change = edits.remove_item(demo_db, entity="activity", key=other["id"])
    assert "constraint" in change.kinds
    left = res.get_item(demo_db, "constraint", "activities_not_overlapping")["params"]
    assert left == {"relations": [{"activities": [third["id"], multi["id"]]}]}  # a pair left alone goes
    change.undo(demo_db)
    assert res.get_item(demo_db, "constraint", "activities_not_overlapping")["params"] == stored


def test_a_set_limit_needs_its_limit_and_an_ordered_pair_its_gap(demo_db):
    """activities_max_daily / _max_consecutive carry "max_periods" (0 or more), nothing else; an ordered pair
    (activities_ordered_min_gaps) is two activities and a gap, every session of the first with every one of the
    second."""
    multi, other = _two_activities(demo_db)
    for params, words in (
            ({"relations": [{"activities": [multi["id"]]}]}, "needs its limit"),
            ({"relations": [{"activities": [multi["id"]], "max_periods": -1}]}, "from 0 to 50"),
            ({"relations": [{"activities": [multi["id"]], "max_periods": 2, "min_gap": 1}]}, "takes no min gap")):
        with pytest.raises(ValidationError, match=words):
            res.update_item(demo_db, "constraint", "activities_max_daily", {"params": params})
    res.update_item(demo_db, "constraint", "activities_max_daily",
                    {"params": {"relations": [{"activities": [multi["id"], other["id"]], "max_periods": 0}]}})
    with pytest.raises(ValidationError, match="needs a minimum gap"):
        res.update_item(demo_db, "constraint", "activities_ordered_min_gaps",
                        {"params": {"relations": [{"activities": [multi["id"], other["id"]]}]}})
    res.update_item(demo_db, "constraint", "activities_ordered_min_gaps",
                    {"params": {"relations": [{"activities": [multi["id"], other["id"]], "min_gap": 1}]}})
    comp, _, rels = _relations(demo_db)
    members = [comp.index_of[(multi["id"], k)] for k in range(multi["sessions_per_week"])] + \
        [comp.index_of[(other["id"], k)] for k in range(other["sessions_per_week"])]
    assert ("activities_max_daily", members, 0) in rels
    # one relation of two sets (engine.problem.Relation.split), not every pair apart
    (x,) = [x for x in comp.problem.relations if x.rule == "activities_ordered_min_gaps"]
    firsts = [comp.index_of[(multi["id"], i)] for i in range(multi["sessions_per_week"])]
    assert x.sessions.tolist() == firsts + [comp.index_of[(other["id"], j)] for j in range(other["sessions_per_week"])]
    assert x.split == len(firsts) and x.param == 1
    # the FET import's form: the second set under "second", any number of activities in each
    res.update_item(demo_db, "constraint", "activities_ordered_min_gaps",
                    {"params": {"relations": [{"activities": [multi["id"]], "second": [other["id"]], "min_gap": 2}]}})
    comp, _, _ = _relations(demo_db)
    (y,) = [x for x in comp.problem.relations if x.rule == "activities_ordered_min_gaps"]
    assert y.sessions.tolist() == x.sessions.tolist() and y.split == x.split and y.param == 2
    with pytest.raises(ValidationError, match="takes no second"):
        res.update_item(demo_db, "constraint", "activities_max_daily", {"params": {"relations": [
            {"activities": [multi["id"]], "second": [other["id"]], "max_periods": 1}]}})
