"""Timetable versions, their session assignments, published sessions and lifecycle events."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ato_desktop.storage.models_base import *  # noqa: F403  (Base and the enumerations)
from ato_desktop.storage.models_base import _in, utcnow


# ---------------------------------------------------------------------------
# Timetables (named versions) and their session assignments
# ---------------------------------------------------------------------------
class Timetable(Base):
    __tablename__ = "timetable"
    __table_args__ = (CheckConstraint(_in("status", TIMETABLE_STATUSES), name="status_valid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("timetable.id", ondelete="SET NULL"))
    hard_cost: Mapped[Optional[int]] = mapped_column(Integer)
    soft_cost: Mapped[Optional[int]] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Digest of the data hard_cost/soft_cost were computed on (None: unknown, recheck before trusting them).
    score_fingerprint: Mapped[Optional[str]] = mapped_column(String(64))
    # What the coordinator explicitly overrode when publishing (conflicts, unscheduled sessions), or None.
    publish_override: Mapped[Optional[str]] = mapped_column(Text)
    # The department that owns the version (a campus database); NULL in a department's own file (its home
    # department). ``committed_at``: when it was last committed to the campus (storage/models_campus.py).
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"), index=True)
    committed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    # The department's version whose commitment this one's commit replaced: withdrawing this one puts that one
    # back (services/campus.py, migration 0008_campus_insert_status). A plain number: the version may be gone.
    replaced_id: Mapped[Optional[int]] = mapped_column(Integer)

    assignments: Mapped[list["SessionAssignment"]] = relationship(
        back_populates="timetable", cascade="all, delete-orphan", passive_deletes=True
    )


class SessionAssignment(Base):
    """Where occurrence ``occurrence`` of an activity sits in one timetable version.

    ``day_id``/``period_id`` NULL = unscheduled; ``period_id`` is the *first* period
    of a multi-period session.
    """

    __tablename__ = "session_assignment"
    __table_args__ = (
        UniqueConstraint("timetable_id", "activity_id", "occurrence"),
        CheckConstraint("occurrence >= 0", name="occurrence_nonneg"),
        CheckConstraint("(day_id IS NULL) = (period_id IS NULL)", name="slot_complete"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetable.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    occurrence: Mapped[int] = mapped_column(Integer)
    # RESTRICT: removing a day/period from the calendar first unschedules its sessions (services).
    day_id: Mapped[Optional[int]] = mapped_column(ForeignKey("day.id", ondelete="RESTRICT"))
    period_id: Mapped[Optional[int]] = mapped_column(ForeignKey("period.id", ondelete="RESTRICT"))
    room_id: Mapped[Optional[int]] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)

    timetable: Mapped[Timetable] = relationship(back_populates="assignments")
    activity: Mapped[Activity] = relationship()
    day: Mapped[Optional[Day]] = relationship()
    period: Mapped[Optional[Period]] = relationship()
    room: Mapped[Optional[Room]] = relationship()


class PublishedSession(Base):
    """One session of a published version as it was printed and mailed at publish time (a frozen snapshot).

    Written once when the version is published and never changed: the course, faculty, room, group
    names and the day and period labels are copied, so later edits of the data (a new teacher, a renamed
    room, a deleted activity) do not rewrite what was published. ``activity_id`` is the activity's id at
    publish time, kept as a plain number (no foreign key: the activity may be deleted later).
    Lists (groups, faculty) are stored as JSON lists, in code order.
    """

    __tablename__ = "published_session"
    __table_args__ = (UniqueConstraint("timetable_id", "activity_id", "occurrence"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetable.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(Integer)
    occurrence: Mapped[int] = mapped_column(Integer)
    course_code: Mapped[str] = mapped_column(String(40))
    course_title: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(20))
    duration: Mapped[int] = mapped_column(Integer, default=1)
    basket: Mapped[Optional[str]] = mapped_column(String(40))
    group_codes: Mapped[list[str]] = mapped_column(default=list)
    group_names: Mapped[list[str]] = mapped_column(default=list)
    faculty_codes: Mapped[list[str]] = mapped_column(default=list)
    faculty_names: Mapped[list[str]] = mapped_column(default=list)
    room_code: Mapped[Optional[str]] = mapped_column(String(40))
    room_name: Mapped[Optional[str]] = mapped_column(String(200))
    day: Mapped[Optional[int]] = mapped_column(Integer)  # position; NULL = not scheduled
    period: Mapped[Optional[int]] = mapped_column(Integer)  # position of the first period
    day_name: Mapped[Optional[str]] = mapped_column(String(40))
    day_short: Mapped[Optional[str]] = mapped_column(String(20))
    period_label: Mapped[Optional[str]] = mapped_column(String(60))  # "P3" or "P3–P4"
    start_time: Mapped[Optional[str]] = mapped_column(String(10))
    end_time: Mapped[Optional[str]] = mapped_column(String(10))


class TimetableEvent(Base):
    """One step of a version's review and publication (submitted, returned, approved, published, archived):
    who took it, when, and their comment. ``from_status`` is NULL for a version's creation."""

    __tablename__ = "timetable_event"
    __table_args__ = (CheckConstraint(_in("to_status", TIMETABLE_STATUSES), name="to_status_valid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetable.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[Optional[str]] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    who: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")
