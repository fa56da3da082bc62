"""Typed errors of the services layer. Messages are for the user: what and where."""

from __future__ import annotations

# The database's own errors (busy or locked file, read-only folder, not one of ours, too new...) pass
# through the services unchanged; the UI catches them from here, not from the storage layer.
from ato_desktop.storage.database import DatabaseError  # noqa: F401


class ServiceError(Exception):
    """Base class: an operation was refused; nothing was changed."""


class ValidationError(ServiceError):
    """A field value is not acceptable. ``field`` names the field (the form can highlight it)."""

    def __init__(self, entity: str, field: str, message: str, row: int | None = None):
        self.entity = entity
        self.field = field
        self.problem = message
        self.row = row
        where = f"row {row}: " if row is not None else ""
        super().__init__(f"{where}{entity} {field.replace('_', ' ')}: {message}")


class NotFoundError(ServiceError):
    def __init__(self, entity: str, key: object):
        self.entity = entity
        self.key = key
        super().__init__(f"{entity} {key!r} does not exist (it may have been deleted).")


class DependentsError(ServiceError):
    """Deleting the item is refused while these depend on it."""

    def __init__(self, entity: str, label: str, dependents: list[str]):
        self.entity = entity
        self.dependents = dependents
        listing = "; ".join(dependents[:8]) + (" …" if len(dependents) > 8 else "")
        super().__init__(f"{entity} {label} cannot be deleted while these depend on it: {listing}.")
