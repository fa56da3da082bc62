"""The optimizer's hard phase after the greedy construction: conflict-directed placement (issue 17).

The greedy constructor (``kernels.construct``) places each session once, where the cost rises least; on a
tightly packed file (FET's New Delhi example: classes whose 40 periods fill exactly the 40 slots their
rooms are open, with labs of 2 and 3 periods and teachers shared between classes) it leaves clashes that a
local search moving one or two sessions at a time rarely removes.  This phase works as FET's own generator
and iterative forward search do: the sessions in a hard violation are taken out, then one unplaced session
at a time goes to the start and room where the sessions in its way are fewest and shortest (and not moved
just before: a tabu), which are evicted and wait their turn (``kernels.ifs_chunk``).  It stops at hard 0,
at its budget, or on a stop; short of hard 0 the greedy start is restored, and the annealing goes on from
there.

It runs only when the construction left hard violations, so files the greedy start already solves are
not changed, and only when it weighs every hard rule of the problem (``applies``).  No Qt, no SQLAlchemy.
"""

from __future__ import annotations

import numpy as np

from . import kernels as K
from . import local_search as SK

TENURE = 12.0  # steps during which a session just placed costs more to evict
TABU = 6.0  # that extra cost (an eviction costs 1 + duration / 2)
WALK = 0.02  # share of steps that take a random start (evicting what is there)
WEIGHT = 0.3  # extra cost of evicting a session, per time it was evicted (decaying): ND seeds 0-3 reach 0
DECAY = 0.9  # the eviction counts' factor every 1,000 steps
BACK = 0.0  # steps without a better best before going back to the best (0 = never)


# The musts the phase weighs when it places a session (the engine's hard rules it weighs all but daily_load):
# with another must (a day-profile limit, say), or a daily load limit, it would place sessions blind to it and
# the annealing would start from worse than the greedy start (FET's Morocco farabi432: max days per week).
PRICED_MUSTS = frozenset({"min_days", "activity_ends_day"})


def applies(sr) -> bool:
    """Does the phase weigh every hard rule of this problem (``sr``: the optimizer's ``_Search``)?"""
    cp = sr.cp
    if set(sr.problem.must) - PRICED_MUSTS:
        return False
    return not (cp.w[K.DLOAD] != 0 and (cp.max_daily > 0).any())


def new_ifs(sr) -> K.IFS:
    cp = sr.cp
    S, R = cp.S, cp.R
    movable = np.zeros(S, np.bool_)
    movable[sr.mov] = True
    ncand = np.diff(sr.cs_ptr).astype(np.int64)
    by_course: list[list[int]] = [[] for _ in range(cp.C)]
    for x in range(S):
        by_course[int(cp.course[x])].append(x)
    crs_ptr, crs_idx = K._csr(by_course)
    is_end = np.zeros(S, np.bool_)
    for k in range(len(cp.rel_kind)):
        if cp.rel_kind[k] == K.RENDS:
            is_end[cp.rel_idx[cp.rel_ptr[k]:cp.rel_ptr[k + 1]]] = True
    # the min-days and ends-the-day rules decide placements only when they count in the hard total (musts)
    ipar = np.zeros(7, np.int64)
    ipar[K.IF_MD] = int(cp.hk[K.MINDAYS] and cp.w[K.MINDAYS] != 0)
    ipar[K.IF_END] = int(cp.hk[K.RENDS] and cp.w[K.RENDS] != 0 and is_end.any())
    return K.IFS(movable=movable, ulist=np.zeros(max(S, 1), np.int64), upos=np.full(S, -1, np.int64),
                 placed_at=np.full(S, -(10 ** 9), np.int64), mark=np.zeros(S, np.int64),
                 mark2=np.zeros(S, np.int64), rmark=np.zeros(max(R, 1), np.int64),
                 rc=np.zeros(max(R, 1), np.float64), ev=np.zeros(max(S, 1), np.int64), ncand=ncand,
                 n_c=np.diff(crs_ptr).astype(np.int64), crs_ptr=crs_ptr, crs_idx=crs_idx, is_end=is_end,
                 evicted=np.zeros(S, np.float64), ipar=ipar,
                 fpar=np.array([TENURE, TABU, WALK, WEIGHT, DECAY, BACK], np.float64))


def hard_phase(sr, st: K.ST, deadline: float, max_iterations: int) -> bool:
    """Run the conflict-directed phase on ``st`` (``sr``: the optimizer's ``_Search``) until hard 0, until
    ``sr.frac()`` reaches ``deadline`` or after ``max_iterations`` steps; ``sr.check()`` runs between chunks
    (progress, stop).  ``st`` ends complete: at hard 0, or as the greedy start left it.  Returns True when it
    reached hard 0."""
    cp = sr.cp
    if st.tot[0] == 0 or len(sr.mov) == 0 or not applies(sr):
        return st.tot[0] == 0
    ifs = new_ifs(sr)
    best_t, best_r = st.start.copy(), st.room.copy()
    greedy_t, greedy_r = st.start.copy(), st.room.copy()
    SK.ifs_begin(cp, st, sr.sr, ifs, best_t, best_r)
    rs = sr._seed()
    done, chunk, verdict = 0, 2_000, 0
    try:
        while done < max_iterations and sr.frac() < deadline:
            n = min(chunk, max_iterations - done)
            verdict = SK.ifs_chunk(cp, st, rs, sr.sr, ifs, n, best_t, best_r)
            done += n
            sr.evaluations += n
            if verdict != 0:
                break
            sr.check()
    finally:
        if verdict != 1:  # not reached: back to the greedy start (REVA University: the phase's best, its
            # unplaced sessions put back greedily, left the annealing a min-days must it did not clear in 120 s)
            K.load_state(cp, st, greedy_t, greedy_r)
    return verdict == 1
