"""An `order` over pure choices is the perfect-information game tree it reads as: the
leader commits to a pure action (backward induction), while `stackelberg` gives the mixed
commitment; the classic 2x2 where they differ (pure 3, mixed 3.5: von Stengel and Zamir,
"Leadership games with convex strategy sets", GEB 2010, Fig. 1)."""
from __future__ import annotations

import json

from gamespec.cli import main

COMMITMENT = """
game "Commitment"
player leader { choose a in {Up, Down} }
player follower { choose b in {Left, Right} }
table {
  (Up, Left): (2, 1)
  (Up, Right): (4, 0)
  (Down, Left): (1, 0)
  (Down, Right): (3, 1)
}
order leader -> follower
"""

THREE_STAGES = """
game "Three movers"
player a { choose x in {L, R} }
player b { choose y in {L, R} }
player c { choose z in {L, R} }
payoff a = [x == L] * 2 + [z == R]
payoff b = [y == x] * 3 - [z == L]
payoff c = [z == y] + [x == R] * [z == L] * 2
order a -> b -> c
"""


def solve(tmp_path, capsys, text: str, *args: str) -> dict:
    path = tmp_path / "game.game"
    path.write_text(text)
    assert main(["solve", str(path), "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_pure_commitment_is_the_subgame_perfect_value(tmp_path, capsys):
    out = solve(tmp_path, capsys, COMMITMENT)
    assert out["method"] == "backward_induction"
    assert out["values"] == {"leader": 3.0, "follower": 1.0}
    assert "commits to a pure action" in out["covers"]


def test_mixed_commitment_is_stackelberg(tmp_path, capsys):
    out = solve(tmp_path, capsys, COMMITMENT, "--method", "stackelberg")
    assert abs(out["values"]["leader"] - 3.5) < 1e-9
    assert out["strategies"]["leader"] == {"Up": 0.5, "Down": 0.5}
    assert "mixed strategy" in out["covers"]


def brute_force_spe(payoff):
    """Backward induction by hand over a -> b -> c with moves L/R (independent oracle)."""
    moves = ("L", "R")
    best = {}
    for x in moves:
        for y in moves:
            best[x, y] = max(moves, key=lambda z: (payoff(x, y, z)[2], z == "L"))
    reply = {x: max(moves, key=lambda y: payoff(x, y, best[x, y])[1]) for x in moves}
    x = max(moves, key=lambda x: payoff(x, reply[x], best[x, reply[x]])[0])
    return payoff(x, reply[x], best[x, reply[x]])


def test_three_stages_match_a_hand_backward_induction(tmp_path, capsys):
    def payoff(x, y, z):
        return ((x == "L") * 2 + (z == "R"), (y == x) * 3 - (z == "L"),
                (z == y) + (x == "R") * (z == "L") * 2)

    out = solve(tmp_path, capsys, THREE_STAGES)
    assert out["method"] == "backward_induction"
    values = tuple(out["values"][p] for p in "abc")
    assert values == brute_force_spe(payoff)
