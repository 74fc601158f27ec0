"""The game tree an `order` over pure choices means: each group of the order moves in turn,
every mover seeing the choices of the groups before it (not those of its own group), and
the payoffs are the players' payoff expressions at the leaves. `order a -> b` is then the
perfect-information game it reads as, solved by backward induction; a leader that commits
to a pure action."""
from __future__ import annotations

import math

from gamespec.errors import Span
from gamespec.game_tree import GameTree
from gamespec.language.tree_items import RMove, RPayoff
from gamespec.language.tree_play import play_tree
from gamespec.model import FiniteSet, Model

MAX_ORDER_TREE_LEAVES = 100_000  # larger sequential games are left without a tree


def order_tree(model: Model) -> GameTree | None:
    """The tree of a sequential game over pure choices, or None when the spec is not one."""
    if not _sequential_pure_choices(model):
        return None
    strategies = [s for group in model.order for p in group
                  for s in model.players[p].strategies]
    if math.prod(len(s.domain) for s in strategies) > MAX_ORDER_TREE_LEAVES:
        return None
    items: list = []
    earlier: list[str] = []
    for group in model.order:
        for player in group:
            for s in model.players[player].strategies:
                sees = None if len(group) == 1 else tuple(earlier)
                items.append(RMove(player, s.name, s.symbol, s.domain, None, sees, (),
                                   s.span))
        earlier += [s.name for p in group for s in model.players[p].strategies]
    payoffs = tuple(model.payoff_of(p) for p in model.players)
    span = next(iter(model.players.values())).span or Span(model.path, 1, 1)
    items.append(RPayoff(payoffs, span))
    return play_tree(model, tuple(items), tuple(model.players), span)


def _sequential_pure_choices(model: Model) -> bool:
    if not model.order_declared or len(model.order) < 2:
        return False
    if model.dynamics or model.updates or model.repeated:
        return False
    for player in model.players.values():
        if player.kind != "single" or player.types or not player.strategies:
            return False
        for s in player.strategies:
            if s.kind != "choice" or s.condition_sets or not isinstance(s.domain, FiniteSet):
                return False
    try:
        for p in model.players:
            model.payoff_of(p)
    except KeyError:
        return False
    return True
