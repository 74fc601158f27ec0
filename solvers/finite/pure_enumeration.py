"""All pure Nash equilibria of a finite game in normal form, by bulk enumeration.

The payoff tensor is built once with NumPy (gamespec.normal_form); a profile is an
equilibrium when every agent's payoff equals the maximum over its own axis. Each
equilibrium is certified separately by its maximum unilateral gain, recomputed by
plain deviation over the tensor entries.
"""
from __future__ import annotations

import numpy as np

from gamespec.analysis import Classification
from gamespec.errors import SolverError
from gamespec.model import Model
from gamespec.normal_form import NormalForm, build_normal_form, profile_label
from gamespec.result import Certificate, Result, Status
from gamespec.solvers.finite.applicability import finite_normal_form
from gamespec.solvers.registry import SolverEntry

TOLERANCE = 1e-9


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    return finite_normal_form(model, cls)


def pure_equilibria(nf: NormalForm, tol: float = TOLERANCE) -> list[tuple[int, ...]]:
    """Indices of every pure profile where no agent can gain more than tol."""
    u = nf.payoffs
    is_best = np.ones(nf.shape, dtype=bool)
    for k in range(len(nf.agents)):
        best = np.max(u[k], axis=k, keepdims=True)
        is_best &= u[k] >= best - tol * max(1.0, float(np.max(np.abs(u[k]), initial=0.0)))
    return [tuple(int(i) for i in idx) for idx in np.argwhere(is_best)]


def max_unilateral_gain(nf: NormalForm, profile: tuple[int, ...]) -> tuple[float, str | None]:
    """The largest payoff gain any single agent gets by deviating (plain loop)."""
    best_gain, who = 0.0, None
    for k, agent in enumerate(nf.agents):
        current = nf.payoffs[(k,) + profile]
        for alt in range(nf.shape[k]):
            deviation = list(profile)
            deviation[k] = alt
            gain = float(nf.payoffs[(k,) + tuple(deviation)] - current)
            if gain > best_gain:
                best_gain, who = gain, f"{agent} -> {nf.labels[k][alt]}"
    return best_gain, who


def smallest_best_deviation(nf: NormalForm, tol: float = TOLERANCE) -> tuple[float, float]:
    """Over all profiles, the weakest proof that the profile is not an equilibrium.

    At each profile the agent whose best deviation gain is largest relative to its own
    tolerance (tol x max(1, its largest |payoff|), as `pure_equilibria` uses) proves it;
    returns that gain and tolerance at the profile where the proof is weakest (gain <=
    tolerance there would be an equilibrium). Computed in bulk over the payoff tensor.
    """
    ratio = np.full(nf.shape, -np.inf)
    gain_at = np.zeros(nf.shape)
    tol_at = np.ones(nf.shape)
    for k in range(len(nf.agents)):
        u = nf.payoffs[k]
        tol_k = tol * max(1.0, float(np.max(np.abs(u), initial=0.0)))
        gain = np.max(u, axis=k, keepdims=True) - u
        better = gain / tol_k > ratio
        ratio = np.where(better, gain / tol_k, ratio)
        gain_at = np.where(better, gain, gain_at)
        tol_at = np.where(better, tol_k, tol_at)
    weakest = np.unravel_index(int(np.argmin(ratio)), nf.shape)
    return float(gain_at[weakest]), float(tol_at[weakest])


def solve(model: Model, cls: Classification, options: dict) -> Result:
    nf = build_normal_form(model)
    tolerance = TOLERANCE * max(1.0, float(np.max(np.abs(nf.payoffs), initial=0.0)))
    equilibria = pure_equilibria(nf)
    equilibria = _select(model, nf, equilibria)
    records = []
    worst = 0.0
    for profile in equilibria:
        gain, _ = max_unilateral_gain(nf, profile)
        worst = max(worst, gain)
        records.append({
            "profile": profile_label(nf, profile),
            "payoffs": {a: float(nf.payoffs[(k,) + profile]) for k, a in enumerate(nf.agents)},
            "max_unilateral_gain": gain,
        })
    if equilibria:
        first = equilibria[0]
        values = {a: float(nf.payoffs[(k,) + first]) for k, a in enumerate(nf.agents)}
        strategies = profile_label(nf, first)
        certificate = Certificate(
            "max unilateral gain over every pure equilibrium", worst, worst <= tolerance,
            tolerance, {"equilibria_checked": len(equilibria)},
        )
        status = Status.EQUILIBRIA
    else:
        least, agent_tolerance = smallest_best_deviation(nf)
        values, strategies = {}, {}
        certificate = Certificate(
            "no pure equilibrium: smallest best deviation gain over all profiles", least,
            least > agent_tolerance, agent_tolerance,
            {"profiles_checked": int(np.prod(nf.shape))},
        )
        status = Status.NO_PURE_EQUILIBRIUM
    if not certificate.ok:  # pragma: no cover - would mean the enumeration is wrong
        raise SolverError(f"certificate failed: residual {certificate.residual:g}")
    extra = {"equilibria": records, "profiles": int(np.prod(nf.shape))}
    if options.get("figures"):  # what the plots draw (gamespec/plots/)
        from gamespec.solvers.finite.payoff_table_figure import figures_of_finite_game

        extra["figures"] = figures_of_finite_game(model, strategies, pure_equilibria,
                                                  outline_answer=False)
    return Result(
        game=model.title, spec=model.path, spec_sha256=model.sha256, method=ENTRY.name,
        status=status, values=values, strategies=strategies, certificate=certificate,
        extra=extra,
    )


def _select(model: Model, nf: NormalForm, equilibria):
    rule = model.selection
    if rule is None or rule.kind == "first" or not equilibria:
        return equilibria
    if rule.payoff_of is not None:
        agents = [k for k, a in enumerate(nf.agents)
                  if a == rule.payoff_of or a.startswith(rule.payoff_of + "[")]
        score = [sum(nf.payoffs[(k,) + e] for k in agents) for e in equilibria]
    else:
        raise SolverError("selection by an expression is not supported for pure enumeration",
                          hint="use `select max payoff PLAYER`")
    signed = -np.asarray(score) if rule.kind == "max" else np.asarray(score)
    order = np.argsort(signed, kind="stable")
    return [equilibria[i] for i in order]


ENTRY = SolverEntry(
    name="enumerate",
    covers=('all pure Nash equilibria; mixed equilibria are not searched'),
    summary="all pure Nash equilibria of a finite normal-form game",
    can_solve=can_solve,
    solve=solve,
)
