"""FET's activity-tag max hours (issue 17) <-> the engine's ``activities_max_daily`` /
``activities_max_consecutive`` relations; FET's students' min gaps between an ordered pair of activity tags
-> ``activities_ordered_min_gaps`` relations of two sets (import only; held back while
``io.fet.ORDERED_PAIR_TIME`` is not in ``SUPPORTED_TIME``).

FET limits the hours a teacher (or every teacher) or a students set (or all students) spends on the
activities of one tag, per day or in a row. The department model keeps no activity tags (a tag becomes an
activity kind), so the import resolves each constraint to sets of activities: for a teacher, their active
activities with the tag; for a students set, per subgroup (as FET counts a students set: every subgroup on
its own, with the activities of its group and year), the active activities with the tag that subgroup
attends. Each distinct set becomes one relation (``storage.relations``: ``{"activities": [...],
"max_periods": N}``); a set that cannot exceed its limit (its periods in the week at most the limit) is left
out. The export writes each relation back as a tag of its own on its activities, with the teacher (or
students set) that all its activities share.
"""

from __future__ import annotations

from ato_desktop.io import fet as fio

# FET type -> (who: "teacher" | "teachers" | "students_set" | "students", engine rule, the value's element)
TAG_LIMIT_TYPES: dict[str, tuple[str, str, str]] = {
    f"Constraint{who_tag}ActivityTagMaxHours{what}": (who, rule, value)
    for who_tag, who in (("Teacher", "teacher"), ("Teachers", "teachers"), ("StudentsSet", "students_set"),
                         ("Students", "students"))
    for what, rule, value in (("Daily", "activities_max_daily", "Maximum_Hours_Daily"),
                              ("Continuously", "activities_max_consecutive", "Maximum_Hours_Continuously"))
}
assert set(TAG_LIMIT_TYPES) == fio.ACTIVITY_TAG_LIMIT_TIME, "io.fet lists the activity-tag limits as imported"
ORDERED_PAIR_TYPES = {"ConstraintStudentsMinGapsBetweenOrderedPairOfActivityTags": "students",
                      "ConstraintStudentsSetMinGapsBetweenOrderedPairOfActivityTags": "students_set"}
assert set(ORDERED_PAIR_TYPES) == fio.ORDERED_PAIR_TIME


def _tag(planner, el: fio.Element, name: str) -> str:
    if planner.f.tags and name not in planner.f.tags:
        raise planner._bad(el, f"names the activity tag {name!r}, which is not in the activity tags list.")
    return name


def _atoms(planner, el: fio.Element, who: str) -> list[str]:
    """The subgroups a students constraint binds: every subgroup of the set, or all of them."""
    if who == "students_set":
        return list(planner.atoms[planner._students(el, "Students")])
    return sorted({x for xs in planner.atoms.values() for x in xs})


def _read_ordered_pair(planner, el: fio.Element, who: str, pct: float) -> None:
    """Per subgroup, the (active) activities with the first tag it attends and those with the second: one
    ``activities_ordered_min_gaps`` relation of these two sets (FET counts the pairs per subgroup; subgroups
    with the same two sets share one relation), not every pair apart (Kurukshetra: 12 constraints, 9,278
    pairs)."""
    from ato_desktop.services.fet_plan import _num

    gap = max(0, _num(el, "MinGaps", planner.name))
    first = _tag(planner, el, el.get("First_Activity_Tag"))
    second = _tag(planner, el, el.get("Second_Activity_Tag"))
    rule = "activities_ordered_min_gaps"
    if gap > 0:
        seen = {(r, tuple(ids), p) for r, ids, p, _ in planner.relations if r == rule}
        for atom in _atoms(planner, el, who):
            mine = [a for a in planner.acts.values() if atom in a.atoms]
            ids = (tuple(sorted(a.fet.id for a in mine if first in a.fet.tags)),
                   tuple(sorted(a.fet.id for a in mine if second in a.fet.tags)))
            key = (rule, ids, gap)
            if not ids[0] or not ids[1] or ids[0] == ids[1] and len(ids[0]) == 1 or key in seen:
                continue  # no pair (a single activity with both tags is no pair)
            seen.add(key)
            planner.relations.append((rule, ids, gap, pct))
        planner.soft(rule, pct)
    planner.r.took(el.tag)


