"""Logit quantal response equilibria (McKelvey & Palfrey 1995) and the Nash equilibrium at
the limit of their principal branch, for finite games with any number of agents.

The principal branch starts at the uniform profile at lambda = 0 and, for a generic game,
converges to one Nash equilibrium as lambda -> infinity. It is traced as Turocy (2005)
and Gambit's `logit` do: the unknowns are the log-probabilities x and lambda, the equations

    sum_j exp(x_kj) = 1,    x_kj - x_k0 = lambda * (u_kj - u_k0)    (j >= 1)

for every agent k (u_kj: agent k's payoff of pure strategy j against the others' mix), and
an arc-length predictor-corrector follows the curve they define, so turning points in
lambda are passed. The Jacobian is analytic: d u_kj / d x_ml = p_ml * U_km[j, l], where
U_km is agent k's payoff of each pair of pure strategies of k and m against the others.

`limit_equilibrium` reads the support from the traced limit and polishes the profile by
Newton's method on that support's indifference system; it certifies the answer by
`max_regret`, computed independently of the tracing, or raises LimitNotCertified.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from gamespec.errors import SolverError
from gamespec.solvers.finite.mixed_equilibrium import (
    MixedEquilibrium,
    deviation_payoffs,
    max_regret,
    regret_tolerance,
)

FIRST_STEP = 0.03
MAX_ACCEL = 1.5
MAX_STEPS = 20_000
_MAX_DIST = 0.2        # the largest first corrector step, componentwise relative
_MAX_CONTRACTION = 0.5  # the largest ratio of successive corrector steps
_MIN_COS = 0.8          # successive tangents may turn by at most ~37 degrees
_MIN_STEP = 1e-11
_BIFURCATION_STEP = 1e-6
_NEWTON_TOL = 1e-11
_QRE_RESIDUAL_TOL = 1e-8


@dataclass
class LogitPath:
    """The accepted points of the principal branch: lambdas[i] and profiles[i] (one
    probability vector per agent), in the order traced (lambda may turn back)."""

    lambdas: list[float] = field(default_factory=list)
    profiles: list[tuple[np.ndarray, ...]] = field(default_factory=list)

    def as_series(self) -> dict[int, dict[int, tuple[list[float], list[float]]]]:
        """{agent: {strategy: (lambdas, probabilities)}} as plain lists, for plotting."""
        if not self.profiles:
            return {}
        lams = [float(v) for v in self.lambdas]
        return {
            k: {j: (list(lams), [float(p[k][j]) for p in self.profiles])
                for j in range(len(self.profiles[0][k]))}
            for k in range(len(self.profiles[0]))
        }


class LimitNotCertified(SolverError):
    """The traced limit could not be polished into a certified equilibrium.

    strategies: the best profile found (the traced one); regret: its max_regret;
    lam: the lambda where tracing stopped."""

    def __init__(self, message: str, strategies: tuple[np.ndarray, ...], regret: float,
                 lam: float) -> None:
        super().__init__(message, hint="the answer is an approximation, not certified")
        self.strategies = strategies
        self.regret = regret
        self.lam = lam


def pair_payoffs(payoffs: np.ndarray, probs) -> tuple[list[np.ndarray], dict]:
    """Deviation payoffs u[k] and, for k != m, U[k, m][j, l]: agent k's payoff when k plays
    j and m plays l and the rest mix (the derivative of u[k] in m's probabilities)."""
    n = len(probs)
    cross: dict[tuple[int, int], np.ndarray] = {}
    for k in range(n):
        for m in range(n):
            if m == k:
                continue
            u = payoffs[k]
            for j in reversed(range(n)):  # last axes first, so lower positions hold
                if j != k and j != m:
                    u = np.tensordot(u, probs[j], axes=([j], [0]))
            cross[k, m] = u if k < m else u.T
    if n == 1:
        return [np.asarray(payoffs[0], dtype=float)], cross
    dev = [cross[k, (k + 1) % n] @ probs[(k + 1) % n] for k in range(n)]
    return dev, cross


def qre_residual(payoffs: np.ndarray, lam: float, strategies) -> float:
    """max |p - softmax(lam * deviation payoffs)| over every agent and strategy."""
    worst = 0.0
    for u, p in zip(deviation_payoffs(payoffs, strategies), strategies):
        z = lam * (u - np.max(u))
        response = np.exp(z) / np.sum(np.exp(z))
        worst = max(worst, float(np.max(np.abs(np.asarray(p, dtype=float) - response))))
    return worst


class _Branch:
    """The equations H(x, lambda) = 0 of the principal branch and their Jacobian."""

    def __init__(self, payoffs: np.ndarray) -> None:
        self.payoffs = payoffs
        self.sizes = payoffs.shape[1:]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int)
        self.dim = int(self.offsets[-1]) + 1  # unknowns: every x_kj and lambda
        self.scale = float(np.max(np.abs(payoffs), initial=0.0))

    def start(self) -> np.ndarray:
        x = np.concatenate([np.full(s, -np.log(s)) for s in self.sizes])
        return np.append(x, 0.0)

    def profile(self, y: np.ndarray) -> tuple[np.ndarray, ...]:
        o = self.offsets
        return tuple(np.exp(y[o[k]:o[k + 1]]) for k in range(len(self.sizes)))

    def system(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """H(y) (dim - 1 values) and its Jacobian (dim - 1 x dim)."""
        o, lam = self.offsets, y[-1]
        probs = self.profile(y)
        dev, cross = pair_payoffs(self.payoffs, probs)
        h = np.empty(self.dim - 1)
        jac = np.zeros((self.dim - 1, self.dim))
        for k, (a, b) in enumerate(zip(o[:-1], o[1:])):
            x, u = y[a:b], dev[k]
            h[a] = probs[k].sum() - 1.0
            jac[a, a:b] = probs[k]
            h[a + 1:b] = x[1:] - x[0] - lam * (u[1:] - u[0])
            jac[a + 1:b, a + 1:b] = np.eye(b - a - 1)
            jac[a + 1:b, a] = -1.0
            jac[a + 1:b, -1] = -(u[1:] - u[0])
            for m in range(len(self.sizes)):
                if m != k:
                    c = cross[k, m]
                    jac[a + 1:b, o[m]:o[m + 1]] = -lam * (c[1:] - c[0]) * probs[m][None, :]
        return h, jac


def _tangent(jac: np.ndarray, orientation: float) -> tuple[np.ndarray, float]:
    """The unit null vector of jac, signed so det([jac; t]) has the given sign."""
    q, _ = np.linalg.qr(jac.T, mode="complete")
    t = q[:, -1]
    sign = np.sign(np.linalg.det(np.vstack([jac, t])))
    if orientation == 0.0:  # the start: lambda increases
        return (t if t[-1] > 0 else -t), (sign if t[-1] > 0 else -sign)
    return (t if sign == orientation else -t), orientation


def _correct(branch: _Branch, y: np.ndarray, t: np.ndarray, fixed_lambda: bool):
    """Newton's method back onto the curve: on the hyperplane through y normal to t, or
    at y's lambda when fixed_lambda. Returns (y, h, jac) or None if it does not contract."""
    previous = None
    # lambda * u carries rounding error, so x can be found only to about eps * lambda * |u|
    floor = max(_NEWTON_TOL, 64 * np.finfo(float).eps * (1.0 + abs(y[-1]) * branch.scale))
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(12):
            h, jac = branch.system(y)
            if not (np.all(np.isfinite(h)) and np.all(np.isfinite(jac))):
                return None
            try:
                if fixed_lambda:
                    step = np.append(np.linalg.solve(jac[:, :-1], -h), 0.0)
                else:
                    step = np.linalg.solve(np.vstack([jac, t]), np.append(-h, 0.0))
            except np.linalg.LinAlgError:
                return None
            dist = float(np.max(np.abs(step) / (1.0 + np.abs(y))))
            if previous is None and dist > _MAX_DIST:
                return None
            if previous is not None and dist > _MAX_CONTRACTION * previous and dist > floor:
                return None
            y = y + step
            if dist <= floor:
                h, jac = branch.system(y)
                return y, h, jac
            previous = dist
    return None


_JUMPS = (1e-3, 1e-2, 0.05, 0.2)  # lambda steps (relative to max(1, lambda)) to try


def _jump(branch: _Branch, y: np.ndarray, t: np.ndarray, max_lambda: float | None):
    """Across a point where the branch's Jacobian is singular (a pitchfork: a symmetric
    game's branch meets the branches that break its symmetry), by a step in lambda alone:
    Newton at the larger lambda from the last point, which stays on the branch that was
    being followed because that branch's solution is isolated on either side. Returns
    (y, jac) or None."""
    lam = float(y[-1])
    for share in _JUMPS:
        target = lam + share * max(1.0, lam)
        if max_lambda is not None:
            target = min(target, max_lambda)
        guess = y.copy()
        guess[-1] = target
        corrected = _correct(branch, guess, t, fixed_lambda=True)
        if corrected is None:
            continue
        y_new, _, jac = corrected
        moved = max(float(np.max(np.abs(a - b))) for a, b in
                    zip(branch.profile(y_new), branch.profile(y)))
        if moved <= 0.1 + share:  # continuity: not a jump to another branch
            return y_new, jac
    return None


def _trace(payoffs: np.ndarray, stop, step: float, max_lambda: float | None):
    """Follow the principal branch, yielding (lambda, profile) at each accepted point;
    stop(lam, profile) ends the walk. The walk ends exactly at max_lambda if given."""
    branch = _Branch(payoffs)
    y = branch.start()
    _, jac = branch.system(y)
    t, orientation = _tangent(jac, 0.0)
    yield 0.0, branch.profile(y)
    if (max_lambda is not None and max_lambda <= 0.0) or stop(0.0, branch.profile(y)):
        return
    size = step
    for _ in range(MAX_STEPS):
        if size < _MIN_STEP:
            jumped = _jump(branch, y, t, max_lambda)
            if jumped is None:
                raise SolverError(f"the logit path could not be followed past lambda = "
                                  f"{y[-1]:g} (the step size fell below its minimum)")
            y, jac = jumped
            t, orientation = _tangent(jac, 0.0)  # onwards with lambda increasing
            size = step
            profile = branch.profile(y)
            yield float(y[-1]), profile
            if (max_lambda is not None and y[-1] >= max_lambda) or stop(float(y[-1]), profile):
                return
            continue
        corrected = _correct(branch, y + size * t, t, fixed_lambda=False)
        if corrected is None:
            size /= 2.0
            continue
        y_new, _, jac_new = corrected
        t_new, _ = _tangent(jac_new, orientation)
        if float(t_new @ t) <= -_MIN_COS and size < _BIFURCATION_STEP:
            # a reversal that persists for a tiny step: det changed sign because a simple
            # bifurcation point was crossed; keep to the same smooth branch. (A larger step
            # may instead have jumped over a fold: it is halved like any other failure.)
            orientation, t_new = -orientation, -t_new
        if float(t_new @ t) < _MIN_COS:
            size /= 2.0
            continue
        if max_lambda is not None and y_new[-1] >= max_lambda:
            share = (max_lambda - y[-1]) / (y_new[-1] - y[-1])
            guess = y + share * (y_new - y)
            guess[-1] = max_lambda
            final = _correct(branch, guess, t, fixed_lambda=True)
            if final is None:
                size /= 2.0
                continue
            yield float(max_lambda), branch.profile(final[0])
            return
        y, t = y_new, t_new
        size *= MAX_ACCEL
        profile = branch.profile(y)
        yield float(y[-1]), profile
        if stop(float(y[-1]), profile):
            return
    raise SolverError(f"the logit path did not converge in {MAX_STEPS} steps "
                      f"(lambda reached {y[-1]:g})")


def _check_payoffs(payoffs) -> np.ndarray:
    u = np.asarray(payoffs, dtype=float)
    if u.ndim < 2 or u.shape[0] != u.ndim - 1 or min(u.shape[1:]) < 1:
        raise SolverError(f"a payoff tensor must have shape (n, S1..Sn); got {u.shape}")
    if not np.all(np.isfinite(u)):
        raise SolverError("the payoffs must be finite numbers")
    return u


def _payoff_range(u: np.ndarray) -> float:
    spread = float(np.max(u) - np.min(u))
    return spread if spread > 0 else 1.0


class _RegretSettled:
    """True once two successive points have regret <= tol x the payoff range."""

    def __init__(self, payoffs: np.ndarray, tol: float) -> None:
        self.payoffs, self.limit, self.below = payoffs, tol * _payoff_range(payoffs), 0

    def __call__(self, lam: float, profile) -> bool:
        self.below = self.below + 1 if max_regret(self.payoffs, profile) <= self.limit else 0
        return self.below >= 2


def logit_path(payoffs, max_lambda: float | None = None, step: float = FIRST_STEP,
               tol: float = 1e-8) -> LogitPath:
    """The principal branch from lambda = 0 (the uniform profile) up to max_lambda (the
    first time the branch reaches it), or, when max_lambda is None, until the regret of
    the profile is at most tol x the payoff range at two successive points. Raises
    SolverError if the branch cannot be followed (the step size collapses)."""
    u = _check_payoffs(payoffs)
    if step <= 0 or tol <= 0:
        raise SolverError("the logit path needs a positive first step and tolerance")
    path = LogitPath()
    stop = (lambda lam, p: False) if max_lambda is not None else _RegretSettled(u, tol)
    for lam, profile in _trace(u, stop, step, max_lambda):
        path.lambdas.append(lam)
        path.profiles.append(profile)
    return path


def logit_qre(payoffs, lam: float) -> tuple[np.ndarray, ...]:
    """The logit QRE at lam on the principal branch, checked by its fixed-point residual."""
    u = _check_payoffs(payoffs)
    if not np.isfinite(lam) or lam < 0:
        raise SolverError(f"lambda must be a finite number >= 0; got {lam}")
    profile = logit_path(u, max_lambda=lam).profiles[-1]
    residual = qre_residual(u, lam, profile)
    if residual > _QRE_RESIDUAL_TOL:
        raise SolverError(f"the logit QRE at lambda = {lam:g} has fixed-point residual "
                          f"{residual:.3g}")
    return profile


def _polish(payoffs: np.ndarray, start, support, responses):
    """Newton's method (least squares) on the indifference system: every strategy in
    responses[k] earns what support[k][0] earns and support[k]'s probabilities sum to 1,
    off-support probabilities held at 0. Returns (profile, determined), determined being
    False when the system leaves a continuum of solutions (the answer then depends on the
    start); None unless the residual vanishes and the probabilities are nonnegative."""
    n = len(start)
    probs = [np.where(np.isin(np.arange(len(p)), s), p, 0.0) for p, s in zip(start, support)]
    probs = [p / p.sum() for p in probs]
    sizes = [len(s) for s in support]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    others = [[j for j in responses[k] if j != support[k][0]] for k in range(n)]
    residual = np.inf
    for _ in range(60):
        dev, cross = pair_payoffs(payoffs, probs)
        rows, resid = [], []
        for k in range(n):
            base, eqs = support[k][0], others[k]
            block = np.zeros((1 + len(eqs), offsets[-1]))
            block[0, offsets[k]:offsets[k + 1]] = 1.0
            resid.append(np.concatenate([[probs[k].sum() - 1.0], dev[k][eqs] - dev[k][base]]))
            for m in range(n):
                if m != k and eqs:
                    c = cross[k, m][:, list(support[m])]
                    block[1:, offsets[m]:offsets[m + 1]] = c[eqs] - c[base]
            rows.append(block)
        jac, r = np.vstack(rows), np.concatenate(resid)
        residual = float(np.max(np.abs(r)))
        delta = np.linalg.lstsq(jac, -r, rcond=None)[0]
        if np.max(np.abs(delta), initial=0.0) < 1e-15:
            break
        for k in range(n):
            probs[k] = probs[k].copy()
            probs[k][list(support[k])] += delta[offsets[k]:offsets[k + 1]]
    scale = max(1.0, float(np.max(np.abs(payoffs))))
    if residual > 1e-12 * scale or min(float(np.min(p)) for p in probs) < -1e-12:
        return None
    determined = np.linalg.matrix_rank(jac) == jac.shape[1]
    return tuple(np.clip(p, 0.0, None) / np.clip(p, 0.0, None).sum() for p in probs), determined


def _candidates(payoffs: np.ndarray, profile):
    """(support, best responses) pairs to polish, most informative first: the support is
    where the traced probabilities are not negligible; the best responses add strategies
    whose payoff is within a small gap of the best, widest gap first (a best response may
    keep probability 0 at the limit, and its indifference then pins the others' mix; a
    strategy that is not one makes the system inconsistent and the polish refuses it)."""
    spread = _payoff_range(payoffs)
    dev = deviation_payoffs(payoffs, profile)
    seen = []
    for cut in (1e-4, 1e-6, 1e-8, 1e-3, 1e-2):
        support = tuple(tuple(int(i) for i in np.flatnonzero(p > cut)) for p in profile)
        if not all(support):
            continue
        for gap in (1e-2, 1e-3, 1e-4, 0.0):
            responses = tuple(
                tuple(sorted(set(s) | {int(i) for i in
                                       np.flatnonzero(u >= u.max() - gap * spread)}))
                for s, u in zip(support, dev))
            if (support, responses) not in seen:
                seen.append((support, responses))
    return seen


def _last(points):
    return deque(points, maxlen=1)[0]


PERTURBED = "traced on a generically perturbed game (the branch bifurcates)"
PERTURBATION = 1e-6  # relative size of the generic perturbation traced past a bifurcation


def perturbed(payoffs: np.ndarray, seed: int = 0) -> np.ndarray:
    """The payoffs plus a tiny seeded random perturbation (PERTURBATION x their range): a
    generic game whose principal branch has no bifurcation, as symmetric games' may."""
    rng = np.random.default_rng(seed)
    return payoffs + PERTURBATION * _payoff_range(payoffs) * rng.standard_normal(payoffs.shape)


def _traced_limit(u: np.ndarray, tol: float, step: float):
    """(lambda, profile) where the principal branch settles; past a bifurcation point (a
    symmetric game's branch may split and the tracer cannot choose), the branch of a
    perturbed game is traced instead: its limit is polished on the original game."""
    try:
        return (*_last(_trace(u, _RegretSettled(u, tol), step, None)), "")
    except SolverError:
        v = perturbed(u)
        return (*_last(_trace(v, _RegretSettled(v, tol), step, None)), PERTURBED)


def limit_equilibrium(payoffs, step: float = FIRST_STEP,
                      tolerances: tuple[float, ...] = (1e-6, 1e-8)) -> MixedEquilibrium:
    """The Nash equilibrium at the limit of the principal branch, certified.

    Traces until the regret is at most tol x the payoff range (each tol of `tolerances` in
    turn), reads candidate supports from the profile, polishes each by Newton's method and
    returns the first whose max_regret is within regret_tolerance and that stays near the
    traced profile. In a degenerate game whose limit lies in a continuum of equilibria the
    polished point is the one nearest the tightest trace (within ~tol of the limit), not
    the limit itself. Returns the traced profile if no support polishes but its regret is
    within regret_tolerance. Raises LimitNotCertified (a SolverError carrying the traced profile
    and its regret) when no support polishes.
    """
    u = _check_payoffs(payoffs)
    accept = regret_tolerance(u)
    lam, profile, fallback, how = 0.0, None, None, ""
    for tol in tolerances:
        lam, profile, how = _traced_limit(u, tol, step)
        for support, responses in _candidates(u, profile):
            result = _polish(u, profile, support, responses)
            if result is None or max_regret(u, result[0]) > accept:
                continue
            polished, determined = result
            drift = max(float(np.max(np.abs(a - b))) for a, b in zip(polished, profile))
            if drift > 1e-3:
                continue
            if determined:
                return MixedEquilibrium(polished, how=how)
            fallback = polished  # one of a continuum: a tighter trace starts nearer the limit
            break
    if fallback is not None:
        return MixedEquilibrium(fallback, how=how)
    regret = max_regret(u, profile)
    if regret <= accept:
        return MixedEquilibrium(profile, how=how)
    raise LimitNotCertified(
        f"the logit limit could not be polished: the traced profile at lambda = {lam:g} "
        f"has max regret {regret:.3g} (tolerance {accept:.3g})", profile, regret, lam)
