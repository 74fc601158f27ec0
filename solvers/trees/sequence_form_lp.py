"""The sequence-form LP of a two-player zero-sum (or constant-sum) tree, solved by HiGHS.

The first player maximises f.q subject to A'x - F'q >= 0, E x = e, x >= 0 (q free): q
prices the second player's information sets, and the row duals of A'x - F'q >= 0 are the
second player's realization plan. With payoffs summing to a constant c at every leaf the
LP uses the first player's payoffs; the second player's value is c minus the first's.
Behaviour strategies: realization of (h, a) over realization of h's parent sequence;
uniform, and listed in `unreached`, where the parent sequence has zero realization.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from gamespec.errors import SolverError
from gamespec.game_tree import TERMINAL, GameTree
from gamespec.solvers.lp.highs_instance import run_highs
from gamespec.solvers.lp.linear_program import LinearProgram, layout
from gamespec.solvers.lp.routes import require_optimal
from gamespec.solvers.trees.sequences import SequenceForm, sequence_form

ZERO_REACH = 1e-9
"""A parent realization at or below this counts as zero (behaviour uniform there)."""


@dataclass(frozen=True, eq=False)
class SequenceFormSolution:
    """The LP's equilibrium: realization plans, values (in the game's own payoffs), and
    the behaviour profile (information set index -> move probabilities, floats)."""

    players: tuple[str, str]
    values: tuple[float, float]
    constant: Any
    realization: tuple[np.ndarray, np.ndarray]
    behaviour: dict[int, tuple[float, ...]]
    unreached: tuple[int, ...]
    form: SequenceForm
    iterations: int
    build_seconds: float
    solve_seconds: float


def constant_sum(tree: GameTree) -> Any:
    """The constant the two players' payoffs sum to at every leaf; SolverError if none.
    Exact for Fractions; floats agree within 1e-9 relative to the largest payoff."""
    sums = [n.payoffs[0] + n.payoffs[1] for n in tree.nodes if n.kind == TERMINAL]
    if len(tree.players) != 2 or not sums:
        raise SolverError("the sequence-form LP needs a two-player tree with leaves")
    scale = max(1.0, max(abs(float(u)) for n in tree.nodes if n.kind == TERMINAL
                         for u in n.payoffs))
    c = sums[0]
    bad = next((s for s in sums if s != c and abs(float(s) - float(c)) > 1e-9 * scale), None)
    if bad is not None:
        raise SolverError(
            f"the tree is not zero-sum or constant-sum: payoffs sum to {c} at one leaf and "
            f"{bad} at another",
            hint="use an equilibrium method for general-sum trees")
    return c


def sequence_lp(form: SequenceForm) -> LinearProgram:
    """max q[0] s.t. E x = e, A'x - F'q >= 0, x >= 0, q free."""
    n1, n2 = form.sizes
    m1, m2 = form.E.shape[0], form.F.shape[0]
    M = sp.bmat([[form.E, None], [form.A.T, -form.F.T]], format="csc")
    c = np.zeros(n1 + m2)
    c[n1] = 1.0
    lower = np.concatenate((form.e, np.zeros(n2)))
    upper = np.concatenate((form.e, np.full(n2, np.inf)))
    return LinearProgram(
        A=sp.csc_array(M), c=c,
        col_lower=np.concatenate((np.zeros(n1), np.full(m2, -np.inf))),
        col_upper=np.full(n1 + m2, np.inf),
        row_lower=lower, row_upper=upper, maximize=True,
        col_blocks=layout(("x", (n1,)), ("q", (m2,))),
        row_blocks=layout(("realization", (m1,)), ("best_response", (n2,))),
        name="the sequence-form LP")


def behaviour_from_realization(form: SequenceForm, k: int, x: np.ndarray
                               ) -> tuple[dict[int, tuple[float, ...]], list[int]]:
    """Player k's behaviour from a realization plan, and the information sets whose parent
    sequence is unrealized (played uniformly)."""
    x = np.clip(x, 0.0, None)
    out, unreached = {}, []
    for h in form.infosets[k]:
        h = int(h)
        s0 = int(form.first[h])
        m = int(form.moves[h])
        r = x[s0:s0 + m]
        total = float(r.sum())
        if x[int(form.parent[h])] <= ZERO_REACH or total <= ZERO_REACH:
            out[h] = (1.0 / m,) * m
            unreached.append(h)
        else:
            out[h] = tuple(float(v) for v in r / total)
    return out, unreached


def solve_sequence_form(tree: GameTree, *, time_limit: float | None = None
                        ) -> SequenceFormSolution:
    """Solve a two-player constant-sum tree with numeric values by its sequence-form LP."""
    t0 = time.perf_counter()
    c = constant_sum(tree)
    form = sequence_form(tree)
    lp = sequence_lp(form)
    build = time.perf_counter() - t0
    sol = require_optimal(
        run_highs(lp, time_limit=time_limit, build_seconds=build), "the sequence-form LP",
        hint="check the tree's payoffs and chance probabilities (they must sum to 1)")
    n1 = form.sizes[0]
    x = sol.x[:n1]
    # HiGHS's row dual is d(objective)/d(bound): <= 0 on these >= rows of a maximisation
    y = np.clip(-sol.row_dual[lp.row("best_response").slice], 0.0, None)
    b1, u1 = behaviour_from_realization(form, 0, x)
    b2, u2 = behaviour_from_realization(form, 1, y)
    v1 = float(sol.objective)
    return SequenceFormSolution(
        players=form.players, values=(v1, float(c) - v1), constant=c,
        realization=(np.clip(x, 0.0, None), y), behaviour={**b1, **b2},
        unreached=tuple(sorted(u1 + u2)), form=form, iterations=sol.iterations,
        build_seconds=build, solve_seconds=sol.solve_seconds)
