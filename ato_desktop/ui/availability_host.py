"""A resource page that also shows the availability grid of the current item (faculty, room, group, activity).

The grid is ``ato_desktop.ui.availability_editor.AvailabilityEditor``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QVBoxLayout

from ato_desktop.ui.availability_editor import AvailabilityEditor
from ato_desktop.ui.resource_page import ResourcePage


class AvailabilityHostPage(ResourcePage):
    def __init__(self, entity: str, undo_stack, parent=None, **kw):
        super().__init__(entity, undo_stack, parent, **kw)
        self.availability = None
        self.availability_box = QGroupBox("Availability (drag to paint unavailable / undesired / preferred)", self)
        self.availability_box.setObjectName("availabilityBox")
        QVBoxLayout(self.availability_box)
        self.extra_form_area.addWidget(self.availability_box)
        self.availability_box.hide()

    def set_database(self, db, readonly: bool = False) -> None:
        if self.availability is not None:
            self.availability.set_database(db)
        elif db is not None:
            self.availability = AvailabilityEditor(db, self.undo_stack, self.availability_box)
            self.availability_box.layout().addWidget(self.availability)
        super().set_database(db, readonly)

    def item_shown(self, item: dict | None) -> None:
        if self.availability is None:
            return
        if item is None:
            self.availability_box.hide()
            return
        self.availability.set_owner(self.entity, item["id"])
        self.availability_box.setEnabled(not self.readonly)
        self.availability_box.show()
