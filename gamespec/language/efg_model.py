"""A Model straight from a Gambit .efg file, so that `gamespec solve|info|export FILE.efg`
work without writing a spec first (and without parsing a spec as large as the tree)."""
from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from gamespec.errors import Span, SpecError
from gamespec.game_tree import GameTree
from gamespec.model import Model, Player


def is_efg(source: str) -> bool:
    return source.lstrip().startswith("EFG")


def model_from_efg(source: str, path: str, overrides=None) -> Model:
    """The Model of an .efg file: its players (names made identifiers, as `gamespec import`
    writes them) and its tree; no parameters."""
    from gamespec.gambit_efg import parse_efg
    from gamespec.tree_to_spec import identifier

    if overrides:
        name = next(iter(overrides))
        raise SpecError(f"--set {name}: an .efg file has no parameters",
                        span=Span(path, 1, 1))
    game = parse_efg(source, path)
    taken: set[str] = set()
    names = {p: identifier(p, taken, "player") for p in game.tree.players}
    tree = _renamed(game.tree, names)
    span = Span(path, 1, 1)
    players = {n: Player(name=n, kind="single", strategies=(), span=span)
               for n in tree.players}
    return Model(
        title=game.title or Path(path).stem, path=path, source=source,
        sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(), params={}, sets={},
        data={}, lets={}, players=players, payoffs={}, common_payoff=None,
        zero_sum_declared=False, order=(tuple(players),), order_declared=False, profiles={},
        selection=None, repeated=None, dynamics=None, updates=None, solve_method=None,
        solve_options={}, spans={n: span for n in players}, tree=tree)


def _renamed(tree: GameTree, names: dict[str, str]) -> GameTree:
    nodes = tuple(replace(n, player=names.get(n.player, n.player)) for n in tree.nodes)
    infosets = tuple(replace(h, player=names[h.player]) for h in tree.infosets)
    return replace(tree, players=tuple(names[p] for p in tree.players), nodes=nodes,
                   infosets=infosets)
