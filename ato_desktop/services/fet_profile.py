"""FET's day-profile constraints (issue 17) <-> the engine's day-profile rules and their parameters.

FET has a constraint per teacher and one for all teachers (``ConstraintTeacherMaxGapsPerWeek`` /
``ConstraintTeachersMaxGapsPerWeek``), and the same for a students set and all students; they map onto
one engine rule each (``max_gaps_week`` ...), whose constraint row keeps the limits in ``params``
(``faculty_limit``, ``group_limit``, ``overrides`` by code; ``storage.compile_profile``). Several FET
constraints on one teacher or students set: the strictest value counts (the smallest maximum, the
largest minimum); the rule's weight comes from the highest percentage (``fet_plan.soft_weight``).
"""

from __future__ import annotations

from collections import defaultdict

from ato_desktop.io import fet as fio

# FET type -> (engine rule, who: "teachers" | "teacher" | "students" | "students_set", the value's element)
PROFILE_TYPES: dict[str, tuple[str, str, str]] = {
    "ConstraintTeachersMaxGapsPerWeek": ("max_gaps_week", "teachers", "Max_Gaps"),
    "ConstraintTeacherMaxGapsPerWeek": ("max_gaps_week", "teacher", "Max_Gaps"),
    "ConstraintStudentsMaxGapsPerWeek": ("max_gaps_week", "students", "Max_Gaps"),
    "ConstraintStudentsSetMaxGapsPerWeek": ("max_gaps_week", "students_set", "Max_Gaps"),
    "ConstraintTeachersMaxGapsPerDay": ("max_gaps_day", "teachers", "Max_Gaps"),
    "ConstraintTeacherMaxGapsPerDay": ("max_gaps_day", "teacher", "Max_Gaps"),
    "ConstraintStudentsMaxGapsPerDay": ("max_gaps_day", "students", "Max_Gaps"),
    "ConstraintStudentsSetMaxGapsPerDay": ("max_gaps_day", "students_set", "Max_Gaps"),
    "ConstraintTeachersMinHoursDaily": ("min_hours_daily", "teachers", "Minimum_Hours_Daily"),
    "ConstraintTeacherMinHoursDaily": ("min_hours_daily", "teacher", "Minimum_Hours_Daily"),
    "ConstraintStudentsMinHoursDaily": ("min_hours_daily", "students", "Minimum_Hours_Daily"),
    "ConstraintStudentsSetMinHoursDaily": ("min_hours_daily", "students_set", "Minimum_Hours_Daily"),
    "ConstraintStudentsEarlyMaxBeginningsAtSecondHour": ("early_start", "students", "Max_Beginnings_At_Second_Hour"),
    "ConstraintStudentsSetEarlyMaxBeginningsAtSecondHour": ("early_start", "students_set",
                                                            "Max_Beginnings_At_Second_Hour"),
    "ConstraintStudentsMaxHoursDaily": ("group_max_daily", "students", "Maximum_Hours_Daily"),
    "ConstraintStudentsSetMaxHoursDaily": ("group_max_daily", "students_set", "Maximum_Hours_Daily"),
    "ConstraintStudentsMaxHoursContinuously": ("group_max_consecutive", "students", "Maximum_Hours_Continuously"),
    "ConstraintStudentsSetMaxHoursContinuously": ("group_max_consecutive", "students_set",
                                                  "Maximum_Hours_Continuously"),
    "ConstraintTeachersMinDaysPerWeek": ("min_days_week", "teachers", "Minimum_Days_Per_Week"),
    "ConstraintTeacherMinDaysPerWeek": ("min_days_week", "teacher", "Minimum_Days_Per_Week"),
    "ConstraintTeachersIntervalMaxDaysPerWeek": ("interval_max_days", "teachers", "Max_Days_Per_Week"),
    "ConstraintTeacherIntervalMaxDaysPerWeek": ("interval_max_days", "teacher", "Max_Days_Per_Week"),
    "ConstraintStudentsIntervalMaxDaysPerWeek": ("interval_max_days", "students", "Max_Days_Per_Week"),
    "ConstraintStudentsSetIntervalMaxDaysPerWeek": ("interval_max_days", "students_set", "Max_Days_Per_Week"),
}
assert set(PROFILE_TYPES) == fio.DAY_PROFILE_TIME, "io.fet lists the day profile's FET types as imported"
# FET's building changes (space constraints; a teacher is <Teacher> there) -> (engine rule, who, value)
BUILDING_TYPES: dict[str, tuple[str, str, str]] = {
    f"Constraint{who_tag}{what}": (rule, who, value)
    for who_tag, who in (("Teacher", "teacher"), ("Teachers", "teachers"), ("Students", "students"),
                         ("StudentsSet", "students_set"))
    for what, rule, value in (
        ("MaxBuildingChangesPerDay", "max_building_changes_day", "Max_Building_Changes_Per_Day"),
        ("MaxBuildingChangesPerWeek", "max_building_changes_week", "Max_Building_Changes_Per_Week"),
        ("MinGapsBetweenBuildingChanges", "min_gaps_building_changes", "Min_Gaps_Between_Building_Changes"))
}
assert set(BUILDING_TYPES) == fio.BUILDING_SPACE, "io.fet lists the building types as imported"
BUILDING_RULES = ("max_building_changes_day", "max_building_changes_week", "min_gaps_building_changes")
MINIMUM_RULES = ("min_hours_daily", "min_days_week", "min_gaps_building_changes")  # a larger value is stricter
PROFILE_RULES = tuple(dict.fromkeys(rule for rule, _, _ in PROFILE_TYPES.values()))


