"""Gambit .efg files: reading (values, information sets, outcomes, located errors), writing,
round trips, and the spec text of a tree (gamespec.gambit_efg)."""
from __future__ import annotations

from fractions import Fraction as F

import pytest

import gamespec
from gamespec.errors import SpecError
from gamespec.gambit_efg import efg_to_spec, parse_efg, read_efg, tree_spec_text, write_efg
from gamespec.game_tree import as_number
from tests.oracles.random_trees import random_tree
from tests.oracles.trees import beer_quiche, entry_game, kuhn_poker

ENTRY = """EFG 2 R "Entry deterrence" { "Player 1" "Player 2" }
"Selten's chain store, one round"

p "" 1 1 "start" { "Out" "In" } 0
t "" 1 "Stay out" { 0, 2 }
p "" 2 1 "entered" { "Fight" "Accommodate" } 0
t "" 2 "" { -1, -1 }
t "" 3 "" { 1 1 }
"""

# Matching pennies in sequence: player 2 does not see player 1's move (one information
# set, written out once and then referred to by number); an outcome at an inner node adds
# to every leaf below; payoffs in several number forms.
PENNIES = """EFG 2 R "Pennies \\"hidden\\"" { "Row" "Column" }
""
c "deal" 1 "nature" { "hi" 0.25 "lo" 3/4 } 1 "fee" { -1/2, 0 }
p "" 1 1 "" { "H" "T" } 0
p "" 2 1 "guess" { "H" "T" } 0
t "" 2 "win" { 1 -1 }
t "" 3 "lose" { -1 1 }
p "" 2 1 0
t "" 3
t "" 2
p "" 1 1 0
p "" 2 1 "guess" { "H" "T" } 0
t "" 4 "" { 2.5e0, 1E-3 }
t "" 0
p "" 2 1 0
t "" 2
t "" 3
"""

HEADER = 'EFG 2 R "g" { "A" "B" }\n""\n'


def test_entry_game_is_read_with_its_payoffs_and_labels():
    game = parse_efg(ENTRY, "entry.efg")
    assert game.title == "Entry deterrence"
    assert game.comment == "Selten's chain store, one round"
    tree = game.tree
    assert tree.players == ("Player 1", "Player 2")
    renamed = entry_game().nodes
    assert [n.payoffs for n in tree.nodes] == [n.payoffs for n in renamed]
    assert [n.children for n in tree.nodes] == [n.children for n in renamed]
    assert [(h.label, h.moves, h.nodes) for h in tree.infosets] == [
        ("start", ("Out", "In"), (0,)), ("entered", ("Fight", "Accommodate"), (2,))]
    assert tree.nodes[2].history == (("Player 1", "In"),)
    assert tree.nodes[0].span.line == 4 and tree.infosets[1].span.line == 6


def test_information_sets_outcomes_and_numbers():
    game = parse_efg(PENNIES, "pennies.efg")
    tree = game.tree
    assert game.title == 'Pennies "hidden"'
    assert tree.root.probabilities == (F(1, 4), F(3, 4))
    assert tree.root.moves == ("hi", "lo")
    assert [len(h.nodes) for h in tree.infosets] == [2, 4]
    assert tree.infosets[0].label == "1"  # an empty label becomes the set's number
    assert tree.infosets[1].label == "guess"
    leaves = [tree.nodes[i].payoffs for i in tree.terminals()]
    fee = F(-1, 2)
    assert leaves[:4] == [(1 + fee, -1), (-1 + fee, 1), (-1 + fee, 1), (1 + fee, -1)]
    assert leaves[4] == (2.5 + fee, 0.001) and isinstance(leaves[4][1], float)
    assert leaves[5] == (fee, 0)
    assert all(isinstance(u, F) for u in leaves[0])


def test_labels_are_made_distinct_and_nonempty():
    text = """EFG 2 R "" { "" "" } p "" 1 1 "a" { "" "" "x" "x" } 0
    t "" 0 t "" 0 t "" 0 p "" 2 7 "" { "y" } 0 t "" 0"""
    tree = read_efg(text)
    assert tree.players == ("Player 1", "Player 2")
    assert tree.root.moves == ("1", "2", "x_3", "x_4")
    assert [h.label for h in tree.infosets] == ["a", "7"]


@pytest.mark.parametrize("tree", [entry_game(), kuhn_poker(), beer_quiche()],
                         ids=["entry", "kuhn", "beer_quiche"])
