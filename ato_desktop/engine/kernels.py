"""Numba kernels: full evaluation and exact incremental deltas over a compiled Problem.

Everything here follows ``docs/constraints.md`` exactly.  Two interpretations that
the document leaves open are fixed as follows (and shared with ``engine/constraints``):

* ``unscheduled`` counts **one per session** that has ``start == -1`` *or* needs a
  room and has ``room == -1`` (a session missing both still counts once).
* an unscheduled session counts for no other rule (including ``locked_moved``).
* ``isolated``: the neighbour before is ``start-1`` if it lies on the day of
  ``start``; the neighbour after is ``end+1`` if it is ``< T`` and lies on the day
  of ``end`` (``end`` = last occupied slot).
* ``max_consecutive``: a break slot never belongs to a run, even when occupied.
* a weight missing from ``Problem.weights`` takes its value from ``DEFAULT_WEIGHTS``.

Layout: :class:`CP` (compiled problem, read-only arrays), :class:`ST` (mutable incremental
state) and :class:`SR` (the local search's arrays).  All kernels are
``@njit(cache=True, nogil=True)``.  Which kernel counts each rule, and the rule order of the
count vectors, are declared in :mod:`ato_desktop.engine.rules`.

Why this file is not split (the one file of the package allowed over 600 lines, issue 15): numba's
on-disk cache keys each kernel on the time stamp of the file that defines it, and a kernel
compiled in one file carries compiled copies of the kernels it calls from other files.  Were
the delta code here and the search loop in another file, an edit of the delta code would
leave the search loop's cached copy running the old one.  The warm-up's marker
(``engine.warmup``) keys on this one file's stamp too, and a frozen bundle ships its cache
under the fingerprint of ``engine/*.py`` (``frozen.engine_fingerprint``): one file keeps the
three in step.  ``engine.local_search`` is the public name of the search kernels.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from .problem import DEFAULT_WEIGHTS, PROFILE_ARRAYS, RESOURCE_FACULTY, RESOURCE_GROUP, Problem
from .rules import HARD_RULES, RULE_INDEX, RULES, order_stamp

CONSTRAINTS: tuple[str, ...] = tuple(r.name for r in RULES)
NC = len(CONSTRAINTS)
N_HARD = len(HARD_RULES)

# The rule order of engine/rules.py is compiled into every kernel below as constants, and numba's
# on-disk cache looks only at this file's time stamp: a new order must come with an edit here.
# Change the stamp to ``rules.order_stamp()`` (the edit itself makes numba recompile).
RULE_ORDER_STAMP = "7ceede14"
if order_stamp() != RULE_ORDER_STAMP:  # pragma: no cover - a programming error caught at import
    raise ImportError(f"engine/rules.py changed the rule order: set RULE_ORDER_STAMP in kernels.py to "
                      f"{order_stamp()!r} (editing kernels.py also makes numba recompile the kernels)")

# index of each rule in the count vectors, looked up by name (which kernel counts it: rules.RULES, tested)
UNSCHED = RULE_INDEX["unscheduled"]
RCLASH = RULE_INDEX["resource_clash"]
ROOMCLASH = RULE_INDEX["room_clash"]
RUNAV = RULE_INDEX["resource_unavailable"]
ROOMUNAV = RULE_INDEX["room_unavailable"]
SUNAV = RULE_INDEX["session_unavailable"]
BREAK = RULE_INDEX["break_overlap"]
OVERFLOW = RULE_INDEX["day_overflow"]
UNSUIT = RULE_INDEX["room_unsuitable"]
SYNC = RULE_INDEX["sync_mismatch"]
LOCK = RULE_INDEX["locked_moved"]
DLOAD = RULE_INDEX["daily_load"]
MINDAYS = RULE_INDEX["min_days"]
ISO = RULE_INDEX["isolated"]
GAPS = RULE_INDEX["gaps"]
RSTAB = RULE_INDEX["room_stability"]
RCAP = RULE_INDEX["room_capacity"]
RUNDES = RULE_INDEX["resource_undesired"]
RNOTPREF = RULE_INDEX["resource_not_preferred"]
MAXCONS = RULE_INDEX["max_consecutive"]
SNOTPREF = RULE_INDEX["session_not_preferred"]
MAXDAYS = RULE_INDEX["max_days"]
GAPSWEEK = RULE_INDEX["max_gaps_week"]
GAPSDAY = RULE_INDEX["max_gaps_day"]
MINHOURS = RULE_INDEX["min_hours_daily"]
EARLY = RULE_INDEX["early_start"]
GMAXDAILY = RULE_INDEX["group_max_daily"]
GMAXCONS = RULE_INDEX["group_max_consecutive"]
MINDAYSW = RULE_INDEX["min_days_week"]
IVDAYS = RULE_INDEX["interval_max_days"]
# columns of CP.prof (the day profile's limits of each resource, in the order of problem.PROFILE_ARRAYS)
(PF_GAPS_WEEK, PF_GAPS_DAY, PF_MIN_DAILY, PF_EMPTY_OK, PF_EARLY, PF_MAX_DAILY, PF_MAX_CONSEC, PF_MIN_DAYS,
 PF_IV_MAX, PF_IV_FROM, PF_IV_TO, PF_BLD_DAY, PF_BLD_WEEK, PF_BLD_GAP) = range(14)
# relations between activities (Problem.relations), each counted by rel_count
RNOOVER = RULE_INDEX["activities_not_overlapping"]
RCONSEC = RULE_INDEX["activities_consecutive"]
RGROUP = RULE_INDEX["activities_grouped"]
RENDS = RULE_INDEX["activity_ends_day"]
RMINGAP = RULE_INDEX["activities_min_gaps"]
RSAMEDAY = RULE_INDEX["activities_same_day"]
RSAMEROOM = RULE_INDEX["activities_same_room"]
RMAXDAILY = RULE_INDEX["activities_max_daily"]
RMAXCONS = RULE_INDEX["activities_max_consecutive"]
RORDGAP = RULE_INDEX["activities_ordered_min_gaps"]
BCHDAY = RULE_INDEX["max_building_changes_day"]
BCHWEEK = RULE_INDEX["max_building_changes_week"]
BCHGAP = RULE_INDEX["min_gaps_building_changes"]


class CP(NamedTuple):
    """Compiled problem (numba-friendly named tuple of arrays)."""
    T: int
    P: int
    D: int
    S: int
    R: int
    Q: int
    C: int
    dur: np.ndarray  # int64[S]
    needs_room: np.ndarray  # bool[S]
    res_ptr: np.ndarray  # int64[S+1]
    res_idx: np.ndarray  # int64[nnz]
    rs_ptr: np.ndarray  # int64[Q+1]  sessions of each resource
    rs_idx: np.ndarray
    is_fac: np.ndarray  # bool[Q]
    is_grp: np.ndarray  # bool[Q]
    usable: np.ndarray  # bool[T]
    room_avail: np.ndarray  # bool[R, T]
    room_cap: np.ndarray  # int64[R]
    res_avail: np.ndarray  # bool[Q, T]
    res_pref: np.ndarray  # int8[Q, T]
    res_has_pref: np.ndarray  # bool[Q]
    sess_avail: np.ndarray  # bool[S, T]
    sess_pref: np.ndarray  # int8[S, T]
    sess_has_pref: np.ndarray  # bool[S]
    allowed: np.ndarray  # bool[S, R]
    size: np.ndarray  # int64[S]
    lock_t: np.ndarray  # int64[S]
    lock_r: np.ndarray  # int64[S]
    max_daily: np.ndarray  # int64[Q]
    max_consec: np.ndarray  # int64[Q]
    max_days: np.ndarray  # int64[Q]
    course: np.ndarray  # int64[S]
    min_days: np.ndarray  # int64[C]
    conf: np.ndarray  # bool[S, S] sessions sharing >= 1 resource (diagonal False)
    cf_ptr: np.ndarray  # int64[S+1] CSR of conf
    cf_idx: np.ndarray
    sy_ptr: np.ndarray  # int64[n_sync+1] members of sync sets
    sy_idx: np.ndarray
    ss_ptr: np.ndarray  # int64[S+1] sync sets of each session
    ss_idx: np.ndarray
    w: np.ndarray  # int64[NC]
    static_h: np.ndarray  # int64[S, T] weighted start-dependent hard cost
    static_s: np.ndarray  # int64[S, T] weighted start-dependent soft cost
    room_h: np.ndarray  # int64[S, R] weighted room_unsuitable
    room_s: np.ndarray  # int64[S, R] weighted room_capacity
    ar_ptr: np.ndarray  # int64[S+1] allowed rooms of each session
    ar_idx: np.ndarray
    maxdur: int
    kmax: int  # largest number of sessions moved together
    prof: np.ndarray  # int64[Q, 14]: the day profile's limits and the building limits (columns PF_*)
    prof_any: np.ndarray  # bool[Q]: the resource has a day-profile limit (else profile_counts is skipped)
    rel_kind: np.ndarray  # int64[n_rel]: rule index (RNOOVER, ...) of each relation
    rel_par: np.ndarray  # int64[n_rel]: its parameter (min gap)
    rel_n1: np.ndarray  # int64[n_rel]: activities_ordered_min_gaps: how many of its sessions form the first set
    rel_ptr: np.ndarray  # int64[n_rel+1] CSR: sessions of each relation (in order)
    rel_idx: np.ndarray
    sr_ptr: np.ndarray  # int64[S+1] CSR: relations of each session
    sr_idx: np.ndarray
    er_ptr: np.ndarray  # int64[Q+1] CSR: activity_ends_day relations with a session of each group resource
    er_idx: np.ndarray
    room_bld: np.ndarray  # int64[R]: building of each room, -1 = none
    bld_any: np.ndarray  # bool[Q]: the resource has a building limit (else building_counts is skipped)
    hk: np.ndarray  # bool[NC]: the rule counts in the hard total (a hard rule, or a soft one that is a must here)


class ST(NamedTuple):
    """Incremental state arrays (mutated in place by the kernels)."""
    start: np.ndarray  # int32[S]
    room: np.ndarray  # int32[S]
    occ: np.ndarray  # int32[Q, T]
    rocc: np.ndarray  # int32[R, T]
    slot_n: np.ndarray  # int32[T]
    slot_list: np.ndarray  # int32[T, S]
    pos: np.ndarray  # int32[S, maxdur]
    cday: np.ndarray  # int32[C, D]
    croom: np.ndarray  # int32[C, R]
    tot: np.ndarray  # int64[3]: hard, soft, change-penalty
    anchor_t: np.ndarray  # int32[S] minimal-change anchor (or -2 = none)
    anchor_r: np.ndarray  # int32[S]
    anchor_w: np.ndarray  # int64[1] penalty per session away from its anchor
    stamp: np.ndarray  # int64[1]
    mk_rt: np.ndarray  # int64[R, T]
    mk_qd: np.ndarray  # int64[Q, D]
    mk_qt: np.ndarray  # int64[Q, T]
    mk_q: np.ndarray  # int64[Q]
    mk_c: np.ndarray  # int64[C]
    mk_y: np.ndarray  # int64[n_sync]
    mk_s: np.ndarray  # int64[S]
    l_rt: np.ndarray  # int64[cap, 2]
    l_qd: np.ndarray  # int64[cap, 2]
    l_q: np.ndarray  # int64[cap]
    l_c: np.ndarray  # int64[cap]
    l_y: np.ndarray  # int64[cap]
    l_n: np.ndarray  # int64[6]
    old_t: np.ndarray  # int64[kmax]
    old_r: np.ndarray  # int64[kmax]
    mk_x: np.ndarray  # int64[n_rel]: relations touched by a move
    l_x: np.ndarray  # int64[max(n_rel, 1)]


class SR(NamedTuple):
    """The search's arrays, built once per optimizer run (``optimizer._Search``) and passed to
    ``construct`` / ``sa_chunk`` as one argument.  A *unit* is one session or a whole sync set
    (its members share the start)."""
    mov: np.ndarray  # int64[]: sessions that move alone (single units, not locked)
    rmov: np.ndarray  # int64[]: sessions whose room may change
    syu: np.ndarray  # int64[]: sync-set units that may move
    u_ptr: np.ndarray  # int64[n_units+1] CSR: members of each unit
    u_idx: np.ndarray
    u_fixed: np.ndarray  # int64[n_units]: locked start of the unit, or -1
    kempe_ok: np.ndarray  # bool[S]: may take part in a Kempe chain (movable, duration 1)
    cs_ptr: np.ndarray  # int64[S+1] CSR: candidate start slots of each session
    cs_idx: np.ndarray
    c_ptr: np.ndarray  # int64[C+1] CSR: room-movable sessions of each course key
    c_idx: np.ndarray
    cc: np.ndarray  # int64[]: course keys with two or more of them
    ms: np.ndarray  # int64[cap]: scratch, the sessions of one (compound) move
    mt: np.ndarray  # int64[cap]: their new starts
    mr: np.ndarray  # int64[cap]: their new rooms
    chain: np.ndarray  # int64[S+1]: scratch of the Kempe chain
    in_chain: np.ndarray  # int64[S]


# --------------------------------------------------------------------------------------
# compile
# --------------------------------------------------------------------------------------

def _csr(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(len(lists) + 1, np.int64)
    for i, x in enumerate(lists):
        ptr[i + 1] = ptr[i] + len(x)
    idx = np.array([v for x in lists for v in x], np.int64) if ptr[-1] else np.zeros(0, np.int64)
    return ptr, idx


def _csr_rows(mask: np.ndarray, block: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the True columns of each row of a 2-D boolean ``mask`` (as ``_csr`` of its rows'
    ``flatnonzero``), in numpy, ``block`` rows at a time: the UI thread gets the GIL between blocks
    (a 10,000 x 240 mask took 0.6 s through Python lists, most of it in one GIL-holding call)."""
    n = mask.shape[0]
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(mask.sum(axis=1), out=ptr[1:])
    parts = [np.nonzero(mask[i:i + block])[1] for i in range(0, n, block)]
    idx = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
    return ptr, idx


