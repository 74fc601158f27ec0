"""General-sum Stackelberg games from the Model: a leader commits to a mixed strategy over a
finite set; the follower (possibly of private types with a prior) best-responds with a
pure choice. Strong Stackelberg equilibrium by multiple LPs (Conitzer & Sandholm 2006) or
DOBSS as a MILP (Paruchuri et al. 2008), both on HiGHS (solvers/stackelberg/bayesian.py).

The payoff matrices are evaluated in bulk: the leader's strategy is bound to all its pure
strategies at once (point masses along one axis), each follower type's choice along its own
axis. The leader's payoff must be additive over the follower's types (as an expectation
over types is); that is checked, not assumed.
"""
from __future__ import annotations

import numpy as np

from gamespec.analysis import Classification
from gamespec.errors import SolverError
from gamespec.evaluate import LArray, Table, evaluate
from gamespec.evaluation_context import base_context
from gamespec.model import FiniteSet, Model, Strategy
from gamespec.result import Certificate, Result, Status
from gamespec.solvers.options import SolverOption
from gamespec.solvers.registry import Refusal, SolverEntry

LEADER_AXIS = "@leader"
MAX_TYPE_PROFILES = 4096


def _roles(model: Model):
    leader = model.players[model.order[0][0]]
    follower = model.players[model.order[1][0]]
    return leader, follower


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    if len(model.players) != 2 or not model.order_declared or len(model.order) != 2:
        return False, "needs a leader -> follower order between two players"
    if not cls.finite or cls.dynamic:
        return False, "needs finite strategy sets"
    leader, follower = _roles(model)
    if len(leader.strategies) != 1 or leader.strategies[0].kind == "interval" \
            or leader.strategies[0].condition_sets:
        return False, "the leader needs one unconditioned mixed strategy or finite choice"
    if len(follower.strategies) != 1 or follower.kind != "single":
        return False, "the follower needs one strategy"
    s = follower.strategies[0]
    if s.kind == "interval":
        return False, "the follower's strategy must be finite"
    if s.condition_sets:
        if follower.types is None or s.condition_sets[0].elements != follower.types[1].elements:
            return False, Refusal("a conditioned follower strategy must be conditioned on its "
                                  "types", follower.span)
    elif follower.types is not None:
        var, types, _ = follower.types
        return False, Refusal(
            f"`{follower.name}` has types but one choice for all of them: a typed follower "
            f"chooses per type (`choose {s.name}[{var} in {types.name}] in ...`)", follower.span)
    if model.free_params():
        return False, "parameters without values: " + ", ".join(model.free_params())
    n_types = len(follower.types[1]) if follower.types else 1
    if len(s.domain) ** n_types > MAX_TYPE_PROFILES:
        return False, Refusal(f"{len(s.domain)}^{n_types} type-response profiles are too many "
                              f"to tabulate (at most {MAX_TYPE_PROFILES:,})", follower.span)
    return True, ""


