"""The `network` statement: parsing, the model, located errors (exit 2 for a wrong spec,
exit 3 over the path limit), the command line (info, solve, --json, derive)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gamespec.cli import main
from gamespec.language.loader import model_from_string

SPECS = Path(__file__).resolve().parents[2] / "specs"

GOOD = """
param open = 1
network roads with flow x {
  edge s -> a cost x / 100
  edge a -> t cost 45
  edge 1 -> t cost 2
  edge shortcut: s -> t cost 90 if open == 1
  demand drivers of 40 from s to t
}
"""


def test_the_model_of_a_network():
    net = model_from_string(GOOD, "net.game").network
    assert [e.name for e in net.edges] == ["s->a", "a->t", "1->t", "shortcut"]
    assert str(net.edges[0].cost) == "x/100"
    assert net.demands[0].amount == 40 and net.demands[0].origin == "s"
    closed = model_from_string(GOOD, "net.game", {"open": 0}).network
    assert closed.dropped == ("shortcut",)
    assert "shortcut" not in [e.name for e in closed.edges]


def test_default_flow_name_and_names_that_stay_names():
    text = ("param edge = 2\nlet demand = 3\nnetwork n {\n  edge s -> t cost flow + edge\n"
            "  edge s -> t cost demand\n  demand cars of 1 from s to t\n}\n")
    net = model_from_string(text, "n.game").network
    assert [e.name for e in net.edges] == ["s->t#1", "s->t#2"]
    assert str(net.flow) == "flow"


BAD = [  # (spec text, message part, line, column)
    ("network n with flow x {\n  edge s -> t cost x\n  demand c of 1 from s to u\n}\n",
     "unknown node `u`", 3, 27),
    ("network n with flow x {\n  edge s -> a cost x\n  edge t -> a cost 1\n"
     "  demand c of 1 from s to t\n}\n", "no path from s to t", 4, 3),
    ("network n with flow x {\n  edge s -> t cost x - 1\n  demand c of 1 from s to t\n}\n",
     "is negative", 2, 20),
    ("network n with flow x {\n  edge s -> t cost 1 / (1 + x)\n  demand c of 1 from s to t\n}\n",
     "decreases with its flow", 2, 20),
    ("network n with flow x {\n  edge s -> t cost x ^ 2 - 3 * x + 3\n"
     "  demand c of 1 from s to t\n}\n", "decreases with its flow", 2, 20),
    ("param flow = 1\nnetwork n {\n  edge s -> t cost 1\n  demand c of 1 from s to t\n}\n",
     "flow name `flow` is already declared", 2, 1),
    ("network n with flow x {\n  edge s -> t cost y\n  demand c of 1 from s to t\n}\n",
     "y", 2, 20),
    ("network n with flow x {\n  edge s -> t cost x\n  demand c of 0 from s to t\n}\n",
     "positive amount", 3, 15),
    ("network n with flow x {\n  edge s -> t cost x\n  demand c of 1 from s to s\n}\n",
     "same node", 3, 27),
    ("network n with flow x {\n  edge s -> t cost x if 3\n  demand c of 1 from s to t\n}\n",
     "takes a condition", 2, 25),
    ("player p { choose a in {A, B} }\npayoff p = 1\nnetwork n with flow x {\n"
     "  edge s -> t cost x\n  demand c of 1 from s to t\n}\n", "declares no players", 1, 1),
]


@pytest.mark.parametrize("text, message, line, column", BAD)
def test_bad_networks_are_located_errors(tmp_path, capsys, text, message, line, column):
    spec = tmp_path / "bad.game"
    spec.write_text(text)
    assert main(["solve", str(spec)]) == 2
    err = capsys.readouterr().err
    assert f"bad.game:{line}:{column}: error:" in err and message in err, err
    assert "Traceback" not in err


def test_too_many_paths_is_exit_3_with_the_limit_named(tmp_path, capsys):
    nodes = "abcdef"
    edges = "\n".join(f"  edge {u} -> {v} cost flow" for u in nodes for v in nodes if u != v)
    spec = tmp_path / "full.game"
    spec.write_text(f"network full {{\n{edges}\n  demand cars of 1 from a to f\n}}\n")
    assert main(["solve", str(spec), "--limit", "network_paths=20"]) == 3
    err = capsys.readouterr().err
    assert "more than 20 simple paths" in err and "--limit network_paths" in err


def test_info_lists_and_solve_picks_wardrop(capsys):
    assert main(["info", str(SPECS / "braess.game")]) == 0
    out = capsys.readouterr().out
    assert "wardrop: applies" in out
    assert "class: congestion network (5 edges, 1 non-atomic demand)" in out
    assert main(["solve", str(SPECS / "braess.game"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "wardrop" and out["status"] == "equilibrium"
    assert out["values"] == {"drivers": 80.0}
    assert out["network"]["equilibrium"]["edge_flows"]["bridge"] == 4000.0
    assert out["certificate"]["ok"] and out["certificate"]["residual"] == 0.0
    assert main(["solve", str(SPECS / "braess.game"), "--set", "bridge=0"]) == 0
    text = capsys.readouterr().out
    assert "price of anarchy: 1" in text and "equilibrium total cost: 260000" in text


def test_derive_writes_the_wardrop_conditions(capsys):
    assert main(["derive", str(SPECS / "pigou.game")]) == 0
    out = capsys.readouterr().out
    assert "C[fixed]: 1" in out and "C[variable]: f[variable]**d" in out
    assert "f[variable]*(f[variable]**d - pi[traffic]) == 0" in out
    assert "Phi: f[fixed] + f[variable]**(d + 1)/(d + 1)" in out
