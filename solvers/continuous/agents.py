"""The agents of a simultaneous continuous game: every member of a family and every
interval choice of a named player (a player choosing a box is one agent per choice, its
payoff shared; `groups` says which agents one player moves together), each with its own
SymPy symbol (`q[2]` for member 2 of a family choosing `q`), its interval as numbers and
its payoff lowered around the agents' symbols. Also the check that a family is symmetric
(its payoffs invariant under permuting its members), verified by substitution.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy

from gamespec import lowering
from gamespec.errors import SpecError
from gamespec.language.symbols import SetAggregate, element_expr
from gamespec.model import Model, Player


@dataclass(frozen=True)
class Agent:
    name: str  # firm1, firms[2]
    player: str
    member: object  # the member's element, None for a named player
    symbol: sympy.Symbol
    strategy: int = 0  # which of the player's choices (a box has several)


def agents(model: Model) -> list[Agent]:
    out = []
    for player in model.players.values():
        st = player.strategies[0]
        if len(player.strategies) > 1:  # a box: one agent per choice, named player.choice
            out += [Agent(f"{player.name}.{s.name}", player.name, None, s.symbol, i)
                    for i, s in enumerate(player.strategies)]
        elif player.kind == "family":
            for element in player.member_set.elements:
                label = f"{player.name}[{element}]"
                out.append(Agent(label, player.name, element,
                                 sympy.Symbol(f"{st.name}[{element}]", real=True)))
        else:
            out.append(Agent(player.name, player.name, None, st.symbol))
    return out


def groups(listed: list[Agent]) -> list[list[int]]:
    """The agent indices each named player (its box) or family member moves together."""
    out: dict = {}
    for k, a in enumerate(listed):
        out.setdefault(a.name if a.member is not None else a.player, []).append(k)
    return list(out.values())


def _members(model: Model, listed: list[Agent]) -> dict:
    """q[2] (the Model's indexed strategy) -> the member's symbol."""
    out = {}
    for agent in listed:
        if agent.member is not None:
            base = model.players[agent.player].strategies[0].symbol
            out[base[element_expr(agent.member)]] = agent.symbol
    return out


def _bound_member(model: Model, agent: Agent, expr: sympy.Expr) -> sympy.Expr:
    """`expr` of a family with its member index bound to the agent's element."""
    if agent.member is None:
        return expr
    player = model.players[agent.player]
    payoff = model.payoffs.get(agent.player)
    index = payoff.variables[0] if payoff is not None and payoff.variables else player.member_var
    element = element_expr(agent.member)
    expr = lowering.bind(expr, {index: element})
    return lowering.bind(expr, {player.member_var: element})


def _parameters(model: Model) -> list[sympy.Symbol]:
    """Scalar parameters kept by name (closed forms symbolic in them) unless a payoff uses
    a table or an aggregate not over strategies (its folded number could mix a scalar's
    value with the scalar kept by name)."""
    strategy_bases = {st.symbol for st in model.strategies() if st.indexed}
    for name in model.players:
        expr = model.expand_lets(model.payoff_of(name))
        if any(item.base not in strategy_bases for item in expr.atoms(sympy.Indexed)):
            return []
        for agg in expr.atoms(SetAggregate):
            if not any(item.base in strategy_bases for item in agg.atoms(sympy.Indexed)):
                return []
    return [p.symbol for p in model.params.values() if not p.index_sets]


def payoffs(model: Model, listed: list[Agent], symbolic: bool = True) -> list[sympy.Expr]:
    """Each agent's payoff as SymPy in the agents' symbols (scalar parameters by name
    where that is safe, see `_parameters`, and `symbolic`)."""
    members = _members(model, listed)
    variables = [a.symbol for a in listed if a.member is None]
    kept = _parameters(model) if symbolic else []
    out = []
    for agent in listed:
        declared = model.payoffs.get(agent.player)
        expr = _bound_member(model, agent, model.expand_lets(model.payoff_of(agent.player)))
        out.append(lowering.fold(model, expr, variables, kept, members=members,
                                 span=declared.span if declared is not None else None))
    return out


def bounds(model: Model, agent: Agent) -> tuple[float, float]:
    player = model.players[agent.player]
    st = player.strategies[agent.strategy]
    low, high = (float(lowering.fold(model, _bound_member(model, agent, e), (),
                                     span=st.domain.span))
                 for e in (st.domain.low, st.domain.high))
    if not low <= high:
        raise SpecError(f"the interval of `{agent.name}` is empty: [{low:g}, {high:g}]",
                        span=st.span, hint="its lower end lies above its upper end")
    return low, high


def symmetric_family(model: Model, player: Player, listed: list[Agent],
                     exprs: list[sympy.Expr], box: list[tuple[float, float]]) -> bool:
    """True when swapping the first two members and shifting all members by one (which
    generate every permutation) maps each member's payoff to the permuted member's, with
    the same interval: checked by substitution and simplification."""
    idx = [k for k, a in enumerate(listed) if a.player == player.name]
    if len(idx) < 2 or len({box[k] for k in idx}) != 1:
        return len(idx) == 1
    swap = {idx[0]: idx[1], idx[1]: idx[0]}
    shift = {k: idx[(n + 1) % len(idx)] for n, k in enumerate(idx)}
    for perm in (swap, shift):
        rename = {listed[k].symbol: listed[perm.get(k, k)].symbol for k in range(len(listed))}
        for k in idx:
            moved = exprs[k].xreplace(rename)
            if sympy.expand(moved - exprs[perm.get(k, k)]) != 0:
                return False
    return True
