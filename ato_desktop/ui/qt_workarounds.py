"""Work around a PySide6 6.12 reference-count bug on Python < 3.12 (import before using Qt).

With PySide6/shiboken6 6.12.0 on CPython 3.11, every call of a Qt method that returns
``void`` (``QPainter.setPen``, ``QWidget.update``, ``QLabel.setText`` ...) *decrements* the
reference count of ``None`` once without having incremented it. ``None`` is not immortal
before Python 3.12, so after some tens of thousands of such calls (a few hundred repaints
of the timetable grid) its count reaches zero and the interpreter aborts with
"Fatal Python error: none_dealloc: deallocating None". Measured in this project: 300 calls
of ``QWidget.setEnabled`` lower ``sys.getrefcount(None)`` by exactly 300.

:func:`apply` raises ``None``'s reference count by a huge amount once, which is what
Python 3.12 makes permanent anyway (immortal objects). It does nothing on Python >= 3.12
or on other interpreters, and only when the bug is actually present. The real fix is a
PySide6 version without the bug (or Python >= 3.12).
"""

from __future__ import annotations

import ctypes
import platform
import sys

_BOOST = 1 << 40  # enough for ~10^12 leaked references: far beyond any session
_applied = False


def pyside_leaks_none() -> bool:
    """True when a void Qt call lowers ``None``'s reference count (the bug this module works around)."""
    from PySide6.QtCore import QObject

    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(100):
        obj.setObjectName("x")
    return sys.getrefcount(None) < before - 50


def apply() -> bool:
    """Protect ``None`` against the leak; returns True when the workaround was needed and applied."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        return False
    if not pyside_leaks_none():
        return False
    # ob_refcnt is the first field (Py_ssize_t) of every object in a CPython release build.
    ctypes.c_ssize_t.from_address(id(None)).value += _BOOST
    _applied = True
    return True


apply()
