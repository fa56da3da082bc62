"""The lazy reload shared by the pages: read the data again when an operation concerns it,
at once if the page is shown, else when it is shown next.

A page lists the entity kinds it shows in ``RELOAD_KINDS`` (or overrides :meth:`concerned`) and
implements ``reload()``; it sets ``_dirty = True`` when its database changes. The main window hands
every page each ``operation_executed(change)`` through :meth:`on_operation`.
"""

from __future__ import annotations

from ato_desktop.services.operations import Change


class LazyReload:
    RELOAD_KINDS: tuple[str, ...] = ("*",)
    _dirty = True

    def concerned(self, change: Change) -> bool:
        """Whether ``change`` touched what this page shows."""
        return change.concerns(*self.RELOAD_KINDS)

    def on_operation(self, change: Change) -> None:
        if self.concerned(change):
            self.mark_stale()

    def mark_stale(self) -> None:
        """The data shown is out of date: read it again now if shown, else when shown."""
        self._dirty = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def ensure_loaded(self) -> None:
        if self._dirty:
            self.reload()
