"""The one progress snapshot every long job reports (optimizer, reports, imports, mail).

No dependencies, so that ``engine``, ``services``, ``reports``, ``notify``, ``io`` and ``ui`` can
all use it. A job calls ``on_progress(Progress(...))`` as often as it likes; the task runner
(``ato_desktop.ui.tasks``) keeps only the latest one and shows it on a timer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True, slots=True)
class Progress:
    """``done`` of ``total`` (``total`` 0: not known), what is being done, and any richer snapshot."""

    done: float = 0
    total: float = 0
    message: str = ""
    detail: Any = None  # e.g. the optimizer's own snapshot

    @property
    def fraction(self) -> float:
        """``done / total`` clamped to [0, 1]; 0 when the total is not known."""
        if not self.total:
            return 0.0
        return max(0.0, min(1.0, self.done / self.total))


OnProgress = Callable[[Progress], None]
ShouldStop = Callable[[], bool]

__all__ = ["Progress", "OnProgress", "ShouldStop"]
