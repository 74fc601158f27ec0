"""The `tree` block: trees built from specs, and located errors for malformed ones."""
from __future__ import annotations

from pathlib import Path

import pytest

from gamespec.errors import SpecError
from gamespec.language.loader import load_model, model_from_string
from tests.oracles.trees import entry_game, kuhn_poker

SPECS = Path(__file__).resolve().parents[2] / "specs"

HEAD = "player a {}\nplayer b {}\n"


def tree_of(body: str, head: str = HEAD):
    return model_from_string(head + "tree {\n" + body + "\n}\n", "t.game").tree


def error_of(body: str, head: str = HEAD) -> SpecError:
    with pytest.raises(SpecError) as info:
        tree_of(body, head)
    return info.value


def test_kuhn_spec_has_the_hand_built_trees_information_structure():
    spec = load_model(SPECS / "kuhn_poker.game").tree
    hand = kuhn_poker()
    assert spec.size()["sequences"] == hand.size()["sequences"] == {"alice": 13, "bob": 13}
    assert spec.size()["information_sets"] == {"alice": 6, "bob": 6}
    assert len(spec.terminals()) == len(hand.terminals()) == 30
    # every leaf's payoffs sum to zero and each deal has probability 1/6
    from gamespec.solvers.trees.tree_values import numeric_tree

    numeric = numeric_tree(load_model(SPECS / "kuhn_poker.game"))
    reach = sorted({numeric.reach_probability(i) for i in numeric.terminals()})
    assert [str(r) for r in reach] == ["1/6"]


def test_entry_spec_matches_the_hand_built_tree():
    spec = load_model(SPECS / "entry_deterrence.game").tree
    hand = entry_game()
    assert spec.size() == hand.size()
    assert [str(u) for i in spec.terminals() for u in spec.nodes[i].payoffs] == [
        "0", "monopoly", "fight", "fight", "accommodate", "accommodate"]


def test_sees_makes_information_sets_and_perfect_recall_keeps_own_moves():
    tree = tree_of("""
      chance c in {H, T} with 1/2
      a sees c chooses x in {L, R}
      b sees nothing chooses y in {L, R}
      a sees y chooses z in {U, D}
      payoff (1, -1)""")
    sets = {h.label: len(h.nodes) for h in tree.infosets}
    assert sets["y"] == 4  # b sees nothing: one set over both deals and both x
    # a's second move: it remembers c and x (perfect recall) and now sees y
    second = [h for h in tree.infosets if h.label.startswith("z")]
    assert len(second) == 2 * 2 * 2 and all(len(h.nodes) == 1 for h in second)


def test_at_label_joins_nodes_and_if_else_and_end_shape_the_play():
    tree = tree_of("""
      a chooses {
        L: b at "h" chooses { l: payoff (1, 0)  r: payoff (0, 1) }
        R: { b at "h" chooses { l: payoff (2, 0)  r: payoff (0, 2) } }
      }""")
    assert [len(h.nodes) for h in tree.infosets] == [1, 2]
    tree = tree_of("""
      a chooses x in {Stop, Go}
      if x == Stop { payoff (0, 0) end } else { payoff (1, 1) }
      b chooses y in {U, D}
      payoff ([y == U], 0)""")
    payoffs = sorted(tuple(str(u) for u in tree.nodes[i].payoffs) for i in tree.terminals())
    assert payoffs == [("0", "0"), ("1", "1"), ("2", "1")]


def test_for_and_track_generate_rounds():
    tree = tree_of("""
      track total = 0
      for k in 1..3 {
        a sees total chooses x in {Zero, One}
        track total = total + [x == One]
      }
      payoff (total, -total)""")
    assert len(tree.terminals()) == 8
    assert sorted(str(tree.nodes[i].payoffs[0]) for i in tree.terminals()) == [
        "0", "1", "1", "1", "2", "2", "2", "3"]
    labels = {h.label.split(" |")[0] for h in tree.infosets}
    assert labels == {"x[1]", "x[2]", "x[3]"}


@pytest.mark.parametrize("body, message, line", [
    ('a chooses { L: b at "h" chooses { l: payoff (1, 0) r: payoff (0, 1) }\n'
     '  R: b at "h" chooses { l: payoff (1, 0) m: payoff (0, 1) } }',
     'information set "h" of b', 5),
    ("chance c in {H, T} with 0.4\npayoff (1, 1)", "sum to 0.8, not 1", 4),
    ("chance { H (0.5): payoff (1, 1)  T (0.6): payoff (0, 0) }", "sum to 1.1", 4),
    ("a chooses x in {L, R}\nif x == L { payoff (1, 1) }", "ends without a payoff", 3),
    ("c chooses x in {L, R}\npayoff (1, 1)", "`c` moves in the tree but is not a player", 4),
    ("a chooses x in {L, R}\npayoff (1, 1, 1)", "gives 3 values; there are 2 players", 5),
    ("payoff (y, 1)\nb chooses y in {1, 2}", "`y` has no value on this play", 4),
    ("a sees q chooses x in {L, R}\npayoff (1, 1)", "`q` after `sees` is not a move", 4),
])
def test_malformed_trees_are_located_errors(body, message, line):
    error = error_of(body)
    assert message in error.message
    assert error.span.line == line


def test_a_tree_player_may_not_declare_strategies():
    error = error_of("payoff (1, 1)", head="player a { choose x in {L, R} }\nplayer b {}\n")
    assert "declares strategies" in error.message and error.span.line == 1
