"""jieba's part-of-speech Viterbi, same result, trying only the states that can precede each state.

jieba.posseg tags a run of characters its dictionary lacks with a Viterbi over 256 states
(word position x part of speech): for each state of each character it takes the best of
every state of the previous character, though a state has on average 20 successors of
256 (prob_trans).  A predecessor that cannot reach the state scores -inf there and never
wins, so only the ones that can are tried; the sums and the tie-break (the larger state)
are jieba's own, so the path and its probability are the same (tests/test_analysis.py
compares them).  `install()` makes jieba.posseg use it.
"""
from __future__ import annotations

MIN_FLOAT = -3.14e100            # jieba's value for an emission it never saw
_PREDECESSORS: dict[int, tuple[dict, dict]] = {}     # id(trans_p) -> (trans_p, state -> states before it)


def predecessors(trans_p: dict) -> dict:
    """For each state, the states that can come before it (made once per transition table)."""
    kept = _PREDECESSORS.get(id(trans_p))
    if kept is None or kept[0] is not trans_p:
        out: dict = {}
        for y0, nexts in trans_p.items():
            for y in nexts:
                out.setdefault(y, []).append(y0)
        kept = _PREDECESSORS[id(trans_p)] = (trans_p, out)
    return kept[1]


def viterbi(obs, states, start_p, trans_p, emit_p):
    """jieba.posseg.viterbi.viterbi's (probability, route) of `obs`."""
    preds = predecessors(trans_p)
    V = [{}]
    mem_path = [{}]
    all_states = trans_p.keys()
    for y in states.get(obs[0], all_states):
        V[0][y] = start_p[y] + emit_p[y].get(obs[0], MIN_FLOAT)
        mem_path[0][y] = ''
    for t in range(1, len(obs)):
        V.append({})
        mem_path.append({})
        before = V[t - 1]
        prev_states = {x for x in mem_path[t - 1] if trans_p[x]}       # the states that lead somewhere
        prev_states_expect_next = set().union(*[trans_p[x].keys() for x in prev_states])
        obs_states = set(states.get(obs[t], all_states)) & prev_states_expect_next
        if not obs_states:
            obs_states = prev_states_expect_next if prev_states_expect_next else all_states
        for y in obs_states:
            emit = emit_p[y].get(obs[t], MIN_FLOAT)
            prob, state = max((before[y0] + trans_p[y0][y] + emit, y0)
                              for y0 in preds.get(y, ()) if y0 in prev_states)
            V[t][y] = prob
            mem_path[t][y] = state
    prob, state = max((V[-1][y], y) for y in mem_path[-1].keys())
    route = [None] * len(obs)
    i = len(obs) - 1
    while i >= 0:
        route[i] = state
        state = mem_path[i][state]
        i -= 1
    return prob, route


def install() -> None:
    """jieba.posseg's tokenizers use this Viterbi from now on (it calls the module's global)."""
    import jieba.posseg
    jieba.posseg.viterbi = viterbi
