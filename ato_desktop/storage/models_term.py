"""The term's dates, absences and daily substitutions (issue 21)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ato_desktop.storage.models_base import *  # noqa: F403  (Base and the enumerations)
from ato_desktop.storage.models_base import _in, utcnow

# ---------------------------------------------------------------------------
# The term's dates, absences and daily substitutions (issue 21)
# ---------------------------------------------------------------------------
TERM_DAY_KINDS = ("holiday", "follows")  # a day off, or a day that follows another weekday's timetable
ABSENCE_REASONS = ("leave", "duty", "other")
ARRANGEMENT_KINDS = ("substitute", "self_study", "swap", "merge")


class TermDay(Base):
    """An exceptional date of the term: a holiday, or a day that follows another weekday's timetable.

    The term's start, end and time zone are settings (``term_start``, ``term_end``, ``time_zone``).
    """

    __tablename__ = "term_day"
    __table_args__ = (
        CheckConstraint(_in("kind", TERM_DAY_KINDS), name="kind_valid"),
        CheckConstraint("(kind = 'follows') = (follows_day_id IS NOT NULL)", name="follows_complete"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="holiday")
    follows_day_id: Mapped[Optional[int]] = mapped_column(ForeignKey("day.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(200), default="")


class Absence(Base):
    """A faculty member away on one date: the whole day (``periods`` empty) or some periods (positions)."""

    __tablename__ = "absence"
    __table_args__ = (CheckConstraint(_in("reason", ABSENCE_REASONS), name="reason_valid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    faculty_id: Mapped[int] = mapped_column(ForeignKey("faculty.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    periods: Mapped[list[int]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(String(10), default="leave")
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Substitution(Base):
    """How one lesson of an absent faculty member is covered on one date.

    ``kind``: ``substitute`` (``substitute_id`` takes it), ``self_study`` (the group studies in
    ``room_id``), ``swap`` (the teacher of the group's later lesson ``other_*`` on ``other_date``
    takes this slot, the absent teacher takes theirs), ``merge`` (the group joins the lesson
    ``other_*`` running at the same time; its teacher, ``substitute_id``, takes both).
    Course, groups and period are copied so the register survives later edits of the timetable.
    """

    __tablename__ = "substitution"
    __table_args__ = (
        UniqueConstraint("absence_id", "activity_id", "occurrence"),
        CheckConstraint(_in("kind", ARRANGEMENT_KINDS), name="kind_valid"),
        CheckConstraint("period >= 0 AND duration >= 1", name="slot_valid"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    absence_id: Mapped[int] = mapped_column(ForeignKey("absence.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    timetable_id: Mapped[Optional[int]] = mapped_column(ForeignKey("timetable.id", ondelete="SET NULL"))
    activity_id: Mapped[Optional[int]] = mapped_column(ForeignKey("activity.id", ondelete="SET NULL"))
    occurrence: Mapped[int] = mapped_column(Integer, default=0)
    course_code: Mapped[str] = mapped_column(String(20), default="")
    activity_kind: Mapped[str] = mapped_column(String(1), default="L")
    groups: Mapped[str] = mapped_column(String(300), default="")
    period: Mapped[int] = mapped_column(Integer)  # position of the first period
    duration: Mapped[int] = mapped_column(Integer, default=1)
    absent_faculty_id: Mapped[int] = mapped_column(ForeignKey("faculty.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="substitute")
    substitute_id: Mapped[Optional[int]] = mapped_column(ForeignKey("faculty.id", ondelete="SET NULL"), index=True)
    room_id: Mapped[Optional[int]] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    other_activity_id: Mapped[Optional[int]] = mapped_column(ForeignKey("activity.id", ondelete="SET NULL"))
    other_occurrence: Mapped[Optional[int]] = mapped_column(Integer)
    other_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