def _stricter(rule: str, a: int | None, b: int) -> int:
    if a is None:
        return b
    return max(a, b) if rule in MINIMUM_RULES else min(a, b)


class ProfilePlan:
    """The day-profile limits read from a FET file, by FET name: ``limits[rule]`` maps ``("teachers",)``
    / ``("students",)`` (everyone) or ``("teacher", name)`` / ``("atom", subgroup name)`` to a value."""

    def __init__(self):
        self.limits: dict[str, dict[tuple, int]] = defaultdict(dict)
        self.no_empty: set[tuple] = set()  # min_hours_daily without empty days
        self.interval: dict[str, tuple[int, int]] = {}  # interval_max_days: kind -> (first hour, end hour)

    def read(self, planner, el: fio.Element, tag: str, pct: float) -> bool:
        """Take one FET time constraint if it is of the day profile, or a space constraint on building
        changes (True), else False."""
        spec = PROFILE_TYPES.get(tag) or BUILDING_TYPES.get(tag)
        if spec is None:
            return False
        from ato_desktop.services.fet_plan import _num

        rule, who, value_tag = spec
        v = max(0, _num(el, value_tag, planner.name))
        if rule == "interval_max_days":
            kind = "faculty" if who.startswith("teacher") else "group"
            start, end = el.get("Interval_Start_Hour"), el.get("Interval_End_Hour")
            for h in (start, end):
                if h and h not in planner.hour_ix:
                    raise planner._bad(el, f"names the hour {h!r}, which is not in the hours list.")
            if not start:
                raise planner._bad(el, "needs an <Interval_Start_Hour>.")
            iv = (planner.hour_ix[start], planner.hour_ix[end] if end else planner.P)
            if self.interval.setdefault(kind, iv) != iv:
                planner.r.skip(tag, "a second part of the day for " + ("teachers" if kind == "faculty" else
                                                                       "students") + " (one is kept)")
                return True
        if who == "teacher":
            keys = [("teacher", planner._teacher(el, "Teacher" if tag in BUILDING_TYPES else "Teacher_Name"))]
        elif who == "students_set":
            keys = [("atom", a) for a in planner.atoms[planner._students(el, "Students")]]
        else:
            keys = [(who,)]
        for k in keys:
            self.limits[rule][k] = _stricter(rule, self.limits[rule].get(k), v)
        if rule == "min_hours_daily":
            empty = el.get("Allow_Empty_Days").strip().lower() if el.find("Allow_Empty_Days") is not None else ""
            # FET's default: teachers may have empty days; students sets (older files) may not
            if empty == "false" or (not empty and who.startswith("students")):
                self.no_empty.update(keys)
        planner.soft(rule, pct)
        planner.r.took(tag)
        return True

    def params(self, rule: str, faculty: dict, atom_groups: dict) -> dict:
        """The rule's constraint parameters, codes from the new database (``faculty``: FET teacher name ->
        Faculty, ``atom_groups``: FET atomic students set -> StudentGroup)."""
        lim = self.limits.get(rule)
        if not lim:
            return {}
        out: dict = {}
        every_t, every_s = lim.get(("teachers",)), lim.get(("students",))
        if every_t is not None:
            out["faculty_limit"] = every_t
        if every_s is not None:
            out["group_limit"] = every_s
        overrides: dict[str, int] = {}
        for key, v in lim.items():
            if key[0] == "teacher" and key[1] in faculty:
                v, code = _stricter(rule, every_t, v), faculty[key[1]].code
            elif key[0] == "atom" and key[1] in atom_groups:
                v, code = _stricter(rule, every_s, v), atom_groups[key[1]].code
            else:
                continue
            if v != (every_t if key[0] == "teacher" else every_s):
                overrides[code] = v
        if overrides:
            out["overrides"] = dict(sorted(overrides.items()))
        if rule == "interval_max_days":
            for kind, (a, b) in self.interval.items():
                out[f"{kind}_from"], out[f"{kind}_to"] = a + 1, b
        if rule == "min_hours_daily" and self.no_empty:
            codes = set()
            for key in self.no_empty:
                if key == ("teachers",):
                    codes |= {x.code for x in faculty.values()}
                elif key == ("students",):
                    codes |= {g.code for g in atom_groups.values()}
                elif key[0] == "teacher" and key[1] in faculty:
                    codes.add(faculty[key[1]].code)
                elif key[0] == "atom" and key[1] in atom_groups:
                    codes.add(atom_groups[key[1]].code)
            out["no_empty_days"] = sorted(codes)
        return out