def test_hand_built_trees_round_trip_exactly(tree):
    text = write_efg(tree, "t")
    back = read_efg(text)
    assert back == tree and back.nodes == tree.nodes and back.infosets == tree.infosets
    assert write_efg(back, "t") == text


def test_kuhn_poker_file_shape():
    text = write_efg(kuhn_poker(), "Kuhn poker", "ante 1")
    lines = text.splitlines()
    assert lines[:2] == ['EFG 2 R "Kuhn poker" { "alice" "bob" }', '"ante 1"']
    assert lines[3].startswith('c "" 1 "" { "JQ" 1/6 "JK" 1/6')
    assert lines[4] == 'p "" 1 1 "J" { "Check" "Bet" } 0'
    assert sum(line.startswith("t ") for line in lines) == 30
    assert lines[-1].startswith('t "" 30 "" {')


@pytest.mark.parametrize("seed", range(6))
def test_random_trees_round_trip(seed):
    tree = random_tree(seed, stages=4, odd_labels=seed % 2 == 1)
    text = write_efg(tree, f"random {seed}")
    assert read_efg(text) == tree
    assert read_efg(write_efg(read_efg(text), f"random {seed}")) == tree


def test_floats_come_back_as_floats():
    tree = entry_game().map_values(lambda v: float(v) / 3 if v else v)
    text = write_efg(tree)
    assert "e0" in text or "e-" in text
    assert read_efg(text).nodes == tree.nodes


def test_deep_trees_need_no_recursion():
    # a centipede deeper than the recursion limit: each player in turn stops or passes on
    depth = 1200
    lines = [HEADER]
    for k in range(depth):
        lines.append(f'p "" {k % 2 + 1} {k // 2 + 1} "" {{ "stop" "pass" }} 0\n'
                     f't "" {k + 1} "" {{ {k}, {-k} }}\n')
    lines.append(f't "" {depth + 1} "" {{ 0, 0 }}\n')
    tree = read_efg("".join(lines))
    assert len(tree.nodes) == 2 * depth + 1
    assert read_efg(write_efg(tree)) == tree
    assert tree_spec_text(tree, "c", "c.efg").count("chooses {") == depth


def test_symbolic_values_are_refused():
    import sympy
    tree = entry_game().map_values(lambda v: v * sympy.Symbol("c"))
    with pytest.raises(SpecError, match="not a number"):
        write_efg(tree)
    with pytest.raises(SpecError, match="not a number"):
        tree_spec_text(tree, "t", "t")


@pytest.mark.parametrize("body, where, message", [
    ('p "" 1 1 "" { "a" } 0\nx "" 0\n', (4, 1), "unknown node type 'x'"),
    ('t "" 1 "" { 1 }\n', (3, 11), "outcome 1 has 1 payoff"),
    ('t "" 1 "" { 1 2 3 }\n', (3, 11), "the game has 2 player"),
    ('c "" 1 "" { "a" 1/2 "b" 1/3 } 0\nt "" 0\nt "" 0\n', (3, 1), "add up to 1"),
    ('c "" 1 "" { "a" 3/2 "b" -1/2 } 0\nt "" 0\nt "" 0\n', (3, 1), "nonnegative"),
    ('c "" 1 "" { "a" 1/2 "b" 1/2 } 0\np "" 1 1 "" { "x" } 0\nt "" 0\n'
     'p "" 1 1 "" { "x" "y" } 0\nt "" 0\nt "" 0\n', (6, 10), "information set 1 of player 1"),
    ('p "" 1 1 "" { "x" } 0\np "" 2 1 "" { "a" } 0\np "" 2 1 "other" { "a" } 0\nt "" 0\n',
     (5, 10), "here it differs"),
    ('p "" 1 1 "" { "x" } 0\np "" 1 2 0\nt "" 0\n', (4, 10), "used before it is defined"),
    ('p "" 3 1 "" { "x" } 0\nt "" 0\n', (3, 6), "player 3 does not exist"),
    ('p "" 1 1 "" { "x" "y" } 0\nt "" 0\n', (5, 1), "unexpected end of file"),
    ('p "" 1 1 "" { "x" } 0\n', (4, 1), "unexpected end of file"),
    ('t "" 2\n', (3, 6), "outcome 2 is used before"),
    ('t "" 0 "z" { 1 2 }\n', (3, 8), "outcome 0"),
    ('t "" 1 "" { 1 2 }\nt "" 0\n', (4, 1), "after the last node"),
    ('t "" 1 "" { 1/0 2 }\n', (3, 13), "bad number '1/0'"),
    ('p "" 1 1 "" { "x" "y" } 0\nt "" 1 "" { 1 2 }\nt "" 1 "" { 1 3 }\n', (5, 6),
     "outcome 1 was defined"),
    ('t "" 1 "oops { 1 2 }\n', (3, 8), "inside a quoted label"),
    ('p "" 1 1 "" { } 0\n', (3, 13), "at least one move"),
])
def test_malformed_files_name_line_and_column(body, where, message):
    with pytest.raises(SpecError, match=message) as caught:
        read_efg(HEADER + body, "bad.efg")
    error = caught.value
    assert (error.span.path, error.span.line, error.span.column) == ("bad.efg", *where)
    assert error.exit_code == 2
    assert error.format(HEADER + body).startswith(f"bad.efg:{where[0]}:{where[1]}: error:")


