"""ato_desktop.ui"""

# PySide6 6.12 on Python 3.11 lowers None's reference count on every void Qt call; without this the
# app aborts ("deallocating None") after a few hundred repaints. See qt_workarounds.py.
from ato_desktop.ui import qt_workarounds as _qt_workarounds  # noqa: F401