# ---------------------------------------------------------------------------
# export: the rules' parameters back to FET constraints
# ---------------------------------------------------------------------------
_EXPORT = {  # rule -> (all teachers' type, one teacher's type, all students', one students set's, value tag)
    "max_gaps_week": ("ConstraintTeachersMaxGapsPerWeek", "ConstraintTeacherMaxGapsPerWeek",
                      "ConstraintStudentsMaxGapsPerWeek", "ConstraintStudentsSetMaxGapsPerWeek", "Max_Gaps"),
    "max_gaps_day": ("ConstraintTeachersMaxGapsPerDay", "ConstraintTeacherMaxGapsPerDay",
                     "ConstraintStudentsMaxGapsPerDay", "ConstraintStudentsSetMaxGapsPerDay", "Max_Gaps"),
    "min_hours_daily": ("ConstraintTeachersMinHoursDaily", "ConstraintTeacherMinHoursDaily",
                        "ConstraintStudentsMinHoursDaily", "ConstraintStudentsSetMinHoursDaily",
                        "Minimum_Hours_Daily"),
    "early_start": (None, None, "ConstraintStudentsEarlyMaxBeginningsAtSecondHour",
                    "ConstraintStudentsSetEarlyMaxBeginningsAtSecondHour", "Max_Beginnings_At_Second_Hour"),
    "group_max_daily": (None, None, "ConstraintStudentsMaxHoursDaily", "ConstraintStudentsSetMaxHoursDaily",
                        "Maximum_Hours_Daily"),
    "group_max_consecutive": (None, None, "ConstraintStudentsMaxHoursContinuously",
                              "ConstraintStudentsSetMaxHoursContinuously", "Maximum_Hours_Continuously"),
    "min_days_week": ("ConstraintTeachersMinDaysPerWeek", "ConstraintTeacherMinDaysPerWeek", None, None,
                      "Minimum_Days_Per_Week"),
    "interval_max_days": ("ConstraintTeachersIntervalMaxDaysPerWeek", "ConstraintTeacherIntervalMaxDaysPerWeek",
                          "ConstraintStudentsIntervalMaxDaysPerWeek", "ConstraintStudentsSetIntervalMaxDaysPerWeek",
                          "Max_Days_Per_Week"),
    **{rule: tuple(f"Constraint{w}{what}" for w in ("Teachers", "Teacher", "Students", "StudentsSet")) + (value,)
       for what, rule, value in (
           ("MaxBuildingChangesPerDay", "max_building_changes_day", "Max_Building_Changes_Per_Day"),
           ("MaxBuildingChangesPerWeek", "max_building_changes_week", "Max_Building_Changes_Per_Week"),
           ("MinGapsBetweenBuildingChanges", "min_gaps_building_changes", "Min_Gaps_Between_Building_Changes"))},
}


