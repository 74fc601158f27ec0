"""The pygambit side of tests/oracles/gambit_reference.py (imported only where pygambit is):
builds a Gambit game from a plain game description and returns plain JSON-ready answers
(exact numbers as "p/q" strings, floats rounded to 12 significant digits)."""
from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import numpy as np
import pygambit as gbt

VERSION = gbt.__version__

SOLVERS = {
    "enummixed": gbt.nash.enummixed_solve,
    "enumpure": gbt.nash.enumpure_solve,
    "enumpoly": gbt.nash.enumpoly_solve,
    "lcp": gbt.nash.lcp_solve,
    "lp": gbt.nash.lp_solve,
    "logit": gbt.nash.logit_solve,
}


def number(v):
    """A pygambit number as plain JSON: floats to 12 significant digits, exact as "p/q"."""
    if isinstance(v, float):
        return float(f"{v:.12g}")
    q = Fraction(str(v))
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _value(v):
    """A plain input number back as what pygambit takes (strings are exact)."""
    return Fraction(v) if isinstance(v, str) else v


def build(game: dict):
    """The pygambit Game of a plain description (see gambit_reference.arrays/nfg/efg/tree)."""
    if "arrays" in game:
        tables = [np.array(_deep(t), dtype=object) for t in game["arrays"]]
        return gbt.Game.from_arrays(*tables)
    if "nfg" in game:
        return gbt.read_nfg(io.StringIO(game["nfg"]))
    if "efg" in game:
        return gbt.read_efg(io.StringIO(game["efg"]))
    return _tree_by_api(game["tree"])


def _deep(table):
    return [_deep(x) for x in table] if isinstance(table, list) else _value(table)


def _tree_by_api(tree: dict):
    """The tree built through pygambit's API (one outcome per leaf), not from .efg text."""
    players, nodes = tree["players"], tree["nodes"]
    game = gbt.Game.new_tree(players=list(players), title="api")
    made = {}
    stack = [(0, game.root)]
    while stack:
        index, gnode = stack.pop()
        kind, children, moves, player, infoset, probs, payoffs = nodes[index]
        if kind == "terminal":
            outcome = game.add_outcome(f"leaf {index}", [_value(u) for u in payoffs])
            game.set_outcome(gnode, outcome)
            continue
        if kind == "chance":
            game.append_move(gnode, game.players.chance, list(moves))
            game.set_chance_probs(gnode.infoset, [_value(p) for p in probs])
        elif infoset in made:
            game.append_infoset(gnode, made[infoset])
        else:
            game.append_move(gnode, player, list(moves))
            made[infoset] = gnode.infoset
        stack.extend(zip(children, gnode.children))
    return game


def _equilibrium(game, eq) -> dict:
    out = {"payoffs": [number(eq.payoff(p)) for p in game.players]}
    if type(eq).__name__.startswith("MixedBehavior"):
        out["behaviour"] = [[[h.label, [number(eq[a]) for a in h.actions]] for h in p.infosets]
                            for p in game.players]
    else:
        out["profile"] = [[number(eq[s]) for s in p.strategies] for p in game.players]
    return out


def _labels(game) -> dict:
    return {"players": [p.label for p in game.players],
            "strategies": [[s.label for s in p.strategies] for p in game.players]}


def solve(game: dict, algorithm: str, options: dict) -> dict:
    g = build(game)
    found = SOLVERS[algorithm](g, **options).equilibria
    return {**_labels(g), "equilibria": [_equilibrium(g, eq) for eq in found]}


def logit_lambda(game: dict, lams: list) -> dict:
    g = build(game)
    found = gbt.qre.logit_solve_lambda(g, list(lams))
    return {**_labels(g), "equilibria": [_equilibrium(g, q.profile) for q in found]}


def strategic(game: dict) -> dict:
    g = build(game)
    return {**_labels(g), "payoffs": [np.vectorize(number, otypes=[object])(a).tolist()
                                      for a in g.to_arrays()]}


def tree_info(game: dict) -> dict:
    g = build(game)
    return {"players": [p.label for p in g.players], "nodes": len(list(g.nodes)),
            "infosets": [len(list(p.infosets)) for p in g.players],
            "perfect_recall": bool(g.is_perfect_recall), "leaf_payoffs": _leaf_payoffs(g)}


def _leaf_payoffs(game) -> list:
    """Each leaf's payoffs (outcomes on the way added up), leaves in prefix order."""
    out, stack = [], [(game.root, [Fraction(0)] * len(game.players))]
    while stack:
        node, total = stack.pop()
        try:  # node.outcome is a proxy, never None; reading a missing one raises
            total = [t + Fraction(str(node.outcome[p])) for t, p in zip(total, game.players)]
        except KeyError:
            pass
        if node.is_terminal:
            out.append([number(t) for t in total])
        stack.extend(reversed([(child, total) for child in node.children]))
    return out


def catalog() -> dict:
    """The .efg files of pygambit's catalog, by their path inside it."""
    root = Path(gbt.__file__).parent / "catalog_data"
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*.efg"))}
