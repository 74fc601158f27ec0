"""Mixed equilibria of a normal form as a Result: one record per equilibrium, each checked.

A record gives every agent's strategy as a label (pure) or {label: probability} (mixed,
support only), the exact probabilities as text when they are known ("3/5", "-1/2 +
sqrt(5)/2"), the expected payoffs, and the equilibrium's own maximum regret. The
certificate is the largest regret over all records, recomputed from the payoff tensor.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy

from gamespec.errors import SolverError
from gamespec.model import Model
from gamespec.normal_form import NormalForm
from gamespec.result import Certificate, Result, Status
from gamespec.solvers.finite.mixed_equilibrium import (
    MixedEquilibrium,
    exact_regret,
    expected_payoffs,
    max_regret,
    regret_tolerance,
)

SUPPORT_TOL = 1e-9


def exact_text(value) -> str:
    """A probability exactly: 3/5, 1, or a SymPy form such as -1/2 + sqrt(5)/2."""
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else str(value)
    return sympy.sstr(sympy.nsimplify(value) if isinstance(value, float) else value)


def exact_expected_payoffs(payoffs: np.ndarray, exact: tuple[tuple, ...]) -> list[Fraction]:
    """Each agent's expected payoff in exact arithmetic (Fraction payoffs and profile)."""
    out = []
    for k in range(payoffs.shape[0]):
        u = payoffs[k]
        for j in reversed(range(payoffs.shape[0])):
            u = np.tensordot(u, np.array(exact[j], dtype=object), axes=([j], [0]))
        out.append(Fraction(u.item() if isinstance(u, np.ndarray) else u))
    return out


def with_exact_bimatrix(eq: MixedEquilibrium, exact_payoffs: np.ndarray) -> MixedEquilibrium:
    """`eq` with exact probabilities, when its supports have equal sizes and the indifference
    systems on them have a unique solution that is an exact equilibrium; else `eq`."""
    from gamespec.solvers.finite.bimatrix_exact import is_exact_equilibrium, solve_fractions

    a, b = exact_payoffs
    sx, sy = eq.support()
    if len(sx) != len(sy):
        return eq

    def mix(payoff, rows, columns, size):  # the mix over `columns` that `rows` are indifferent to
        system = [[payoff(i, j) for j in columns] + [Fraction(-1)] for i in rows]
        system.append([Fraction(1)] * len(columns) + [Fraction(0)])
        values = solve_fractions(system, [Fraction(0)] * len(rows) + [Fraction(1)])
        if values is None or min(values[:-1]) < 0:
            return None
        out = [Fraction(0)] * size
        for j, v in zip(columns, values[:-1]):
            out[j] = v
        return tuple(out)

    y = mix(lambda i, j: a[i, j], sx, sy, a.shape[1])
    x = mix(lambda j, i: b[i, j], sy, sx, a.shape[0])
    if x is None or y is None or not is_exact_equilibrium(a, b, x, y):
        return eq
    floats = (np.array([float(v) for v in x]), np.array([float(v) for v in y]))
    return MixedEquilibrium(floats, (x, y), how=eq.how)


def strategy_of(nf: NormalForm, k: int, probs: np.ndarray):
    """A label when the strategy is pure, else {label: probability} over its support."""
    support = np.flatnonzero(probs > SUPPORT_TOL)
    if len(support) == 1 and probs[support[0]] > 1 - SUPPORT_TOL:
        return nf.labels[k][int(support[0])]
    return {nf.labels[k][int(i)]: float(probs[i]) for i in support}


def record(nf: NormalForm, eq: MixedEquilibrium, exact_payoffs=None) -> dict:
    """The JSON record of one equilibrium (see the module docstring)."""
    values = expected_payoffs(nf.payoffs, eq.strategies)
    scale = max(1.0, float(np.max(np.abs(nf.payoffs), initial=0.0)))
    values = np.where(np.abs(values) < 1e-12 * scale, 0.0, values)  # rounding, not a payoff
    out = {
        "profile": {a: strategy_of(nf, k, eq.strategies[k]) for k, a in enumerate(nf.agents)},
        "payoffs": {a: float(values[k]) for k, a in enumerate(nf.agents)},
        "max_regret": max_regret(nf.payoffs, eq.strategies),
        "pure": all(len(np.flatnonzero(s > SUPPORT_TOL)) == 1 for s in eq.strategies),
    }
    if eq.exact is not None:
        out["exact"] = {a: {nf.labels[k][i]: exact_text(p) for i, p in enumerate(eq.exact[k])
                            if p != 0} for k, a in enumerate(nf.agents)}
        if exact_payoffs is not None and all(isinstance(p, Fraction) for s in eq.exact
                                             for p in s):
            regret = exact_regret(exact_payoffs, eq.exact)
            out["exact_regret"] = None if regret is None else exact_text(regret)
            values = exact_expected_payoffs(exact_payoffs, eq.exact)
            out["payoffs"] = {a: float(v) for a, v in zip(nf.agents, values)}
            out["exact_payoffs"] = {a: exact_text(v) for a, v in zip(nf.agents, values)}
    return out