def weights_vector(problem: Problem) -> np.ndarray:
    """Each rule's weight; a must (``Problem.must``) weighs 1, in the hard total (``hard_vector``)."""
    return np.array([problem.effective_weight(n) for n in CONSTRAINTS], np.int64)


def hard_vector(problem: Problem) -> np.ndarray:
    """bool[NC]: the rules counted in the hard total (the hard rules and the problem's musts)."""
    return np.array([problem.is_hard(n) for n in CONSTRAINTS], np.bool_)


_CACHE_ATTR = "_ato_compiled"
MAX_MOVED = 64  # most sessions one compound move (Kempe chain) may move at once


def compile_problem(problem: Problem) -> CP:
    """Compile (once per Problem object; cached on it) into a :class:`CP`."""
    cached = problem.__dict__.get(_CACHE_ATTR)
    if cached is not None:
        return cached
    T, P, D = problem.n_slots, problem.periods_per_day, problem.n_days
    S, R, Q, C = problem.n_sessions, problem.n_rooms, problem.n_resources, problem.n_courses
    res_ptr = problem.res_indptr.astype(np.int64)
    res_idx = problem.res_indices.astype(np.int64)
    by_res: list[list[int]] = [[] for _ in range(Q)]
    for s in range(S):
        for q in res_idx[res_ptr[s]:res_ptr[s + 1]]:
            if not by_res[q] or by_res[q][-1] != s:
                by_res[q].append(s)
    rs_ptr, rs_idx = _csr(by_res)
    conf = np.zeros((S, S), np.bool_)
    for q in range(Q):
        m = np.array(by_res[q], np.int64)
        if len(m) > 1:
            conf[np.ix_(m, m)] = True
    if S:
        np.fill_diagonal(conf, False)
    cf_ptr, cf_idx = _csr_rows(conf)
    sync = [sorted(set(int(v) for v in x)) for x in problem.sync_sets]
    sy_ptr, sy_idx = _csr(sync)
    of_s: list[list[int]] = [[] for _ in range(S)]
    for k, x in enumerate(sync):
        for s in x:
            of_s[s].append(k)
    ss_ptr, ss_idx = _csr(of_s)
    allowed = problem.session_allowed_rooms.astype(np.bool_)
    ar_ptr, ar_idx = _csr_rows(allowed)
    w = weights_vector(problem)
    kind = problem.resource_kind
    res_pref = problem.resource_pref.astype(np.int8)
    sess_pref = problem.session_pref.astype(np.int8)
    maxdur = int(problem.session_duration.max()) if S else 1
    prof = np.stack([getattr(problem, n).astype(np.int64) for n, _, _ in PROFILE_ARRAYS], axis=1) \
        if Q else np.zeros((0, len(PROFILE_ARRAYS)), np.int64)
    none = np.array([int(v) for _, _, v in PROFILE_ARRAYS], np.int64)
    set_ = prof != none
    set_[:, PF_EMPTY_OK] = False  # "empty days not allowed" counts only with a minimum
    set_[:, PF_IV_FROM] = set_[:, PF_IV_TO] = False  # an interval counts only with its limit
    bld_any = set_[:, PF_BLD_DAY] | set_[:, PF_BLD_WEEK] | set_[:, PF_BLD_GAP]
    set_[:, PF_BLD_DAY] = set_[:, PF_BLD_WEEK] = set_[:, PF_BLD_GAP] = False  # counted by building_counts
    prof_any = set_.any(axis=1)
    kmax = max([2] + [len(x) for x in sync])
    rels = problem.relations
    rel_ptr, rel_idx = _csr([[int(v) for v in x.sessions] for x in rels])
    of_s_rel: list[list[int]] = [[] for _ in range(S)]
    ends_q: list[list[int]] = [[] for _ in range(Q)]
    for k, x in enumerate(rels):
        for v in x.sessions:
            if not of_s_rel[int(v)] or of_s_rel[int(v)][-1] != k:  # (in both sets of an ordered pair: once)
                of_s_rel[int(v)].append(k)
            if x.rule == "activity_ends_day":
                for q in res_idx[res_ptr[v]:res_ptr[v + 1]]:
                    if kind[q] == RESOURCE_GROUP and (not ends_q[q] or ends_q[q][-1] != k):
                        ends_q[q].append(k)
    sr_ptr, sr_idx = _csr(of_s_rel)
    er_ptr, er_idx = _csr(ends_q)
    cp = CP(
        T=T, P=P, D=D, S=S, R=R, Q=Q, C=C,
        dur=problem.session_duration.astype(np.int64),
        needs_room=problem.session_needs_room.astype(np.bool_),
        res_ptr=res_ptr, res_idx=res_idx, rs_ptr=rs_ptr, rs_idx=rs_idx,
        is_fac=(kind == RESOURCE_FACULTY), is_grp=(kind == RESOURCE_GROUP),
        usable=problem.slot_usable.astype(np.bool_),
        room_avail=problem.room_available.astype(np.bool_),
        room_cap=problem.room_capacity.astype(np.int64),
        res_avail=problem.resource_available.astype(np.bool_),
        res_pref=res_pref, res_has_pref=(res_pref == 1).any(axis=1) if T else np.zeros(Q, np.bool_),
        sess_avail=problem.session_available.astype(np.bool_),
        sess_pref=sess_pref, sess_has_pref=(sess_pref == 1).any(axis=1) if T else np.zeros(S, np.bool_),
        allowed=allowed, size=problem.session_size.astype(np.int64),
        lock_t=problem.locked_start.astype(np.int64), lock_r=problem.locked_room.astype(np.int64),
        max_daily=problem.resource_max_daily.astype(np.int64),
        max_consec=problem.resource_max_consecutive.astype(np.int64),
        max_days=problem.resource_max_days.astype(np.int64),
        course=problem.session_course.astype(np.int64),
        min_days=problem.course_min_days.astype(np.int64),
        conf=conf, cf_ptr=cf_ptr, cf_idx=cf_idx,
        sy_ptr=sy_ptr, sy_idx=sy_idx, ss_ptr=ss_ptr, ss_idx=ss_idx,
        w=w,
        static_h=np.zeros((S, T), np.int64), static_s=np.zeros((S, T), np.int64),
        room_h=np.zeros((S, R), np.int64), room_s=np.zeros((S, R), np.int64),
        ar_ptr=ar_ptr, ar_idx=ar_idx, maxdur=maxdur, kmax=kmax,
        prof=np.ascontiguousarray(prof), prof_any=np.ascontiguousarray(prof_any, np.bool_),
        rel_kind=np.array([RULE_INDEX[x.rule] for x in rels], np.int64),
        rel_par=np.array([x.param for x in rels], np.int64),
        rel_n1=np.array([x.split for x in rels], np.int64),
        rel_ptr=rel_ptr, rel_idx=rel_idx, sr_ptr=sr_ptr, sr_idx=sr_idx, er_ptr=er_ptr, er_idx=er_idx,
        room_bld=problem.room_building.astype(np.int64),
        bld_any=np.ascontiguousarray(bld_any if Q else np.zeros(0, np.bool_), np.bool_),
        hk=hard_vector(problem),
    )
    _fill_static(cp)
    for name in cp._fields:
        v = getattr(cp, name)
        if isinstance(v, np.ndarray):
            v.setflags(write=False)
    problem.__dict__[_CACHE_ATTR] = cp  # frozen dataclass: cache beside its fields
    return cp


def new_state(cp: CP) -> ST:
    S, T, R, Q, C, D = cp.S, cp.T, cp.R, cp.Q, cp.C, cp.D
    n_sync = len(cp.sy_ptr) - 1
    maxres = int(np.diff(cp.res_ptr).max()) if S else 1
    kk = max(cp.kmax, MAX_MOVED)
    cap = 2 * kk * cp.maxdur * max(1, maxres) + 2 * kk + 8
    return ST(
        start=np.full(S, -1, np.int32), room=np.full(S, -1, np.int32),
        occ=np.zeros((Q, T), np.int32), rocc=np.zeros((R, T), np.int32),
        slot_n=np.zeros(T, np.int32), slot_list=np.zeros((T, max(S, 1)), np.int32),
        pos=np.zeros((S, cp.maxdur), np.int32),
        cday=np.zeros((C, D), np.int32), croom=np.zeros((C, R), np.int32),
        tot=np.zeros(3, np.int64),
        anchor_t=np.full(S, -2, np.int32), anchor_r=np.full(S, -2, np.int32),
        anchor_w=np.zeros(1, np.int64), stamp=np.zeros(1, np.int64),
        mk_rt=np.zeros((R, T), np.int64), mk_qd=np.zeros((Q, D), np.int64),
        mk_qt=np.zeros((Q, T), np.int64), mk_q=np.zeros(Q, np.int64), mk_c=np.zeros(C, np.int64),
        mk_y=np.zeros(n_sync, np.int64), mk_s=np.zeros(S, np.int64),
        l_rt=np.zeros((cap, 2), np.int64), l_qd=np.zeros((cap, 2), np.int64),
        l_q=np.zeros(cap, np.int64), l_c=np.zeros(cap, np.int64), l_y=np.zeros(cap, np.int64),
        l_n=np.zeros(6, np.int64),
        old_t=np.zeros(kk, np.int64), old_r=np.zeros(kk, np.int64),
        mk_x=np.zeros(len(cp.rel_kind), np.int64), l_x=np.zeros(max(len(cp.rel_kind), 1), np.int64),
    )


# --------------------------------------------------------------------------------------
# per-session static pieces
# --------------------------------------------------------------------------------------

@njit(cache=True, nogil=True)
def start_counts(cp, s, t, out):
    """Start-dependent per-session counts for s starting at t (t >= 0), added into out[NC]."""
    d = cp.dur[s]
    P = cp.P
    if t % P + d > P:
        out[OVERFLOW] += 1
    end = min(t + d, cp.T)
    for u in range(t, end):
        if not cp.usable[u]:
            out[BREAK] += 1
        if not cp.sess_avail[s, u]:
            out[SUNAV] += 1
        for i in range(cp.res_ptr[s], cp.res_ptr[s + 1]):
            q = cp.res_idx[i]
            if not cp.res_avail[q, u]:
                out[RUNAV] += 1
            pf = cp.res_pref[q, u]
            if pf == -1:
                out[RUNDES] += 1
            if cp.res_has_pref[q] and pf != 1:
                out[RNOTPREF] += 1
    sp = cp.sess_pref[s, t]
    if sp == -1 or (cp.sess_has_pref[s] and sp != 1):
        out[SNOTPREF] += 1


@njit(cache=True, nogil=True)
def _fill_static_kernel(cp, static_h, static_s, room_h, room_s):
    tmp = np.zeros(NC, np.int64)
    w = cp.w
    hk = cp.hk
    for s in range(cp.S):
        for t in range(cp.T):
            tmp[:] = 0
            start_counts(cp, s, t, tmp)
            h = 0
            so = 0
            for k in range(NC):
                if hk[k]:
                    h += w[k] * tmp[k]
                else:
                    so += w[k] * tmp[k]
            static_h[s, t] = h
            static_s[s, t] = so
        for r in range(cp.R):
            room_h[s, r] = 0 if cp.allowed[s, r] else w[UNSUIT]
            ex = cp.size[s] - cp.room_cap[r]
            room_s[s, r] = w[RCAP] * ex if ex > 0 and not hk[RCAP] else 0
            if ex > 0 and hk[RCAP]:
                room_h[s, r] += w[RCAP] * ex


def _fill_static(cp: CP) -> None:
    _fill_static_kernel(cp, cp.static_h, cp.static_s, cp.room_h, cp.room_s)


@njit(cache=True, nogil=True)
def iso_of(P, T, d, occ, q, t):
    """1 if a session of group q starting at t and lasting d slots is isolated for q.

    (Leaf kernels take only the arrays they read: every array argument of a call that
    LLVM does not inline costs reference counting, and the compiled-problem tuple holds
    about fifty of them.)"""
    end = min(t + d, T) - 1
    if t % P != 0 and occ[q, t - 1] > 0:
        return 0
    n = end + 1
    if n < T and n % P != 0 and occ[q, n] > 0:
        return 0
    return 1


@njit(cache=True, nogil=True)
def day_counts(cp, occ, q, day, out, skip0):
    """daily_load / gaps / max_consecutive counts of resource q on day, added into out.

    skip0: skip rules whose weight is 0 (for deltas; counts() computes everything)."""
    _day_counts(cp.P, cp.is_fac[q], cp.is_grp[q], cp.max_daily[q], cp.max_consec[q],
                skip0 and cp.w[DLOAD] == 0, skip0 and cp.w[MAXCONS] == 0, skip0 and cp.w[GAPS] == 0,
                cp.usable, occ, q, day, out)