def payoff_tensors(model: Model):
    """prior[t], L[t, m, n], F[t, m, n] for leader pure m and follower type t's action n."""
    leader, follower = _roles(model)
    x: Strategy = leader.strategies[0]
    a: Strategy = follower.strategies[0]
    ctx = base_context(model)
    n_m, n_n = len(x.domain), len(a.domain)
    if x.kind == "mixed":
        ctx.tables[x.name] = Table(np.eye(n_m), (x.domain,), (LEADER_AXIS,))
    else:  # a pure choice: the leader commits to a mixture over its choices
        ctx.scalars[x.symbol] = LArray(x.domain.values(), (LEADER_AXIS,))
    types: FiniteSet = follower.types[1] if follower.types else FiniteSet("_one", (0,), None)
    n_t = len(types)
    if n_n ** n_t > MAX_TYPE_PROFILES:
        raise SolverError(f"{n_n}^{n_t} type-response profiles are too many to tabulate")
    axes = tuple(f"@type{k}" for k in range(n_t))
    values = a.domain.values()
    _bind_follower(ctx, a, values, n_t, axes)
    # the leader's payoff over (m, n_1, ..., n_T), then split into per-type parts
    total = evaluate(model.expand_lets(model.payoff_of(leader.name)), ctx)
    full = _align(total, (LEADER_AXIS,) + axes, (n_m,) + (n_n,) * n_t)
    base = full[(slice(None),) + (0,) * n_t]
    parts = []
    for k in range(n_t):
        index = [slice(None)] + [0] * n_t
        index[k + 1] = slice(None)
        parts.append(full[tuple(index)] - base[:, None])
    rebuilt = base.reshape((n_m,) + (1,) * n_t) + sum(
        p.reshape((n_m,) + tuple(n_n if j == k else 1 for j in range(n_t)))
        for k, p in enumerate(parts))
    if np.max(np.abs(rebuilt - full), initial=0.0) > 1e-9 * max(1.0, np.max(np.abs(full))):
        raise SolverError("the leader's payoff is not additive over the follower's types",
                          hint="write it as an expectation: sum over types of prior * payoff",
                          span=model.payoffs[leader.name].span
                          if leader.name in model.payoffs else None)
    prior = _prior(model, follower, types, ctx)
    if np.any(prior <= 0):
        raise SolverError("every follower type needs a positive prior probability",
                          span=follower.span)
    L = np.stack([(parts[k] + base[:, None] / n_t) / prior[k] for k in range(n_t)])
    F = _follower_payoffs(model, follower, a, types, ctx, axes, n_m, n_n)
    return prior, L, F


def _bind_follower(ctx, a: Strategy, values, n_t: int, axes) -> None:
    n_n = len(values)
    if a.kind == "mixed":
        shape = (n_t,) if a.condition_sets else ()
        eye = np.eye(n_n)
        if a.condition_sets:
            arr = np.zeros((n_t, n_n) + (n_n,) * n_t)
            for k in range(n_t):
                view = eye.reshape((n_n,) + tuple(n_n if j == k else 1 for j in range(n_t)))
                arr[k] = np.broadcast_to(view, (n_n,) + (n_n,) * n_t)
            ctx.tables[a.name] = Table(arr, tuple(a.condition_sets) + (a.domain,), axes)
        else:
            ctx.tables[a.name] = Table(eye, (a.domain,), axes[:1])
        del shape
        return
    if a.condition_sets:
        arr = np.empty((n_t,) + (n_n,) * n_t, dtype=values.dtype)
        for k in range(n_t):
            view = values.reshape(tuple(n_n if j == k else 1 for j in range(n_t)))
            arr[k] = np.broadcast_to(view, (n_n,) * n_t)
        ctx.tables[a.name] = Table(arr, tuple(a.condition_sets), axes)
    else:
        ctx.scalars[a.symbol] = LArray(values, axes[:1])


def _align(value: LArray, axes, shape) -> np.ndarray:
    stray = [x for x in value.axes if x not in axes]
    if stray:
        raise SolverError(f"the payoff still depends on `{stray[0]}`")
    return np.broadcast_to(np.asarray(value.aligned(axes), dtype=float), shape).copy()


def _prior(model: Model, follower, types: FiniteSet, ctx) -> np.ndarray:
    if follower.types is None:
        return np.ones(1)
    var, _, prior = follower.types
    inner = ctx.child(index_sets={**ctx.index_sets, var: types})
    value = _align(evaluate(prior, inner), (var.name,), (len(types),))
    if abs(value.sum() - 1) > 1e-9:
        raise SolverError(f"the prior over {types.name} sums to {value.sum():g}, not 1",
                          span=follower.span, hint="make the prior's values add up to 1")
    return value


