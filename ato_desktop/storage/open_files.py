"""The database files this process holds open through SQLite.

Why it matters (SQLite, "How To Corrupt An SQLite Database File", section
2.2): SQLite's locks on POSIX are ``fcntl`` locks, which belong to the
*process* and the file, not to a descriptor. Closing ANY descriptor of the
database file in this process, even one opened only to read 16 bytes of
header, silently drops every lock the process's connections hold on it. Another
process (``ato-desktop info`` on the same file) then believes nobody has the
database open and deletes the ``-wal`` on close; from then on this process
writes its committed work into a deleted file.

So nothing in a process that may hold a connection opens the database file,
its ``-wal`` or ``-shm`` except SQLite through its normal (locking) VFS. The
``immutable=1`` / ``nolock=1`` URI parameters count as "except": SQLite then
opens the file with its no-lock methods, whose close closes the descriptor
directly.

Every connection holder (:class:`~ato_desktop.storage.database.Database`,
the notification scheduler's engine, a backup in progress) takes a
:class:`Hold` on the file *before* its first connection and releases it
after its last. Code that would read a file's bytes directly (header
sniffing, an immutable read, a raw copy) first asks :func:`is_held` under
:func:`guard` (so no hold can start during the read) and goes through SQLite
instead when the file is held. ``os.stat`` is fine: it does not open the
file.

Files are recognised by ``(st_dev, st_ino)`` (another spelling of the path,
a symbolic or hard link is the same file) and, for a file that does not exist
yet when the hold starts, by its resolved path.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_lock = threading.RLock()
_held: Counter = Counter()
_holds: "weakref.WeakSet[Hold]" = weakref.WeakSet()
_detached: dict[tuple, str] = {}  # file key -> why writing to it stopped in this process


def _keys(path: str | Path) -> set[tuple]:
    p = Path(path)
    keys: set[tuple] = {("path", os.path.realpath(p))}  # realpath reads links, never opens the file
    try:
        st = os.stat(p)
    except OSError:
        return keys
    keys.add(("inode", st.st_dev, st.st_ino))
    return keys


@contextmanager
def guard() -> Iterator[None]:
    """Hold while deciding on (and doing) a direct read of a file: no hold starts meanwhile."""
    with _lock:
        yield


def is_held(path: str | Path) -> bool:
    """True if a connection holder of this process has ``path`` (or the same file by another name) open."""
    with _lock:
        return any(_held[k] > 0 for k in _keys(path))


def check_holders(path: str | Path) -> None:
    """Let every holder of ``path`` with a ``checker`` (an open Database) look whether the file is still
    the one it opened; one that finds it changed marks the file detached (:func:`detached_reason`)."""
    keys = _keys(path)
    with _lock:
        checkers = [h.checker for h in list(_holds) if h.checker is not None and h._keys and h._keys & keys]
    for check in checkers:
        try:
            check()
        except Exception:
            pass


def detached_reason(path: str | Path) -> str:
    """Why writing to ``path`` stopped in this process ("" if it did not); forgotten when the last hold ends."""
    with _lock:
        return next((_detached[k] for k in _keys(path) if k in _detached), "")


class Hold:
    """This process has (or is about to have) SQLite connections to ``path``. Release when they are closed."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._keys: set[tuple] = set()
        self.checker = None  # a callable that checks whether the file is still the one opened
        self.refresh()
        with _lock:
            _holds.add(self)

    def refresh(self) -> None:
        """Also recognise the file by its inode (call once SQLite has created a new file)."""
        with _lock:
            if self._keys is None:
                return
            new = _keys(self.path) - self._keys
            _held.update(new)
            self._keys |= new

    @property
    def active(self) -> bool:
        return self._keys is not None

    def mark_detached(self, why: str) -> None:
        """This process must not write to the file any more (another holder found it deleted or replaced)."""
        with _lock:
            for k in self._keys or ():
                _detached.setdefault(k, why)

    def detached_reason(self) -> str:
        with _lock:
            return next((_detached[k] for k in self._keys or () if k in _detached), "")

    def release(self) -> None:
        with _lock:
            if self._keys is None:
                return
            keys, self._keys = self._keys, None
            _holds.discard(self)
            _held.subtract(keys)
            for k in keys:
                if _held[k] <= 0:
                    del _held[k]
                    _detached.pop(k, None)

    def __enter__(self) -> "Hold":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def hold(path: str | Path) -> Hold:
    return Hold(path)
