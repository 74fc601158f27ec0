"""QA of game trees (extensive-form games) on textbook games not in specs/.

Answers were checked against the textbook and against pygambit 16.7 (export to .efg,
`gbt.nash.lcp_solve` / `lp_solve` / `enumpure_solve`). Each xfail(strict=True) test asserts
the RIGHT behaviour while its bug is open: remove the mark when it is fixed.
"""

import json
import re
from fractions import Fraction

import pytest

import gamespec
from gamespec.cli import main
from tests.oracles import gambit_reference as gambit

# --- textbook games -------------------------------------------------------------------

# Rosenthal's centipede, 4 stages: the unique SPE stops at once, payoffs (1, 0).
CENTIPEDE = """
game "Centipede"
player one {}
player two {}
tree {
  one chooses {
    S: payoff (1, 0)
    C: two chooses {
      S: payoff (0, 2)
      C: one chooses {
        S: payoff (3, 1)
        C: two chooses {
          S: payoff (2, 4)
          C: payoff (5, 3)
        }
      }
    }
  }
}
"""

# Ultimatum game, pie 4, integer offers: two pure SPE, (4, 0) and (3, 1).
ULTIMATUM = """
game "Ultimatum"
param pie = 4
player proposer {}
player responder {}
tree {
  proposer chooses x in 0..pie
  responder chooses r in {Accept, Reject}
  if r == Accept { payoff (pie - x, x) } else { payoff (0, 0) }
}
"""

# Stackelberg quantities in {3, 4, 6}, P = 12 - Q, no cost: SPE q1 = 6, q2 = 3, (18, 9).
STACKELBERG_ORDER = """
game "Stackelberg via order"
set Q = {3, 4, 6}
player leader { choose q1 in Q }
player follower { choose q2 in Q }
order leader -> follower
payoff leader = (12 - q1 - q2) * q1
payoff follower = (12 - q1 - q2) * q2
"""

# Myerson's card game (Game Theory, 1991, sec. 2.1): value 1/3 for player one; one bluffs
# black with probability 1/3, two meets with probability 2/3.
MYERSON = """
game "Myerson card game"
set Colors = {Red, Black}
player one {}
player two {}
tree {
  chance c in Colors with 1/2
  one sees c chooses a in {Raise, Fold}
  if a == Fold {
    payoff (if c == Red then 1 else -1, if c == Red then -1 else 1)
    end
  }
  two sees a chooses b in {Meet, Pass}
  if b == Pass { payoff (1, -1) } else {
    payoff (if c == Red then 2 else -2, if c == Red then -2 else 2)
  }
}
"""

# A sequential game with a tie for the follower: SPE (R, l) -> (2, 0) and (L, r) -> (1, 1).
TIE = """
game "Tie"
player one {}
player two {}
tree {
  one chooses {
    L: payoff (1, 1)
    R: two chooses {
      l: payoff (2, 0)
      r: payoff (0, 0)
    }
  }
}
"""

# Two-round inspection game; by hand (and pygambit lcp): inspector's value -17/36,
# inspectee's 0, inspect with probability 2/9 then 1/4.
INSPECTION = """
game "Inspection rounds"
param rounds = 2
player inspector {}
player inspectee {}
tree {
  track caught_total = 0
  for k in 1..rounds {
    inspectee sees caught_total chooses v in {Cheat, Honest}
    inspector sees caught_total chooses i in {Inspect, Skip}
    if i == Inspect { payoff (-0.5, 0) }
    if v == Cheat {
      if i == Inspect {
        payoff (1, -3)
        end
      } else {
        payoff (-1, 1)
      }
    }
  }
  payoff (0, 0)
}
"""

# A leader, then two followers moving simultaneously, both seeing the leader's move.
LEADER_THEN_PAIR = """
game "Leader then simultaneous"
player a { choose x in {Hi, Lo} }
player b { choose y in {U, D} }
player c { choose z in {U, D} }
order a -> {b, c}
payoff a = if x == Hi then 2 * [y == z] else 1
payoff b = [y == z] * (if y == U then 2 else 1)
payoff c = [y == z] * (if y == U then 1 else 2)
"""


