"""Every timetable rule, declared once: name, hard or soft, default weight, labels, and the kernel that counts it.

Everything else reads this table:

* ``engine.problem``: ``HARD_CONSTRAINTS``, ``SOFT_CONSTRAINTS`` (the canonical order, hard first)
  and ``DEFAULT_WEIGHTS``;
* ``engine.constraints``: each Python unit takes its label and hard/soft flag from here (the unit
  itself holds only the function that explains the rule's violations);
* ``engine.kernels``: the index of each rule in the kernels' count vectors, looked up by name
  (``RULE_INDEX["gaps"]``), never by the position of a tuple unpack;
* ``ato_desktop.rule_names``: the coordinator's words shown in the UI (Constraints page,
  conflicts panel);
* ``docs/constraints.md``: its Hard and Soft tables list these names in this order (tested).

The order below is the order of the kernels' count vectors and is compiled into them as
constants. numba's on-disk cache looks only at ``kernels.py``'s own time stamp, so a change of
order here must come with an edit of ``kernels.py``: it keeps a stamp of this order
(``RULE_ORDER_STAMP``) and refuses to import when the two differ.

No imports of its own (plain data): ``rule_names``, storage and the UI read it without loading numba.
"""

from __future__ import annotations

from typing import NamedTuple


class Rule(NamedTuple):
    name: str  # the engine's name (weights, the database, reports)
    hard: bool
    weight: int  # default weight for department problems (the ITC-2007 reader sets its own)
    label: str  # short label of the explained breakdown (engine.evaluate, reports)
    plain: str  # the rule in a coordinator's words (UI)
    kernel: str  # the function of engine.kernels that counts it


RULES: tuple[Rule, ...] = (
    # hard
    Rule("unscheduled", True, 1, "Session not scheduled",
         "A class with no slot yet", "full_counts"),
    Rule("resource_clash", True, 1, "Faculty/group double-booked",
         "A teacher or class in two places at once", "full_counts"),
    Rule("room_clash", True, 1, "Room double-booked",
         "Two classes in one room at once", "full_counts"),
    Rule("resource_unavailable", True, 1, "Faculty/group unavailable",
         "A teacher or class booked when unavailable", "start_counts"),
    Rule("room_unavailable", True, 1, "Room unavailable",
         "A room booked when unavailable", "full_counts"),
    Rule("session_unavailable", True, 1, "Activity in a forbidden period",
         "A class at a time it may not be held", "start_counts"),
    Rule("break_overlap", True, 1, "Session during a break",
         "A class during a break", "start_counts"),
    Rule("day_overflow", True, 1, "Session runs past the end of the day",
         "A class running past the end of the day", "start_counts"),
    Rule("room_unsuitable", True, 1, "Unsuitable room",
         "A class in the wrong kind of room", "full_counts"),
    Rule("sync_mismatch", True, 1, "Elective basket not in sync",
         "Electives of one basket not at the same time", "sync_count"),
    Rule("locked_moved", True, 1, "Locked session moved",
         "A locked class moved", "full_counts"),
    Rule("daily_load", True, 1, "Faculty daily maximum exceeded",
         "More periods in a day than a teacher's daily limit", "_day_counts"),
    # soft
    Rule("min_days", False, 5, "Course not spread over enough days",
         "A course's classes bunched on too few days", "_course_counts"),
    Rule("isolated", False, 2, "Isolated session",
         "A lone class in a student group's day", "iso_of"),
    Rule("gaps", False, 1, "Idle periods between classes",
         "Idle periods between a student group's classes", "_day_counts"),
    Rule("room_stability", False, 1, "Course changes rooms",
         "A course moving between rooms during the week", "_course_counts"),
    Rule("room_capacity", False, 1, "Room too small",
         "A room too small for the class", "full_counts"),
    Rule("resource_undesired", False, 2, "Undesired period",
         "A teacher or class at a time they would rather avoid", "start_counts"),
    Rule("resource_not_preferred", False, 1, "Outside preferred periods",
         "A teacher outside their preferred hours", "start_counts"),
    Rule("max_consecutive", False, 2, "Too many periods in a row",
         "Too many periods in a row for a teacher", "_day_counts"),
    Rule("session_not_preferred", False, 1, "Activity outside its preferred times",
         "A class outside its preferred times", "start_counts"),
    Rule("max_days", False, 3, "Too many days on campus",
         "A teacher on campus on more days than their limit", "maxdays_count"),
    # soft, the day profile (issue 17): per-resource limits on each day's occupancy, imported from FET
    # (limits in the rule's constraint parameters, compiled into Problem.resource_* arrays)
    Rule("max_gaps_week", False, 1, "Too many idle periods in the week",
         "More idle periods in a week than a teacher's or class's limit", "profile_counts"),
    Rule("max_gaps_day", False, 1, "Too many idle periods in a day",
         "More idle periods in a day than a teacher's or class's limit", "profile_counts"),
    Rule("min_hours_daily", False, 2, "Too few periods in a day",
         "Fewer periods in a day than a teacher's or class's minimum", "profile_counts"),
    Rule("early_start", False, 1, "Day starts late",
         "A class's day not starting at the first period", "profile_counts"),
    Rule("group_max_daily", False, 3, "Group daily maximum exceeded",
         "More periods in a day than a class's daily limit", "profile_counts"),
    Rule("group_max_consecutive", False, 2, "Too many periods in a row for a group",
         "Too many periods in a row for a class", "profile_counts"),
    Rule("min_days_week", False, 2, "Too few days on campus",
         "A teacher on campus on fewer days than their minimum", "profile_counts"),
    Rule("interval_max_days", False, 2, "Too many days busy in a part of the day",
         "A teacher or class busy in a part of the day (e.g. the first period) on more days than their limit",
         "profile_counts"),
    # soft: relations between activities (Problem.relations; FET's activity relations, issue 17).
    # Each counts only the relations listed in the data: none listed, no cost.
    Rule("activities_not_overlapping", False, 10, "Activities overlap",
         "Activities that must not overlap held at the same time", "rel_count"),
    Rule("activities_consecutive", False, 10, "Activity not right after the one before it",
         "An activity not held right after the one it must follow", "rel_count"),
    Rule("activities_grouped", False, 10, "Grouped activities not back to back",
         "Activities of a group not held back to back on one day", "rel_count"),
    Rule("activity_ends_day", False, 10, "Activity does not end the students' day",
         "A class that should end its students' day followed by another", "rel_count"),
    Rule("activities_min_gaps", False, 10, "Activities too close on one day",
         "Activities held closer on one day than their minimum gap", "rel_count"),
    Rule("activities_same_day", False, 10, "Activities not on the same day",
         "Activities that should start on the same day held on different days", "rel_count"),
    Rule("activities_same_room", False, 10, "Back-to-back activities change rooms",
         "Back-to-back activities that should keep one room in different rooms", "rel_count"),
    # soft: limits on the periods a set of activities takes (FET's activity-tag max hours daily /
    # continuously of a teacher or students set, the tag resolved to the activities at import; issue 17)
    Rule("activities_max_daily", False, 10, "Activities of a set take too many periods in a day",
         "More periods of a kind of class in a day than a teacher's or class's limit (e.g. labs)",
         "_set_limit_counts"),
    Rule("activities_max_consecutive", False, 10, "Activities of a set take too many periods in a row",
         "More periods of a kind of class in a row than a teacher's or class's limit",
         "_set_limit_counts"),
    # soft: an ordered pair (a, b): when b follows a on a day, at least N periods between them (FET's students
    # min gaps between an ordered pair of activity tags, resolved to pairs of sessions at import; issue 17)
    Rule("activities_ordered_min_gaps", False, 10, "Activity too soon after the one before it",
         "A class held too soon after another on the same day (e.g. a lab right after a lecture)", "rel_count"),
    # soft: changes of building between the classes of a teacher's or class's day (rooms' buildings; FET's
    # max building changes per day / week and min gaps between building changes; issue 17)
    Rule("max_building_changes_day", False, 1, "Too many building changes in a day",
         "More changes of building in a day than a teacher's or class's limit", "building_counts"),
    Rule("max_building_changes_week", False, 1, "Too many building changes in the week",
         "More changes of building in a week than a teacher's or class's limit", "building_counts"),
    Rule("min_gaps_building_changes", False, 1, "No time to change buildings",
         "Too few free periods to walk between two buildings", "building_counts"),
)