def _follower_payoffs(model, follower, a: Strategy, types: FiniteSet, ctx, axes, n_m, n_n):
    n_t = len(types)
    payoff = model.payoffs[follower.name]
    F = np.empty((n_t, n_m, n_n))
    if payoff.variables:
        var = payoff.variables[0]
        for k, element in enumerate(types.elements):
            single = FiniteSet(types.name, (element,), types.span)
            inner = ctx.child(index_sets={**ctx.index_sets, var: single})
            value = evaluate(model.expand_lets(payoff.expr), inner)
            if var.name in value.axes:
                pos = value.axes.index(var.name)
                value = LArray(np.take(value.data, 0, axis=pos),
                               value.axes[:pos] + value.axes[pos + 1:])
            full = _align(value, (LEADER_AXIS,) + axes, (n_m,) + (n_n,) * n_t)
            index = [slice(None)] + [0] * n_t
            index[k + 1] = slice(None)
            F[k] = full[tuple(index)]
    else:
        full = _align(evaluate(model.expand_lets(payoff.expr), ctx), (LEADER_AXIS,) + axes,
                      (n_m,) + (n_n,) * n_t)
        for k in range(n_t):
            index = [slice(None)] + [0] * n_t
            index[k + 1] = slice(None)
            F[k] = full[tuple(index)]
    return F


def solve(model: Model, cls: Classification, options: dict) -> Result:
    # the LP stack (highspy, scipy.sparse) is imported by a solve, not by can_solve
    from gamespec.solvers.stackelberg.bayesian import bayesian_stackelberg, strong_stackelberg

    leader, follower = _roles(model)
    prior, L, F = payoff_tensors(model)
    time_limit = options.get("time_limit")
    if len(prior) == 1:
        sol = strong_stackelberg(L[0], F[0], time_limit=time_limit)
    else:
        sol = bayesian_stackelberg(prior, L, F, method=str(options.get("stackelberg", "auto")),
                                   time_limit=time_limit)
    x = leader.strategies[0]
    a = follower.strategies[0]
    types = follower.types[1].elements if follower.types else ("*",)
    strategies = {
        leader.name: {str(e): round(float(p), 12) for e, p in zip(x.domain.elements,
                                                                sol.leader_strategy) if p > 1e-12},
        follower.name: {str(t): str(a.domain.elements[r]) for t, r in zip(types, sol.responses)},
    }
    if not follower.types:
        strategies[follower.name] = strategies[follower.name]["*"]
    values = {leader.name: float(sol.leader_value)}
    for t, v in zip(types, sol.follower_values):
        values[f"{follower.name}[{t}]" if follower.types else follower.name] = float(v)
    cert = sol.certificate
    certificate = Certificate(
        "strong Stackelberg: follower best responses, leader value recomputed, no sampled "
        "commitment better", float(cert.residual), bool(cert.ok),
        float(cert.tolerance), {k: float(v) for k, v in cert.details.items()})
    extra = {"stackelberg_method": sol.method, "candidates": sol.candidates,
             "prior": {str(t): float(p) for t, p in zip(types, prior)}}
    if options.get("figures"):  # what the plots draw (gamespec/plots/)
        from gamespec.solvers.finite.payoff_table_figure import figures_of_finite_game
        from gamespec.solvers.finite.pure_enumeration import pure_equilibria

        extra["figures"] = figures_of_finite_game(model, strategies, pure_equilibria)
    return Result(
        game=model.title, spec=model.path, spec_sha256=model.sha256, method=ENTRY.name,
        status=Status.OPTIMAL if certificate.ok else Status.NOT_CERTIFIED, values=values,
        strategies=strategies, certificate=certificate, extra=extra, covers=ENTRY.covers,
    )


ENTRY = SolverEntry(
    name="stackelberg",
    covers=("one strong Stackelberg equilibrium: the leader commits to a mixed strategy (over "
            "its choices, when it has a `choose`), the follower breaks ties in the leader's "
            "favour; for a pure commitment use backward_induction"),
    summary="general-sum (Bayesian) Stackelberg games: multiple LPs or DOBSS on HiGHS",
    can_solve=can_solve,
    solve=solve,
    options=(
        SolverOption("stackelberg", "str", "auto", "dobss (one MILP), multiple_lps (one LP per "
                     "profile of type responses), or auto (multiple LPs when there are few)",
                     choices=("auto", "dobss", "multiple_lps")),
    ),
)