def read_tag_limit(planner, el: fio.Element, tag: str, pct: float) -> bool:
    """Take one FET time constraint if it is an activity-tag max hours or an ordered pair of tags' min gaps
    (True), else False: its sets of activities go to ``planner.relations`` as (rule, FET activity ids, limit,
    percentage); an ordered pair's ids are the two sets' (first, second)."""
    if tag in ORDERED_PAIR_TYPES and tag in fio.SUPPORTED_TIME:  # held back for now (io.fet.ORDERED_PAIR_TIME)
        _read_ordered_pair(planner, el, ORDERED_PAIR_TYPES[tag], pct)
        return True
    spec = TAG_LIMIT_TYPES.get(tag)
    if spec is None:
        return False
    from ato_desktop.services.fet_plan import _num

    who, rule, value_tag = spec
    limit = max(0, _num(el, value_tag, planner.name))
    # FET writes the tag as <Activity_Tag_Name> for teachers and <Activity_Tag> for students
    name = _tag(planner, el, el.get("Activity_Tag_Name") if el.find("Activity_Tag_Name") is not None
                else el.get("Activity_Tag"))
    tagged = [a for a in planner.acts.values() if name in a.fet.tags]
    if who in ("teacher", "teachers"):
        people = [planner._teacher(el, "Teacher_Name")] if who == "teacher" else sorted(planner.teachers)
        sets = [[a for a in tagged if t in a.fet.teachers] for t in people]
    else:
        sets = [[a for a in tagged if atom in a.atoms] for atom in _atoms(planner, el, who)]
    seen = {(r, tuple(ids), p) for r, ids, p, _ in planner.relations}
    for acts in sets:
        if sum(a.fet.duration for a in acts) <= limit:
            continue  # cannot exceed its limit: binds nothing
        ids = sorted(a.fet.id for a in acts)
        key = (rule, tuple(ids), limit)
        if key in seen:
            continue
        seen.add(key)
        planner.relations.append((rule, ids, limit, pct))
    planner.soft(rule, pct)
    planner.r.took(tag)
    return True


def export_tag_limits(relations, fet_id: dict[int, int], activities, tags: list[str], resources_of,
                      codes, weight_pct) -> tuple[list[fio.Element], int]:
    """FET elements for the ``activities_max_daily`` / ``activities_max_consecutive`` relations, and how many
    were left out (no teacher or students set common to all their activities).

    ``activities``: the FET activities by FET id (their tags get the relation's own tag); ``tags``: the
    file's tag list (extended); ``resources_of(session)``: its resource indices; ``codes(q)``: ("teacher" |
    "students", code) of a resource; ``weight_pct(rule)``: the FET percentage of the rule, or None (off)."""
    E = fio.E
    out: list[fio.Element] = []
    left = 0
    for x in relations:
        if x.rule not in ("activities_max_daily", "activities_max_consecutive"):
            continue
        pct = weight_pct(x.rule)
        if pct is None:
            continue
        common = None
        for s in x.sessions:
            qs = {int(q) for q in resources_of(int(s))}
            common = qs if common is None else common & qs
        whos = sorted((codes(q) for q in (common or ())), key=lambda wc: (wc[0] != "teacher", wc[1]))
        if not whos:
            left += 1
            continue
        kind, code = whos[0]
        name = f"ATO limit {len(tags) + 1}"
        tags.append(name)
        for s in x.sessions:
            activities[fet_id[int(s)]].tags.append(name)
        daily = x.rule == "activities_max_daily"
        value = E("Maximum_Hours_Daily" if daily else "Maximum_Hours_Continuously", x.param)
        what = "Daily" if daily else "Continuously"
        if kind == "teacher":
            out.append(E(f"ConstraintTeacherActivityTagMaxHours{what}", "", E("Weight_Percentage", pct),
                         E("Teacher_Name", code), E("Activity_Tag_Name", name), value, E("Active", "true"),
                         E("Comments")))
        else:
            out.append(E(f"ConstraintStudentsSetActivityTagMaxHours{what}", "", E("Weight_Percentage", pct),
                         value, E("Students", code), E("Activity_Tag", name), E("Active", "true"), E("Comments")))
    return out, left