@pytest.mark.parametrize("text, message", [
    ('EFG 1 R "old" { "A" "B" }', "only EFG version 2"),
    ('NFG 1 R "table" { "A" "B" } { 2 2 }', "not a Gambit .efg file"),
    ('EFG 2 Q "g" { "A" }', "R or D"),
    ('EFG 2 R "g" { }', "no players"),
    ('EFG 2 R "g" { "A" }', "unexpected end of file"),
])
def test_headers_that_are_refused(text, message):
    with pytest.raises(SpecError, match=message):
        read_efg(text, "h.efg")


def test_spec_text_nests_moves_and_names_information_sets():
    text = efg_to_spec(PENNIES, "pennies.efg")
    assert text.startswith("# imported from pennies.efg by gamespec import\n")
    assert 'game "Pennies \'hidden\'"' in text
    assert "player Row {}\nplayer Column {}" in text
    body = text[text.index("tree {"):]
    assert body.splitlines()[1:5] == [
        "  chance {",
        "    hi (1/4): Row at \"1\" chooses {",
        "      H: Column at \"guess\" chooses {",
        "        H: payoff (1/2, -1)",
    ]
    assert "lo (3/4): Row at \"1\" chooses {" in body
    assert "H: payoff (2, 0.001)" in body
    assert body.count("{") == body.count("}")


def test_spec_text_quotes_labels_that_are_not_names():
    text = tree_spec_text(random_tree(1, stages=3, odd_labels=True), 'a "b"\nc', "x\ny")
    assert text.splitlines()[:2] == ["# imported from x y by gamespec import", "game \"a 'b' c\""]
    assert '"say \'hi\'' in text or '"2' in text or '"a b' in text
    free = tree_spec_text(entry_game(), "Entry", "entry.efg", always_at=False)
    assert " at " not in free and "entrant chooses {" in free
    assert "player player_1" in tree_spec_text(read_efg(ENTRY.replace("Player 1", "1")),
                                               "e", "s")


def test_spec_text_with_odd_labels_loads():
    tree = random_tree(3, stages=4, odd_labels=True)
    loaded = gamespec.loads(tree_spec_text(tree, "t", "t.efg")).model.tree
    assert loaded.size() == tree.size()
    assert [n.moves for n in loaded.nodes] \
        == [tuple(m.replace('"', "'") for m in n.moves) for n in tree.nodes]


@pytest.mark.parametrize("tree", [entry_game(), kuhn_poker(), beer_quiche(),
                                  random_tree(3, stages=4),
                                  read_efg(PENNIES)],
                         ids=["entry", "kuhn", "beer_quiche", "random", "pennies"])
def test_spec_text_loads_to_the_same_tree(tree):
    model = gamespec.loads(tree_spec_text(tree, "t", "t.efg")).model
    loaded = model.tree.map_values(as_number)
    assert loaded.size()["nodes"] == tree.size()["nodes"]
    assert [(n.kind, n.children, n.moves, n.probabilities) for n in loaded.nodes] \
        == [(n.kind, n.children, n.moves, n.probabilities) for n in tree.nodes]
    # decimals in a spec are exact: a float payoff comes back as the decimal it prints as
    assert [pytest.approx([float(u) for u in n.payoffs]) for n in tree.nodes] \
        == [[float(u) for u in n.payoffs] for n in loaded.nodes]
    assert [(h.label, h.nodes) for h in loaded.infosets] \
        == [(h.label, h.nodes) for h in tree.infosets]
