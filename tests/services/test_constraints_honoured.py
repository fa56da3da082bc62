"""The Constraints page shows only what the engine honours (issue 14, item 6): each editable field of a
constraint row (its weight, whether it is enabled) reaches the engine and changes the score; what the
engine decides (hard or soft) or does not read (parameters) cannot be set otherwise. Real demo database."""

from __future__ import annotations

import pytest

from ato_desktop.engine import evaluate
from ato_desktop.engine.problem import DEFAULT_WEIGHTS, HARD_CONSTRAINTS
from ato_desktop.engine.rules import BY_NAME
from ato_desktop.services import resources as res
from ato_desktop.services import timetables as tts
from ato_desktop.services.compile import compile_database
from ato_desktop.services.errors import ValidationError

REF = "Reference timetable"


def _score(db):
    comp, a, _ = compile_database(db, REF)
    return comp.problem, evaluate(comp.problem, a)


@pytest.mark.parametrize("ctype", list(DEFAULT_WEIGHTS))
def test_weight_and_enabled_of_every_rule_reach_the_engine(demo_db, ctype):
    res.update_item(demo_db, "constraint", ctype, {"weight": 7})
    p, _ = _score(demo_db)
    assert p.weights[ctype] == 7
    res.update_item(demo_db, "constraint", ctype, {"enabled": False})
    p, sc = _score(demo_db)
    assert p.weights[ctype] == 0 and sc.by_constraint[ctype].cost == 0


def test_changing_a_weight_or_switching_a_rule_off_changes_the_score(demo_db):
    _, before = _score(demo_db)
    soft = [n for n, c in before.by_constraint.items() if c.count > 0 and n not in HARD_CONSTRAINTS]
    assert soft, "the demo has soft costs"
    for name in soft:
        c = before.by_constraint[name]
        res.update_item(demo_db, "constraint", name, {"weight": c.weight + 1})
        _, after = _score(demo_db)
        assert after.soft == before.soft + c.count, name
        res.update_item(demo_db, "constraint", name, {"enabled": False})
        _, off = _score(demo_db)
        assert off.soft == before.soft - c.cost, name
        res.update_item(demo_db, "constraint", name, {"weight": c.weight, "enabled": True})
    # a hard rule: one unscheduled session, weight 3 -> hard 3
    sv = next(v for v in tts.list_sessions(demo_db, REF) if v.scheduled)
    tts.move_session(demo_db, sv.id, None, None, None)
    res.update_item(demo_db, "constraint", "unscheduled", {"weight": 3})
    assert _score(demo_db)[1].hard == 3


def test_hard_or_soft_is_the_engines_and_unknown_types_or_parameters_are_refused(demo_db):
    assert res.update_item(demo_db, "constraint", "gaps", {"is_hard": True})["is_hard"] is False
    assert res.update_item(demo_db, "constraint", "daily_load", {"is_hard": False})["is_hard"] is True
    with pytest.raises(ValidationError, match="gaps has no parameter 'max' \\(the engine reads none\\)"):
        res.update_item(demo_db, "constraint", "gaps", {"params": {"max": 2}})
    res.delete_item(demo_db, "constraint", "gaps")
    with pytest.raises(ValidationError, match="'no_gaps' is not a rule the engine knows"):
        res.create_item(demo_db, "constraint", {"type": "no_gaps", "weight": 1})
    made = res.create_item(demo_db, "constraint", {"type": "gaps", "is_hard": True, "weight": 4})
    # the label is the rule's plain words (engine/rules.py), as the Constraints page shows it
    assert made["is_hard"] is False and made["label"] == BY_NAME["gaps"].plain
