"""The `logit` method: logit quantal response equilibria of a finite game with any number of
players, and the Nash equilibrium at the limit of their principal branch.

Without `lambda`, the principal branch (McKelvey & Palfrey 1995) is traced from the
uniform profile until it converges, and its limit, polished on its support, is returned:
one certified Nash equilibrium of any finite game, by a globally convergent method. With
`lambda = L`, the quantal response equilibrium at L on that branch is returned instead (not
a Nash equilibrium: its certificate is the fixed-point residual). `--plot` draws the path.
"""
from __future__ import annotations

import numpy as np

from gamespec.analysis import Classification
from gamespec.errors import SolverError
from gamespec.model import Model
from gamespec.normal_form import NormalForm, build_normal_form
from gamespec.result import Certificate, Result, Status
from gamespec.solvers.finite.applicability import mixed_extension
from gamespec.solvers.finite.equilibrium_records import equilibria_result, strategy_of
from gamespec.solvers.finite.mixed_equilibrium import (
    expected_payoffs,
    max_regret,
    rational_payoffs,
    regret_tolerance,
)
from gamespec.solvers.options import SolverOption
from gamespec.solvers.registry import SolverEntry

QRE_TOLERANCE = 1e-8
LIMIT_COVERS = ("one Nash equilibrium: the limit of the principal branch of the logit quantal "
                "response equilibria")
PERTURBED_COVERS = ("one Nash equilibrium: the game's principal logit branch bifurcates, so "
                    "the branch of a generically perturbed game (payoffs moved by 1e-6 of "
                    "their range) was traced and its limit polished on the game itself; it "
                    "need not be the limit of the game's own branch")


def solve(model: Model, cls: Classification, options: dict) -> Result:
    from gamespec.solvers.finite import logit

    nf = build_normal_form(model)
    lam = options.get("lambda")
    extra = {}
    if lam is None:
        try:
            eq = logit.limit_equilibrium(nf.payoffs)
        except logit.LimitNotCertified as exc:
            return _not_certified(model, nf, exc)
        if options.get("figures"):
            extra["figures"] = {"logit-path": path_figure(nf, _path_to_limit(
                nf.payoffs, options.get("max_lambda")))}
        return equilibria_result(
            model, nf, [eq], method=ENTRY.name, exact_payoffs=rational_payoffs(nf.payoffs),
            figures=bool(options.get("figures")), kind="logit QRE limit", extra=extra,
            covers=LIMIT_COVERS if not eq.how else PERTURBED_COVERS)
    path = logit.logit_path(nf.payoffs, max_lambda=lam)
    profile = path.profiles[-1]
    residual = fixed_point_residual(nf.payoffs, profile, lam)
    if options.get("figures"):
        extra["figures"] = {"logit-path": path_figure(nf, path)}
    values = expected_payoffs(nf.payoffs, profile)
    certificate = Certificate(
        "logit fixed point: max |p - softmax(lambda x payoffs)|, recomputed", residual,
        residual <= QRE_TOLERANCE, QRE_TOLERANCE,
        {"lambda": lam, "max_regret": max_regret(nf.payoffs, profile)})
    if not certificate.ok:
        raise SolverError(f"logit: the QRE at lambda={lam:g} failed its check "
                          f"(residual {residual:.3g})")
    return Result(
        game=model.title, spec=model.path, spec_sha256=model.sha256, method=ENTRY.name,
        status=Status.SOLVED, certificate=certificate,
        values={a: float(values[k]) for k, a in enumerate(nf.agents)},
        strategies={a: {nf.labels[k][i]: float(p) for i, p in enumerate(profile[k])}
                    for k, a in enumerate(nf.agents)},
        extra={"lambda": lam, **extra},
        covers=f"the logit quantal response equilibrium at lambda = {lam:g} on the principal "
               "branch (not a Nash equilibrium)")


def _path_to_limit(payoffs: np.ndarray, max_lambda: float | None):
    """The path drawn: the game's own branch, or a perturbed game's past a bifurcation."""
    from gamespec.solvers.finite import logit

    try:
        return logit.logit_path(payoffs, max_lambda=max_lambda)
    except SolverError:
        return logit.logit_path(logit.perturbed(payoffs), max_lambda=max_lambda)


def _not_certified(model: Model, nf: NormalForm, exc) -> Result:
    """The traced profile when polishing failed: an approximation, said to be one."""
    values = expected_payoffs(nf.payoffs, exc.strategies)
    tolerance = regret_tolerance(nf.payoffs)
    return Result(
        game=model.title, spec=model.path, spec_sha256=model.sha256, method=ENTRY.name,
        status=Status.NOT_CERTIFIED,
        certificate=Certificate("max regret of the traced logit limit (not polished)",
                                float(exc.regret), False, tolerance,
                                {"lambda": float(exc.lam), "reason": str(exc)}),
        values={a: float(values[k]) for k, a in enumerate(nf.agents)},
        strategies={a: strategy_of(nf, k, np.asarray(exc.strategies[k]))
                    for k, a in enumerate(nf.agents)})


def fixed_point_residual(payoffs: np.ndarray, profile, lam: float) -> float:
    """max |p - softmax(lam * u)| over agents: 0 exactly at a logit QRE."""
    from gamespec.solvers.finite.mixed_equilibrium import deviation_payoffs

    worst = 0.0
    for u, p in zip(deviation_payoffs(payoffs, profile), profile):
        z = lam * (u - np.max(u))
        response = np.exp(z) / np.sum(np.exp(z))
        worst = max(worst, float(np.max(np.abs(np.asarray(p) - response))))
    return worst


def path_figure(nf: NormalForm, path) -> dict:
    """What the logit-path plot draws: each agent's probabilities against lambda."""
    series = path.as_series()
    return {"agents": [{"agent": a, "strategies": [
        {"label": nf.labels[k][i], "lambda": list(map(float, series[k][i][0])),
         "probability": list(map(float, series[k][i][1]))} for i in range(nf.shape[k])]}
        for k, a in enumerate(nf.agents)],
        "limit": {a: strategy_of(nf, k, np.asarray(path.profiles[-1][k]))
                  for k, a in enumerate(nf.agents)}}


ENTRY = SolverEntry(
    name="logit",
    summary="logit quantal response equilibria of a finite game (any number of players), "
            "and the Nash equilibrium at the limit of their principal branch",
    covers="one Nash equilibrium: the limit of the principal logit QRE branch",
    can_solve=mixed_extension,
    solve=solve,
    options=(
        SolverOption("lambda", "float", None, "return the quantal response equilibrium at "
                     "this precision instead of the limiting Nash equilibrium",
                     low=0, low_open=False),
        SolverOption("max_lambda", "float", None, "with --plot and no lambda: draw the path "
                     "up to this precision (default: until it converges)", low=0,
                     low_open=True),
    ),
)