def selected_objective(model: Model, nf: NormalForm, method: str, default):
    """(objective, how it reads) from the spec's `select max|min payoff PLAYER`, else
    `default` (an objective and its wording). Objectives are "welfare", ("payoff", k,
    "max"|"min") or None."""
    rule = model.selection
    if rule is None or rule.kind not in ("max", "min"):
        return default
    if rule.payoff_of is None:
        raise SolverError(f"the {method} method selects by a player's payoff or welfare, not "
                          "by an expression", hint="use `select max payoff PLAYER`",
                          span=rule.span)
    if rule.payoff_of not in nf.agents:
        raise SolverError(f"`select` names `{rule.payoff_of}`, which is not a single agent",
                          span=rule.span)
    return (("payoff", nf.agents.index(rule.payoff_of), rule.kind),
            f"{rule.kind}imising {rule.payoff_of}'s payoff")


def select_order(model: Model, nf: NormalForm, records: list[dict]) -> list[dict]:
    """The records ordered by the spec's `select` rule (best first), else as found."""
    rule = model.selection
    if rule is None or rule.kind == "first" or not records:
        return records
    if rule.payoff_of is None:
        raise SolverError("selection by an expression is not supported for finite games",
                          hint="use `select max payoff PLAYER`", span=rule.span)
    agents = [a for a in nf.agents if a == rule.payoff_of or a.startswith(rule.payoff_of + "[")]
    score = np.array([sum(r["payoffs"][a] for a in agents) for r in records])
    order = np.argsort(-score if rule.kind == "max" else score, kind="stable")
    return [records[i] for i in order]


def equilibria_result(model: Model, nf: NormalForm, equilibria: list[MixedEquilibrium], *,
                      method: str, kind: str, details: dict | None = None,
                      exact_payoffs=None, extra: dict | None = None,
                      covers: str = "", annotations: list[dict] | None = None,
                      figures: bool = False) -> Result:
    """A Result listing `equilibria`, certified by their largest maximum regret;
    annotations[i], if given, adds method-specific keys to equilibrium i's record;
    `figures`: also record the payoff-table picture's data."""
    if not equilibria:
        raise SolverError(f"{method} returned no equilibrium (a finite game always has one)")
    if exact_payoffs is not None and len(nf.agents) == 2:
        equilibria = [eq if eq.exact is not None else with_exact_bimatrix(eq, exact_payoffs)
                      for eq in equilibria]
    records = [record(nf, eq, exact_payoffs) for eq in equilibria]
    for rec, note in zip(records, annotations or []):
        rec.update(note)
    records = select_order(model, nf, records)
    worst = max(r["max_regret"] for r in records)
    tolerance = regret_tolerance(nf.payoffs)
    exact_ok = [r.get("exact_regret") for r in records if "exact_regret" in r]
    certificate = Certificate(
        f"max regret over every equilibrium listed ({kind})", worst, worst <= tolerance,
        tolerance, {"equilibria_checked": len(records),
                    "exact_regret_zero": sum(1 for r in exact_ok if r == "0"),
                    **(details or {})})
    if not certificate.ok:
        raise SolverError(f"{method}: an equilibrium failed its check (max regret {worst:.3g}, "
                          f"tolerance {tolerance:.3g})")
    first = records[0]
    if figures:  # what the plots draw (gamespec/plots/): the payoff table
        from gamespec.solvers.finite.payoff_table_figure import figures_of_finite_game
        from gamespec.solvers.finite.pure_enumeration import pure_equilibria

        extra = {**(extra or {}), "figures": figures_of_finite_game(
            model, first["profile"], pure_equilibria, outline_answer=False,
            first=(extra or {}).get("figures"))}
    return Result(
        game=model.title, spec=model.path, spec_sha256=model.sha256, method=method,
        status=Status.EQUILIBRIA, values=dict(first["payoffs"]),
        strategies=dict(first["profile"]), certificate=certificate,
        extra={"equilibria": records, "profiles": int(np.prod(nf.shape)), **(extra or {})},
        covers=covers)
