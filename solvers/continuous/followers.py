"""Follower maps for a leader: a single follower's best response, or a population's
selected symmetric equilibrium, as a function of the leader's strategy.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import sympy

from gamespec.errors import SolverError
from gamespec.solvers.continuous.best_response import BestResponseMap
from gamespec.solvers.continuous.expressions import Values
from gamespec.solvers.continuous.mean_field import mean_field_equilibria
from gamespec.solvers.continuous.results import FollowerResponse, MeanFieldResult


class FollowerMap(Protocol):
    """What `solve_leader` needs: the followers' answer to one leader strategy. A map
    may also offer `batch(xs) -> list[FollowerResponse | None]` (None: no equilibrium),
    which the leader uses for its grids."""

    def __call__(self, x: float) -> FollowerResponse: ...


class PopulationFollower:
    """Gamma(leader): the selected symmetric equilibrium of a population, as a follower
    map for `solve_leader`. Values returned: the own strategy s* and the field."""

    def __init__(self, br_map: BestResponseMap, *, field: sympy.Symbol,
                 leader_var: sympy.Symbol, aggregate: sympy.Expr | None = None,
                 others: Values | None = None, selection: str = "payoff",
                 grid: int = 201, tol: float = 1e-7) -> None:
        self.br_map = br_map
        self.field = field
        self.leader_var = leader_var
        self.aggregate = aggregate
        self.others = dict(others or {})
        self.selection = selection
        self.grid = grid
        self.tol = tol

    def solve_many(self, xs: Sequence[float]) -> list[MeanFieldResult]:
        """The population game at each leader strategy in xs (one batch)."""
        rows = [{**self.others, self.leader_var: float(x)} for x in xs]
        return mean_field_equilibria(self.br_map, rows, field=self.field,
                                     aggregate=self.aggregate, selection=self.selection,
                                     grid=self.grid, tol=self.tol)

    def solve(self, x: float) -> MeanFieldResult:
        """The population game at leader strategy x."""
        return self.solve_many([x])[0]

    def batch(self, xs: Sequence[float]) -> list[FollowerResponse | None]:
        """Followers' responses at many leader strategies (None: no pure equilibrium)."""
        return [self._response(r) for r in self.solve_many(xs)]

    def __call__(self, x: float) -> FollowerResponse:
        response = self.batch([x])[0]
        if response is None:
            raise SolverError(
                f"no symmetric pure equilibrium of the population at "
                f"{self.leader_var} = {x:.6g}",
                hint="the best response jumps across the diagonal; a mixed equilibrium "
                     "may exist")
        return response

    def _response(self, result: MeanFieldResult) -> FollowerResponse | None:
        chosen = result.selected
        if chosen is None:
            return None
        values = {self.br_map.var: chosen.s, self.field: chosen.field}
        return FollowerResponse(values, chosen.residual, chosen.gain,
                                bool(result.certificate and result.certificate.ok))


class BestResponseFollower:
    """A single follower's best response (lowest among ties) as a follower map."""

    def __init__(self, br_map: BestResponseMap, leader_var: sympy.Symbol,
                 others: Values | None = None) -> None:
        self.br_map = br_map
        self.leader_var = leader_var
        self.others = dict(others or {})

    def __call__(self, x: float) -> FollowerResponse:
        state = dict(self.others)
        state[self.leader_var] = float(x)
        response = self.br_map(state)
        y = response.choice
        gain = max(0.0, response.value - self.br_map.value(y, state))
        return FollowerResponse({self.br_map.var: y}, 0.0, gain, response.attained)