def export_elements(rows, faculty_codes: set[str], group_codes: set[str], percent_of_weight,
                    hours: list[str] = ()) -> list[fio.Element]:
    """FET time constraints for the day-profile rules' rows (enabled, weight > 0, with limits). A faculty
    code names a teacher, a group code a students set (a section is a year, a batch a group, as
    ``export_fet`` writes them); ``hours``: the FET hour names (for the intervals)."""
    E = fio.E
    out: list[fio.Element] = []
    for ci in sorted(rows, key=lambda c: c.type):
        spec = _EXPORT.get(ci.type)
        if spec is None or not ci.enabled or ci.weight <= 0:
            continue
        all_t, one_t, all_s, one_s, value_tag = spec
        params = dict(ci.params or {})
        if params.get("must") is True:  # a must: FET's 100 %
            pct = 100
        elif ci.type in BUILDING_RULES:  # FET takes building changes only at 100 %: what a 100 % import weighs
            if ci.weight < 1000:
                continue
            pct = 100
        else:
            pct = percent_of_weight(ci.weight)
        no_empty = {str(c).lower() for c in params.get("no_empty_days") or []}
        default_empty = bool(params.get("allow_empty_days", True))

        def el(tag, who, value, empty_ok):
            kids = [E("Weight_Percentage", pct)]
            if tag in ("ConstraintTeacherMaxGapsPerWeek", "ConstraintTeacherMaxGapsPerDay",
                       "ConstraintTeacherMinHoursDaily", "ConstraintTeacherMinDaysPerWeek",
                       "ConstraintTeacherIntervalMaxDaysPerWeek"):
                kids.append(E("Teacher_Name", who))
            elif tag in BUILDING_TYPES and BUILDING_TYPES[tag][1] == "teacher":
                kids.append(E("Teacher", who))
            if ci.type == "interval_max_days":  # FET's order: who, the interval, the value
                if tag.startswith("ConstraintStudentsSet"):
                    kids.append(E("Students", who))
                kind = "faculty" if tag.startswith("ConstraintTeacher") else "group"
                lo, hi = int(params.get(f"{kind}_from") or 1) - 1, int(params.get(f"{kind}_to") or 1)
                kids.append(E("Interval_Start_Hour", hours[lo] if 0 <= lo < len(hours) else ""))
                kids.append(E("Interval_End_Hour", hours[hi] if 0 <= hi < len(hours) else ""))
                return E(tag, "", *kids, E(value_tag, value), E("Active", "true"), E("Comments"))
            kids.append(E(value_tag, value))
            if tag.startswith("ConstraintStudentsSet"):
                kids.append(E("Students", who))
            if ci.type == "min_hours_daily":
                kids.append(E("Allow_Empty_Days", "true" if empty_ok else "false"))
            return E(tag, "", *kids, E("Active", "true"), E("Comments"))

        for key, tag, codes in (("faculty_limit", all_t, faculty_codes), ("group_limit", all_s, group_codes)):
            v = params.get(key)
            if tag is not None and v is not None and int(v) >= 0 and codes:
                out.append(el(tag, None, int(v), default_empty))
        overrides = dict(params.get("overrides") or {})
        for code in sorted(faculty_codes | group_codes):  # no empty days, at the default minimum
            default = params.get("faculty_limit" if code in faculty_codes else "group_limit")
            if code.lower() in no_empty and code not in overrides and default is not None:
                overrides[code] = default
        for code, v in sorted(overrides.items()):
            if v is None or int(v) < 0:
                continue
            if code in faculty_codes and one_t is not None:
                out.append(el(one_t, code, int(v), code.lower() not in no_empty and default_empty))
            elif code in group_codes and one_s is not None:
                out.append(el(one_s, code, int(v), code.lower() not in no_empty and default_empty))
    return out
