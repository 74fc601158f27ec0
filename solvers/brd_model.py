"""Best-response dynamics on any finite game the language expresses.

`ModelOracle` answers the BRD engine's question (each alternative's payoff for one agent,
the others fixed) by evaluating the Model's payoff once, in bulk, with the deviating
agent's strategy bound to all of its choices along one axis. Agents are single players
and the members of player families. The result is certified by the engine's plain
re-evaluation of every agent's every alternative.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gamespec.analysis import Classification
from gamespec.errors import SolverError
from gamespec.evaluate import LArray, Table, evaluate
from gamespec.model import FiniteSet, Model, Player
from gamespec.numeric import base_context
from gamespec.result import Certificate, Result
from gamespec.solvers.brd import BRDNotConverged, best_response_dynamics
from gamespec.solvers.registry import SolverEntry

DEVIATION = "@deviation"


@dataclass(frozen=True)
class Agent:
    player: Player
    member: int | None  # position in the family's member set, None for a single player

    @property
    def name(self) -> str:
        if self.member is None:
            return self.player.name
        return f"{self.player.name}[{self.player.member_set.elements[self.member]}]"

    @property
    def domain(self) -> FiniteSet:
        return self.player.strategies[0].domain


class ModelOracle:
    """The FiniteGameOracle of a Model: plain bulk evaluation of the payoffs."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.agents: list[Agent] = []
        for player in model.players.values():
            if player.kind == "family":
                self.agents.extend(Agent(player, k) for k in range(len(player.member_set)))
            else:
                self.agents.append(Agent(player, None))
        self.ctx = base_context(model)
        self._first_agent = {}
        for index, agent in enumerate(self.agents):
            self._first_agent.setdefault(agent.player.name, index)

    @property
    def n_players(self) -> int:
        return len(self.agents)

    def n_choices(self, player: int) -> int:
        return len(self.agents[player].domain)

    def _bind(self, profile: np.ndarray, deviator: int | None):
        ctx = self.ctx.child(scalars=dict(self.ctx.scalars), tables=dict(self.ctx.tables),
                             let_cache={})
        for name, player in self.model.players.items():
            strategy = player.strategies[0]
            values = strategy.domain.values()
            start = self._first_agent[name]
            if player.kind == "family":
                n = len(player.member_set)
                chosen = values[profile[start:start + n]]
                if deviator is not None and start <= deviator < start + n:
                    table = np.repeat(chosen[:, None], len(values), axis=1)
                    table[deviator - start, :] = values
                    ctx.tables[strategy.name] = Table(table, (player.member_set,), (DEVIATION,))
                else:
                    ctx.tables[strategy.name] = Table(chosen, (player.member_set,))
            elif strategy.kind == "mixed":  # a pure choice is a point mass
                eye = np.eye(len(values))
                if deviator == start:
                    ctx.tables[strategy.name] = Table(eye, (strategy.domain,), (DEVIATION,))
                else:
                    ctx.tables[strategy.name] = Table(eye[profile[start]], (strategy.domain,))
            elif deviator == start:
                ctx.scalars[strategy.symbol] = LArray(values, (DEVIATION,))
            else:
                ctx.scalars[strategy.symbol] = LArray.scalar(values[profile[start]])
        return ctx

    def _payoff(self, agent: Agent, ctx) -> LArray:
        player = agent.player
        expr = self.model.payoff_of(player.name)
        if agent.member is None:
            return evaluate(expr, ctx)
        payoff = self.model.payoffs.get(player.name)
        var = payoff.variables[0] if payoff is not None and payoff.variables else player.member_var
        member = FiniteSet(player.member_set.name, (player.member_set.elements[agent.member],),
                           player.member_set.span)
        inner = ctx.child(index_sets={**ctx.index_sets, var: member})
        value = evaluate(expr, inner)
        if var.name in value.axes:
            axis = value.axes.index(var.name)
            value = LArray(np.take(value.data, 0, axis=axis),
                           value.axes[:axis] + value.axes[axis + 1:])
        return value

    def gains(self, player: int, profile: np.ndarray) -> np.ndarray:
        ctx = self._bind(np.asarray(profile), player)
        value = self._payoff(self.agents[player], ctx)
        stray = [a for a in value.axes if a != DEVIATION]
        if stray:
            raise SolverError(f"the payoff of `{self.agents[player].name}` still depends on "
                              f"`{stray[0]}`")
        n = self.n_choices(player)
        return np.broadcast_to(np.asarray(value.aligned((DEVIATION,)), dtype=float), (n,)).copy()

    def common_payoff(self, profile: np.ndarray) -> float:
        ctx = self._bind(np.asarray(profile), None)
        return float(evaluate(self.model.common_payoff, ctx).data)

    def label(self, profile: np.ndarray) -> dict[str, str]:
        return {a.name: str(a.domain.elements[int(c)]) for a, c in zip(self.agents, profile)}


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    if not cls.finite:
        return False, "needs finite strategy sets"
    if cls.dynamic or cls.sequential:
        return False, "best-response dynamics here are for simultaneous static games"
    for player in model.players.values():
        strategy = player.strategies[0]
        if len(player.strategies) != 1 or strategy.condition_sets or (
                strategy.kind == "mixed" and player.kind != "single"):
            return False, f"`{player.name}` must make one unconditioned choice"
    if model.free_params():
        return False, "parameters without values: " + ", ".join(model.free_params())
    return True, ""


def solve(model: Model, cls: Classification, options: dict) -> Result:
    oracle = ModelOracle(model)
    potential = oracle.common_payoff if model.common_payoff is not None else None
    initial = None
    result = best_response_dynamics(
        oracle,
        initial=initial,
        seed=int(options.get("seed", 0)),
        mode="simultaneous" if options.get("mode") == "simultaneous" else "sequential",
        tol=float(options.get("tolerance", 1e-12)),
        max_passes=int(options.get("passes", 1000)),
        time_limit=options.get("time_limit"),
        potential=potential,
    )
    if not result.converged:
        raise BRDNotConverged(result)
    gain = result.certificate.value
    tol = float(options.get("tolerance", 1e-12))
    profile = result.profile
    values = {a.name: float(oracle.gains(k, profile)[profile[k]])
              for k, a in enumerate(oracle.agents)} if oracle.n_players <= 200 else {}
    if potential is not None:
        values["common payoff"] = potential(profile)
    strategies = oracle.label(profile)
    certificate = Certificate("max unilateral gain (plain re-evaluation)", gain, gain <= tol,
                              tol, {"passes": result.passes, "switches": result.switches})
    return Result(
        game=model.title, spec=model.path, spec_sha256=model.sha256, method=ENTRY.name,
        status="equilibrium" if certificate.ok else "not_certified", values=values,
        strategies=strategies, certificate=certificate,
        extra={"passes": result.passes, "switches": result.switches,
               "seed": int(options.get("seed", 0))},
    )


ENTRY = SolverEntry(
    name="brd",
    summary="best-response dynamics to a pure Nash equilibrium (any finite game)",
    can_solve=can_solve,
    solve=solve,
)
