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

The tables live in modules by area; this module gathers them, so ``from ato_desktop.storage import
models as m; m.Faculty`` works and importing it puts every table in ``Base.metadata``:

* ``models_base``: ``Base``, the naming convention, ``utcnow`` and the checked enumerations;
* ``models_department``: settings, days, periods, the department, faculty, rooms, groups,
  availability, courses, baskets, activities and constraint instances;
* ``models_timetables``: timetable versions, session assignments, published sessions, events;
* ``models_mail``: mail templates, the outbox and webhook channels;
* ``models_term``: term days, absences and substitutions;
* ``models_campus``: the campus's committed occupancy.
"""

from __future__ import annotations

from ato_desktop.storage.models_base import *  # noqa: F403
from ato_desktop.storage.models_base import _in, utcnow  # noqa: F401
from ato_desktop.storage.models_department import *  # noqa: F403
from ato_desktop.storage.models_department import activity_faculty, activity_group, basket_cohort  # noqa: F401
from ato_desktop.storage.models_mail import *  # noqa: F403
from ato_desktop.storage.models_term import *  # noqa: F403
from ato_desktop.storage.models_timetables import *  # noqa: F403

# Last: the campus module registers an event on ``Timetable`` through this module.
from ato_desktop.storage.models_campus import CommittedOccupancy  # noqa: E402,F401
