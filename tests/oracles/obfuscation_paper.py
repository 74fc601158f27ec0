"""Test-only oracle: obfuscation vs. tracking (PAPERS.md section 1) written by hand in
Python, the paper's closed forms and the exact solution by the continuous engine, side by
side. The spec specs/obfuscation_mfg.game states the same closed forms as `claim` and
`report` statements; tests compare the two. Not part of gamespec.

The model, in the paper's notation: a learner L commits to noise sigma_L in [0, M]; N
users then play a mean-field game, each choosing sigma_i in [0, M] against
sbar2 = sbar_{-i}^2 = (1/N) sum_{j != i} sigma_j^2 (the paper divides by N, not N - 1, so
at a symmetric profile sbar2 = (N - 1)/N * sigma^2):

    eps_g = kappa (sigma_L^2 + (N-1)/N sbar2 + sigma_i^2 / N)
    eps_p = (sigma_L^2 + sigma_i^2)^(-1/2)
    U_L   = A_L exp(-eps_g) - C_L [sigma_L > 0]
    U_i   = A_S exp(-eps_g) - P_S (1 - exp(-eps_p)) - C_S [sigma_i > 0]

Lemma 3's bang-bang best response, Theorem 1, Lemma 4 and Theorem 2 / Table I as the paper
states them, with its tau_hat and with the corrected one (tau_hat = 1 / ln(P_S/(P_S - C_S))).
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import sympy
from scipy import optimize

from gamespec.errors import SolverError, SpecError
from gamespec.solvers.continuous import (
    BestResponse,
    BestResponseMap,
    LeaderResult,
    PopulationFollower,
    sample_grid,
    solve_leader,
)

PARAMETERS = ("kappa", "N", "A_L", "C_L", "A_S", "P_S", "C_S", "M")
VARIANTS = ("paper", "corrected", "exact_tau")

# PAPERS.md's worked example. A_L and C_L are not given there; A_L = 2, C_L = 0.5
# reproduce its U_L(0, 0) = 2 and U_L ~ 1.41 at the leader's best promise.
WORKED_EXAMPLE: dict[str, float] = {
    "A_S": 1.0, "P_S": 1.5, "C_S": 0.8, "kappa": 0.05, "N": 100.0, "M": 100.0,
    "A_L": 2.0, "C_L": 0.5,
}


@dataclass(frozen=True)
class ObfuscationSymbols:
    """The symbols of the model; pass the spec's own symbols to compare expressions."""

    sigma_L: sympy.Symbol
    sigma: sympy.Symbol  # the user's own sigma_i
    sbar2: sympy.Symbol  # sbar_{-i}^2, the mean field (paper's definition)
    kappa: sympy.Symbol
    N: sympy.Symbol
    A_L: sympy.Symbol
    C_L: sympy.Symbol
    A_S: sympy.Symbol
    P_S: sympy.Symbol
    C_S: sympy.Symbol
    M: sympy.Symbol

    @classmethod
    def default(cls) -> ObfuscationSymbols:
        """Symbols named as in PAPERS.md: strategies and the field real, parameters
        positive (so that derivations simplify, e.g. [M > 0] = 1)."""
        strategies = ("sigma_L", "sigma", "sbar2")
        return cls(*(sympy.Symbol(f.name, real=True) if f.name in strategies
                     else sympy.Symbol(f.name, positive=True) for f in fields(cls)))

    def values(self, params: dict[str, float]) -> dict[sympy.Symbol, float]:
        """{name: number} -> {Symbol: number}; every parameter must be given."""
        missing = [p for p in PARAMETERS if p not in params]
        if missing:
            raise SpecError(f"obfuscation model: no value for {', '.join(missing)}")
        return {getattr(self, p): float(params[p]) for p in PARAMETERS}


SYMBOLS = ObfuscationSymbols.default()
TAU = sympy.Symbol("tau", positive=True)


# --------------------------------------------------------------------------- the model
def indicator(condition: sympy.Basic) -> sympy.Expr:
    """[cond] as the Piecewise the language builds."""
    return sympy.Piecewise((sympy.Integer(1), condition), (sympy.Integer(0), True))


def eps_g(sigma_L: sympy.Expr, sbar2: sympy.Expr, sigma_i: sympy.Expr,
          sym: ObfuscationSymbols = SYMBOLS) -> sympy.Expr:
    """Accuracy loss (Lemma 1, constant 1): kappa (sL^2 + (N-1)/N sbar2 + s_i^2/N)."""
    return sym.kappa * (sigma_L**2 + (sym.N - 1) / sym.N * sbar2 + sigma_i**2 / sym.N)


