"""Cross-check of gamespec's .efg reader and writer with Gambit itself (pygambit).

Gambit reads the files gamespec writes as the same games it builds through its own API
(same sizes, same equilibrium payoffs from lcp_solve and lp_solve); gamespec reads the files
Gambit writes, and the games of Gambit's catalog, as the same trees."""
from __future__ import annotations

import io
from fractions import Fraction as F
from pathlib import Path

import pytest

from gamespec.gambit_efg import read_efg, write_efg
from gamespec.game_tree import CHANCE, TERMINAL, GameTree
from tests.oracles.random_trees import random_tree
from tests.oracles.trees import kuhn_poker

gbt = pytest.importorskip("pygambit")


def to_pygambit(tree: GameTree):
    """The same game built with pygambit's API (one outcome per leaf)."""
    game = gbt.Game.new_tree(players=list(tree.players), title="api")
    made = {}
    stack = [(0, game.root)]
    while stack:
        index, gnode = stack.pop()
        node = tree.nodes[index]
        if node.kind == TERMINAL:
            game.set_outcome(gnode, game.add_outcome(f"leaf {index}", list(node.payoffs)))
            continue
        if node.kind == CHANCE:
            game.append_move(gnode, game.players.chance, list(node.moves))
            game.set_chance_probs(gnode.infoset, list(node.probabilities))
        elif node.infoset in made:
            game.append_infoset(gnode, made[node.infoset])
        else:
            game.append_move(gnode, node.player, list(node.moves))
            made[node.infoset] = gnode.infoset
        stack.extend(zip(node.children, gnode.children))
    return game


def gambit_sizes(game):
    return len(list(game.nodes)), [len(list(p.infosets)) for p in game.players]


def sizes(tree: GameTree):
    return len(tree.nodes), [len(tree.player_infosets(p)) for p in tree.players]


def leaf_payoffs(game):
    """Each leaf's payoffs (outcomes on the way added up), leaves in prefix order."""
    out, stack = [], [(game.root, [F(0)] * len(game.players))]
    while stack:
        node, total = stack.pop()
        try:  # node.outcome is a proxy, never None; reading a missing one raises
            total = [t + F(node.outcome[p]) for t, p in zip(total, game.players)]
        except KeyError:
            pass
        if node.is_terminal:
            out.append(tuple(total))
        stack.extend(reversed([(child, total) for child in node.children]))
    return out


def equilibrium_payoffs(game, solver):
    return [tuple(F(e.payoff(p)) for p in game.players)
            for e in solver(game, rational=True).equilibria]


def shape(tree: GameTree):
    return ([(n.kind, n.children, n.moves, n.probabilities, n.payoffs) for n in tree.nodes],
            [(h.moves, h.nodes) for h in tree.infosets])


@pytest.mark.parametrize("seed", range(8))
def test_gambit_reads_our_files_as_the_game_it_builds(seed):
    tree = random_tree(seed, stages=4, zero_sum=seed % 2 == 0, odd_labels=seed % 3 == 0)
    ours = gbt.read_efg(io.StringIO(write_efg(tree, f"random {seed}")))
    api = to_pygambit(tree)
    assert gambit_sizes(ours) == gambit_sizes(api) == sizes(tree)
    assert ours.is_perfect_recall
    assert leaf_payoffs(ours) == [tree.nodes[i].payoffs for i in tree.terminals()]
    assert equilibrium_payoffs(ours, gbt.nash.lcp_solve) \
        == equilibrium_payoffs(api, gbt.nash.lcp_solve)
    if seed % 2 == 0:
        assert equilibrium_payoffs(ours, gbt.nash.lp_solve) \
            == equilibrium_payoffs(api, gbt.nash.lp_solve)


@pytest.mark.parametrize("seed", range(8))
def test_we_read_gambit_files_as_the_tree_it_was_built_from(seed):
    tree = random_tree(seed, stages=4, players=("a", "b", "c")[: 2 + seed % 2])
    back = read_efg(to_pygambit(tree).to_efg(), "gambit.efg")
    assert shape(back) == shape(tree)
    assert back.players == tree.players


def test_kuhn_poker_value_from_gambit():
    game = gbt.read_efg(io.StringIO(write_efg(kuhn_poker(), "Kuhn poker")))
    assert gambit_sizes(game) == (55, [6, 6])
    assert equilibrium_payoffs(game, gbt.nash.lp_solve)[0] == (F(-1, 18), F(1, 18))


CATALOG = sorted((Path(gbt.__file__).parent / "catalog_data").rglob("*.efg"))


@pytest.mark.skipif(not CATALOG, reason="pygambit has no catalog of .efg files")
@pytest.mark.parametrize("path", CATALOG, ids=lambda p: p.stem)
def test_gambit_catalog_games_read_alike(path):
    text = path.read_text(encoding="utf-8")
    tree = read_efg(text, str(path))
    game = gbt.read_efg(str(path))
    assert sizes(tree) == gambit_sizes(game)
    assert tree.players == tuple(p.label for p in game.players)
    assert [tree.nodes[i].payoffs for i in tree.terminals()] == leaf_payoffs(game)
    assert read_efg(write_efg(tree, "again")) == tree
