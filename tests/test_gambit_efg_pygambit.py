"""Cross-check of gamespec's .efg reader and writer with Gambit itself (pygambit; through
tests/oracles/gambit_reference.py, which replays stored answers where it is not installed).

Gambit reads the files gamespec writes as the same games it builds through its own API
(same sizes, same equilibrium payoffs from lcp_solve and lp_solve); gamespec reads the files
Gambit writes, and the games of Gambit's catalog, as the same trees."""
from __future__ import annotations

from fractions import Fraction as F

import pytest

from gamespec.gambit_efg import read_efg, write_efg
from gamespec.game_tree import GameTree
from tests.oracles import gambit_reference as gambit
from tests.oracles.random_trees import random_tree
from tests.oracles.trees import kuhn_poker


def gambit_sizes(info: dict):
    return info["nodes"], info["infosets"]


def sizes(tree: GameTree):
    return len(tree.nodes), [len(tree.player_infosets(p)) for p in tree.players]


def equilibrium_payoffs(game: dict, algorithm: str):
    return [e.payoffs for e in gambit.solve(game, algorithm, rational=True).equilibria]


def shape(tree: GameTree):
    return ([(n.kind, n.children, n.moves, n.probabilities, n.payoffs) for n in tree.nodes],
            [(h.moves, h.nodes) for h in tree.infosets])


@pytest.mark.parametrize("seed", range(8))
def test_gambit_reads_our_files_as_the_game_it_builds(seed):
    tree = random_tree(seed, stages=4, zero_sum=seed % 2 == 0, odd_labels=seed % 3 == 0)
    ours = gambit.efg(write_efg(tree, f"random {seed}"))
    api = gambit.tree(tree)  # built through pygambit's API
    ours_info = gambit.tree_info(ours)
    assert gambit_sizes(ours_info) == gambit_sizes(gambit.tree_info(api)) == sizes(tree)
    assert ours_info["perfect_recall"]
    assert ours_info["leaf_payoffs"] == [tree.nodes[i].payoffs for i in tree.terminals()]
    assert equilibrium_payoffs(ours, "lcp") == equilibrium_payoffs(api, "lcp")
    if seed % 2 == 0:
        assert equilibrium_payoffs(ours, "lp") == equilibrium_payoffs(api, "lp")


@pytest.mark.parametrize("seed", range(8))
def test_we_read_gambit_files_as_the_tree_it_was_built_from(seed):
    tree = random_tree(seed, stages=4, players=("a", "b", "c")[: 2 + seed % 2])
    back = read_efg(gambit.to_efg(gambit.tree(tree)), "gambit.efg")
    assert shape(back) == shape(tree)
    assert back.players == tree.players


def test_kuhn_poker_value_from_gambit():
    game = gambit.efg(write_efg(kuhn_poker(), "Kuhn poker"))
    assert gambit_sizes(gambit.tree_info(game)) == (55, [6, 6])
    assert equilibrium_payoffs(game, "lp")[0] == (F(-1, 18), F(1, 18))


CATALOG = gambit.catalog()  # pygambit's catalog of .efg files (stored with the answers)


def test_the_catalog_has_games():
    assert len(CATALOG) >= 20


@pytest.mark.parametrize("name", sorted(CATALOG), ids=lambda p: p.rsplit("/", 1)[-1][:-4])
def test_gambit_catalog_games_read_alike(name):
    text = CATALOG[name]
    tree = read_efg(text, name)
    info = gambit.tree_info(gambit.efg(text))
    assert sizes(tree) == gambit_sizes(info)
    assert tree.players == tuple(info["players"])
    assert [tree.nodes[i].payoffs for i in tree.terminals()] == info["leaf_payoffs"]
    assert read_efg(write_efg(tree, "again")) == tree
