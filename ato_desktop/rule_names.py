"""The timetable rules in a coordinator's words (issue 16), for the Constraints page and the conflicts panel.

The engine names its rules for programmers ("resource_clash", "sync_mismatch"); a coordinator reads
"A teacher or class in two places at once". ``rule_name(type)`` gives the plain name (the engine's name,
made readable, for a rule not listed here). No Qt: storage and services use it too; the engine rules'
words are declared with the rules themselves, in ``engine/rules.py``.
"""

from __future__ import annotations

from ato_desktop.engine.rules import RULES

RULE_NAMES = {
    **{r.name: r.plain for r in RULES},  # every engine rule, declared once in engine/rules.py
    # a check before optimizing (engine.checks), not a rule the engine scores
    "weekly_load": "More periods in a week than a teacher's weekly limit",
}


def rule_name(rule: str) -> str:
    return RULE_NAMES.get(rule, rule.replace("_", " ").capitalize())
