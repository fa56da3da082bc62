"""Reads that the views share within one delivery of a change (issue 18 §2: the stall after Accept).

One change handed back on the UI thread (``operation_executed``, then the operation's own ``on_done``)
made the views read the same list of timetable versions five times, each one several queries: the
screen's check that its version still exists, the grid's version box twice, the Timetables page twice
(on a loaded machine every query on the UI thread costs it its turn: 100-500 ms in all). Inside
:func:`once` (the one writer, ``ui/operations.py``, runs each delivery in it) the list is read once on the
UI thread and shared; outside it every call reads afresh, so nothing read here can be stale later.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from ato_desktop.services import timetables as tts

_state = threading.local()  # (one delivery runs on one thread: the UI thread)


@contextmanager
def once():
    """Within this block (on this thread), :func:`versions` reads each database's list once. A block
    opened inside another (a write run inline and delivered within a delivery) starts afresh: what was read
    before that write is not used after it."""
    depth = getattr(_state, "depth", 0)
    _state.read, _state.seen = {}, set()
    _state.depth = depth + 1
    try:
        yield
    finally:
        _state.depth = depth
        if depth == 0:
            _state.read, _state.seen = {}, set()


def versions(db) -> list:
    """``services.timetables.list_timetables(db)``, shared within :func:`once`."""
    if not getattr(_state, "depth", 0):
        return tts.list_timetables(db)
    hit = _state.read.get(id(db))
    if hit is None or hit[0] is not db:
        hit = _state.read[id(db)] = (db, tts.list_timetables(db))
    return list(hit[1])


def first(key) -> bool:
    """True the first time ``key`` is asked for within :func:`once` (always outside it): a view that starts
    a background job on every reload starts it once per delivery (the Timetables page reloads twice after
    Accept, and its two score rechecks compiled the whole data side by side, holding the GIL: 300-700 ms
    stalls)."""
    if not getattr(_state, "depth", 0):
        return True
    if key in _state.seen:
        return False
    _state.seen.add(key)
    return True