@njit(cache=True, nogil=True)
def _day_counts(P, is_fac, is_grp, md, mc, no_load, no_cons, no_gaps, usable, occ, q, day, out):
    base = day * P
    if is_fac:
        if md > 0 and not no_load:
            load = 0
            for u in range(base, base + P):
                load += occ[q, u]
            if load > md:
                out[DLOAD] += load - md
        if mc > 0 and not no_cons:
            run = 0
            for u in range(base, base + P):
                if occ[q, u] > 0 and usable[u]:
                    run += 1
                else:
                    if run > mc:
                        out[MAXCONS] += run - mc
                    run = 0
            if run > mc:
                out[MAXCONS] += run - mc
    if is_grp and not no_gaps:
        first = -1
        last = -1
        for u in range(base, base + P):
            if occ[q, u] > 0:
                if first < 0:
                    first = u
                last = u
        if first >= 0:
            for u in range(first + 1, last):
                if occ[q, u] == 0 and usable[u]:
                    out[GAPS] += 1


@njit(cache=True, nogil=True)
def maxdays_count(cp, occ, q):
    md = cp.max_days[q]
    if md <= 0 or not cp.is_fac[q]:
        return 0
    return _maxdays(cp.P, cp.D, md, occ, q)


@njit(cache=True, nogil=True)
def _maxdays(P, D, md, occ, q):
    days = 0
    for d in range(D):
        for u in range(d * P, d * P + P):
            if occ[q, u] > 0:
                days += 1
                break
    return days - md if days > md else 0


@njit(cache=True, nogil=True)
def profile_counts(P, D, lim, usable, avail, occ, q, out):
    """The day profile's counts of resource q over the week (``lim`` = its row of ``CP.prof``), added into
    out: max_gaps_week, max_gaps_day, min_hours_daily, early_start, group_max_daily,
    group_max_consecutive, min_days_week, interval_max_days (docs/constraints.md).  A day's load is its occupied
    session-slots; an idle period is a free usable period where q is available, between the day's first
    and last occupied period; a day's "open" periods are the usable ones where q is available."""
    gw = lim[PF_GAPS_WEEK]
    gd = lim[PF_GAPS_DAY]
    mh = lim[PF_MIN_DAILY]
    empty_ok = lim[PF_EMPTY_OK] != 0
    early = lim[PF_EARLY]
    gmd = lim[PF_MAX_DAILY]
    gmc = lim[PF_MAX_CONSEC]
    mdays = lim[PF_MIN_DAYS]
    ivm = lim[PF_IV_MAX]
    iv_from = lim[PF_IV_FROM]
    iv_to = lim[PF_IV_TO]
    iv_days = 0
    week_gaps = 0
    days = 0
    second = 0
    for d in range(D):
        base = d * P
        load = 0
        first = -1
        last = -1
        before = 0  # open periods before the first occupied one
        has_usable = False
        run = 0
        for u in range(base, base + P):
            x = occ[q, u]
            if usable[u]:
                has_usable = True
            if x > 0:
                load += x
                if first < 0:
                    first = u
                last = u
            elif first < 0 and usable[u] and avail[q, u]:
                before += 1
            if x > 0 and usable[u]:
                run += 1
            else:
                if gmc > 0 and run > gmc:
                    out[GMAXCONS] += run - gmc
                run = 0
        if gmc > 0 and run > gmc:
            out[GMAXCONS] += run - gmc
        gaps = 0
        if first >= 0:
            days += 1
            for u in range(first + 1, last):
                if occ[q, u] == 0 and usable[u] and avail[q, u]:
                    gaps += 1
        if gd >= 0 and gaps > gd:
            out[GAPSDAY] += gaps - gd
        week_gaps += gaps
        if mh > 0 and has_usable:
            if load == 0:
                if not empty_ok:
                    out[MINHOURS] += mh
            elif load < mh:
                out[MINHOURS] += mh - load
        if early >= 0 and load > 0:
            if before == 1:
                second += 1
            elif before > 1:
                out[EARLY] += before - 1
        if gmd > 0 and load > gmd:
            out[GMAXDAILY] += load - gmd
        if ivm >= 0:
            for u in range(base + max(0, iv_from), base + min(P, iv_to)):
                if occ[q, u] > 0:
                    iv_days += 1
                    break
    if gw >= 0 and week_gaps > gw:
        out[GAPSWEEK] += week_gaps - gw
    if early >= 0 and second > early:
        out[EARLY] += second - early
    if mdays > 0 and days < mdays:
        out[MINDAYSW] += mdays - days
    if ivm >= 0 and iv_days > ivm:
        out[IVDAYS] += iv_days - ivm


@njit(cache=True, nogil=True)
def _bld_day(cp, start, room, q, d, x):
    """q's changes of building on day d, in order of start (then index): how many, the periods their gaps fall
    short of q's minimum (a break included, as FET counts the hours between), whether session x takes part in
    one, and whether in one with fewer periods between than q's minimum (x = -1: none)."""
    P = cp.P
    lo = d * P
    hi = lo + P
    mgap = cp.prof[q, PF_BLD_GAP]
    a = cp.rs_ptr[q]
    b = cp.rs_ptr[q + 1]
    changes = 0
    gap_short = 0
    part = False
    short = False
    prev_b = -1
    prev_end = -1
    last_t = -1
    last_s = -1
    while True:
        best = -1
        bt = hi
        for i in range(a, b):
            s = cp.rs_idx[i]
            t = start[s]
            if t < lo or t >= hi or not cp.needs_room[s] or room[s] < 0 or cp.room_bld[room[s]] < 0:
                continue
            if (t > last_t or (t == last_t and s > last_s)) and (t < bt or (t == bt and s < best)):
                bt = t
                best = s
        if best < 0:
            break
        bb = cp.room_bld[room[best]]
        if prev_b >= 0 and bb != prev_b:
            changes += 1
            if mgap > 0 and bt - prev_end < mgap:
                gap_short += mgap - max(0, bt - prev_end)
            if best == x or last_s == x:
                part = True
                if mgap > 0 and bt - prev_end < mgap:
                    short = True
        prev_b = bb
        prev_end = min(bt + cp.dur[best], cp.T)
        last_t = bt
        last_s = best
    return changes, gap_short, part, short


@njit(cache=True, nogil=True)
def building_counts(cp, start, room, q, out):
    """max_building_changes_day / _week and min_gaps_building_changes of resource q (docs/constraints.md):
    per day, q's scheduled sessions in a room with a building, in order of start (then index); a change is
    two of them one after the other in different buildings; its gap, the periods between them (a break
    included, as FET counts the hours between); ``_bld_day`` walks a day."""
    mday = cp.prof[q, PF_BLD_DAY]
    mweek = cp.prof[q, PF_BLD_WEEK]
    week = 0
    for d in range(cp.D):
        changes, gap_short, _, _ = _bld_day(cp, start, room, q, d, -1)
        out[BCHGAP] += gap_short
        if mday >= 0 and changes > mday:
            out[BCHDAY] += changes - mday
        week += changes
    if mweek >= 0 and week > mweek:
        out[BCHWEEK] += week - mweek


@njit(cache=True, nogil=True)
def course_counts(cp, cday, croom, c, out):
    _course_counts(cp.min_days[c], cp.D, cp.R, cday, croom, c, out)


@njit(cache=True, nogil=True)
def _course_counts(md, D, R, cday, croom, c, out):
    if md > 0:
        nd = 0
        for d in range(D):
            if cday[c, d] > 0:
                nd += 1
        if nd < md:
            out[MINDAYS] += md - nd
    nr = 0
    for r in range(R):
        if croom[c, r] > 0:
            nr += 1
    if nr > 1:
        out[RSTAB] += nr - 1


@njit(cache=True, nogil=True)
def sync_count(cp, start, k):
    distinct = 0
    a = cp.sy_ptr[k]
    b = cp.sy_ptr[k + 1]
    for i in range(a, b):
        ti = start[cp.sy_idx[i]]
        if ti < 0:
            continue
        new = True
        for j in range(a, i):
            if start[cp.sy_idx[j]] == ti:
                new = False
                break
        if new:
            distinct += 1
    return distinct - 1 if distinct > 1 else 0


@njit(cache=True, nogil=True)
def _follows(cp, start, a, b):
    """Session b starts right after a ends, on a's start day (only breaks between them)."""
    ta = start[a]
    tb = start[b]
    after = min(ta + cp.dur[a], cp.T)
    if tb < after or tb // cp.P != ta // cp.P:
        return False
    for u in range(after, tb):
        if cp.usable[u]:
            return False
    return True