def eps_p(sigma_L: sympy.Expr, sigma_i: sympy.Expr) -> sympy.Expr:
    """Privacy level (Lemma 2, constant 1): (sigma_L^2 + sigma_i^2)^(-1/2)."""
    return (sigma_L**2 + sigma_i**2) ** sympy.Rational(-1, 2)


def user_utility(sym: ObfuscationSymbols = SYMBOLS) -> sympy.Expr:
    """U_i(sigma_L, sbar2, sigma)."""
    accuracy = sym.A_S * sympy.exp(-eps_g(sym.sigma_L, sym.sbar2, sym.sigma, sym))
    privacy = sym.P_S * (1 - sympy.exp(-eps_p(sym.sigma_L, sym.sigma)))
    return accuracy - privacy - sym.C_S * indicator(sym.sigma > 0)


def learner_utility(sym: ObfuscationSymbols = SYMBOLS) -> sympy.Expr:
    """U_L(sigma_L, sbar2, sigma): at a symmetric profile sigma_i = sigma."""
    accuracy = sym.A_L * sympy.exp(-eps_g(sym.sigma_L, sym.sbar2, sym.sigma, sym))
    return accuracy - sym.C_L * indicator(sym.sigma_L > 0)


def symmetric_field(sym: ObfuscationSymbols = SYMBOLS) -> sympy.Expr:
    """sbar2 when every user plays sigma: (N - 1)/N * sigma^2 (the paper's 1/N)."""
    return (sym.N - 1) / sym.N * sym.sigma**2


def accuracy_and_cost(sigma_L: sympy.Expr, sbar2: sympy.Expr,
                      sym: ObfuscationSymbols = SYMBOLS) -> sympy.Expr:
    """Lemma 3's AC(sigma_L, sbar) = A_S exp(-eps_g(sigma_L, sbar, 0)) + C_S."""
    return sym.A_S * sympy.exp(-eps_g(sigma_L, sbar2, 0, sym)) + sym.C_S


def privacy_loss(sigma_L: sympy.Expr, sym: ObfuscationSymbols = SYMBOLS) -> sympy.Expr:
    """Lemma 3's P(sigma_L) = P_S (1 - exp(-eps_p(sigma_L, 0)))."""
    return sym.P_S * (1 - sympy.exp(-eps_p(sigma_L, 0)))


# --------------------------------------------------------------------------- numbers
def _number(expr: sympy.Expr, params: dict[str, float], sym: ObfuscationSymbols,
            extra: dict | None = None) -> float:
    """expr evaluated at the parameters (and any extra symbol values)."""
    table = {**sym.values(params), **(extra or {})}
    return float(sympy.N(expr.xreplace({k: sympy.Float(v) for k, v in table.items()})))


def _ac_p(params: dict[str, float], sigma_L: float, sbar2: float,
          sym: ObfuscationSymbols = SYMBOLS) -> tuple[float, float]:
    """(AC, P) as floats; P(0) = P_S (no noise: eps_p infinite, full privacy loss)."""
    ac = _number(accuracy_and_cost(sym.sigma_L, sym.sbar2, sym), params, sym,
                 {sym.sigma_L: sigma_L, sym.sbar2: sbar2})
    p = params["P_S"] * (1.0 - math.exp(-1.0 / sigma_L)) if sigma_L > 0 else params["P_S"]
    return ac, p


@functools.lru_cache(maxsize=8)
def _user_function(sym: ObfuscationSymbols) -> Callable:
    arguments = (sym.sigma, sym.sbar2, sym.sigma_L, *(getattr(sym, p) for p in PARAMETERS))
    return sympy.lambdify(arguments, user_utility(sym), "numpy")


def user_payoff(params: dict[str, float], sigma_L: float, sbar2: float, sigma: float,
                sym: ObfuscationSymbols = SYMBOLS) -> float:
    """U_i at one point (NumPy; U(0) with sigma_L = 0 is A_S exp(-eps_g) - P_S)."""
    with np.errstate(all="ignore"):
        value = _user_function(sym)(np.float64(sigma), np.float64(sbar2),
                                    np.float64(sigma_L),
                                    *(np.float64(params[p]) for p in PARAMETERS))
    return float(value)


# --------------------------------------------------------------------------- the paper
def lemma3_best_response(params: dict[str, float], sigma_L: float, sbar2: float,
                         sym: ObfuscationSymbols = SYMBOLS) -> BestResponse:
    """The paper's bang-bang BR: 0 if P < AC, M if P > AC, [0, M] if equal."""
    ac, p = _ac_p(params, sigma_L, sbar2, sym)
    big = params["M"]
    if math.isclose(p, ac, rel_tol=1e-12, abs_tol=1e-12):
        return BestResponse((), ((0.0, big),), user_payoff(params, sigma_L, sbar2, 0.0, sym))
    point = big if p > ac else 0.0
    return BestResponse((point,), (), user_payoff(params, sigma_L, sbar2, point, sym))


