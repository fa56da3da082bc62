"""The explainable score: totals, a per-constraint breakdown and readable violations.

A :class:`Score` is what :func:`ato_desktop.engine.evaluate.evaluate` returns.  It is a
plain value (no reference to the Problem) so that it can be passed to the UI thread,
pickled to a worker process or stored.

* ``Violation``: one concrete breach of one rule, e.g. "Dr. Rao has two classes at
  once on Tue P3: CS301 L and CS305 L".  ``count`` is its unweighted count under
  ``docs/constraints.md``; ``cost = weight × count``.  ``sessions`` / ``resources`` /
  ``rooms`` / ``slots`` are indices into the Problem, for highlighting.
* ``ConstraintResult``: one rule's total (``count``, weighted ``cost``) and its
  violations.  A rule with weight 0 is disabled: count 0, cost 0, no violations.
* ``Score``: ``hard`` and ``soft`` weighted totals and ``by_constraint`` in canonical
  order (hard rules first, as in ``problem.HARD_CONSTRAINTS + SOFT_CONSTRAINTS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Mapping


@dataclass(frozen=True)
class Violation:
    """One breach of one constraint, with the indices involved and a readable sentence."""

    constraint: str
    cost: int  # weighted: weight × count
    count: int  # unweighted count (docs/constraints.md)
    sessions: tuple[int, ...] = ()
    resources: tuple[int, ...] = ()
    rooms: tuple[int, ...] = ()
    slots: tuple[int, ...] = ()
    message: str = ""

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ConstraintResult:
    """The outcome of one constraint: totals plus the violations behind them."""

    name: str
    label: str
    is_hard: bool
    weight: int
    count: int
    cost: int
    violations: tuple[Violation, ...] = ()

    @property
    def enabled(self) -> bool:
        return self.weight != 0

    def __iter__(self) -> Iterator[Violation]:
        return iter(self.violations)


@dataclass(frozen=True)
class Score:
    """Weighted hard / soft totals with a per-constraint breakdown (canonical order)."""

    hard: int
    soft: int
    by_constraint: Mapping[str, ConstraintResult] = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        """No hard violation (weighted hard total 0)."""
        return self.hard == 0

    @property
    def total(self) -> tuple[int, int]:
        """``(hard, soft)``: compare scores lexicographically, smaller is better."""
        return (self.hard, self.soft)

    def counts(self) -> dict[str, int]:
        """Unweighted count of every evaluated constraint, by name."""
        return {name: r.count for name, r in self.by_constraint.items()}

    def violations(self, hard: bool | None = None) -> list[Violation]:
        """All violations in canonical constraint order; ``hard=True``/``False`` filters."""
        out: list[Violation] = []
        for r in self.by_constraint.values():
            if hard is None or r.is_hard == hard:
                out.extend(r.violations)
        return out

    def sessions_in_violation(self, hard: bool | None = None) -> dict[int, list[Violation]]:
        """Session index -> the violations that involve it (for highlighting a grid)."""
        out: dict[int, list[Violation]] = {}
        for v in self.violations(hard):
            for s in v.sessions:
                out.setdefault(s, []).append(v)
        return out

    def summary(self, top: int = 10) -> list[str]:
        """Readable lines: the totals, then the ``top`` costliest violations (hard first)."""
        state = "feasible" if self.feasible else "NOT feasible"
        lines = [f"hard {self.hard}, soft {self.soft} ({state})"]
        for r in self.by_constraint.values():
            if r.count:
                kind = "hard" if r.is_hard else "soft"
                lines.append(f"  {r.label} [{kind}]: {r.count} × {r.weight} = {r.cost}")
        ranked = sorted(
            self.violations(),
            key=lambda v: (not self.by_constraint[v.constraint].is_hard, -v.cost),
        )
        for v in ranked[:max(0, top)]:
            kind = "hard" if self.by_constraint[v.constraint].is_hard else "soft"
            lines.append(f"- [{kind} {v.cost}] {v.message}")
        if len(ranked) > top:
            lines.append(f"… and {len(ranked) - top} more")
        return lines