@njit(cache=True, nogil=True)
def rel_count(cp, start, room, occ, k, out):
    """Count relation k (docs/constraints.md, "Relations") into out[its rule]; occ = resource occupancy."""
    a = cp.rel_ptr[k]
    b = cp.rel_ptr[k + 1]
    kind = cp.rel_kind[k]
    T = cp.T
    P = cp.P
    if kind == RNOOVER:
        for i in range(a, b):
            x = cp.rel_idx[i]
            if start[x] < 0:
                continue
            for j in range(i + 1, b):
                y = cp.rel_idx[j]
                if start[y] < 0:
                    continue
                lo = max(start[x], start[y])
                hi = min(min(start[x] + cp.dur[x], start[y] + cp.dur[y]), T)
                if hi > lo:
                    out[RNOOVER] += hi - lo
    elif kind == RCONSEC:
        x = cp.rel_idx[a]
        y = cp.rel_idx[a + 1]
        if start[x] >= 0 and start[y] >= 0 and not _follows(cp, start, x, y):
            out[RCONSEC] += 1
    elif kind == RGROUP:
        x = cp.rel_idx[a]
        y = cp.rel_idx[a + 1]
        z = cp.rel_idx[a + 2] if b - a == 3 else -1
        if start[x] < 0 or start[y] < 0 or (z >= 0 and start[z] < 0):
            return
        if start[y] < start[x]:
            x, y = y, x
        if z >= 0:
            if start[z] < start[x]:
                x, y, z = z, x, y
            elif start[z] < start[y]:
                y, z = z, y
        ok = _follows(cp, start, x, y)
        if ok and z >= 0:
            ok = _follows(cp, start, y, z)
        if not ok:
            out[RGROUP] += 1
    elif kind == RENDS:
        for i in range(a, b):
            x = cp.rel_idx[i]
            t = start[x]
            if t < 0:
                continue
            day_end = (t // P + 1) * P
            bad = False
            for jj in range(cp.res_ptr[x], cp.res_ptr[x + 1]):
                q = cp.res_idx[jj]
                if not cp.is_grp[q]:
                    continue
                for u in range(min(t + cp.dur[x], T), day_end):
                    if occ[q, u] > 0:
                        bad = True
                        break
                if bad:
                    break
            if bad:
                out[RENDS] += 1
    elif kind == RMINGAP:
        gap = cp.rel_par[k]
        for i in range(a, b):
            x = cp.rel_idx[i]
            if start[x] < 0:
                continue
            for j in range(i + 1, b):
                y = cp.rel_idx[j]
                if start[y] < 0 or start[x] // P != start[y] // P:
                    continue
                e = x
                f = y
                if start[y] < start[x]:
                    e = y
                    f = x
                apart = start[f] - min(start[e] + cp.dur[e], T)
                if apart < 0:
                    apart = 0
                if apart < gap:
                    out[RMINGAP] += gap - apart
    elif kind == RSAMEDAY:
        distinct = 0
        for i in range(a, b):
            ti = start[cp.rel_idx[i]]
            if ti < 0:
                continue
            new = True
            for j in range(a, i):
                tj = start[cp.rel_idx[j]]
                if tj >= 0 and tj // P == ti // P:
                    new = False
                    break
            if new:
                distinct += 1
        if distinct > 1:
            out[RSAMEDAY] += distinct - 1
    elif kind == RSAMEROOM:
        for i in range(a, b):
            x = cp.rel_idx[i]
            if start[x] < 0 or not cp.needs_room[x] or room[x] < 0:
                continue
            for j in range(i + 1, b):
                y = cp.rel_idx[j]
                if start[y] < 0 or not cp.needs_room[y] or room[y] < 0 or room[y] == room[x]:
                    continue
                if _follows(cp, start, x, y) or _follows(cp, start, y, x):
                    out[RSAMEROOM] += 1
    elif kind == RMAXDAILY or kind == RMAXCONS:
        _set_limit_counts(cp, start, a, b, kind, cp.rel_par[k], out)
    elif kind == RORDGAP:
        out[RORDGAP] += _ordgap_of(cp, start, k, -1)


@njit(cache=True, nogil=True)
def _ordgap_of(cp, start, k, z):
    """activities_ordered_min_gaps relation k (first set rel_idx[a:a+n1], second set the rest; one session
    may be in both): over the pairs (x first, y second, x != y) both scheduled with y starting on x's day at or
    after x's start, the periods missing to the minimum gap between x's end and y's start; only the pairs
    with session z when z >= 0."""
    a = cp.rel_ptr[k]
    m = a + cp.rel_n1[k]
    b = cp.rel_ptr[k + 1]
    gap = cp.rel_par[k]
    P = cp.P
    n = 0
    for i in range(a, m):
        x = cp.rel_idx[i]
        tx = start[x]
        if tx < 0:
            continue
        ex = min(tx + cp.dur[x], cp.T)
        for j in range(m, b):
            y = cp.rel_idx[j]
            ty = start[y]
            if y == x or ty < tx or ty // P != tx // P or (z >= 0 and x != z and y != z):
                continue
            apart = ty - ex
            if apart < 0:
                apart = 0
            if apart < gap:
                n += gap - apart
    return n


@njit(cache=True, nogil=True)
def _set_limit_counts(cp, start, a, b, kind, lim, out):
    """activities_max_daily / activities_max_consecutive of the set rel_idx[a:b] with limit lim: per day,
    the session-slots above lim; per run of usable periods of one day each occupied by the set, the
    periods above lim (engine.constraints.activity_limits)."""
    T = cp.T
    P = cp.P
    occ = np.zeros(T, np.int32)
    for i in range(a, b):
        x = cp.rel_idx[i]
        t = start[x]
        if t < 0:
            continue
        for u in range(t, min(t + cp.dur[x], T)):
            occ[u] += 1
    for d in range(cp.D):
        load = 0
        run = 0
        for u in range(d * P, d * P + P):
            load += occ[u]
            if occ[u] > 0 and cp.usable[u]:
                run += 1
            else:
                if kind == RMAXCONS and run > lim:
                    out[RMAXCONS] += run - lim
                run = 0
        if kind == RMAXCONS and run > lim:
            out[RMAXCONS] += run - lim
        if kind == RMAXDAILY and load > lim:
            out[RMAXDAILY] += load - lim


# --------------------------------------------------------------------------------------
# full evaluation
# --------------------------------------------------------------------------------------

@njit(cache=True, nogil=True)
def full_counts(cp, start, room):
    """Unweighted count per constraint (order of CONSTRAINTS) from scratch."""
    out = np.zeros(NC, np.int64)
    T = cp.T
    P = cp.P
    occ = np.zeros((cp.Q, T), np.int32)
    rocc = np.zeros((cp.R, T), np.int32)
    cday = np.zeros((cp.C, cp.D), np.int32)
    croom = np.zeros((cp.C, cp.R), np.int32)
    slot_n = np.zeros(T + 1, np.int64)
    for s in range(cp.S):
        t = start[s]
        if t < 0:
            out[UNSCHED] += 1
            continue
        r = room[s]
        if cp.needs_room[s] and r < 0:
            out[UNSCHED] += 1
        if not cp.needs_room[s]:
            r = -1
        start_counts(cp, s, t, out)
        end = min(t + cp.dur[s], T)
        for u in range(t, end):
            slot_n[u + 1] += 1
            for i in range(cp.res_ptr[s], cp.res_ptr[s + 1]):
                occ[cp.res_idx[i], u] += 1
            if r >= 0:
                rocc[r, u] += 1
                if not cp.room_avail[r, u]:
                    out[ROOMUNAV] += 1
        if r >= 0:
            if not cp.allowed[s, r]:
                out[UNSUIT] += 1
            ex = cp.size[s] - cp.room_cap[r]
            if ex > 0:
                out[RCAP] += ex
            croom[cp.course[s], r] += 1
        cday[cp.course[s], t // P] += 1
        if (cp.lock_t[s] >= 0 and t != cp.lock_t[s]) or (cp.lock_r[s] >= 0 and room[s] != cp.lock_r[s]):
            out[LOCK] += 1
    # resource clash: per slot, pairs of occupying sessions that share a resource
    for u in range(T):
        slot_n[u + 1] += slot_n[u]
    lst = np.zeros(max(slot_n[T], 1), np.int64)
    fill = slot_n[:T].copy()
    for s in range(cp.S):
        t = start[s]
        if t < 0:
            continue
        for u in range(t, min(t + cp.dur[s], T)):
            lst[fill[u]] = s
            fill[u] += 1
    for u in range(T):
        for i in range(slot_n[u], slot_n[u + 1]):
            a = lst[i]
            for j in range(i + 1, slot_n[u + 1]):
                if cp.conf[a, lst[j]]:
                    out[RCLASH] += 1
    for r in range(cp.R):
        for u in range(T):
            if rocc[r, u] > 1:
                out[ROOMCLASH] += rocc[r, u] - 1
    for k in range(len(cp.sy_ptr) - 1):
        out[SYNC] += sync_count(cp, start, k)
    for q in range(cp.Q):
        for d in range(cp.D):
            day_counts(cp, occ, q, d, out, False)
        out[MAXDAYS] += maxdays_count(cp, occ, q)
        if cp.prof_any[q]:
            profile_counts(P, cp.D, cp.prof[q], cp.usable, cp.res_avail, occ, q, out)
        if cp.bld_any[q]:
            building_counts(cp, start, room, q, out)
        if cp.is_grp[q]:
            for i in range(cp.rs_ptr[q], cp.rs_ptr[q + 1]):
                s = cp.rs_idx[i]
                if start[s] >= 0:
                    out[ISO] += iso_of(P, T, cp.dur[s], occ, q, start[s])
    for c in range(cp.C):
        course_counts(cp, cday, croom, c, out)
    for k in range(len(cp.rel_kind)):
        rel_count(cp, start, room, occ, k, out)
    return out


@njit(cache=True, nogil=True)
def weighted(cp, counts):
    return _weighted(cp.w, cp.hk, counts)


@njit(cache=True, nogil=True)
def _weighted(w, hk, counts):
    h = 0
    s = 0
    for k in range(NC):
        if hk[k]:
            h += w[k] * counts[k]
        else:
            s += w[k] * counts[k]
    return h, s


@njit(cache=True, nogil=True)
def full_cost_kernel(cp, start, room):
    return weighted(cp, full_counts(cp, start, room))


# --------------------------------------------------------------------------------------
# incremental state
# --------------------------------------------------------------------------------------

@njit(cache=True, nogil=True)
def _unplace_a(T, P, d, needs_room, res, c, start, room, occ, rocc, pos, slot_n, slot_list, cday, croom, s):
    t = start[s]
    if t < 0:
        return
    r = room[s] if needs_room else -1
    end = min(t + d, T)
    for u in range(t, end):
        k = u - t
        for q in res:
            occ[q, u] -= 1
        if r >= 0:
            rocc[r, u] -= 1
        p = pos[s, k]
        last = slot_n[u] - 1
        y = slot_list[u, last]
        slot_list[u, p] = y
        pos[y, u - start[y]] = p
        slot_n[u] = last
    cday[c, t // P] -= 1
    if r >= 0:
        croom[c, r] -= 1
    start[s] = -1


@njit(cache=True, nogil=True)
def _place(cp, st, s, t, r):
    """Put s (currently unplaced, start == -1) at (t, r)."""
    _place_a(cp.T, cp.P, cp.dur[s], cp.needs_room[s], cp.res_idx[cp.res_ptr[s]:cp.res_ptr[s + 1]],
             cp.course[s], st.start, st.room, st.occ, st.rocc, st.pos, st.slot_n, st.slot_list,
             st.cday, st.croom, s, t, r)


@njit(cache=True, nogil=True)
def _place_a(T, P, d, needs_room, res, c, start, room, occ, rocc, pos, slot_n, slot_list, cday, croom, s, t, r):
    start[s] = t
    room[s] = r
    if t < 0:
        return
    rr = r if needs_room else -1
    end = min(t + d, T)
    for u in range(t, end):
        for q in res:
            occ[q, u] += 1
        if rr >= 0:
            rocc[rr, u] += 1
        p = slot_n[u]
        slot_list[u, p] = s
        pos[s, u - t] = p
        slot_n[u] = p + 1
    cday[c, t // P] += 1
    if rr >= 0:
        croom[c, rr] += 1


@njit(cache=True, nogil=True)
def _move_raw(cp, st, s, t, r):
    res = cp.res_idx[cp.res_ptr[s]:cp.res_ptr[s + 1]]
    _unplace_a(cp.T, cp.P, cp.dur[s], cp.needs_room[s], res, cp.course[s], st.start, st.room, st.occ,
               st.rocc, st.pos, st.slot_n, st.slot_list, st.cday, st.croom, s)
    _place_a(cp.T, cp.P, cp.dur[s], cp.needs_room[s], res, cp.course[s], st.start, st.room, st.occ,
             st.rocc, st.pos, st.slot_n, st.slot_list, st.cday, st.croom, s, t, r)


@njit(cache=True, nogil=True)
def sess_cost(cp, st, s):
    """Weighted (hard, soft, penalty) of the per-session terms of s at its current position."""
    t = st.start[s]
    r = st.room[s]
    pen = 0
    if st.anchor_w[0] != 0 and st.anchor_t[s] != -2:
        if t != st.anchor_t[s] or (cp.needs_room[s] and r != st.anchor_r[s]):
            pen = st.anchor_w[0]
    if t < 0:
        return cp.w[UNSCHED], 0, pen
    h = cp.static_h[s, t]
    so = cp.static_s[s, t]
    if cp.needs_room[s]:
        if r < 0:
            h += cp.w[UNSCHED]
        else:
            h += cp.room_h[s, r]
            so += cp.room_s[s, r]
            if cp.w[ROOMUNAV] != 0:
                for u in range(t, min(t + cp.dur[s], cp.T)):
                    if not cp.room_avail[r, u]:
                        h += cp.w[ROOMUNAV]
    if (cp.lock_t[s] >= 0 and t != cp.lock_t[s]) or (cp.lock_r[s] >= 0 and r != cp.lock_r[s]):
        h += cp.w[LOCK]
    return h, so, pen


@njit(cache=True, nogil=True)
def delta_moves(cp, st, ms, mt, mr, k, tmp):
    """(d_hard, d_soft, d_penalty) of moving ms[i] to (mt[i], mr[i]) for i < k; state unchanged.

    Marking what the moves touch and costing it (the local part of ``sess_cost`` and of the
    per-resource, per-course and per-sync-set counts) are written out here, not called (phase 0:
    before the moves, phase 1: after): every call that passes the compiled tuples costs about a
    microsecond of reference counting, and numba-IR inlining (``inline="always"``) made
    the first compile take minutes."""
    st.stamp[0] += 1
    stamp = st.stamp[0]
    n = st.l_n
    n[:] = 0
    has_rel = len(cp.rel_kind) > 0  # no relations (ITC-2007, most departments): skip their bookkeeping
    for i in range(k):
        s = ms[i]
        st.mk_s[s] = stamp
        for side in range(2):  # old and new position (written out: no call)
            t = st.start[s] if side == 0 else mt[i]
            if t < 0:
                continue
            r = st.room[s] if side == 0 else mr[i]
            rr = r if cp.needs_room[s] else -1
            for u in range(t, min(t + cp.dur[s], cp.T)):
                if rr >= 0 and st.mk_rt[rr, u] != stamp:
                    st.mk_rt[rr, u] = stamp
                    st.l_rt[n[0], 0] = rr
                    st.l_rt[n[0], 1] = u
                    n[0] += 1
                d = u // cp.P
                for jj in range(cp.res_ptr[s], cp.res_ptr[s + 1]):
                    q = cp.res_idx[jj]
                    st.mk_qt[q, u] = stamp
                    if st.mk_qd[q, d] != stamp:
                        st.mk_qd[q, d] = stamp
                        st.l_qd[n[1], 0] = q
                        st.l_qd[n[1], 1] = d
                        n[1] += 1
        for j in range(cp.res_ptr[s], cp.res_ptr[s + 1]):
            q = cp.res_idx[j]
            if st.mk_q[q] != stamp:
                st.mk_q[q] = stamp
                st.l_q[n[2]] = q
                n[2] += 1
        c = cp.course[s]
        if st.mk_c[c] != stamp:
            st.mk_c[c] = stamp
            st.l_c[n[3]] = c
            n[3] += 1
        for j in range(cp.ss_ptr[s], cp.ss_ptr[s + 1]):
            y = cp.ss_idx[j]
            if st.mk_y[y] != stamp:
                st.mk_y[y] = stamp
                st.l_y[n[4]] = y
                n[4] += 1
        if has_rel:
            for j in range(cp.sr_ptr[s], cp.sr_ptr[s + 1]):
                x = cp.sr_idx[j]
                if st.mk_x[x] != stamp:
                    st.mk_x[x] = stamp
                    st.l_x[n[5]] = x
                    n[5] += 1
    for i in range(n[2] if has_rel else 0):  # "ends the students' day" of other sessions of a touched group
        q = st.l_q[i]
        for j in range(cp.er_ptr[q], cp.er_ptr[q + 1]):
            x = cp.er_idx[j]
            if st.mk_x[x] != stamp:
                st.mk_x[x] = stamp
                st.l_x[n[5]] = x
                n[5] += 1
    h0 = 0
    s0 = 0
    p0 = 0
    h1 = 0
    s1 = 0
    p1 = 0
    for phase in range(2):
        h = 0
        so = 0
        pen = 0
        w = cp.w
        n = st.l_n
        for i in range(k):  # body of sess_cost, written out (no call)
            s = ms[i]
            t = st.start[s]
            r = st.room[s]
            if st.anchor_w[0] != 0 and st.anchor_t[s] != -2:
                if t != st.anchor_t[s] or (cp.needs_room[s] and r != st.anchor_r[s]):
                    pen += st.anchor_w[0]
            if t < 0:
                h += w[UNSCHED]
                continue
            h += cp.static_h[s, t]
            so += cp.static_s[s, t]
            if cp.needs_room[s]:
                if r < 0:
                    h += w[UNSCHED]
                else:
                    h += cp.room_h[s, r]
                    so += cp.room_s[s, r]
                    if w[ROOMUNAV] != 0:
                        for u in range(t, min(t + cp.dur[s], cp.T)):
                            if not cp.room_avail[r, u]:
                                h += w[ROOMUNAV]
            if (cp.lock_t[s] >= 0 and t != cp.lock_t[s]) or (cp.lock_r[s] >= 0 and r != cp.lock_r[s]):
                h += w[LOCK]
        if w[ROOMCLASH] != 0:
            for i in range(n[0]):
                x = st.rocc[st.l_rt[i, 0], st.l_rt[i, 1]]
                if x > 1:
                    h += w[ROOMCLASH] * (x - 1)
        if w[RCLASH] != 0:
            cl = 0
            for i in range(k):
                s = ms[i]
                t = st.start[s]
                if t < 0:
                    continue
                for u in range(t, min(t + cp.dur[s], cp.T)):
                    for j in range(st.slot_n[u]):
                        y = st.slot_list[u, j]
                        if cp.conf[s, y]:
                            cl += 1
                for j in range(i + 1, k):
                    y = ms[j]
                    if cp.conf[s, y] and st.start[y] >= 0:
                        lo = max(t, st.start[y])
                        hi = min(min(t + cp.dur[s], st.start[y] + cp.dur[y]), cp.T)
                        if hi > lo:
                            cl -= hi - lo
            h += w[RCLASH] * cl
        tmp[:] = 0
        occ = st.occ
        for i in range(n[1]):
            q = st.l_qd[i, 0]
            _day_counts(cp.P, cp.is_fac[q], cp.is_grp[q], cp.max_daily[q], cp.max_consec[q],
                        w[DLOAD] == 0, w[MAXCONS] == 0, w[GAPS] == 0, cp.usable, occ, q, st.l_qd[i, 1], tmp)
        for i in range(n[2]):
            q = st.l_q[i]
            if cp.max_days[q] > 0 and cp.is_fac[q]:
                tmp[MAXDAYS] += _maxdays(cp.P, cp.D, cp.max_days[q], occ, q)
            if cp.prof_any[q]:
                profile_counts(cp.P, cp.D, cp.prof[q], cp.usable, cp.res_avail, occ, q, tmp)
            if cp.bld_any[q]:
                building_counts(cp, st.start, st.room, q, tmp)
            if cp.is_grp[q] and w[ISO] != 0:
                P = cp.P
                for j in range(cp.rs_ptr[q], cp.rs_ptr[q + 1]):
                    y = cp.rs_idx[j]
                    t = st.start[y]
                    if t < 0:
                        continue
                    aff = st.mk_s[y] == stamp
                    if not aff and t % P != 0 and st.mk_qt[q, t - 1] == stamp:
                        aff = True
                    if not aff:
                        nx = min(t + cp.dur[y], cp.T)
                        if nx < cp.T and nx % P != 0 and st.mk_qt[q, nx] == stamp:
                            aff = True
                    if aff:
                        tmp[ISO] += iso_of(P, cp.T, cp.dur[y], occ, q, t)
        for i in range(n[3]):
            c = st.l_c[i]
            _course_counts(cp.min_days[c], cp.D, cp.R, st.cday, st.croom, c, tmp)
        for i in range(n[4]):
            tmp[SYNC] += sync_count(cp, st.start, st.l_y[i])
        if has_rel:
            for i in range(n[5]):
                rel_count(cp, st.start, st.room, occ, st.l_x[i], tmp)
        a, b = _weighted(w, cp.hk, tmp)
        lh = h + a
        ls = so + b
        lp = pen
        if phase == 0:
            h0 = lh
            s0 = ls
            p0 = lp
            for i in range(k):
                s = ms[i]
                st.old_t[i] = st.start[s]
                st.old_r[i] = st.room[s]
                res = cp.res_idx[cp.res_ptr[s]:cp.res_ptr[s + 1]]
                _unplace_a(cp.T, cp.P, cp.dur[s], cp.needs_room[s], res, cp.course[s], st.start, st.room,
                           st.occ, st.rocc, st.pos, st.slot_n, st.slot_list, st.cday, st.croom, s)
                _place_a(cp.T, cp.P, cp.dur[s], cp.needs_room[s], res, cp.course[s], st.start, st.room,
                         st.occ, st.rocc, st.pos, st.slot_n, st.slot_list, st.cday, st.croom, s, mt[i], mr[i])
        else:
            h1 = lh
            s1 = ls
            p1 = lp
    for i in range(k - 1, -1, -1):
        s = ms[i]
        res = cp.res_idx[cp.res_ptr[s]:cp.res_ptr[s + 1]]
        _unplace_a(cp.T, cp.P, cp.dur[s], cp.needs_room[s], res, cp.course[s], st.start, st.room,
                   st.occ, st.rocc, st.pos, st.slot_n, st.slot_list, st.cday, st.croom, s)
        _place_a(cp.T, cp.P, cp.dur[s], cp.needs_room[s], res, cp.course[s], st.start, st.room,
                 st.occ, st.rocc, st.pos, st.slot_n, st.slot_list, st.cday, st.croom, s,
                 st.old_t[i], st.old_r[i])
    return h1 - h0, s1 - s0, p1 - p0


@njit(cache=True, nogil=True)
def apply_moves(cp, st, ms, mt, mr, k, tmp):
    dh, ds, dp = delta_moves(cp, st, ms, mt, mr, k, tmp)
    for i in range(k):
        _move_raw(cp, st, ms[i], mt[i], mr[i])
    st.tot[0] += dh
    st.tot[1] += ds
    st.tot[2] += dp
    return dh, ds, dp


@njit(cache=True, nogil=True)
def commit_moves(cp, st, ms, mt, mr, k, dh, ds, dp):
    """Apply moves whose delta is already known."""
    for i in range(k):
        s = ms[i]
        res = cp.res_idx[cp.res_ptr[s]:cp.res_ptr[s + 1]]
        _unplace_a(cp.T, cp.P, cp.dur[s], cp.needs_room[s], res, cp.course[s], st.start, st.room,
                   st.occ, st.rocc, st.pos, st.slot_n, st.slot_list, st.cday, st.croom, s)
        _place_a(cp.T, cp.P, cp.dur[s], cp.needs_room[s], res, cp.course[s], st.start, st.room,
                 st.occ, st.rocc, st.pos, st.slot_n, st.slot_list, st.cday, st.croom, s, mt[i], mr[i])
    st.tot[0] += dh
    st.tot[1] += ds
    st.tot[2] += dp


@njit(cache=True, nogil=True)
def penalty_total(cp, st):
    p = 0
    for s in range(cp.S):
        p += sess_cost(cp, st, s)[2]
    return p


@njit(cache=True, nogil=True)
def load_state(cp, st, start, room):
    """Reset st to the assignment (start, room) and compute totals from scratch."""
    st.occ[:] = 0
    st.rocc[:] = 0
    st.slot_n[:] = 0
    st.cday[:] = 0
    st.croom[:] = 0
    for s in range(cp.S):
        st.start[s] = -1
        st.room[s] = room[s]
    for s in range(cp.S):
        _place(cp, st, s, start[s], room[s])
    h, so = full_cost_kernel(cp, st.start, st.room)
    st.tot[0] = h
    st.tot[1] = so
    st.tot[2] = penalty_total(cp, st)


@njit(cache=True, nogil=True)
def move_grid_kernel(cp, st, s, gh, gs):
    ms = np.empty(1, np.int64)
    mt = np.empty(1, np.int64)
    mr = np.empty(1, np.int64)
    tmp = np.zeros(NC, np.int64)
    ms[0] = s
    for t in range(cp.T):
        mt[0] = t
        if cp.needs_room[s]:
            for r in range(cp.R):
                mr[0] = r
                dh, ds, dp = delta_moves(cp, st, ms, mt, mr, 1, tmp)
                gh[t, r] = dh
                gs[t, r] = ds
        else:
            mr[0] = st.room[s]
            dh, ds, dp = delta_moves(cp, st, ms, mt, mr, 1, tmp)
            gh[t, 0] = dh
            gs[t, 0] = ds


# --------------------------------------------------------------------------------------
# search kernels (private RNG, greedy constructor, simulated annealing chunks)
#
# They live in this file, not in local_search.py, because numba's on-disk cache of a
# function is invalidated only by changes to the file that defines it: a search kernel
# cached in another module would keep running an old copy of the delta code after an
# edit here.  ``engine.local_search`` re-exports them.
# --------------------------------------------------------------------------------------

# fpar layout (float64): temperature, per-iteration cooling factor, hard weight W,
#   p_sync, p_swap, p_room, p_kempe, p_course_room, p_focus
F_TEMP, F_ALPHA, F_W, F_PSYNC, F_PSWAP, F_PROOM, F_PKEMPE, F_PCROOM, F_PFOCUS = range(9)
# ipar layout (int64): iterations done, accepted, improving
I_ITER, I_ACC, I_IMPR, I_SKIP = range(4)


@njit(cache=True, nogil=True)
def rnd_next(rs):
    rs[0] += np.uint64(0x9E3779B97F4A7C15)
    z = rs[0]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True)
def rnd_int(rs, n):
    return np.int64(rnd_next(rs) % np.uint64(n))


@njit(cache=True, nogil=True)
def rnd_float(rs):
    return np.float64(rnd_next(rs) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def _pick_room(cp, rs, s):
    a = cp.ar_ptr[s]
    n = cp.ar_ptr[s + 1] - a
    if n == 0:
        return rnd_int(rs, cp.R)
    return cp.ar_idx[a + rnd_int(rs, n)]


@njit(cache=True, nogil=True)
def _good_room(cp, st, rs, s, t):
    """A cheap room choice for s starting at t (used by the constructor)."""
    a = cp.ar_ptr[s]
    b = cp.ar_ptr[s + 1]
    if b == a:
        return rnd_int(rs, cp.R)
    c = cp.course[s]
    best = -1
    bkey = 0
    for j in range(a, b):
        r = cp.ar_idx[j]
        busy = 0
        for u in range(t, min(t + cp.dur[s], cp.T)):
            busy += st.rocc[r, u]
            if not cp.room_avail[r, u]:
                busy += 1
        key = busy * 1000000 + (cp.room_s[s, r] + (cp.w[RSTAB] if st.croom[c, r] == 0 else 0)) * 1000
        slack = cp.room_cap[r] - cp.size[s]
        key += slack if 0 <= slack < 1000 else 999
        if best < 0 or key < bkey:
            best = r
            bkey = key
    return best


@njit(cache=True, nogil=True)
def construct(cp, st, rs, units, sr, W):
    """Greedily place each unit (in the given order) where W*hard + soft rises least.

    A unit is one session or a sync set (all members share the start).  Ties are
    broken at random.  Start slots come from the session's candidate list (``sr``: :class:`SR`).
    """
    u_ptr = sr.u_ptr
    u_idx = sr.u_idx
    u_fixed = sr.u_fixed
    cs_ptr = sr.cs_ptr
    cs_idx = sr.cs_idx
    tmp = np.zeros(NC, np.int64)
    kmax = cp.kmax
    ms = np.zeros(kmax, np.int64)
    mt = np.zeros(kmax, np.int64)
    mr = np.zeros(kmax, np.int64)
    bt = np.zeros(kmax, np.int64)
    br = np.zeros(kmax, np.int64)
    for ui in range(len(units)):
        u = units[ui]
        a = u_ptr[u]
        k = u_ptr[u + 1] - a
        s0 = u_idx[a]
        best = np.inf
        ties = 0
        fixed = u_fixed[u]
        if fixed >= 0:
            nt = 1
        else:
            nt = cs_ptr[s0 + 1] - cs_ptr[s0]
        for ti in range(nt):
            t = fixed if fixed >= 0 else cs_idx[cs_ptr[s0] + ti]
            if k == 1:
                s = s0
                ms[0] = s
                mt[0] = t
                # one room per start slot: the free allowed room that costs least (room terms,
                # room stability), then the tightest fit; S*T deltas instead of S*T*R
                nr = 1
                for ri in range(nr):
                    if cp.needs_room[s] and cp.lock_r[s] < 0:
                        mr[0] = _good_room(cp, st, rs, s, t)
                    elif cp.lock_r[s] >= 0:
                        mr[0] = cp.lock_r[s]
                    else:
                        mr[0] = -1
                    dh, ds, dp = delta_moves(cp, st, ms, mt, mr, 1, tmp)
                    f = W * dh + ds + dp
                    if f < best:
                        best = f
                        ties = 1
                        bt[0] = t
                        br[0] = mr[0]
                    elif f == best:
                        ties += 1
                        if rnd_int(rs, ties) == 0:
                            bt[0] = t
                            br[0] = mr[0]
            else:
                for i in range(k):
                    s = u_idx[a + i]
                    ms[i] = s
                    mt[i] = t
                    if cp.lock_r[s] >= 0:
                        mr[i] = cp.lock_r[s]
                    elif not cp.needs_room[s]:
                        mr[i] = -1
                    else:
                        # first allowed room free over the session's slots and not taken by an earlier member
                        chosen = -1
                        for j in range(cp.ar_ptr[s], cp.ar_ptr[s + 1]):
                            r = cp.ar_idx[j]
                            ok = True
                            for v in range(t, min(t + cp.dur[s], cp.T)):
                                if st.rocc[r, v] > 0:
                                    ok = False
                                    break
                            if ok:
                                for m in range(i):
                                    if mr[m] == r:
                                        ok = False
                                        break
                            if ok:
                                chosen = r
                                break
                        mr[i] = chosen if chosen >= 0 else _pick_room(cp, rs, s)
                dh, ds, dp = delta_moves(cp, st, ms, mt, mr, k, tmp)
                f = W * dh + ds + dp
                take = False
                if f < best:
                    best = f
                    ties = 1
                    take = True
                elif f == best:
                    ties += 1
                    take = rnd_int(rs, ties) == 0
                if take:
                    for i in range(k):
                        bt[i] = t
                        br[i] = mr[i]
        for i in range(k):
            ms[i] = u_idx[a + i]
            mt[i] = bt[i]
            mr[i] = br[i]
        dh, ds, dp = delta_moves(cp, st, ms, mt, mr, k, tmp)
        commit_moves(cp, st, ms, mt, mr, k, dh, ds, dp)


# --------------------------------------------------------------------------------------
# the conflict-directed hard phase (engine.construct): place, evicting what is in the way
# --------------------------------------------------------------------------------------

class IFS(NamedTuple):
    """The arrays of the conflict-directed hard phase (``engine.construct``), built once per run.  Unplaced
    sessions (start -1) count as ``unscheduled``; the phase places one of them at a time where the sessions
    in its way (sharing a resource, or the room) cost least to evict, evicts them, and goes on until none
    is left and the hard total is 0."""
    movable: np.ndarray  # bool[S]: may be evicted and placed again (moves alone, start not locked)
    ulist: np.ndarray  # int64[S]: the unplaced movable sessions (the first ipar[IF_N])
    upos: np.ndarray  # int64[S]: position of each session in ulist, -1 when it is not there
    placed_at: np.ndarray  # int64[S]: iteration of the session's last placement (tabu)
    mark: np.ndarray  # int64[S]: scratch stamps (in the way for a resource)
    mark2: np.ndarray  # int64[S]: scratch stamps (in the way in a room)
    rmark: np.ndarray  # int64[R]: scratch stamps of rc
    rc: np.ndarray  # float64[R]: scratch, cost of evicting a room's occupants
    ev: np.ndarray  # int64[S]: scratch, the sessions one placement evicts
    ncand: np.ndarray  # int64[S]: number of candidate starts (difficulty)
    n_c: np.ndarray  # int64[C]: sessions of each course key
    crs_ptr: np.ndarray  # int64[C+1] CSR: sessions of each course key
    crs_idx: np.ndarray
    is_end: np.ndarray  # bool[S]: in an activity_ends_day relation
    evicted: np.ndarray  # float64[S]: how often each session was evicted (decaying; IF_WEIGHT)
    ipar: np.ndarray  # int64[7]: IF_IT, IF_N, IF_STAMP, IF_BEST, IF_MD, IF_END, IF_LAST (step of the last best)
    fpar: np.ndarray  # float64[6]: IF_TENURE, IF_TABU, IF_WALK, IF_WEIGHT, IF_DECAY, IF_BACK


IF_IT, IF_N, IF_STAMP, IF_BEST, IF_MD, IF_END, IF_LAST = range(7)
IF_TENURE, IF_TABU, IF_WALK, IF_WEIGHT, IF_DECAY, IF_BACK = range(6)


@njit(cache=True, nogil=True)
def _ifs_unplace(cp, st, ifs, s, ms, mt, mr, tmp):
    ms[0] = s
    mt[0] = -1
    mr[0] = -1
    apply_moves(cp, st, ms, mt, mr, 1, tmp)
    n = ifs.ipar[IF_N]
    ifs.ulist[n] = s
    ifs.upos[s] = n
    ifs.ipar[IF_N] = n + 1


@njit(cache=True, nogil=True)
def _ifs_evict_cost(cp, ifs, y, it):
    c = 1.0 + 0.5 * cp.dur[y] + ifs.fpar[IF_WEIGHT] * ifs.evicted[y]
    if it - ifs.placed_at[y] < ifs.fpar[IF_TENURE]:
        c += ifs.fpar[IF_TABU]
    return c


@njit(cache=True, nogil=True)
def _ifs_take(cp, ifs, y, stamp, it, collect, ne):
    """Session y is in the way: mark it with ``stamp`` and, with ``collect``, list it at ifs.ev[ne]; its
    eviction cost (at least 1), or -1.0 when it may not move (then nothing is marked)."""
    if not ifs.movable[y]:
        return -1.0
    ifs.mark[y] = stamp
    if collect:
        ifs.ev[ne] = y
    return _ifs_evict_cost(cp, ifs, y, it)


@njit(cache=True, nogil=True)
def _shares_group(cp, x, y):
    """Do sessions x and y share a student group?"""
    for i in range(cp.res_ptr[x], cp.res_ptr[x + 1]):
        q = cp.res_idx[i]
        if cp.is_grp[q]:
            for j in range(cp.res_ptr[y], cp.res_ptr[y + 1]):
                if cp.res_idx[j] == q:
                    return True
    return False


@njit(cache=True, nogil=True)
def _ifs_way(cp, st, ifs, s, t, r, stamp, it, collect):
    """The sessions in the way of s at (t, r), each marked with ``stamp``: sharing a resource during it, in
    room r during it (r >= 0), and, when those rules are musts (IF_MD, IF_END), the other sessions of its
    course key on that day once the key has no day to spare, and the sessions that would break an
    'ends the students' day'.  Returns (cost of evicting them, how many; -1 when one may not move); with
    ``collect`` they are listed in ifs.ev."""
    big = 1e12
    cost = 0.0
    ne = 0
    T = cp.T
    P = cp.P
    end = min(t + cp.dur[s], T)
    for u in range(t, end):
        for j in range(st.slot_n[u]):
            y = st.slot_list[u, j]
            if y == s or ifs.mark[y] == stamp:
                continue
            if cp.conf[s, y] or (r >= 0 and cp.needs_room[y] and st.room[y] == r):
                e = _ifs_take(cp, ifs, y, stamp, it, collect, ne)
                if e < 0:
                    return big, -1
                cost += e
                ne += 1
    d = t // P
    c = cp.course[s]
    if ifs.ipar[IF_MD] != 0 and cp.min_days[c] > 0 and st.cday[c, d] > 0:
        placed = 0
        nd = 0
        for dd in range(cp.D):
            placed += st.cday[c, dd]
            if st.cday[c, dd] > 0:
                nd += 1
        if placed + 1 - nd > ifs.n_c[c] - cp.min_days[c]:
            for j in range(ifs.crs_ptr[c], ifs.crs_ptr[c + 1]):
                y = ifs.crs_idx[j]
                if y == s or st.start[y] < 0 or st.start[y] // P != d or ifs.mark[y] == stamp:
                    continue
                e = _ifs_take(cp, ifs, y, stamp, it, collect, ne)
                if e < 0:
                    return big, -1
                cost += e
                ne += 1
    if ifs.ipar[IF_END] != 0:
        for u in range(d * P, min(d * P + P, T)):
            if t <= u < end:
                continue
            for j in range(st.slot_n[u]):
                y = st.slot_list[u, j]
                if y == s or ifs.mark[y] == stamp:
                    continue
                if (u >= end and ifs.is_end[s] and _shares_group(cp, s, y)) or \
                        (u < t and ifs.is_end[y] and _shares_group(cp, y, s)):
                    e = _ifs_take(cp, ifs, y, stamp, it, collect, ne)
                    if e < 0:
                        return big, -1
                    cost += e
                    ne += 1
    return cost, ne


@njit(cache=True, nogil=True)
def _ifs_bad(cp, st, ifs, s, ms, mt, mr, tmp):
    """Is the placed session s in a hard violation: its own terms (start, room), a clash, a day too many of
    its course key or an 'ends the students' day' broken (when those are musts), or (any other hard rule)
    its removal lowers the hard total by more than its own ``unscheduled``?"""
    t = st.start[s]
    if sess_cost(cp, st, s)[0] > 0:
        return True
    r = st.room[s] if cp.needs_room[s] else -1
    end = min(t + cp.dur[s], cp.T)
    for u in range(t, end):
        for j in range(st.slot_n[u]):
            y = st.slot_list[u, j]
            if y != s and (cp.conf[s, y] or (r >= 0 and cp.needs_room[y] and st.room[y] == r)):
                return True
    P = cp.P
    d = t // P
    c = cp.course[s]
    if ifs.ipar[IF_MD] != 0 and cp.min_days[c] > 0 and st.cday[c, d] > 1:
        nd = 0
        for dd in range(cp.D):
            if st.cday[c, dd] > 0:
                nd += 1
        if nd < cp.min_days[c]:
            return True
    if ifs.ipar[IF_END] != 0:
        for u in range(d * P, min(d * P + P, cp.T)):
            if t <= u < end:
                continue
            for j in range(st.slot_n[u]):
                y = st.slot_list[u, j]
                if (u >= end and ifs.is_end[s] and _shares_group(cp, s, y)) or \
                        (u < t and ifs.is_end[y] and _shares_group(cp, y, s)):
                    return True
    ms[0] = s
    mt[0] = -1
    mr[0] = -1
    dh, ds, dp = delta_moves(cp, st, ms, mt, mr, 1, tmp)
    return dh < cp.w[UNSCHED]


@njit(cache=True, nogil=True)
def ifs_begin(cp, st, sr, ifs, best_t, best_r):
    """Unplace every movable session whose removal lowers the hard total by more than its own
    ``unscheduled`` (it is in a clash or breaks another hard rule), and note the start as the best."""
    tmp = np.zeros(NC, np.int64)
    ms = sr.ms
    mt = sr.mt
    mr = sr.mr
    ifs.ipar[IF_N] = 0
    ifs.upos[:] = -1
    for s in range(cp.S):
        if ifs.movable[s] and st.start[s] < 0:
            n = ifs.ipar[IF_N]
            ifs.ulist[n] = s
            ifs.upos[s] = n
            ifs.ipar[IF_N] = n + 1
    for i in range(len(sr.mov)):
        s = sr.mov[i]
        if st.start[s] >= 0 and ifs.movable[s] and _ifs_bad(cp, st, ifs, s, ms, mt, mr, tmp):
            _ifs_unplace(cp, st, ifs, s, ms, mt, mr, tmp)
    ifs.ipar[IF_BEST] = st.tot[0]
    best_t[:] = st.start
    best_r[:] = st.room


@njit(cache=True, nogil=True)
def _ifs_back(cp, st, ifs, best_t, best_r):
    """Go back to the best assignment seen (IF_BACK steps without a better one)."""
    load_state(cp, st, best_t, best_r)
    n = 0
    for s in range(cp.S):
        ifs.upos[s] = -1
        if ifs.movable[s] and st.start[s] < 0:
            ifs.ulist[n] = s
            ifs.upos[s] = n
            n += 1
    ifs.ipar[IF_N] = n


@njit(cache=True, nogil=True)
def ifs_chunk(cp, st, rs, sr, ifs, n_iter, best_t, best_r):
    """Run ``n_iter`` steps of the hard phase (after ``ifs_begin``).  A step takes one unplaced session (the
    longest, then the one with fewest candidate starts, of three drawn at random), prices each candidate
    start and room by the sessions it would have to evict (1 + half their length each, more when placed
    within the last ``IF_TENURE`` steps: a tabu that stops two sessions evicting each other in turn; now and
    then, with probability ``IF_WALK``, a random start that evicts nothing locked), evicts them and places
    it.  With every session placed and hard violations left, a session in one (``_ifs_bad``) is unplaced.  An
    evicted session costs IF_WEIGHT more to evict for each time it was (the counts decay by IF_DECAY every
    1,000 steps): sessions evicted again and again get their place.  The best (lowest hard total, unplaced sessions counting)
    is copied into best_t / best_r.  Returns 1 at hard 0, -1 when no session can be taken out, else 0."""
    tmp = np.zeros(NC, np.int64)
    ms = sr.ms
    mt = sr.mt
    mr = sr.mr
    cs_ptr = sr.cs_ptr
    cs_idx = sr.cs_idx
    mov = sr.mov
    T = cp.T
    big = 1e12
    for _ in range(n_iter):
        it = ifs.ipar[IF_IT] + 1
        ifs.ipar[IF_IT] = it
        n = ifs.ipar[IF_N]
        if n == 0:
            if st.tot[0] == 0:
                return 1
            s = -1
            for _k in range(1024):
                x = mov[rnd_int(rs, len(mov))]
                if st.start[x] >= 0 and ifs.movable[x] and _ifs_bad(cp, st, ifs, x, ms, mt, mr, tmp):
                    s = x
                    break
            if s < 0:
                return -1
            _ifs_unplace(cp, st, ifs, s, ms, mt, mr, tmp)
            continue
        s = ifs.ulist[rnd_int(rs, n)]
        for _k in range(2):
            x = ifs.ulist[rnd_int(rs, n)]
            if cp.dur[x] > cp.dur[s] or (cp.dur[x] == cp.dur[s] and ifs.ncand[x] < ifs.ncand[s]):
                s = x
        d = cp.dur[s]
        nc = cs_ptr[s + 1] - cs_ptr[s]
        walk = rnd_float(rs) < ifs.fpar[IF_WALK]
        best = big
        bt = -1
        br = -1
        for ti in range(nc if nc > 0 else T):
            t = cs_idx[cs_ptr[s] + ti] if nc > 0 else ti
            end = min(t + d, T)
            stamp = ifs.ipar[IF_STAMP] + 1
            ifs.ipar[IF_STAMP] = stamp
            cost, ne = _ifs_way(cp, st, ifs, s, t, -1, stamp, it, False)
            if ne < 0:
                continue
            cost += 100.0 * cp.static_h[s, t]
            r = -1
            if cp.needs_room[s]:
                for u in range(t, end):
                    for j in range(st.slot_n[u]):
                        y = st.slot_list[u, j]
                        ry = st.room[y]
                        if not cp.needs_room[y] or ry < 0 or ifs.mark[y] == stamp or ifs.mark2[y] == stamp:
                            continue
                        ifs.mark2[y] = stamp
                        if ifs.rmark[ry] != stamp:
                            ifs.rmark[ry] = stamp
                            ifs.rc[ry] = 0.0
                        ifs.rc[ry] += _ifs_evict_cost(cp, ifs, y, it) if ifs.movable[y] else big
                a = cp.ar_ptr[s]
                b = cp.ar_ptr[s + 1]
                if cp.lock_r[s] >= 0:
                    a = 0
                    b = 1
                elif b == a:
                    a = 0
                    b = cp.R
                rbest = big
                for j in range(a, b):
                    if cp.lock_r[s] >= 0:
                        r2 = cp.lock_r[s]
                    elif cp.ar_ptr[s + 1] > cp.ar_ptr[s]:
                        r2 = cp.ar_idx[j]
                    else:
                        r2 = j
                    free = True
                    for u in range(t, end):
                        if not cp.room_avail[r2, u]:
                            free = False
                            break
                    if not free:
                        continue
                    c2 = (ifs.rc[r2] if ifs.rmark[r2] == stamp else 0.0) + 0.01 * rnd_float(rs)
                    if c2 < rbest:
                        rbest = c2
                        r = r2
                if rbest >= big:
                    continue
                cost += rbest
            cost += 0.3 * rnd_float(rs)
            if walk:
                cost = rnd_float(rs)
            if cost < best:
                best = cost
                bt = t
                br = r
        if bt < 0:
            continue
        stamp = ifs.ipar[IF_STAMP] + 1
        ifs.ipar[IF_STAMP] = stamp
        cost, ne = _ifs_way(cp, st, ifs, s, bt, br, stamp, it, True)
        if ne < 0:
            continue
        for i in range(ne):
            _ifs_unplace(cp, st, ifs, ifs.ev[i], ms, mt, mr, tmp)
            ifs.evicted[ifs.ev[i]] += 1.0
        ms[0] = s
        mt[0] = bt
        mr[0] = br
        apply_moves(cp, st, ms, mt, mr, 1, tmp)
        p = ifs.upos[s]
        n = ifs.ipar[IF_N] - 1
        y = ifs.ulist[n]
        ifs.ulist[p] = y
        ifs.upos[y] = p
        ifs.upos[s] = -1
        ifs.ipar[IF_N] = n
        ifs.placed_at[s] = it
        if st.tot[0] < ifs.ipar[IF_BEST]:
            ifs.ipar[IF_BEST] = st.tot[0]
            ifs.ipar[IF_LAST] = it
            best_t[:] = st.start
            best_r[:] = st.room
        if it % 1000 == 0:
            ev_n = ifs.evicted
            for x in range(cp.S):
                ev_n[x] *= ifs.fpar[IF_DECAY]
        if ifs.fpar[IF_BACK] > 0 and it - ifs.ipar[IF_LAST] > ifs.fpar[IF_BACK]:
            _ifs_back(cp, st, ifs, best_t, best_r)
            ifs.ipar[IF_LAST] = it
    return 0


@njit(cache=True, nogil=True)
def _better(h, s, bh, bs):
    return h < bh or (h == bh and s < bs)


@njit(cache=True, nogil=True)
def _kempe(cp, st, rs, s, t2, chain, in_chain, ms, mt, mr, cap):
    """Kempe chain between the start of s (t1) and t2 over sessions sharing a resource.

    Only duration-1, individually movable sessions (in_chain marks) take part; returns
    the number of sessions in the chain (0 if it would exceed cap or touch a fixed one).
    """
    t1 = st.start[s]
    n = 1
    chain[0] = s
    in_chain[s] = 1
    head = 0
    ok = True
    while head < n and ok:
        x = chain[head]
        head += 1
        tx = st.start[x]
        other = t2 if tx == t1 else t1
        for j in range(st.slot_n[other]):
            y = st.slot_list[other, j]
            if in_chain[y] != 0 or not cp.conf[x, y]:
                continue
            if in_chain[y] == 0 and st.start[y] == other and cp.dur[y] == 1:
                pass
            else:
                ok = False
                break
            if n >= cap:
                ok = False
                break
            chain[n] = y
            in_chain[y] = 1
            n += 1
    for i in range(n):
        in_chain[chain[i]] = 0
    if not ok:
        return 0
    for i in range(n):
        y = chain[i]
        ms[i] = y
        mt[i] = t2 if st.start[y] == t1 else t1
        mr[i] = st.room[y]
    return n


@njit(cache=True, nogil=True)
def _listed(ms, k, y):
    """Is session ``y`` among the first ``k`` entries of ``ms`` (the sessions a compound move moves)?"""
    for m in range(k):
        if ms[m] == y:
            return True
    return False


@njit(cache=True, nogil=True)
def course_room_move(cp, st, rs, c_ptr, c_idx, cc, ms, mt, mr, cap):
    """Room-stability move: put every room-movable session of one course key into one room.

    A course key is drawn from ``cc``; the target room is the room of one of its sessions
    (now and then any allowed room).  Each of its sessions not yet in that room moves
    there (same start), and every other room-movable session occupying the target room
    during it takes the session's old room in exchange.  Returns the number of sessions
    moved (written to ms/mt/mr), 0 when there is nothing to do or more than cap."""
    c = cc[rnd_int(rs, len(cc))]
    a = c_ptr[c]
    b = c_ptr[c + 1]
    s0 = c_idx[a + rnd_int(rs, b - a)]
    r = st.room[s0]
    if r < 0 or rnd_float(rs) < 0.15:
        r = _pick_room(cp, rs, s0)
    k = 0
    for j in range(a, b):
        s = c_idx[j]
        t = st.start[s]
        old = st.room[s]
        if t < 0 or old == r:
            continue
        if k >= cap:
            return 0
        ms[k] = s
        mt[k] = t
        mr[k] = r
        k += 1
        for u in range(t, min(t + cp.dur[s], cp.T)):
            for jj in range(st.slot_n[u]):
                y = st.slot_list[u, jj]
                if not cp.needs_room[y] or st.room[y] != r or cp.course[y] == c:
                    continue
                if cp.lock_r[y] >= 0:
                    return 0  # a locked room: the move would clash anyway
                if _listed(ms, k, y):
                    continue
                if k >= cap:
                    return 0
                ms[k] = y
                mt[k] = st.start[y]
                mr[k] = old
                k += 1
    return k


@njit(cache=True, nogil=True)
def kempe_rooms(cp, st, ms, mt, mr, k):
    """Give the members of a Kempe chain (duration 1, ms/mt/mr from ``_kempe``) rooms that
    are free at their new slot: a member whose room is taken there (by a session that
    stays, or by a member placed before it) gets the free allowed, available room that
    costs least (capacity, then room stability); when none is free it keeps its room."""
    for i in range(k):
        s = ms[i]
        if not cp.needs_room[s] or cp.lock_r[s] >= 0:
            continue
        t = mt[i]
        if not _room_taken(cp, st, ms, mt, mr, k, i, mr[i], t):
            continue
        c = cp.course[s]
        best = -1
        bkey = 0
        for j in range(cp.ar_ptr[s], cp.ar_ptr[s + 1]):
            r = cp.ar_idx[j]
            if not cp.room_avail[r, t] or _room_taken(cp, st, ms, mt, mr, k, i, r, t):
                continue
            key = cp.room_s[s, r] + (cp.w[RSTAB] if st.croom[c, r] == 0 else 0)
            if best < 0 or key < bkey:
                best = r
                bkey = key
        if best >= 0:
            mr[i] = best


@njit(cache=True, nogil=True)
def _room_taken(cp, st, ms, mt, mr, k, i, r, t):
    """Is room r at slot t used after the chain moves (members before i placed)?"""
    n = st.rocc[r, t]
    for m in range(k):
        y = ms[m]
        ty = st.start[y]
        if ty <= t < ty + cp.dur[y] and cp.needs_room[y] and st.room[y] == r:
            n -= 1  # moves away
    for m in range(i):
        if mt[m] == t and mr[m] == r and cp.needs_room[ms[m]]:
            n += 1
    return n > 0


@njit(cache=True, nogil=True)
def _sole_occupant(cp, st, s, t):
    """The one session sharing a resource with ``s`` that a start of ``s`` at ``t`` would overlap, when it
    starts at ``t``, lasts as long as ``s``, is movable alone (not locked, in no sync set) and is the only
    such session; else -1."""
    y = -1
    for u in range(t, min(t + cp.dur[s], cp.T)):
        for j in range(st.slot_n[u]):
            x = st.slot_list[u, j]
            if x != s and cp.conf[s, x]:
                if y < 0:
                    y = x
                elif x != y:
                    return -1
    if y < 0 or st.start[y] != t or cp.dur[y] != cp.dur[s] or cp.lock_t[y] >= 0 \
            or cp.ss_ptr[y + 1] != cp.ss_ptr[y]:
        return -1
    return y


@njit(cache=True, nogil=True)
def focus_move(cp, st, rs, mov, cs_ptr, cs_idx, ms, mt, mr):
    """Move a session that costs something (see ``focus_pick``) to the slot picked for it.
    The room is kept when it is free at the new slot, else the least costly free allowed
    room.  Returns 1 with the move in ms/mt/mr[0], or 0 when no costly session was found.
    While the timetable has hard violations, a move onto one session of the same length that shares a
    resource with it (and would clash) becomes a swap of the two (returns 2): a full class's day
    (FET's files pack some classes' weeks full) has no free slot for a session of a course short of days."""
    if not (st.tot[0] > 0 and rnd_float(rs) < 0.5 and clash_pick(cp, st, rs, mov, cs_ptr, cs_idx, ms, mt)) \
            and not focus_pick(cp, st, rs, mov, cs_ptr, cs_idx, ms, mt):
        return 0
    s = ms[0]
    t = mt[0]
    d = cp.dur[s]
    r = st.room[s]
    if cp.needs_room[s] and cp.lock_r[s] < 0:
        busy = r < 0
        if not busy:
            for u in range(t, min(t + d, cp.T)):
                if st.rocc[r, u] > 0:
                    busy = True
                    break
        if busy:
            r = _good_room(cp, st, rs, s, t)
    mr[0] = r
    if st.tot[0] > 0:  # the hard-violation phase only: a swap with the one session in the way
        y = _sole_occupant(cp, st, s, t)
        if y >= 0:
            t0 = st.start[s]
            r0 = st.room[s]
            ry = st.room[y]
            if cp.needs_room[s] and cp.lock_r[s] < 0 and ry >= 0 and cp.allowed[s, ry]:
                mr[0] = ry
            ms[1] = y
            mt[1] = t0
            mr[1] = ry
            if cp.needs_room[y] and cp.lock_r[y] < 0 and r0 >= 0 and cp.allowed[y, r0]:
                mr[1] = r0
            return 2
    return 1


@njit(cache=True, nogil=True)
def _slot_conflicts(cp, st, s, t):
    """How many sessions sharing a resource with ``s`` a start at ``t`` would overlap (s itself aside),
    plus T when the start itself is forbidden to ``s`` (unavailable, a break, past the day's end)."""
    if cp.static_h[s, t] > 0:
        return cp.T
    n = 0
    for u in range(t, min(t + cp.dur[s], cp.T)):
        for j in range(st.slot_n[u]):
            y = st.slot_list[u, j]
            if y != s and cp.conf[s, y]:
                n += 1
    return n


@njit(cache=True, nogil=True)
def _unit_musts(cp):
    """Is a building-change rule a must here?  (The relations' musts are not picked: on Kurukshetra, seed 1,
    picking them left hard 5 after 110 s where the search without reaches hard 0 in about 60 s.)"""
    return cp.hk[BCHDAY] or cp.hk[BCHWEEK] or cp.hk[BCHGAP]


@njit(cache=True, nogil=True)
def _in_must(cp, st, x):
    """Does scheduled session x take part in a broken must of the building changes of one of its teachers or
    classes (too many that day or week, or too little time to walk)?"""
    t = st.start[x]
    P = cp.P
    if (cp.hk[BCHDAY] or cp.hk[BCHWEEK] or cp.hk[BCHGAP]) and cp.needs_room[x] and st.room[x] >= 0 \
            and cp.room_bld[st.room[x]] >= 0:
        for i in range(cp.res_ptr[x], cp.res_ptr[x + 1]):
            q = cp.res_idx[i]
            if not cp.bld_any[q]:
                continue
            ch, _, part, short = _bld_day(cp, st.start, st.room, q, t // P, x)
            if not part:
                continue
            if cp.hk[BCHGAP] and short:
                return True
            if cp.hk[BCHDAY] and cp.prof[q, PF_BLD_DAY] >= 0 and ch > cp.prof[q, PF_BLD_DAY]:
                return True
            if cp.hk[BCHWEEK] and cp.prof[q, PF_BLD_WEEK] >= 0:
                wk = 0
                for d in range(cp.D):
                    wk += _bld_day(cp, st.start, st.room, q, d, -1)[0]
                if wk > cp.prof[q, PF_BLD_WEEK]:
                    return True
    return False


@njit(cache=True, nogil=True)
def clash_pick(cp, st, rs, mov, cs_ptr, cs_idx, ms, mt):
    """Conflict-directed pick (FET's hard rules, issue 17): while the timetable has hard violations, a
    movable session in one (a teacher or class clash, a start it may not have, or a broken must of the
    building changes; ``_in_must``), drawn at random among
    them (up to 256 random draws: the cost of a pick stays bounded on large files), and the least
    conflicting of a few of its candidate starts (min-conflicts; for a broken must, or a forbidden start where
    building changes are musts, a start whose one conflicting session would swap with it counts that
    session's conflicts at the start it would take).  Returns False when none was found."""
    s = -1
    musts = _unit_musts(cp)
    by_must = False
    for _ in range(256):
        x = mov[rnd_int(rs, len(mov))]
        t0 = st.start[x]
        if t0 < 0:
            continue
        if _slot_conflicts(cp, st, x, t0) > 0:
            s = x
            break
        if musts and _in_must(cp, st, x):
            s = x
            by_must = True
            break
    if s < 0:
        return False
    nc = cs_ptr[s + 1] - cs_ptr[s]
    best = -1
    best_n = 1 << 30
    t0 = st.start[s]
    same_day = by_must and rnd_float(rs) < 0.5
    # a broken must, or a forbidden start where building changes are musts (a full class's week has no free
    # slot): score the swap
    swaps = by_must or (musts and _slot_conflicts(cp, st, s, t0) >= cp.T)
    for _ in range(8):
        if same_day:  # a swap within the day keeps every course's days (min days, the soft rules of a day)
            t = (t0 // cp.P) * cp.P + rnd_int(rs, cp.P)
        else:
            t = cs_idx[cs_ptr[s] + rnd_int(rs, nc)] if nc > 0 else rnd_int(rs, cp.T)
        if t == t0:
            continue
        n = _slot_conflicts(cp, st, s, t)
        if swaps and n < cp.T:  # the swap focus_move makes with a sole occupant: y's conflicts at s's start
            y = _sole_occupant(cp, st, s, t)
            n = 2 * n
            if y >= 0:
                n = 2 * (_slot_conflicts(cp, st, y, t0) - (1 if cp.conf[y, s] else 0))
        if n < best_n:
            best_n = n
            best = t
    if best < 0:
        return False
    ms[0] = s
    mt[0] = best
    return True


@njit(cache=True, nogil=True)
def focus_pick(cp, st, rs, mov, cs_ptr, cs_idx, ms, mt):
    """Pick a session that costs something and a start slot for it (ms[0], mt[0]): a session
    isolated for one of its student groups, or on a day its course key already uses while
    the key lacks days (min_days).  An isolated session goes next to another session of
    that group (before or after it, same day) most of the time; a min_days one goes to a
    day its key does not use yet.  Returns False when none was found (4 draws)."""
    nmov = len(mov)
    P = cp.P
    s = -1
    qsel = -1
    for _ in range(4):
        x = mov[rnd_int(rs, nmov)]
        t0 = st.start[x]
        if t0 < 0:
            continue
        if cp.w[ISO] != 0:
            for i in range(cp.res_ptr[x], cp.res_ptr[x + 1]):
                q = cp.res_idx[i]
                if cp.is_grp[q] and iso_of(P, cp.T, cp.dur[x], st.occ, q, t0) == 1:
                    qsel = q
                    break
        if qsel >= 0:
            s = x
            break
        c = cp.course[x]
        if cp.w[MINDAYS] != 0 and cp.min_days[c] > 0 and st.cday[c, t0 // P] > 1:
            nd = 0
            for d in range(cp.D):
                if st.cday[c, d] > 0:
                    nd += 1
            if nd < cp.min_days[c]:
                s = x
                break
    if s < 0:
        return False
    d = cp.dur[s]
    t = -1
    nc = cs_ptr[s + 1] - cs_ptr[s]
    if qsel >= 0 and rnd_float(rs) < 0.7:
        a = cp.rs_ptr[qsel]
        n = cp.rs_ptr[qsel + 1] - a
        y = cp.rs_idx[a + rnd_int(rs, n)]
        ty = st.start[y]
        if y == s or ty < 0:
            return False
        if rnd_float(rs) < 0.5:
            t = ty + cp.dur[y]  # right after y
            if t >= cp.T or t // P != (t - 1) // P:
                return False
        else:
            t = ty - d  # right before y
            if t < 0 or t // P != ty // P:
                return False
        if t % P + d > P:
            return False
    elif qsel < 0 and nc > 0:
        c = cp.course[s]
        for _ in range(6):
            t = cs_idx[cs_ptr[s] + rnd_int(rs, nc)]
            if st.cday[c, t // P] == 0:
                break
    else:
        t = cs_idx[cs_ptr[s] + rnd_int(rs, nc)] if nc > 0 else rnd_int(rs, cp.T)
    if t == st.start[s]:
        return False
    ms[0] = s
    mt[0] = t
    return True


@njit(cache=True, nogil=True)
def _breaks_hard(T, dur, needs_room, static_h, room_h, room_avail, lock_t, lock_r, conf, slot_n, slot_list,
                 room, ms, mt, mr, k):
    """True when moving ms[i] to (mt[i], mr[i]) surely creates a hard violation, judged from
    the moved sessions' own terms, clashes with unmoved sessions and clashes among the
    moved ones.  (False does not mean feasible: daily load, sync sets... are left to the delta.)"""
    for i in range(k):
        s = ms[i]
        t = mt[i]
        r = mr[i]
        if t < 0 or static_h[s, t] > 0:
            return True
        if (lock_t[s] >= 0 and t != lock_t[s]) or (lock_r[s] >= 0 and r != lock_r[s]):
            return True
        nr = needs_room[s]
        if nr:
            if r < 0 or room_h[s, r] > 0:
                return True
        end = min(t + dur[s], T)
        for u in range(t, end):
            if nr and not room_avail[r, u]:
                return True
            for j in range(slot_n[u]):
                y = slot_list[u, j]
                if _listed(ms, k, y):
                    continue
                if conf[s, y]:
                    return True
                if nr and needs_room[y] and room[y] == r:
                    return True
        for m in range(i + 1, k):
            y = ms[m]
            ty = mt[m]
            if ty < 0:
                continue
            lo = max(t, ty)
            hi = min(end, min(ty + dur[y], T))
            if hi > lo and (conf[s, y] or (nr and needs_room[y] and mr[m] == r)):
                return True
    return False


@njit(cache=True, nogil=True)
def sa_chunk(cp, st, rs, sr, fpar, ipar, n_iter, best_t, best_r, best_f):
    """Run n_iter simulated-annealing iterations on st (minimising W*hard + soft + penalty).

    ``sr`` (:class:`SR`) holds the search's arrays; ``fpar`` / ``ipar`` the parameters and
    counters (layouts ``F_*`` / ``I_*``).

    Neighbourhoods: move one session (new start and maybe new room), room-only change,
    swap two sessions (exchange starts, and rooms half of the time), move a whole sync
    set to a new start, Kempe chain between two start slots (half of the time from a
    costly session to the slot ``focus_pick`` chose for it; members whose room is taken
    at their new slot get a free one), course-room move (every session of a course key
    into one room, occupants exchanging rooms), focused move (a session that costs
    something: isolated, or short of min_days; see ``focus_move``).  While the timetable has hard
    violations, half of the focused moves and Kempe chains from a costly session start from a session in a
    clash instead, to its least conflicting candidate start (``clash_pick``).  The best (hard, soft+pen) seen is copied
    into best_t / best_r / best_f.
    """
    mov = sr.mov
    rmov = sr.rmov
    syu = sr.syu
    u_ptr = sr.u_ptr
    u_idx = sr.u_idx
    kempe_ok = sr.kempe_ok
    cs_ptr = sr.cs_ptr
    cs_idx = sr.cs_idx
    c_ptr = sr.c_ptr
    c_idx = sr.c_idx
    cc = sr.cc
    ms = sr.ms
    mt = sr.mt
    mr = sr.mr
    chain = sr.chain
    in_chain = sr.in_chain
    tmp = np.zeros(NC, np.int64)
    temp = fpar[F_TEMP]
    alpha = fpar[F_ALPHA]
    W = fpar[F_W]
    p_sync = fpar[F_PSYNC] if len(syu) > 0 else 0.0
    p_swap = fpar[F_PSWAP] if len(mov) > 1 else 0.0
    p_room = fpar[F_PROOM] if len(rmov) > 0 else 0.0
    p_kempe = fpar[F_PKEMPE] if len(mov) > 1 else 0.0
    p_croom = fpar[F_PCROOM] if len(cc) > 0 else 0.0
    p_focus = fpar[F_PFOCUS] if len(mov) > 0 else 0.0
    nmov = len(mov)
    cap = len(ms)
    ct = np.empty(cap, np.int64)
    cr = np.empty(cap, np.int64)
    for _ in range(n_iter):
        u = rnd_float(rs)
        k = 0
        if u < p_sync:
            un = syu[rnd_int(rs, len(syu))]
            a = u_ptr[un]
            k = u_ptr[un + 1] - a
            s0 = u_idx[a]
            nc = cs_ptr[s0 + 1] - cs_ptr[s0]
            t = cs_idx[cs_ptr[s0] + rnd_int(rs, nc)] if nc > 0 else rnd_int(rs, cp.T)
            for i in range(k):
                s = u_idx[a + i]
                ms[i] = s
                mt[i] = t
                mr[i] = st.room[s]
                if cp.needs_room[s] and cp.lock_r[s] < 0 and (st.room[s] < 0 or rnd_float(rs) < 0.3):
                    mr[i] = _pick_room(cp, rs, s)
        elif u < p_sync + p_swap:
            x = mov[rnd_int(rs, nmov)]
            y = mov[rnd_int(rs, nmov)]
            if x == y or st.start[x] == st.start[y]:
                continue
            k = 2
            ms[0] = x
            ms[1] = y
            mt[0] = st.start[y]
            mt[1] = st.start[x]
            if rnd_float(rs) < 0.5:
                mr[0] = st.room[y] if cp.lock_r[x] < 0 else st.room[x]
                mr[1] = st.room[x] if cp.lock_r[y] < 0 else st.room[y]
            else:
                mr[0] = st.room[x]
                mr[1] = st.room[y]
        elif u < p_sync + p_swap + p_room:
            s = rmov[rnd_int(rs, len(rmov))]
            if st.start[s] < 0:
                continue
            r = _pick_room(cp, rs, s)
            if r == st.room[s]:
                continue
            k = 1
            ms[0] = s
            mt[0] = st.start[s]
            mr[0] = r
        elif u < p_sync + p_swap + p_room + p_kempe:
            if rnd_float(rs) < 0.5 and ((st.tot[0] > 0 and rnd_float(rs) < 0.5
                                         and clash_pick(cp, st, rs, mov, cs_ptr, cs_idx, ms, mt))
                                        or focus_pick(cp, st, rs, mov, cs_ptr, cs_idx, ms, mt)):
                s = ms[0]  # a chain that takes a costly session where it would cost less
                t2 = mt[0]
            else:
                s = mov[rnd_int(rs, nmov)]
                nc = cs_ptr[s + 1] - cs_ptr[s]
                if nc == 0:
                    continue
                t2 = cs_idx[cs_ptr[s] + rnd_int(rs, nc)]
            if not kempe_ok[s] or st.start[s] < 0:
                continue
            if t2 == st.start[s]:
                continue
            k = _kempe(cp, st, rs, s, t2, chain, in_chain, ms, mt, mr, cap)
            if k == 0:
                continue
            # every chain member must be individually movable
            okm = True
            for i in range(k):
                if not kempe_ok[ms[i]]:
                    okm = False
                    break
            if not okm:
                continue
            kempe_rooms(cp, st, ms, mt, mr, k)
        elif u < p_sync + p_swap + p_room + p_kempe + p_croom:
            k = course_room_move(cp, st, rs, c_ptr, c_idx, cc, ms, mt, mr, cap)
            if k == 0:
                continue
        elif u < p_sync + p_swap + p_room + p_kempe + p_croom + p_focus:
            k = focus_move(cp, st, rs, mov, cs_ptr, cs_idx, ms, mt, mr)
            if k == 0:
                continue
        else:
            if nmov == 0:  # everything locked or in sync sets
                continue
            s = mov[rnd_int(rs, nmov)]
            nc = cs_ptr[s + 1] - cs_ptr[s]
            t = cs_idx[cs_ptr[s] + rnd_int(rs, nc)] if nc > 0 else rnd_int(rs, cp.T)
            r = st.room[s]
            if cp.needs_room[s] and cp.lock_r[s] < 0 and (r < 0 or rnd_float(rs) < 0.5):
                r = _pick_room(cp, rs, s)
            if t == st.start[s] and r == st.room[s]:
                continue
            k = 1
            ms[0] = s
            mt[0] = t
            mr[0] = r
        ipar[I_ITER] += 1
        if _breaks_hard(cp.T, cp.dur, cp.needs_room, cp.static_h, cp.room_h, cp.room_avail,
                        cp.lock_t, cp.lock_r, cp.conf, st.slot_n, st.slot_list, st.room, ms, mt, mr, k):
            clean_now = st.tot[0] == 0
            if not clean_now:
                for i in range(k):
                    ct[i] = st.start[ms[i]]
                    cr[i] = st.room[ms[i]]
                clean_now = not _breaks_hard(cp.T, cp.dur, cp.needs_room, cp.static_h, cp.room_h,
                                             cp.room_avail, cp.lock_t, cp.lock_r, cp.conf, st.slot_n,
                                             st.slot_list, st.room, ms, ct, cr, k)
            if clean_now:
                # the moved sessions are clear of hard violations where they are and would not
                # be where they go: the move costs >= W (far above any temperature), so it is
                # rejected without a full delta (daily load and sync sets are not looked at)
                ipar[I_SKIP] += 1
                temp *= alpha
                continue
        dh, ds, dp = delta_moves(cp, st, ms, mt, mr, k, tmp)
        f = W * dh + ds + dp
        if f <= 0 or rnd_float(rs) < np.exp(-f / temp):
            commit_moves(cp, st, ms, mt, mr, k, dh, ds, dp)
            ipar[I_ACC] += 1
            if f < 0:
                ipar[I_IMPR] += 1
            h = st.tot[0]
            sp = st.tot[1] + st.tot[2]
            if _better(h, sp, best_f[0], best_f[1]):
                best_f[0] = h
                best_f[1] = sp
                best_f[2] = st.tot[1]
                best_t[:] = st.start
                best_r[:] = st.room
        temp *= alpha
    fpar[F_TEMP] = temp