#: the rules counted on Problem.relations (each relation names one of them)
RELATION_RULES: tuple[str, ...] = (
    "activities_not_overlapping", "activities_consecutive", "activities_grouped", "activity_ends_day",
    "activities_min_gaps", "activities_same_day", "activities_same_room",
    "activities_max_daily", "activities_max_consecutive", "activities_ordered_min_gaps",
)
#: relation rules whose stored relations carry a number (params key, docs/constraints.md "Relations")
RELATION_PARAM: dict[str, str] = {"activities_min_gaps": "min_gap", "activities_max_daily": "max_periods",
                                  "activities_max_consecutive": "max_periods", "activities_ordered_min_gaps": "min_gap"}

#: name -> Rule
BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}
#: name -> position in the canonical order (= index in the kernels' count vectors)
RULE_INDEX: dict[str, int] = {r.name: i for i, r in enumerate(RULES)}

HARD_RULES: tuple[str, ...] = tuple(r.name for r in RULES if r.hard)
SOFT_RULES: tuple[str, ...] = tuple(r.name for r in RULES if not r.hard)
assert RULES[:len(HARD_RULES)] == tuple(r for r in RULES if r.hard), "hard rules come first"


def order_stamp(names=None) -> str:
    """A short stamp of the rule order (``kernels.RULE_ORDER_STAMP`` must equal it)."""
    import zlib

    names = tuple(r.name for r in RULES) if names is None else tuple(names)
    return f"{zlib.crc32(','.join(names).encode()):08x}"


__all__ = ["Rule", "RULES", "RELATION_RULES", "RELATION_PARAM", "BY_NAME", "RULE_INDEX", "HARD_RULES", "SOFT_RULES", "order_stamp"]