def _spec(tmp_path, text, name="g.game"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _run(capsys, args):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


# --- working behaviour ----------------------------------------------------------------

def test_centipede_spe_stops_at_once():
    result = gamespec.loads(CENTIPEDE).solve()
    assert result.method == "backward_induction"
    assert result.values == {"one": pytest.approx(1), "two": pytest.approx(0)}


def test_ultimatum_has_the_two_textbook_spe():
    result = gamespec.loads(ULTIMATUM).solve()
    pays = sorted((e["payoffs"]["proposer"], e["payoffs"]["responder"])
                  for e in result.extra["tree_equilibria"])
    assert pays == [pytest.approx((3, 1)), pytest.approx((4, 0))]


def test_tie_yields_both_spe():
    result = gamespec.loads(TIE).solve()
    pays = sorted((e["payoffs"]["one"], e["payoffs"]["two"])
                  for e in result.extra["tree_equilibria"])
    assert pays == [pytest.approx((1, 1)), pytest.approx((2, 0))]


def test_order_over_choose_is_stackelberg_tree():
    result = gamespec.loads(STACKELBERG_ORDER).solve()
    assert result.method == "backward_induction"
    assert result.values == {"leader": pytest.approx(18), "follower": pytest.approx(9)}


def test_myerson_card_game_value_one_third():
    result = gamespec.loads(MYERSON).solve()
    assert result.method == "sequence_form"
    assert result.values["one"] == pytest.approx(1 / 3)


def test_inspection_rounds_value():
    result = gamespec.loads(INSPECTION).solve()
    assert result.values["inspector"] == pytest.approx(-17 / 36)
    assert result.values["inspectee"] == pytest.approx(0, abs=1e-9)


def test_myerson_efg_matches_pygambit(tmp_path, capsys):
    code, out, _ = _run(capsys, ["export", _spec(tmp_path, MYERSON), "--format", "efg"])
    assert code == 0
    eq = gambit.solve(gambit.efg(out), "lp", rational=True).equilibria[0]
    assert eq.payoffs[0] == Fraction(1, 3)


def test_probabilities_not_summing_to_one_are_located(tmp_path, capsys):
    text = """
game "probs"
player a {}
player b {}
tree {
  chance {
    H (0.5): payoff (1, -1)
    T (0.4): payoff (-1, 1)
  }
}
"""
    path = _spec(tmp_path, text)
    code, _, err = _run(capsys, ["check", path])
    assert code == 2
    assert re.search(r"g\.game:6:3: error: .*sum to 0\.9", err)


def test_information_set_with_different_moves_is_located(tmp_path, capsys):
    text = """
game "info sets"
player a {}
player b {}
tree {
  a chooses {
    L: b at "x" chooses { l: payoff (1, 0)  r: payoff (0, 1) }
    R: b at "x" chooses { l: payoff (1, 0)  m: payoff (0, 1) }
  }
}
"""
    code, _, err = _run(capsys, ["check", _spec(tmp_path, text)])
    assert code == 2
    assert "g.game:8:" in err and "information set" in err


# --- problems found -------------------------------------------------------------------

def test_simultaneous_followers_see_the_leader(tmp_path, capsys):
    code, out, _ = _run(capsys, ["export", _spec(tmp_path, LEADER_THEN_PAIR),
                                 "--format", "efg"])
    assert code == 0
    # b's nodes after Hi and after Lo must lie in different information sets
    b_infosets = {m.group(1) for m in re.finditer(r'^p "" 2 (\d+) ', out, re.M)}
    assert len(b_infosets) == 2


def test_sees_a_later_move_is_an_error(tmp_path, capsys):
    text = """
game "sees the future"
player a {}
player b {}
tree {
  a sees y chooses x in {U, D}
  b chooses y in {L, R}
  payoff ([x == U], [y == L])
}
"""
    code, _, err = _run(capsys, ["check", _spec(tmp_path, text)])
    assert code == 2
    assert "g.game:6:" in err


def test_empty_move_block_is_a_located_error(tmp_path, capsys):
    text = """
game "empty"
player a {}
player b {}
tree {
  a chooses { }
  payoff (0, 0)
}
"""
    code, _, err = _run(capsys, ["check", _spec(tmp_path, text)])
    assert code == 2
    assert "g.game:6:" in err


def test_duplicate_move_labels_are_an_error(tmp_path, capsys):
    text = """
game "duplicate move"
player a {}
player b {}
tree {
  a chooses { L: payoff (1, 0)  L: payoff (0, 1) }
}
"""
    code, _, err = _run(capsys, ["check", _spec(tmp_path, text)])
    assert code == 2
    assert "g.game:6:" in err


def test_huge_tree_hits_a_limit_quickly(tmp_path):
    import subprocess
    import sys
    text = """
game "huge"
set M = 1..10
player a {}
player b {}
tree {
  for k in 1..8 {
    a chooses x in M
  }
  payoff (1, 2)
}
"""
    path = _spec(tmp_path, text)

    def thirty_cpu_seconds():  # CPU, not wall time: a loaded machine must not fail the test
        import resource
        resource.setrlimit(resource.RLIMIT_CPU, (30, 30))

    try:
        proc = subprocess.run([sys.executable, "-m", "gamespec.cli", "check", path],
                              capture_output=True, text=True, timeout=600,
                              preexec_fn=thirty_cpu_seconds)
    except subprocess.TimeoutExpired:
        pytest.fail("no limit: still running after 600 s")
    assert proc.returncode in (2, 3), "no limit: killed after 30 s of CPU time"
    assert "g.game:" in proc.stderr


def test_move_label_as_payoff_is_a_located_error(tmp_path, capsys):
    text = """
game "label payoff"
player a {}
player b {}
tree {
  a chooses x in {L, R}
  payoff (x, 0)
}
"""
    code, _, err = _run(capsys, ["solve", _spec(tmp_path, text)])
    assert code == 2
    assert "g.game:7:" in err
    assert "parameter" not in err


def test_imperfect_recall_error_is_located(tmp_path, capsys):
    text = """
game "absent-minded"
player a {}
player b {}
tree {
  a at "same" chooses {
    E: payoff (0, 0)
    C: a at "same" chooses { E: payoff (4, 0)  C: payoff (1, 0) }
  }
}
"""
    code, _, err = _run(capsys, ["solve", _spec(tmp_path, text)])
    assert code in (2, 3)
    assert re.search(r"g\.game:\d+:\d+:", err)


def test_sees_nothing_keeps_the_movers_own_past(tmp_path, capsys):
    """docs/language.md: a mover always remembers what it saw and chose (perfect recall),
    so `sees nothing` after its own move still knows that move."""
    text = """
game "remembers own move"
player a {}
player b {}
tree {
  a chooses x in {L, R}
  a sees nothing chooses y in {l, r}
  payoff ([x == L] + [y == l], 0)
}
"""
    code, out, _ = _run(capsys, ["solve", _spec(tmp_path, text)])
    assert code == 0
    assert ["a", "y", "|", "x=L", "l"] in [line.split() for line in out.splitlines()]


def test_unreachable_items_after_end_are_flagged(tmp_path, capsys):
    text = """
game "after end"
player a {}
player b {}
tree {
  payoff (1, 1)
  end
  a chooses x in {U, D}
  payoff (2, 2)
}
"""
    path = _spec(tmp_path, text)
    code, out, err = _run(capsys, ["solve", path])
    assert code == 2 or "unreachable" in (out + err).replace(path, "")


def test_derive_on_parameterised_imperfect_tree_says_something(tmp_path, capsys):
    text = MYERSON.replace('game "Myerson card game"',
                           'game "Parametric card"\nparam bet = 1').replace(
        "then 2 else -2, if c == Red then -2 else 2",
        "then 1 + bet else -1 - bet, if c == Red then -1 - bet else 1 + bet")
    code, out, err = _run(capsys, ["derive", _spec(tmp_path, text)])
    assert code == 0
    assert "payoffs at the leaves" in out and "bet" in out


def test_info_calls_a_tree_finite_and_sequential(tmp_path, capsys):
    code, out, _ = _run(capsys, ["info", _spec(tmp_path, CENTIPEDE)])
    assert code == 0
    assert "finite=yes" in out
    assert "order of play: {one, two}" not in out


def test_division_by_zero_message(tmp_path, capsys):
    text = """
game "div zero"
player a {}
player b {}
tree {
  a chooses x in {1, 0}
  payoff (1 / x, 0)
}
"""
    code, _, err = _run(capsys, ["solve", _spec(tmp_path, text)])
    assert code == 2
    assert "g.game:7:" in err
    assert "ComplexInfinity" not in err and "zero" in err.lower()


def test_zero_sum_tree_with_one_payoff(tmp_path, capsys):
    text = """
game "zero-sum declared"
player a {}
player b {}
zero_sum
tree {
  a chooses x in {H, T}
  b sees nothing chooses y in {H, T}
  payoff (if x == y then 1 else -1)
}
"""
    code, out, _ = _run(capsys, ["solve", _spec(tmp_path, text), "--json"])
    assert code == 0
    assert json.loads(out)["values"]["a"] == pytest.approx(0, abs=1e-9)


def test_a_finite_tree_names_its_methods_and_tree_nash_finds_the_equilibrium(tmp_path, capsys):
    text = """
game "PD tree"
player row {}
player col {}
tree {
  row chooses a in {C, D}
  col sees nothing chooses b in {C, D}
  payoff (if a == C then (if b == C then 3 else 0) else (if b == C then 4 else 1),
          if b == C then (if a == C then 3 else 0) else (if a == C then 4 else 1))
}
"""
    code, _, err = _run(capsys, ["solve", _spec(tmp_path, text), "--method", "enumerate"])
    assert code == 3 and "tree_nash" in err
    code, out, _ = _run(capsys, ["solve", _spec(tmp_path, text), "--method", "tree_nash",
                                 "--json"])
    assert code == 0
    assert json.loads(out)["values"] == {"row": pytest.approx(1), "col": pytest.approx(1)}


def test_check_builds_the_tree(tmp_path, capsys):
    text = """
game "div zero"
player a {}
player b {}
tree {
  a chooses x in {1, 0}
  payoff (1 / x, 0)
}
"""
    code, _, err = _run(capsys, ["check", _spec(tmp_path, text)])
    assert code == 2
    assert "g.game:7:" in err


def test_language_doc_has_a_game_trees_section():
    from pathlib import Path
    doc = (Path(__file__).resolve().parents[1] / "docs" / "language.md").read_text()
    grammar = (Path(__file__).resolve().parents[1] / "grammar" / "gamespec.lark").read_text()
    assert '"tree: game trees"' in grammar
    assert "## tree: game trees" in doc
    for method in ("backward_induction", "sequence_form", "subgame_perfect", "tree_nash"):
        assert method in doc
