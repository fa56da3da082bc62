"""The optimizer's own figures, and how it reports them: as the one :class:`ato_desktop.progress.Progress`.

Every ``on_progress`` of the app gets that one type; the optimizer's :class:`Snapshot` (generation, best
hard/soft so far, evaluations, phase) travels in its ``detail`` and is also what ``Result.history`` keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from ato_desktop.progress import Progress

if TYPE_CHECKING:
    from .optimizer import OptimizeParams


@dataclass
class Snapshot:
    """The search's own figures: the ``detail`` of the one :class:`~ato_desktop.progress.Progress` it reports."""

    generation: int
    best_hard: int
    best_soft: int
    evaluations: int
    evals_per_second: float
    elapsed: float
    phase: str  # "prepare", "construct", "init", "evolve", "done"


def report(on_progress: Callable[[Progress], None] | None, params: "OptimizeParams", snap: Snapshot) -> None:
    """Hand ``snap`` on as the one Progress: ``done``/``total`` in seconds of the time limit (in generations
    when only they limit the run), a sentence, and ``snap`` in ``detail``."""
    if on_progress is None:
        return
    by_time = params.time_limit is not None
    best = f"hard {snap.best_hard}, soft {snap.best_soft}" if snap.best_hard >= 0 else "no timetable yet"
    on_progress(Progress(done=snap.elapsed if by_time else snap.generation,
                         total=(params.time_limit if by_time else params.generations) or 0,
                         message=f"{snap.phase}: {best}", detail=snap))
