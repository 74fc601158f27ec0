"""Finite games in normal form: every pure profile's payoffs as one NumPy tensor.

Each agent (a single player, or one member of a family) gets an axis named `@agent`; its
strategy variables are bound to all of its pure strategies at once and the payoffs are
evaluated in bulk by gamespec.evaluate (no per-profile substitution).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import sympy

from gamespec.errors import SpecError
from gamespec.evaluate import LArray, Table, combine, evaluate
from gamespec.evaluation_context import base_context
from gamespec.model import FiniteSet, Model, Player, Strategy

MAX_PROFILES = 20_000_000
MAX_AGENTS = 30  # one NumPy axis per agent (NumPy allows 32 or 64 in all, by version)
MANY = 10**18  # pure_strategy_count saturates here: "at least this many"


@dataclass(frozen=True)
class NormalForm:
    """agents[k] has pure strategies labels[k]; payoffs[k] is agent k's payoff tensor."""

    agents: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    payoffs: np.ndarray  # shape (n_agents, |S_1|, ..., |S_n|)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.payoffs.shape[1:]


def pure_strategy_count(model: Model) -> int | None:
    """Number of pure profiles, or None if the game is not finite in normal form."""
    total = 1
    for player in model.players.values():
        counts = player_counts(model, player)
        if counts is None:
            return None
        for c in counts:
            total *= c
            if total >= MANY:
                return MANY
    return total


def player_counts(model: Model, player: Player) -> list[int] | None:
    if player.kind == "population":
        return None
    per_member = 1
    for s in player.strategies:
        n = _strategy_count(s)
        if n is None:
            return None
        per_member *= n
    members = len(player.member_set) if player.kind == "family" else 1
    return [per_member] * members


def _strategy_count(s: Strategy) -> int | None:
    if not isinstance(s.domain, FiniteSet):
        return None
    rows = int(np.prod([len(c) for c in s.condition_sets])) if s.condition_sets else 1
    if rows * np.log10(max(len(s.domain), 1)) >= 18:
        return MANY
    return len(s.domain) ** rows


def _player_tensors(model: Model, player, ctx, all_axes, shape) -> list[np.ndarray]:
    """The payoff tensor of the player, or one per member of a family."""
    expr = model.payoff_of(player.name)
    if player.types is not None and player.name in model.payoffs \
            and model.payoffs[player.name].variables:
        return [_full(_expected_over_types(model, player, expr, ctx), all_axes, shape)]
    if player.kind == "family":
        value = _evaluate_family_payoff(model, player, expr, ctx)
        return [_full(_slice_member(value, player, k), all_axes, shape)
                for k in range(len(player.member_set))]
    return [_full(evaluate(expr, ctx), all_axes, shape)]


def agent_count(model: Model) -> int:
    """Single players plus every member of every family."""
    return sum(len(p.member_set) if p.kind == "family" else 1 for p in model.players.values())


