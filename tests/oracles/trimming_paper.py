"""The trimming paper's Theorem 3 (Fu et al.), derived with the repeated-game backend and
set beside the paper's printed form: an oracle for tests only (solvers hold no paper's
statements; the spec states the theorem as a claim)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from gamespec.solvers.dynamics.repeated import (
    Condition,
    equilibrium_condition,
    solve_value_recursions,
    trigger_recursions,
)


@dataclass(frozen=True)
class TriggerTheorem:
    """Theorem 3 of Fu et al. derived from its value recursions, and the paper's form."""

    symbols: Mapping[str, sp.Symbol]
    recursions: tuple[sp.Eq, ...]
    values: Mapping[sp.Symbol, sp.Expr]
    condition: Condition
    paper_boundary: sp.Expr
    matches_paper: bool
    boundary_in_payoffs: sp.Expr  # boundary with g_ac written in T_hi, T_lo, P_hi, P_lo


def trimming_theorem3() -> TriggerTheorem:
    """Derive the trimming paper's Theorem 3 (adversary complies iff delta < ...).

    g_c = T_hi - P_lo - T_lo, g_a = P_hi, g_ac = (g_a + g_c)/2, g_0 = g_ac - delta;
    complying is worth g_0/(1-d), defecting (undetected w.p. p) g_ac/(1-dp).
    """
    t_hi, t_lo, p_hi, p_lo = sp.symbols("T_hi T_lo P_hi P_lo", positive=True)
    d, p, delta, g_ac = sp.symbols("d p delta g_ac", positive=True)
    v_com, v_def = sp.symbols("g_com g_def")
    recursions = trigger_recursions(v_com, v_def, g_ac - delta, g_ac, d, p)
    values = solve_value_recursions(recursions, [v_com, v_def])
    condition = equilibrium_condition(
        values[v_com], values[v_def], delta, unit_interval=(d, p), positive=(g_ac,)
    )
    paper = (d - d * p) / (1 - d * p) * g_ac
    g_c, g_a = t_hi - p_lo - t_lo, p_hi
    names = {"T_hi": t_hi, "T_lo": t_lo, "P_hi": p_hi, "P_lo": p_lo, "d": d, "p": p,
             "delta": delta, "g_ac": g_ac, "g_com": v_com, "g_def": v_def}
    return TriggerTheorem(
        symbols=names,
        recursions=tuple(recursions),
        values=values,
        condition=condition,
        paper_boundary=paper,
        matches_paper=sp.simplify(condition.boundary - paper) == 0,
        boundary_in_payoffs=sp.factor(condition.boundary.xreplace({g_ac: (g_a + g_c) / 2})),
    )


