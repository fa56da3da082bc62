"""The timetable screen: grids with drag and drop, tray, conflicts, repairs and the optimizer panel."""

from ato_desktop.ui import qt_workarounds as _qt_workarounds  # noqa: F401  (PySide6 6.12 None refcount bug)
