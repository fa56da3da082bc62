"""The department's own data: settings, days and periods, the department, faculty, rooms, student
groups and their availability, courses, elective baskets, activities, time preferences and
constraint instances.
"""

from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ato_desktop.storage.models_base import *  # noqa: F403  (Base and the enumerations)
from ato_desktop.storage.models_base import _in


# ---------------------------------------------------------------------------
# Settings and calendar
# ---------------------------------------------------------------------------
class Setting(Base):
    """Key/value settings stored with the database (institution name, term, ...).

    Secrets never go here: SMTP passwords live in the OS keychain.
    """

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class Day(Base):
    __tablename__ = "day"
    __table_args__ = (CheckConstraint("position >= 0", name="position_nonneg"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)
    short_name: Mapped[str] = mapped_column(String(10))


class Period(Base):
    """A period of the teaching day; ``is_break`` periods (lunch) hold no teaching."""

    __tablename__ = "period"
    __table_args__ = (
        CheckConstraint("position >= 0", name="position_nonneg"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, unique=True)
    label: Mapped[str] = mapped_column(String(30))
    start_time: Mapped[str] = mapped_column(String(5))  # "09:00"
    end_time: Mapped[str] = mapped_column(String(5))
    is_break: Mapped[bool] = mapped_column(Boolean, default=False)


class Department(Base):
    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_home: Mapped[bool] = mapped_column(Boolean, default=False)  # the coordinator's own department


# ---------------------------------------------------------------------------
# Faculty, rooms, student groups and their availability
# ---------------------------------------------------------------------------
class Faculty(Base):
    __tablename__ = "faculty"
    __table_args__ = (
        CheckConstraint("max_weekly_periods >= 0", name="weekly_nonneg"),
        CheckConstraint("max_daily_periods >= 0", name="daily_nonneg"),
        CheckConstraint("max_consecutive >= 0", name="consecutive_nonneg"),
        CheckConstraint("max_days >= 0", name="days_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # short code / initials, e.g. "SRA"
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    designation: Mapped[str] = mapped_column(String(60), default="Assistant Professor")
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"), index=True)
    max_weekly_periods: Mapped[int] = mapped_column(Integer, default=16)
    max_daily_periods: Mapped[int] = mapped_column(Integer, default=0)  # 0 = no limit
    max_consecutive: Mapped[int] = mapped_column(Integer, default=0)
    max_days: Mapped[int] = mapped_column(Integer, default=0)

    department: Mapped[Department] = relationship()
    availability: Mapped[list["FacultyAvailability"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class Room(Base):
    __tablename__ = "room"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint(_in("kind", ROOM_KINDS), name="kind_valid"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    building: Mapped[str] = mapped_column(String(100), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default="classroom")
    features: Mapped[list[str]] = mapped_column(default=list)
    department_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL"), index=True
    )
    shared: Mapped[bool] = mapped_column(Boolean, default=False)

    department: Mapped[Optional[Department]] = relationship()
    availability: Mapped[list["RoomAvailability"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class StudentGroup(Base):
    """A section (``parent_id`` NULL) or a lab batch of a section (``parent_id`` set)."""

    __tablename__ = "student_group"
    __table_args__ = (
        CheckConstraint("strength > 0", name="strength_positive"),
        CheckConstraint("semester >= 1 AND semester <= 12", name="semester_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # "CSE-3A", "CSE-3A-B1"
    name: Mapped[str] = mapped_column(String(200), default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"), index=True)
    programme: Mapped[str] = mapped_column(String(100), default="B.Tech")
    semester: Mapped[int] = mapped_column(Integer, default=1)
    section: Mapped[str] = mapped_column(String(10), default="")
    strength: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("student_group.id", ondelete="CASCADE"), index=True
    )
    # the class representative's address or the class mailing list (notices of substitutions)
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")

    department: Mapped[Department] = relationship()
    parent: Mapped[Optional["StudentGroup"]] = relationship(remote_side="StudentGroup.id", back_populates="batches")
    batches: Mapped[list["StudentGroup"]] = relationship(
        back_populates="parent", cascade="all, delete-orphan", passive_deletes=True
    )
    availability: Mapped[list["GroupAvailability"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


def _availability_columns() -> tuple:
    return (
        CheckConstraint(_in("state", AVAILABILITY_STATES), name="state_valid"),
    )


class FacultyAvailability(Base):
    __tablename__ = "faculty_availability"
    __table_args__ = (UniqueConstraint("faculty_id", "day_id", "period_id"), *_availability_columns())
    id: Mapped[int] = mapped_column(primary_key=True)
    faculty_id: Mapped[int] = mapped_column(ForeignKey("faculty.id", ondelete="CASCADE"))
    day_id: Mapped[int] = mapped_column(ForeignKey("day.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12))


class RoomAvailability(Base):
    __tablename__ = "room_availability"
    __table_args__ = (UniqueConstraint("room_id", "day_id", "period_id"), *_availability_columns())
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    day_id: Mapped[int] = mapped_column(ForeignKey("day.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12))


class GroupAvailability(Base):
    __tablename__ = "group_availability"
    __table_args__ = (UniqueConstraint("group_id", "day_id", "period_id"), *_availability_columns())
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("student_group.id", ondelete="CASCADE"))
    day_id: Mapped[int] = mapped_column(ForeignKey("day.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12))


# ---------------------------------------------------------------------------
# Courses, activities, elective baskets
# ---------------------------------------------------------------------------
class Course(Base):
    __tablename__ = "course"
    __table_args__ = (
        CheckConstraint("credits >= 0", name="credits_nonneg"),
        CheckConstraint("lecture_hours >= 0 AND tutorial_hours >= 0 AND practical_hours >= 0", name="ltp_nonneg"),
        CheckConstraint(_in("category", NEP_CATEGORIES), name="category_valid"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    credits: Mapped[int] = mapped_column(Integer, default=3)
    lecture_hours: Mapped[int] = mapped_column(Integer, default=3)
    tutorial_hours: Mapped[int] = mapped_column(Integer, default=0)
    practical_hours: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(30), default="major")
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"), index=True)

    department: Mapped[Department] = relationship()
    activities: Mapped[list["Activity"]] = relationship(
        back_populates="course", cascade="all, delete-orphan", passive_deletes=True
    )


class ElectiveBasket(Base):
    """Activities that must run at the same time (students choose one of them).

    ``cohorts`` are the student groups whose students choose within the basket;
    they are kept free while the basket runs.
    """

    __tablename__ = "elective_basket"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    activities: Mapped[list["Activity"]] = relationship(back_populates="basket", passive_deletes=True)
    cohorts: Mapped[list[StudentGroup]] = relationship(secondary=lambda: basket_cohort)


activity_group = Table(
    "activity_group",
    Base.metadata,
    Column("activity_id", ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("student_group.id", ondelete="CASCADE"), primary_key=True),
)

activity_faculty = Table(
    "activity_faculty",
    Base.metadata,
    Column("activity_id", ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True),
    Column("faculty_id", ForeignKey("faculty.id", ondelete="CASCADE"), primary_key=True),
)

basket_cohort = Table(
    "basket_cohort",
    Base.metadata,
    Column("basket_id", ForeignKey("elective_basket.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("student_group.id", ondelete="CASCADE"), primary_key=True),
)


class Activity(Base):
    """What gets scheduled: a course's lecture/tutorial/practical for some groups."""

    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint(_in("kind", ACTIVITY_KINDS), name="kind_valid"),
        CheckConstraint("sessions_per_week >= 1 AND sessions_per_week <= 20", name="sessions_range"),
        CheckConstraint("duration >= 1 AND duration <= 6", name="duration_range"),
        CheckConstraint("min_days >= 0", name="min_days_nonneg"),
        CheckConstraint(_in("room_kind", ROOM_KINDS), name="room_kind_valid"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(1), default="L")
    sessions_per_week: Mapped[int] = mapped_column(Integer, default=3)
    duration: Mapped[int] = mapped_column(Integer, default=1)
    room_kind: Mapped[str] = mapped_column(String(20), default="classroom")
    required_features: Mapped[list[str]] = mapped_column(default=list)
    preferred_room_id: Mapped[Optional[int]] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    min_days: Mapped[int] = mapped_column(Integer, default=0)  # 0 = spread over sessions_per_week days
    basket_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("elective_basket.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(String(200), default="")
    # the students the room must seat, where not the sum of the groups' strengths (a FET activity's own
    # number, migration 0009); None: the sum
    student_count: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)

    course: Mapped[Course] = relationship(back_populates="activities")
    groups: Mapped[list[StudentGroup]] = relationship(secondary=activity_group, order_by=StudentGroup.code)
    faculty: Mapped[list[Faculty]] = relationship(secondary=activity_faculty, order_by=Faculty.code)
    preferred_room: Mapped[Optional[Room]] = relationship()
    basket: Mapped[Optional[ElectiveBasket]] = relationship(back_populates="activities")
    time_prefs: Mapped[list["ActivityTimePreference"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class ActivityTimePreference(Base):
    """Preferred / undesired (soft) or unavailable (hard) periods of one activity."""

    __tablename__ = "activity_time_pref"
    __table_args__ = (UniqueConstraint("activity_id", "day_id", "period_id"), *_availability_columns())
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    day_id: Mapped[int] = mapped_column(ForeignKey("day.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12))


# ---------------------------------------------------------------------------
# Constraint instances
# ---------------------------------------------------------------------------
class ConstraintInstance(Base):
    """An engine constraint type as used by this database: hard/soft, weight, parameters."""

    __tablename__ = "constraint_instance"
    __table_args__ = (CheckConstraint("weight >= 0", name="weight_nonneg"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(40), unique=True)  # engine constraint name
    label: Mapped[str] = mapped_column(String(200), default="")
    is_hard: Mapped[bool] = mapped_column(Boolean, default=False)
    weight: Mapped[int] = mapped_column(Integer, default=1)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