def theorem1_gamma(params: dict[str, float], sigma_L: float,
                   sym: ObfuscationSymbols = SYMBOLS) -> float:
    """Gamma(sigma_L) = M [P(sigma_L) > AC(sigma_L, 0)] (after the paper's selection)."""
    ac, p = _ac_p(params, sigma_L, 0.0, sym)
    return params["M"] if p > ac else 0.0


def lemma4_applies(params: dict[str, float]) -> bool:
    """Lemma 4's condition for the status quo: P_S - C_S < A_S."""
    return params["P_S"] - params["C_S"] < params["A_S"]


def _log_ratio(params: dict[str, float]) -> float:
    p_s, c_s = params["P_S"], params["C_S"]
    if not 0 < c_s < p_s:
        raise SpecError("tau_hat needs 0 < C_S < P_S")
    return math.log(p_s / (p_s - c_s))


def tau_hat_paper(params: dict[str, float]) -> float:
    """The paper's tau_hat: tau_hat^2 = 1 / ln(P_S/(P_S - C_S))."""
    return math.sqrt(1.0 / _log_ratio(params))


def tau_hat_corrected(params: dict[str, float]) -> float:
    """tau_hat from P_S (1 - exp(-1/tau)) = C_S with eps_p = 1/sigma:
    tau_hat = 1 / ln(P_S/(P_S - C_S))."""
    return 1.0 / _log_ratio(params)


def tau_equation(sym: ObfuscationSymbols = SYMBOLS) -> sympy.Eq:
    """The exact threshold: P(tau) = AC(tau, 0), i.e.
    P_S (1 - exp(-1/tau)) = A_S exp(-kappa tau^2) + C_S (transcendental: no closed form;
    dropping A_S exp(-kappa tau^2) gives the corrected tau_hat)."""
    return sympy.Eq(sym.P_S * (1 - sympy.exp(-1 / TAU)), accuracy_and_cost(TAU, 0, sym))


def tau_exact(params: dict[str, float], sym: ObfuscationSymbols = SYMBOLS) -> tuple[float, ...]:
    """Every root in (0, M] of P(tau) - AC(tau, 0), bracketed on a grid and refined."""
    equation = tau_equation(sym)
    gap = (equation.lhs - equation.rhs).xreplace(
        {k: sympy.Float(v) for k, v in sym.values(params).items()})
    fn = sympy.lambdify(TAU, gap, "numpy")
    grid = sample_grid(0.0, params["M"], 2001)[1:]
    with np.errstate(all="ignore"):
        values = fn(grid)
    k = np.nonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)[0]
    roots = [optimize.brentq(fn, grid[i], grid[i + 1], xtol=1e-14) for i in k]
    roots += [float(g) for g in grid[values == 0]]
    return tuple(sorted(roots))


def kappa_threshold(params: dict[str, float], variant: str = "paper") -> float:
    """Theorem 2's threshold on kappa: the leader promises tau iff kappa tau^2 <
    ln(A_L/C_L). paper: ln(A_L/C_L) ln(P_S/(P_S-C_S)); corrected: ... ln(...)^2;
    exact_tau: ln(A_L/C_L) / tau^2 with tau the smallest root of P = AC."""
    log_gain = math.log(params["A_L"] / params["C_L"])
    return log_gain / _promise(params, variant) ** 2


def _promise(params: dict[str, float], variant: str) -> float:
    if variant == "paper":
        return tau_hat_paper(params)
    if variant == "corrected":
        return tau_hat_corrected(params)
    if variant == "exact_tau":
        roots = tau_exact(params)
        if not roots:
            raise SolverError("P(tau) = AC(tau, 0) has no root in (0, M]")
        return roots[0]
    raise SpecError(f"unknown variant {variant!r}", hint=f"use one of {', '.join(VARIANTS)}")


def paper_learner_value(params: dict[str, float], sigma_L: float,
                        variant: str = "paper") -> float:
    """Theorem 2's approximation of U_L(sigma_L, Gamma(sigma_L)): 0 at sigma_L = 0
    (users at M), -C_L below tau_hat, A_L exp(-kappa sigma_L^2) - C_L from tau_hat on."""
    if sigma_L <= 0:
        return 0.0
    if sigma_L < _promise(params, variant):
        return -params["C_L"]
    return params["A_L"] * math.exp(-params["kappa"] * sigma_L**2) - params["C_L"]


@dataclass(frozen=True)
class RegimePrediction:
    """Table I: regime (1, 2 or 3; 0 = none of Table I's), sigma_L and the users' sigma."""

    variant: str
    regime: int
    sigma_L: float
    users: float
    kappa_threshold: float | None


