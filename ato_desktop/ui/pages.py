"""Which widget each standard page of the main window is (a factory the window calls)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ato_desktop.ui.resource_page import ResourcePage


def build_standard_page(key: str, entity: str | None, window) -> QWidget | None:
    stack = window.undo_stack
    if key == "calendar":
        from ato_desktop.ui.calendar_page import CalendarPage

        return CalendarPage(stack, window)
    if key == "timetables":
        from ato_desktop.ui.timetables_page import TimetablesPage

        return TimetablesPage(stack, window)
    if key == "dashboard":
        from ato_desktop.ui.dashboard_page import DashboardPage

        return DashboardPage(stack, window)
    if key == "substitutions":
        from ato_desktop.ui.substitutions_page import SubstitutionsPage

        return SubstitutionsPage(stack, window)
    if key == "activities":
        from ato_desktop.ui.activities_page import ActivitiesPage

        return ActivitiesPage(stack, window)
    if key == "constraints":
        from ato_desktop.ui.constraints_page import ConstraintsPage

        return ConstraintsPage(stack, window)
    if entity in ("faculty", "room", "group"):
        from ato_desktop.ui.availability_host import AvailabilityHostPage

        return AvailabilityHostPage(entity, stack, window)
    return ResourcePage(entity, stack, window)
