"""The timetable rules in a coordinator's words (issue 16), for the Constraints page and the conflicts panel.

The engine names its rules for programmers ("resource_clash", "sync_mismatch"); a coordinator reads
"A teacher or class in two places at once". ``rule_name(type)`` gives the plain name (the engine's name,
made readable, for a rule not listed here). No Qt, no engine import: storage and services use it too.
"""

from __future__ import annotations

RULE_NAMES = {
    "resource_clash": "A teacher or class in two places at once",
    "room_clash": "Two classes in one room at once",
    "resource_unavailable": "A teacher or class booked when unavailable",
    "room_unavailable": "A room booked when unavailable",
    "session_unavailable": "A class at a time it may not be held",
    "daily_load": "More periods in a day than a teacher's daily limit",
    "weekly_load": "More periods in a week than a teacher's weekly limit",
    "max_consecutive": "Too many periods in a row for a teacher",
    "max_days": "A teacher on campus on more days than their limit",
    "unscheduled": "A class with no slot yet",
    "day_overflow": "A class running past the end of the day",
    "break_overlap": "A class during a break",
    "sync_mismatch": "Electives of one basket not at the same time",
    "locked_moved": "A locked class moved",
    "resource_undesired": "A teacher or class at a time they would rather avoid",
    "resource_not_preferred": "A teacher outside their preferred hours",
    "session_not_preferred": "A class outside its preferred times",
    "room_unsuitable": "A class in the wrong kind of room",
    "room_capacity": "A room too small for the class",
    "room_stability": "A course moving between rooms during the week",
    "min_days": "A course's classes bunched on too few days",
    "isolated": "A lone class in a student group's day",
    "gaps": "Idle periods between a student group's classes",
}


def rule_name(rule: str) -> str:
    return RULE_NAMES.get(rule, rule.replace("_", " ").capitalize())