def build_normal_form(model: Model, limit: int | None = None) -> NormalForm:
    count = pure_strategy_count(model)
    if count is None:
        raise SpecError("the game is not finite: some strategy is an interval or a population")
    limit = MAX_PROFILES if limit is None else limit  # read now: --limit may have changed it
    if count > limit:
        raise SpecError(
            f"the game has {count:,} pure profiles (limit {limit:,})",
            hint="use a method for large games (e.g. --method brd) or raise the limit with "
                 "--limit pure_profiles=N",
        )
    n_agents = agent_count(model)
    if n_agents > MAX_AGENTS:
        raise SpecError(
            f"the game has {n_agents:,} agents: a normal form keeps one array axis per agent "
            f"(at most {MAX_AGENTS})", hint="use a method for large games (e.g. --method brd)")
    ctx = base_context(model)
    agents: list[str] = []
    labels: list[tuple[str, ...]] = []
    member_axes: dict[str, list[str]] = {}
    for player in model.players.values():
        members = player.member_set.elements if player.kind == "family" else (None,)
        axes = []
        for member in members:
            agent = player.name if member is None else f"{player.name}[{member}]"
            axes.append("@" + agent)
            agents.append(agent)
        member_axes[player.name] = axes
        options = [_pure_options(s) for s in player.strategies]
        combos = list(itertools.product(*[range(len(o[1])) for o in options]))
        labels.extend([tuple(_label(options, c) for c in combos)] * len(members))
        _bind_player(ctx, player, options, combos, axes)
    tensors, owners = [], []
    all_axes = tuple("@" + a for a in agents)
    shape = tuple(len(lab) for lab in labels)
    for player in model.players.values():
        try:
            new = _player_tensors(model, player, ctx, all_axes, shape)
            tensors += new
            owners += [player.name] * len(new)
        except SpecError as exc:  # e.g. a library function's complaint: at the payoff
            payoff = model.payoffs.get(player.name)
            raise exc.located(payoff.span if payoff is not None
                              else model.spans.get("common payoff")) from None
    if not tensors:
        raise SpecError("the game has no players with payoffs")
    payoffs = np.stack(tensors).astype(float)
    if not np.all(np.isfinite(payoffs)):
        bad = next(k for k in range(len(owners)) if not np.all(np.isfinite(payoffs[k])))
        payoff = model.payoffs.get(owners[bad])
        raise SpecError(f"the payoff of `{owners[bad]}` is not finite (NaN or infinity, or "
                        "beyond the floating-point range) at some pure profile",
                        span=payoff.span if payoff is not None
                        else model.spans.get("common payoff"))
    return NormalForm(tuple(agents), tuple(labels), payoffs)


def _pure_options(s: Strategy):
    """(strategy, list of pure options); an option is a tuple of element positions."""
    rows = int(np.prod([len(c) for c in s.condition_sets])) if s.condition_sets else 1
    return s, list(itertools.product(range(len(s.domain)), repeat=rows))


def _label(options, combo) -> str:
    parts = []
    for (strategy, opts), k in zip(options, combo):
        positions = opts[k]
        names = [_fmt(strategy.domain.elements[p]) for p in positions]
        parts.append(names[0] if len(names) == 1 else "(" + ", ".join(names) + ")")
    return parts[0] if len(parts) == 1 else ", ".join(parts)


def _fmt(e) -> str:
    return str(e)


def _bind_player(ctx, player: Player, options, combos, axes) -> None:
    """Bind each strategy variable of `player` to all pure options along the agent axes."""
    for index, (strategy, opts) in enumerate(options):
        domain = strategy.domain
        values = domain.values()
        per_combo = [opts[c[index]] for c in combos]  # element positions per pure strategy
        if strategy.kind == "mixed":
            # a pure strategy is a point mass: f[..., s] = 1 on the chosen element
            inner = _point_masses(per_combo, strategy, len(domain))
        else:
            inner = np.array([[values[p] for p in pos] for pos in per_combo],
                             dtype=values.dtype)  # (n_combos, rows)
            inner = np.moveaxis(inner, 0, -1)  # (rows, n_combos)
            inner = inner.reshape(tuple(len(c) for c in strategy.condition_sets) + (len(combos),))
        if player.kind == "family":
            _bind_family(ctx, strategy, inner, axes, player.member_set)
        elif strategy.indexed:
            sets = tuple(strategy.condition_sets) + ((domain,) if strategy.kind == "mixed" else ())
            ctx.tables[strategy.name] = Table(inner, sets, (axes[0],))
        else:
            ctx.scalars[strategy.symbol] = LArray(inner.reshape(len(combos)), (axes[0],))


def _point_masses(per_combo, strategy: Strategy, size: int) -> np.ndarray:
    cond_shape = tuple(len(c) for c in strategy.condition_sets)
    out = np.zeros((len(per_combo),) + cond_shape + (size,))
    for k, positions in enumerate(per_combo):
        for row, p in enumerate(positions):
            idx = np.unravel_index(row, cond_shape) if cond_shape else ()
            out[(k,) + tuple(idx) + (p,)] = 1.0
    return np.moveaxis(out, 0, -1)  # (cond..., size, n_combos)


