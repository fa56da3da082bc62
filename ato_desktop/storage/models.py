"""SQLAlchemy 2 typed models for the whole department domain.

Delete rules are explicit on every foreign key:

* ``RESTRICT``: the parent cannot be deleted while children exist (a department
  with faculty, rooms, groups or courses; a period or day used by assignments is
  handled by CASCADE below because assignments are derived data).
* ``CASCADE``: the child is meaningless without its parent (availability marks,
  lab batches of a section, activities of a course, session assignments of a
  timetable, association rows).
* ``SET NULL``: an optional reference (a room's owner department, an
  activity's preferred room or basket, an assignment's room).

The services layer (``ato_desktop.services``) reports dependents before a
delete so the UI can ask for confirmation, and snapshots what a delete removes
so it can be undone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# ---- enumerations kept as checked strings (portable, readable in the file) ----
ROOM_KINDS = ("classroom", "lab", "tutorial_room", "seminar_hall", "auditorium")
ACTIVITY_KINDS = ("L", "T", "P")
ACTIVITY_KIND_NAMES = {"L": "Lecture", "T": "Tutorial", "P": "Practical"}
NEP_CATEGORIES = (
    "major",  # Discipline-specific core (major)
    "minor",
    "multidisciplinary",
    "ability_enhancement",  # AEC
    "skill_enhancement",  # SEC
    "value_added",  # VAC
    "elective",  # discipline-specific elective
    "project",  # internship / project / dissertation
)
DESIGNATIONS = (
    "Professor",
    "Associate Professor",
    "Assistant Professor",
    "Lecturer",
    "Visiting Faculty",
    "Lab Instructor",
)
AVAILABILITY_STATES = ("unavailable", "undesired", "preferred")
# draft → submitted (for review) → approved or returned (with comments) → published → archived
# (docs/versions.md); every transition is a ``timetable_event`` row.
TIMETABLE_STATUSES = ("draft", "submitted", "returned", "approved", "published", "archived")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


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


# ---------------------------------------------------------------------------
# E-mail notifications: templates and the outbox
# ---------------------------------------------------------------------------
OUTBOX_STATUSES = ("queued", "sending", "sent", "failed", "uncertain")  # uncertain: may have been sent


class MailTemplate(Base):
    """A message template; ``$name`` variables are filled per recipient (see ``ato_desktop.notify.render``)."""

    __tablename__ = "mail_template"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # empty = derived from the text part
    attach_pdf: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class OutboxMessage(Base):
    """One e-mail to one recipient, written before it is sent.

    ``status``: queued -> sending (claimed by a sender) -> sent, or back to
    queued with ``last_error`` and a later ``next_attempt_at``; ``failed``
    after too many attempts or a permanent refusal. ``idempotency_key`` is
    unique per (template, version, faculty, event): queuing the same event
    twice adds nothing. ``message_id`` is fixed at queue time so a Retry after
    an interrupted send carries the same Message-ID header.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status_valid"),
        CheckConstraint("attempts >= 0", name="attempts_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    event: Mapped[str] = mapped_column(String(100))
    template_name: Mapped[str] = mapped_column(String(100), default="")
    timetable_id: Mapped[Optional[int]] = mapped_column(ForeignKey("timetable.id", ondelete="SET NULL"), index=True)
    faculty_id: Mapped[Optional[int]] = mapped_column(ForeignKey("faculty.id", ondelete="SET NULL"), index=True)
    faculty_code: Mapped[str] = mapped_column(String(20), default="")
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    recipient_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    attach_pdf: Mapped[bool] = mapped_column(Boolean, default=False)
    message_id: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    claimed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    # "" = e-mail to recipient_email; else the name of a webhook channel (NotifyChannel) it is posted to
    channel: Mapped[str] = mapped_column(String(60), default="", server_default="")
    payload: Mapped[Optional[str]] = mapped_column(Text)  # JSON data of a webhook message


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


CHANNEL_KINDS = ("teams", "slack", "json")  # Microsoft Teams / Slack incoming webhooks, a generic JSON webhook
CHANNEL_EVENTS = ("substitution", "publish", "slot_change", "daily_digest")


class NotifyChannel(Base):
    """A webhook a notice can be posted to; its URL is a secret kept in the OS keychain, not here.

    ``events``: the events (``CHANNEL_EVENTS``) this channel receives.
    """

    __tablename__ = "notify_channel"
    __table_args__ = (CheckConstraint(_in("kind", CHANNEL_KINDS), name="kind_valid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    events: Mapped[list[str]] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# The campus's committed occupancy (issue 19) lives in a module of its own; imported here so that
# every table is in ``Base.metadata`` once this module is imported.
from ato_desktop.storage.models_campus import CommittedOccupancy  # noqa: E402,F401
