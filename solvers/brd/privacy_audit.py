"""Independent per-instance DP audit of a profile whose players publish through a mechanism.

A spec says that every member ``i`` of a player family publishes through a standard-library
mechanism when one of its `let`s, indexed by the member and by a bin set ``X = 1..K``, is
exactly ``laplace_mass(D, S, x, K)`` or ``gaussian_mass(D, S, x, K)`` (``D`` the member's
data, ``S`` its noise scale, which depends on the family's strategy). Given a profile, the
audit recomputes every member's output distribution from scratch with
`gamespec.stdlib.privacy` (not with the spec's own expressions): the mass row of each distinct
(data, scale) pair, ``Q`` as the members' mean, each ``Q_{-i} = (n Q - m_i) / (n - 1)`` and the
privacy loss ``max_x |ln(Q(x) / Q_{-i}(x))|``. It reports the largest loss and, when the spec
has a scalar parameter ``eps`` (the privacy target, by the privacy library's convention), how
many members are within it. Pairs, not members, are computed, so a million members with a few
hundred distinct pairs cost a few hundred rows.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from gamespec.errors import GamespecError
from gamespec.evaluate import evaluate
from gamespec.model import LetDef, Model, Player
from gamespec.stdlib.privacy import gaussian_bin_masses, laplace_bin_masses, pdp_max_log_ratio

MECHANISMS = {"laplace_mass": laplace_bin_masses, "gaussian_mass": gaussian_bin_masses}


def find_mechanism(model: Model) -> tuple[LetDef, Player, str] | None:
    """The first let that is a member's stdlib mechanism on bins 1..K, with its family."""
    families = {p.member_set: p for p in model.players.values() if p.kind == "family"}
    for let in model.lets.values():
        expr = let.expr
        name = type(expr).__name__
        if name not in MECHANISMS or len(let.variables) != 2:
            continue
        member_var, bin_var = let.variables
        member_set, bin_set = let.index_sets
        family = families.get(member_set)
        if family is None or expr.args[2] != bin_var:
            continue
        if not _is_one_to_k(bin_set):
            continue
        strategy = family.strategies[0].name
        if not _mentions(expr.args[1], strategy):
            continue
        if expr.args[3].free_symbols & {member_var, bin_var}:
            continue
        return let, family, name
    return None


def _is_one_to_k(bins: Any) -> bool:
    if bins.symbolic:
        return False
    values = bins.values()
    return bool(np.array_equal(values, np.arange(1, len(values) + 1)))


def _mentions(expr: sympy.Expr, strategy: str) -> bool:
    return any(str(getattr(a, "base", a)) == strategy for a in expr.atoms(sympy.Indexed))


def audit_profile(model: Model, ctx: Any) -> dict | None:
    """The audit at the profile bound in `ctx` (a context with the strategies as tables), or
    None when no member publishes through a stdlib mechanism."""
    found = find_mechanism(model)
    if found is None:
        return None
    let, family, name = found
    member_var = let.variables[0]
    n = len(family.member_set)
    try:
        inner = ctx.child(index_sets={**ctx.index_sets, member_var: family.member_set})
        data = _per_member(evaluate(let.expr.args[0], inner), member_var, n)
        scale = _per_member(evaluate(let.expr.args[1], inner), member_var, n)
        K = int(round(float(evaluate(let.expr.args[3], ctx).data)))
    except GamespecError as exc:
        return {"let": let.name, "mechanism": name, "error": exc.message}
    pairs, member_pair, counts = np.unique(np.stack([data, scale], axis=1), axis=0,
                                           return_inverse=True, return_counts=True)
    masses = MECHANISMS[name](pairs[:, 0], pairs[:, 1], K)
    Q = counts @ masses / n
    loss = np.asarray(pdp_max_log_ratio(masses, Q, n), dtype=float)
    member_loss = loss[member_pair.ravel()]
    report = {"let": let.name, "mechanism": name.removesuffix("_mass"), "members": n,
              "distinct_outputs": int(len(pairs)), "bins": K,
              "max_loss": float(member_loss.max())}
    eps = _scalar_param(model, "eps")
    if eps is not None:
        within = int(np.count_nonzero(member_loss <= eps))
        report.update(eps=eps, within_eps=within, all_within=within == n)
    return report


def _per_member(value: Any, member_var: sympy.Symbol, n: int) -> np.ndarray:
    """A member-indexed (or member-free) evaluated expression as a length-n float vector."""
    if value.axes and tuple(value.axes) != (member_var.name,):
        raise GamespecError(f"expected an expression of the member only, got axes {value.axes}")
    return np.broadcast_to(np.asarray(value.data, dtype=float).reshape(-1), (n,)).copy()


def _scalar_param(model: Model, name: str) -> float | None:
    for symbol, value in model.scalar_values().items():
        if str(symbol) == name:
            return float(value)
    return None
