"""PDF timetables and reports (ReportLab; no Qt).

Public API::

    faculty_timetable_pdf(db, timetable_id, faculty_code) -> bytes
    render_report(db, kind, out_path, timetable_id=None, name=None, paper="A4", landscape=True,
                  on_progress=None, should_stop=None) -> ReportResult
    build_report(db, kind, ...) -> (pdf bytes, pages, ReportData)

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
    build_report,
    faculty_timetable_pdf,
    render_report,
)
from ato_desktop.reports.data import ReportData, ReportError, load_report_data
from ato_desktop.reports.layout import ReportCancelled

__all__ = [
    "KINDS", "KIND_LABELS", "NAMED_KINDS", "ReportCancelled", "ReportData", "ReportError", "ReportProgress",
    "ReportResult", "build_report", "faculty_timetable_pdf", "load_report_data", "render_report",
]
