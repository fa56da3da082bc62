"""The shape of one transaction, shared by a department file's :class:`~ato_desktop.storage.database.Database`
and a campus database on PostgreSQL (``storage/campus.py``): each passes how its storage failures become
one sentence, and the file its check of a lost ``-wal``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ato_desktop.storage.database import DatabaseError


@contextmanager
def write_transaction(factory, *, readonly: bool, translate: Callable[[BaseException], DatabaseError | None],
                      check: Callable[[], None] | None = None,
                      on_failure: Callable[[BaseException], None] | None = None) -> Iterator[Session]:
    """One write transaction on a session of ``factory`` (a file's :class:`Database` and a campus database
    both write through this): committed at the end (rolled back when ``readonly``), rolled back on any
    error; a storage failure becomes the one-sentence error ``translate`` makes of it (``on_failure``
    sees it first). ``check()`` runs before the work and before and after the commit (a file's lost -wal)."""
    with factory() as s:
        try:
            if check is not None and not readonly:
                check()
            yield s
            if readonly:
                s.rollback()
            else:
                if check is not None:
                    check()
                s.commit()
                if check is not None:
                    check()
        except BaseException as exc:
            try:
                s.rollback()
            except Exception:  # the connection may be unusable (disk gone); the transaction is void anyway
                pass
            nice = translate(exc)
            if nice is not None:
                if on_failure is not None:
                    on_failure(exc)
                raise nice from exc
            raise


@contextmanager
def read_transaction(factory, *, translate: Callable[[BaseException], DatabaseError | None]) -> Iterator[Session]:
    """A session of ``factory`` for reading; a storage failure becomes the error ``translate`` makes of it."""
    with factory() as s:
        try:
            yield s
        except Exception as exc:
            nice = translate(exc)
            if nice is not None:
                raise nice from exc
            raise
