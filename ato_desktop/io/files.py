"""Reading a file the user names, safely: only a regular file, and only up to a size cap.

A FIFO would block the reader forever, ``/dev/zero`` would fill the memory, a folder cannot be read:
:func:`read_regular_file` refuses them, and any file larger than the cap, before reading it whole.
The file is opened non-blocking and checked on the open descriptor (no race between a check and the
open). Pure Python: no Qt, no database.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_INPUT_BYTES = 50 * 1024 * 1024  # a .ctt instance, a solution file


class InputFileError(ValueError):
    """The file cannot be read as input; the message says why (without the file name: callers add it)."""


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


def read_regular_file(path: str | os.PathLike, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of ``path``. Raises :class:`InputFileError` for a folder, a pipe, a device or a file
    larger than ``limit`` bytes, and ``OSError`` for a file that cannot be opened."""
    from ato_desktop.storage import open_files  # standard library only

    p = Path(path)
    if p.is_dir():
        raise InputFileError("is a folder, not a file")
    with open_files.guard():  # no connection of this process starts on it while it is read
        if open_files.is_held(p):  # closing a descriptor of it would drop this process's SQLite locks
            raise InputFileError("is a database open in ATO Desktop, not a file to import")
        return _read_fd(p, limit)


def _read_fd(p: Path, limit: int) -> bytes:
    fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputFileError("is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise InputFileError("is not a regular file (a pipe, a device or a socket); give a file")
        if st.st_size > limit:
            raise InputFileError(f"is too large ({_mb(st.st_size)}; at most {_mb(limit)} can be read)")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:  # the file grew while being read
                raise InputFileError(f"is too large (at most {_mb(limit)} can be read)")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
