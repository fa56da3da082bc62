"""The teaching calendar (days and periods with breaks) and database settings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from ato_desktop.services.operations import Change
from ato_desktop.services.errors import ValidationError
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
ALL_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class PeriodInfo:
    position: int
    label: str
    start_time: str
    end_time: str
    is_break: bool

    @property
    def times(self) -> str:
        return f"{self.start_time}–{self.end_time}"


@dataclass(frozen=True)
class DayInfo:
    position: int
    name: str
    short_name: str


@dataclass(frozen=True)
class Calendar:
    days: tuple[DayInfo, ...]
    periods: tuple[PeriodInfo, ...]

    @property
    def n_days(self) -> int:
        return len(self.days)

    @property
    def periods_per_day(self) -> int:
        return len(self.periods)

    def teaching_periods(self) -> list[PeriodInfo]:
        return [p for p in self.periods if not p.is_break]

    def slot_label(self, day: int, period: int) -> str:
        return f"{self.days[day].short_name} {self.periods[period].label}"


def get_calendar(db: Database) -> Calendar:
    with db.read_session() as s:
        days = tuple(DayInfo(d.position, d.name, d.short_name) for d in s.scalars(select(m.Day).order_by(m.Day.position)))
        periods = tuple(
            PeriodInfo(p.position, p.label, p.start_time, p.end_time, p.is_break)
            for p in s.scalars(select(m.Period).order_by(m.Period.position))
        )
    return Calendar(days, periods)


def validate_calendar(days: list[str], periods: list[tuple[str, str, str, bool]]) -> None:
    def bad(field: str, msg: str) -> ValidationError:
        return ValidationError("Calendar", field, msg)

    if not days:
        raise bad("days", "choose at least one working day.")
    if len(set(d.lower() for d in days)) != len(days):
        raise bad("days", "a day is listed twice.")
    if not periods:
        raise bad("periods", "add at least one period.")
    if all(p[3] for p in periods):
        raise bad("periods", "every period is a break; add at least one teaching period.")
    previous_end = None
    for i, (label, start, end, _is_break) in enumerate(periods, start=1):
        if not str(label).strip():
            raise bad(f"period {i} label", "is required.")
        for what, t in (("start", start), ("end", end)):
            if not TIME_RE.match(str(t)):
                raise bad(f"period {i} {what} time", f"{t!r} is not a time like 09:00.")
        if end <= start:
            raise bad(f"period {i}", f"ends ({end}) before it starts ({start}).")
        if previous_end is not None and start < previous_end:
            raise bad(f"period {i}", f"starts at {start}, before the previous period ends ({previous_end}).")
        previous_end = end


def set_calendar(db: Database, days: list[str], periods: list[tuple[str, str, str, bool]]) -> Calendar:
    """Replace the calendar. Refused while timetables place sessions in days/periods that would vanish."""
    validate_calendar(days, periods)
    with db.session() as s:
        used = s.scalar(select(func.count()).select_from(m.SessionAssignment).where(m.SessionAssignment.day_id.is_not(None)))
        old_days = list(s.scalars(select(m.Day).order_by(m.Day.position)))
        old_periods = list(s.scalars(select(m.Period).order_by(m.Period.position)))
        if used and (len(days) < len(old_days) or len(periods) < len(old_periods)):
            raise ValidationError(
                "Calendar", "days/periods",
                f"{used} scheduled session(s) use the current calendar; unschedule them (or delete those timetables) "
                "before removing days or periods.",
            )
        # Update rows in place so that existing assignments keep their day/period rows.
        for i, d in enumerate(old_days):  # move out of the way of the unique constraints
            d.position, d.name = 1000 + i, f"__old{i}"
        for i, p in enumerate(old_periods):
            p.position = 1000 + i
        s.flush()
        for d in old_days[len(days):]:
            s.delete(d)
        for p in old_periods[len(periods):]:
            s.delete(p)
        s.flush()
        for i, name in enumerate(days):
            d = old_days[i] if i < len(old_days) else m.Day()
            d.position, d.name, d.short_name = i, name, name[:3]
            s.add(d)
        for i, (label, start, end, is_break) in enumerate(periods):
            p = old_periods[i] if i < len(old_periods) else m.Period()
            p.position, p.label, p.start_time, p.end_time, p.is_break = i, label, start, end, bool(is_break)
            s.add(p)
    return get_calendar(db)


# ---- settings ---------------------------------------------------------------
SETTING_DEFAULTS = {
    "institution_name": "",
    "department_name": "",
    "term": "",
}


def get_setting(db: Database, key: str, default: str | None = None) -> str:
    with db.read_session() as s:
        row = s.get(m.Setting, key)
        if row is None:
            return SETTING_DEFAULTS.get(key, "") if default is None else default
        return row.value


def set_settings(db: Database, **values: str) -> None:
    """Set the institution, department and term names (the keys of ``SETTING_DEFAULTS``), all or nothing."""
    for key, value in values.items():
        if key not in SETTING_DEFAULTS:
            raise ValidationError("Setting", key, f"is not a setting here; use one of {', '.join(SETTING_DEFAULTS)}.")
        if "\n" in str(value) or "\r" in str(value):
            raise ValidationError("Setting", key, "must be on one line.")
    with db.session() as s:
        for key, value in values.items():
            row = s.get(m.Setting, key)
            if row is None:
                s.add(m.Setting(key=key, value=str(value)))
            else:
                row.value = str(value)


def all_settings(db: Database) -> dict[str, str]:
    out = dict(SETTING_DEFAULTS)
    with db.read_session() as s:
        for row in s.scalars(select(m.Setting)):
            out[row.key] = row.value
    return out


def change_calendar(db: Database, *, days: list[str], periods: list[tuple[str, str, str, bool]],
                    settings: dict[str, str] | None = None) -> Change:
    """The Calendar page's Apply: working days, periods and the department's names, as one undo step.
    Nothing changes (and the change touches nothing) when all are as they were."""
    settings = dict(settings or {})
    before = get_calendar(db)
    old_days = [d.name for d in before.days]
    old_periods = [(p.label, p.start_time, p.end_time, p.is_break) for p in before.periods]
    current = all_settings(db)
    old_settings = {k: current.get(k, "") for k in settings}
    periods = [tuple(p) for p in periods]
    cal_changed = (list(days), periods) != (old_days, old_periods)
    set_changed = settings != old_settings
    if not cal_changed and not set_changed:
        return Change("Change the calendar", frozenset())
    validate_calendar(days, periods)
    if cal_changed:
        set_calendar(db, days, periods)
    if set_changed:
        set_settings(db, **settings)

    def back(d: Database) -> Change:
        return change_calendar(d, days=old_days, periods=old_periods, settings=old_settings)

    return Change("Change the calendar", {"calendar"}, reverse=back)