def closed_form_regime(params: dict[str, float], variant: str = "paper") -> RegimePrediction:
    """Table I's prediction at one parameter point, with the chosen tau (variant)."""
    if lemma4_applies(params):
        return RegimePrediction(variant, 1, 0.0, 0.0, None)
    threshold = kappa_threshold(params, variant)
    if params["kappa"] > threshold:
        return RegimePrediction(variant, 2, 0.0, params["M"], threshold)
    return RegimePrediction(variant, 3, _promise(params, variant), 0.0, threshold)


# --------------------------------------------------------------------------- exact solve
@dataclass(frozen=True)
class ExactSolution:
    """The bi-level equilibrium found by the engine (no assumed best-response shape)."""

    regime: int
    sigma_L: float
    users: float
    sbar2: float
    learner_value: float
    user_value: float
    leader: LeaderResult


def population_follower(params: dict[str, float], sym: ObfuscationSymbols = SYMBOLS, *,
                        population_grid: int = 101, br_grid: int = 301,
                        tol: float = 1e-7) -> PopulationFollower:
    """Gamma(sigma_L): the users' selected symmetric equilibrium (highest user payoff)."""
    br_map = BestResponseMap(user_utility(sym), sym.sigma, 0, params["M"], sym.values(params),
                             (sym.sbar2, sym.sigma_L), grid=br_grid)
    field = symmetric_field(sym).xreplace({sym.N: sympy.Float(params["N"])})
    return PopulationFollower(br_map, field=sym.sbar2, leader_var=sym.sigma_L, aggregate=field,
                              selection="payoff", grid=population_grid, tol=tol)


def exact_regime(sigma_L: float, users: float, big: float) -> int:
    """Table I's label for an exact answer (0: users and learner both add noise)."""
    promises = sigma_L > 1e-9 * big
    obfuscate = users > 1e-9 * big
    if not promises:
        return 2 if obfuscate else 1
    return 0 if obfuscate else 3


def solve_exact(params: dict[str, float], sym: ObfuscationSymbols = SYMBOLS, *,
                leader_grid: int = 61, population_grid: int = 101, br_grid: int = 301,
                tol: float = 1e-7) -> ExactSolution:
    """The leader's optimum against the users' mean-field equilibrium, by the engine."""
    follower = population_follower(params, sym, population_grid=population_grid,
                                   br_grid=br_grid, tol=tol)
    lead = solve_leader(learner_utility(sym), follower, 0.0, params["M"],
                        leader_var=sym.sigma_L, params=sym.values(params), grid=leader_grid,
                        tol=tol)
    users = lead.follower.values[sym.sigma]
    sbar2 = lead.follower.values[sym.sbar2]
    user_value = follower.br_map.value(users, {sym.sbar2: sbar2, sym.sigma_L: lead.x})
    return ExactSolution(exact_regime(lead.x, users, params["M"]), lead.x, users, sbar2,
                         lead.value, user_value, lead)


@dataclass(frozen=True)
class RegimeComparison:
    """One parameter point: the paper's closed forms beside the exact solution."""

    params: dict[str, Any]
    predictions: dict[str, RegimePrediction]
    exact: ExactSolution

    def agrees(self, variant: str = "paper") -> bool:
        """Same Table I regime as the exact solution."""
        return self.predictions[variant].regime == self.exact.regime


def compare_regimes(params: dict[str, float], sym: ObfuscationSymbols = SYMBOLS,
                    **solver: Any) -> RegimeComparison:
    """Paper, corrected and exact-tau predictions beside the exact solve (for sweeps)."""
    predictions = {}
    for variant in VARIANTS:
        try:
            predictions[variant] = closed_form_regime(params, variant)
        except SolverError:
            predictions[variant] = RegimePrediction(variant, 0, math.nan, math.nan, None)
    return RegimeComparison(dict(params), predictions, solve_exact(params, sym, **solver))


__all__ = [
    "PARAMETERS", "SYMBOLS", "TAU", "VARIANTS", "WORKED_EXAMPLE", "ExactSolution",
    "ObfuscationSymbols", "RegimeComparison", "RegimePrediction", "accuracy_and_cost",
    "closed_form_regime", "compare_regimes", "eps_g", "eps_p", "exact_regime", "indicator",
    "kappa_threshold", "learner_utility", "lemma3_best_response", "lemma4_applies",
    "paper_learner_value",
    "population_follower", "privacy_loss", "solve_exact", "symmetric_field",
    "tau_equation", "tau_exact", "tau_hat_corrected", "tau_hat_paper", "theorem1_gamma",
    "user_payoff", "user_utility",
]
