"""Thread priorities, per OS (standard library only): long computations leave the CPU to the GUI thread.

With every core searching (the optimizer's islands) the GUI thread competes for a core with them; what
keeps the window fluid is that the OS runs it first.  Only the *calling* thread is changed:

- ``lower_current_thread()``: background priority. Linux: the thread's own nice value (every thread has
  one) set ``BACKGROUND_STEP`` above the process's (the main thread's), at most 19: the GUI thread then
  weighs about nine times a search thread in the scheduler (nice 0 against 10: 1024 against 110; the
  old fixed nice 4 weighed 423, and did nothing at all in a process already started with ``nice -n 4``
  or more); Windows: ``THREAD_PRIORITY_LOWEST``; macOS: the "utility" quality of service.
- ``current()`` / ``apply(token)``: a thread started by a lowered thread takes its priority (Linux threads
  inherit their creator's nice value; Windows and macOS threads start at normal priority).

Everything is best effort: where the OS refuses, the thread keeps its priority and nothing is raised.
"""

from __future__ import annotations

import os
import sys
import threading

BACKGROUND_STEP = 10  # Linux: a background thread's nice value above the process's

_WIN_LOWEST = -2  # THREAD_PRIORITY_LOWEST
_QOS_CLASS_UTILITY = 0x11


def _linux() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "setpriority") and hasattr(threading, "get_native_id")


def _kernel32():
    import ctypes

    k = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    k.GetCurrentThread.restype = ctypes.c_void_p
    k.SetThreadPriority.argtypes = (ctypes.c_void_p, ctypes.c_int)
    k.GetThreadPriority.argtypes = (ctypes.c_void_p,)
    return k


def _libsystem():
    import ctypes

    return ctypes.CDLL("/usr/lib/libSystem.dylib")


def current():
    """This thread's priority as a token for :func:`apply` (None when it cannot be read)."""
    try:
        if _linux():
            return ("nice", os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        if sys.platform == "win32":
            k = _kernel32()
            return ("win", int(k.GetThreadPriority(k.GetCurrentThread())))
        if sys.platform == "darwin":
            return ("qos", int(_libsystem().qos_class_self()))
    except (OSError, AttributeError, ValueError):
        pass
    return None


def apply(token) -> bool:
    """Give the calling thread the priority ``token`` (from :func:`current`); False if it could not."""
    if token is None:
        return False
    kind, value = token
    try:
        if kind == "nice" and _linux():
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), value)
            return True
        if kind == "win" and sys.platform == "win32":
            k = _kernel32()
            return bool(k.SetThreadPriority(k.GetCurrentThread(), value))
        if kind == "qos" and sys.platform == "darwin":
            return _libsystem().pthread_set_qos_class_self_np(value, 0) == 0
    except (OSError, AttributeError, ValueError):
        pass
    return False


def lower_current_thread() -> bool:
    """Run the calling thread at background priority (never raises it); False if the OS refused."""
    if _linux():
        try:
            tid = threading.get_native_id()
            target = min(19, os.getpriority(os.PRIO_PROCESS, os.getpid()) + BACKGROUND_STEP)  # pid: the main thread
            if os.getpriority(os.PRIO_PROCESS, tid) < target:
                os.setpriority(os.PRIO_PROCESS, tid, target)
            return True
        except OSError:
            return False
    if sys.platform == "win32":
        return apply(("win", _WIN_LOWEST))
    if sys.platform == "darwin":
        return apply(("qos", _QOS_CLASS_UTILITY))
    return False