def _bind_family(ctx, strategy: Strategy, inner: np.ndarray, axes, members: FiniteSet) -> None:
    """Member k's strategy varies along axis k; b[i] gathers member i's own axis."""
    n = len(axes)
    k_options = inner.shape[-1]
    body = inner.shape[:-1]
    shape = (n,) + body + (k_options,) * n
    if int(np.prod(shape)) > 50_000_000:
        raise SpecError("this family of players is too large to enumerate",
                        hint="use --method brd")
    out = np.empty(shape, dtype=inner.dtype)
    for k in range(n):
        view = np.moveaxis(inner, -1, 0)  # (k_options, body...)
        expand = [1] * n
        expand[k] = k_options
        block = view.reshape((k_options,) + body)
        block = np.moveaxis(block, 0, -1).reshape(body + tuple(expand))
        out[k] = np.broadcast_to(block, body + (k_options,) * n)
    sets = (members,) + tuple(strategy.condition_sets) + (
        (strategy.domain,) if strategy.kind == "mixed" else ())
    ctx.tables[strategy.name] = Table(out, sets, tuple(axes))


def _evaluate_family_payoff(model: Model, player: Player, expr, ctx):
    inner = ctx.child(index_sets={**ctx.index_sets, player.member_var: player.member_set})
    payoff = model.payoffs.get(player.name)
    if payoff is not None and payoff.variables:
        inner = ctx.child(index_sets={**ctx.index_sets,
                                      payoff.variables[0]: payoff.index_sets[0]})
        return evaluate(expr, inner), payoff.variables[0].name
    return evaluate(expr, inner), player.member_var.name


def _expected_over_types(model: Model, player: Player, expr, ctx) -> LArray:
    """A typed player's ex-ante payoff: the prior-weighted sum of its per-type payoffs."""
    var, types, prior = player.types
    payoff = model.payoffs[player.name]
    inner = ctx.child(index_sets={**ctx.index_sets, payoff.variables[0]: types, var: types})
    per_type = evaluate(expr.xreplace({payoff.variables[0]: var}), inner)
    weights = evaluate(prior, inner)
    weighted = combine(lambda a, b: a * b, per_type, weights)
    axis = weighted.axes.index(var.name) if var.name in weighted.axes else None
    if axis is None:
        return weighted
    return LArray(weighted.data.sum(axis=axis), weighted.axes[:axis] + weighted.axes[axis + 1:])


def _slice_member(value_axis, player: Player, k: int) -> LArray:
    value, axis = value_axis
    if axis not in value.axes:
        return value
    pos = value.axes.index(axis)
    return LArray(np.take(value.data, k, axis=pos), value.axes[:pos] + value.axes[pos + 1:])


def _full(value: LArray, axes: tuple[str, ...], shape: tuple[int, ...]) -> np.ndarray:
    stray = [a for a in value.axes if a not in axes]
    if stray:
        raise SpecError(f"a payoff still depends on the index `{stray[0]}`",
                        hint="sum it out or index the payoff by it")
    return np.broadcast_to(np.asarray(value.aligned(axes), dtype=float), shape)


def potential_function(nf: NormalForm, tol: float = 1e-9) -> np.ndarray | None:
    """An exact potential if one exists (Monderer–Shapley), else None."""
    n = len(nf.agents)
    u = nf.payoffs
    for i in range(n):
        for j in range(i + 1, n):
            w = u[i] - u[j]
            w = w - np.take(w, [0], axis=i) - np.take(w, [0], axis=j) + np.take(
                np.take(w, [0], axis=i), [0], axis=j)
            if np.max(np.abs(w), initial=0.0) > tol * max(1.0, np.max(np.abs(u))):
                return None
    phi = np.zeros(nf.shape)
    for k in range(n):
        reset = u[k]
        for later in range(k + 1, n):
            reset = np.take(reset, [0], axis=later)
        base = np.take(reset, [0], axis=k)
        phi = phi + (reset - base)
    return np.broadcast_to(phi, nf.shape).copy()


def profile_label(nf: NormalForm, index: tuple[int, ...]) -> dict[str, str]:
    return {agent: nf.labels[k][index[k]] for k, agent in enumerate(nf.agents)}


def sympy_free(expr) -> bool:
    return not isinstance(expr, sympy.Basic) or not expr.free_symbols
