"""PDF timetables and reports (ReportLab; no Qt, no database reads).

The services read the data (``services.reports``: ``load_report_data``, ``render_report``,
``build_report``, ``faculty_timetable_pdf``, the review package and the substitution printouts);
this package lays out what they hand it (``reports.build.build_report(data or a loader, kind, ...)``).

``kind`` is one of :data:`KINDS`: group, faculty, room (one ``name`` or all), master,
workload, utilization, conflicts, book. Errors a user can fix raise :class:`ReportError`;
a cancelled render raises :class:`ReportCancelled` and writes nothing.
"""

from ato_desktop.reports.build import (
    KIND_LABELS,
    KINDS,
    NAMED_KINDS,
    ReportProgress,
    ReportResult,
)
from ato_desktop.reports.data import ReportData, ReportError
from ato_desktop.reports.layout import ReportCancelled

__all__ = [
    "KINDS", "KIND_LABELS", "NAMED_KINDS", "ReportCancelled", "ReportData", "ReportError", "ReportProgress",
    "ReportResult",
]
