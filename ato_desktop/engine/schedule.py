"""The optimizer's anytime schedule (issue 18 §1): a long run is a chain of restarts from its elite.

A run with a time limit over ``first`` seconds (``OptimizeParams.long_run_from``, 60) is cut into segments
whose ends double: the first ``first`` seconds are exactly a run with that limit, then each later segment
starts again from the population the earlier ones left (the elite) with a schedule of its own, from hot to
cool, of a run as long as the segment.  The last segment is at least as long as the one before it, so a
300 s run is 60 + 60 + 180 s, ending at 60, 120 and 300 s.  A run with limit T therefore starts as a run
with any shorter limit among its segment ends does (the same seed gives the same search up to there), and at
each of those ends its best has just cooled: a coordinator who stops a 300 s run at 60 or 120 s gets what a
60 or 120 s run gives.  Before, one geometric schedule stretched over the whole limit kept the run hot until
late (comp02: 315 at 60 s of a 300 s run, a 60 s run gives 45-80).

A segment longer than ``first`` gets the long-run settings (``long_temp_start``, ``long_p_kempe``, and
offspring chains ``length / first`` times longer); one of ``first`` seconds or less keeps the plain ones.

A run with a time limit of ``first`` seconds or less, and a run limited by generations alone, is one segment
as before.  Nothing here imports numba, Qt or SQLAlchemy.
"""

from __future__ import annotations


def segment_ends(limit: float | None, first: float) -> tuple[float, ...]:
    """Where the segments of a run with time limit ``limit`` end (the last is ``limit``); ``()`` without a
    time limit.  Ends double from ``first`` while the segment after each is at least as long as it."""
    if limit is None or limit <= 0:
        return ()
    if limit <= first or first <= 0:
        return (float(limit),)
    ends = [float(first)]
    while 2 * ends[-1] < limit and limit - 2 * ends[-1] >= ends[-1]:
        ends.append(2 * ends[-1])
    ends.append(float(limit))
    return tuple(ends)


def segment_at(t: float, ends: tuple[float, ...]) -> tuple[float, float | None]:
    """(start, end) of the segment that holds time ``t`` (the last one from its start on); (0, None) when the
    run has no time limit."""
    if not ends:
        return 0.0, None
    start = 0.0
    for end in ends:
        if t < end:
            return start, end
        start = end
    return (ends[-2] if len(ends) > 1 else 0.0), ends[-1]


def fraction(t: float, segment: tuple[float, float | None], generation: int = 0,
             generations: int | None = None) -> float:
    """How far (0..1) time ``t`` is through ``segment`` (0 without an end), or the run through its
    ``generations`` if that is further."""
    a, b = segment
    f = (t - a) / (b - a) if b is not None and b > a else 0.0
    if generations:
        f = max(f, generation / generations)
    return min(1.0, max(0.0, f))


def temperature(frac: float, t_start: float, t_end: float, scale: float = 1.0) -> float:
    """The geometric schedule of one segment: ``t_start`` at its start, ``t_end`` at its end."""
    frac = min(1.0, max(0.0, frac))
    return scale * t_start * (t_end / t_start) ** frac


def chain_end(t_lo: float, now: float, n: int, rate: float, segment: tuple[float, float | None],
              temperature) -> float:
    """An offspring chain's last temperature: ``t_lo`` (``generation_cooling`` below its first), or the
    schedule's ``temperature(frac)`` where a chain of ``n`` iterations started at ``now`` ends at ``rate``
    iterations a second if that is cooler.  A chain long against its segment (a loaded machine, a short
    segment) then ends cool at the segment's end instead of at a third of its start (comp07 at 60 k
    evaluations a second: a 300 s run's only 180 s chain went 8 -> 2.4).  Without a time limit or a rate,
    ``t_lo``."""
    a, b = segment
    if b is None or b <= a or rate <= 0:
        return t_lo
    return min(t_lo, temperature((now + n / rate - a) / (b - a)))
