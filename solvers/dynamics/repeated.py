"""Repeated games with discounting: value recursions, equilibrium conditions, Monte Carlo.

A value recursion is a SymPy equation such as ``V = g + d * p * V`` (the worth of a state
is the round's gain plus the discounted worth of the states that follow).  Recursions are
linear in the values, so they are solved exactly as a linear system.  An equilibrium
condition compares two values ("comply is worth more than defect") and is solved for one
variable (e.g. a concession that keeps a player complying under a trigger strategy) by
gamespec.solvers.dynamics.isolate: exactly, also when it is rational in the variable, with
the signs that fix the direction decided under declared ranges of the other symbols.
``simulate_repeated`` plays the game by Monte Carlo so the symbolic condition can be
checked against play.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.logic.boolalg import BooleanAtom
from sympy.solvers.solveset import NonlinearError

from gamespec.errors import SolverError
from gamespec.solvers.dynamics.isolate import Condition, isolate

__all__ = [
    "Condition",
    "RepeatedSimulation",
    "equilibrium_condition",
    "simulate_repeated",
    "solve_value_recursions",
    "trigger_recursions",
]


def _residual(eq: sp.Expr | sp.Eq) -> sp.Expr:
    """lhs - rhs; an equation SymPy already folded to True/False says nothing / is absurd."""
    if isinstance(eq, BooleanAtom):
        raise SolverError(
            "the value recursions do not determine the values uniquely"
            if eq else "the value recursions contradict each other",
            hint="each recursion must tie a value to gains and discounted values",
        )
    return eq.lhs - eq.rhs if isinstance(eq, sp.Equality) else eq


def solve_value_recursions(
    equations: Sequence[sp.Expr | sp.Eq], unknowns: Sequence[sp.Symbol]
) -> dict[sp.Symbol, sp.Expr]:
    """Solve linear value recursions (V = g + d V, ...) for the unknown values exactly.

    Raises SolverError if the recursions are not linear in the values or do not determine
    them (a singular system, e.g. a discount factor of 1).
    """
    unknowns = list(unknowns)
    if len(equations) != len(unknowns):
        raise SolverError(
            f"{len(equations)} value recursions for {len(unknowns)} values",
            hint="write one recursion per value",
        )
    try:
        matrix, rhs = sp.linear_eq_to_matrix([_residual(e) for e in equations], unknowns)
    except NonlinearError:
        raise SolverError(
            "the value recursions are not linear in the values",
            hint="a value may appear only multiplied by gains, discounts and probabilities",
        ) from None
    determinant = sp.factor(matrix.det())
    if determinant == 0:
        raise SolverError(
            "the value recursions do not determine the values uniquely",
            hint="check the discount factors: a discount of 1 makes the values infinite",
        )
    solution = matrix.LUsolve(rhs)
    return {u: sp.factor(sp.simplify(s)) for u, s in zip(unknowns, solution)}


def equilibrium_condition(
    prefer: sp.Expr,
    other: sp.Expr,
    variable: sp.Symbol,
    *,
    unit_interval: Iterable[sp.Symbol] = (),
    positive: Iterable[sp.Symbol] = (),
    strict: bool = True,
) -> Condition:
    """Solve `prefer > other` (`>=` when not `strict`) for `variable`, exactly.

    The comparison may be rational in `variable`; `unit_interval` symbols range over (0, 1)
    (discounts, probabilities) and `positive` ones over (0, oo): the signs of the
    denominator and of the coefficient of `variable` must follow from them.
    """
    ranges = {sym: (0.0, 1.0) for sym in unit_interval}
    ranges.update({sym: (0.0, None) for sym in positive if sym not in ranges})
    relation = (sp.StrictGreaterThan if strict else sp.GreaterThan)(prefer, other)
    return isolate(relation, variable, ranges)


def trigger_recursions(
    comply_value: sp.Symbol,
    defect_value: sp.Symbol,
    comply_gain: sp.Expr,
    defect_gain: sp.Expr,
    discount: sp.Expr,
    undetected: sp.Expr,
    punish_value: sp.Expr = sp.S.Zero,
) -> list[sp.Eq]:
    """Recursions of a grim trigger with imperfect detection (undetected w.p. `undetected`).

    V_comply = g_comply + d V_comply;  V_defect = g_defect + d (p V_defect + (1-p) V_punish).
    """
    return [
        sp.Eq(comply_value, comply_gain + discount * comply_value),
        sp.Eq(
            defect_value,
            defect_gain
            + discount * (undetected * defect_value + (1 - undetected) * punish_value),
        ),
    ]


# --------------------------------------------------------------------------- Monte Carlo
@dataclass(frozen=True)
class RepeatedSimulation:
    """Mean discounted payoffs of complying and defecting, with standard errors."""

    comply_mean: float
    comply_se: float
    defect_mean: float
    defect_se: float
    comply_exact: float  # from the value recursions, for comparison
    defect_exact: float
    horizon: int
    paths: int
    seed: int

    @property
    def comply_better(self) -> bool:
        """True if complying earned more than defecting in the simulation."""
        return self.comply_mean > self.defect_mean


def _horizon(discount: float, scale: float, tail: float = 1e-10) -> int:
    """Rounds after which the discounted tail sum_{r>=H} d^r * scale is below `tail`."""
    if scale == 0:
        return 1
    return max(1, math.ceil(math.log(tail * (1 - discount) / scale) / math.log(discount)))


def _discounted_path_values(
    gain: float,
    detect_prob: float,
    discount: float,
    punish_payoff: float,
    punish_rounds: int | None,
    horizon: int,
    rng: np.random.Generator,
    paths: int,
) -> np.ndarray:
    """Play one fixed adversary action for `horizon` rounds on `paths` independent paths.

    While cooperation lasts the adversary earns `gain`; each round the action is flagged
    with `detect_prob`, after which the collector punishes (`punish_payoff`) for
    `punish_rounds` rounds (None: for ever, grim trigger) and then forgives.
    """
    total = np.zeros(paths)
    punished_left = np.zeros(paths, dtype=np.int64)
    weight = 1.0
    for _ in range(horizon):
        active = punished_left == 0
        total += weight * np.where(active, gain, punish_payoff)
        flagged = active & (rng.random(paths) < detect_prob)
        punished_left = np.where(active, 0, punished_left - 1)
        punished_left[flagged] = horizon + 1 if punish_rounds is None else punish_rounds
        weight *= discount
    return total


def _exact_value(
    gain: float, detect_prob: float, discount: float, punish_payoff: float,
    punish_rounds: int | None,
) -> float:
    """Value of one fixed action from the recursions (cooperating state + punishment chain)."""
    coop = sp.Symbol("V_coop")
    gain_s, det_s, d_s, pun_s = (sp.Float(x) for x in (gain, detect_prob, discount, punish_payoff))
    if punish_rounds is None:
        punished = sp.Symbol("V_punished")
        eqs = [sp.Eq(coop, gain_s + d_s * ((1 - det_s) * coop + det_s * punished)),
               sp.Eq(punished, pun_s + d_s * punished)]
        unknowns = [coop, punished]
    else:
        chain = sp.symbols(f"W1:{punish_rounds + 1}")
        nxt = [*chain[1:], coop]
        eqs = [sp.Eq(coop, gain_s + d_s * ((1 - det_s) * coop + det_s * (chain[0] if chain
                                                                        else coop)))]
        eqs += [sp.Eq(w, pun_s + d_s * after) for w, after in zip(chain, nxt)]
        unknowns = [coop, *chain]
    return float(solve_value_recursions(eqs, unknowns)[coop])


def simulate_repeated(
    comply_gain: float,
    defect_gain: float,
    discount: float,
    undetected: float,
    *,
    false_alarm: float = 0.0,
    punish_payoff: float = 0.0,
    punish_rounds: int | None = None,
    paths: int = 20_000,
    horizon: int | None = None,
    seed: int = 0,
) -> RepeatedSimulation:
    """Seeded Monte Carlo of the repeated game for an always-comply and an always-defect
    adversary against a trigger strategy with imperfect detection.

    A defection is detected with probability 1 - `undetected`, a compliance is wrongly
    flagged with `false_alarm`; `punish_rounds` None is the grim trigger (the paper's
    Tit-for-tat), 1 is classic tit-for-tat.  Payoffs are discounted by `discount`.
    """
    if not 0 < discount < 1:
        raise SolverError(f"discount must be in (0, 1), got {discount}")
    if not (0 <= undetected <= 1 and 0 <= false_alarm <= 1):
        raise SolverError("detection probabilities must be in [0, 1]")
    scale = max(abs(comply_gain), abs(defect_gain), abs(punish_payoff))
    horizon = horizon or _horizon(discount, scale)
    rng = np.random.default_rng(seed)
    args = (discount, punish_payoff, punish_rounds, horizon)
    comply = _discounted_path_values(comply_gain, false_alarm, *args, rng, paths)
    defect = _discounted_path_values(defect_gain, 1 - undetected, *args, rng, paths)
    exact = [
        _exact_value(g, q, discount, punish_payoff, punish_rounds)
        for g, q in ((comply_gain, false_alarm), (defect_gain, 1 - undetected))
    ]
    return RepeatedSimulation(
        comply_mean=float(comply.mean()),
        comply_se=float(comply.std(ddof=1) / math.sqrt(paths)),
        defect_mean=float(defect.mean()),
        defect_se=float(defect.std(ddof=1) / math.sqrt(paths)),
        comply_exact=exact[0],
        defect_exact=exact[1],
        horizon=horizon,
        paths=paths,
        seed=seed,
    )
