"""engine.repair and engine.explain: the grid's room choice, repairs and drop sentences, without Qt."""

from __future__ import annotations

import numpy as np

from ato_desktop.engine.constraints.clashes import clashes_of
from ato_desktop.engine.evaluate import evaluate
from ato_desktop.engine.explain import explain_drop
from ato_desktop.engine.repair import find_repairs
from ato_desktop.engine.state import State
from tests.engine.handmade import S, idx, make, place
from tests.engine.problem_gen import random_assignment, random_problem


def test_clashes_of_one_session_is_the_engines_clash_rule() -> None:
    """The per-session clash list (the grid's) and the two clash rules (the score's) name the same pairs."""
    for seed in range(40):
        p = random_problem(seed, zero_weights=False)
        a = random_assignment(p, np.random.default_rng(seed))
        score = evaluate(p, a)
        pairs = set()
        for name in ("resource_clash", "room_clash"):
            for v in score.by_constraint[name].violations:
                ss = [int(x) for x in v.sessions]
                pairs.update((x, y) for x in ss for y in ss if x != y)
        per_session = {(s, x) for s in range(p.n_sessions) for x, _, _ in clashes_of(p, a.start, a.room, s)}
        assert per_session == pairs, seed


def test_a_repair_moves_the_clashing_session_and_puts_the_state_back() -> None:
    p = make([S("A", "Dr. Rao", "CSE-3A"), S("B", "Dr. Rao", "CSE-3B")])
    a = place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P2", "R2")})
    st = State(p, a.copy())
    s_a, s_b = idx(p, "A", "B")
    t = int(a.start[s_b])  # drop A onto B's slot: Dr. Rao twice
    before = (st.hard, st.soft, st.start.copy(), a.start.copy())
    found = find_repairs(p, st, a, s_a, t, int(a.room[s_a]), locked=lambda _s: False)
    assert found and found[0].moves[0].session == s_a and found[0].moves[1].session == s_b
    assert found[0].d_hard <= 0
    assert (st.hard, st.soft) == before[:2] and (st.start == before[2]).all() and (a.start == before[3]).all()
    assert find_repairs(p, st, a, s_a, t, int(a.room[s_a]), locked=lambda s: s == s_b) == []


def test_explaining_a_drop_names_who_is_already_busy() -> None:
    p = make([S("A", "Dr. Rao", "CSE-3A"), S("B", "Dr. Rao", "CSE-3B")])
    a = place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P2", "R2")})
    st = State(p, a.copy())
    s_a, s_b = idx(p, "A", "B")
    text = explain_drop(p, st, a, s_a, int(a.start[s_b]), int(a.room[s_a]), label=p.session_labels.__getitem__,
                        room_name=p.room_names.__getitem__)
    assert any("Dr. Rao" in line and "A" in line and "B" in line for line in text)
