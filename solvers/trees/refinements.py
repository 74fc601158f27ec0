"""Equilibrium refinements of a signalling-game equilibrium, as a JSON-ready record:
the weak PBE check, the receiver's beliefs over types after each message (Bayes on the
path; off it, the beliefs that support the receiver's behaviour), and the intuitive
criterion. Numbers are exact text ("1/10") for Fractions, floats otherwise."""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from gamespec.game_tree import GameTree
from gamespec.solvers.trees.behaviour import Behaviour
from gamespec.solvers.trees.intuitive_criterion import IntuitiveVerdict, intuitive_criterion
from gamespec.solvers.trees.signalling import SignallingGame, signalling_game


def refinements(tree: GameTree, behaviour: Behaviour) -> dict | None:
    """{"perfect_bayesian", "beliefs" (by the receiver's information-set label),
    "intuitive_criterion"} for a signalling game; None for any other tree."""
    game = signalling_game(tree)
    if game is None:
        return None
    verdict = intuitive_criterion(game, behaviour)
    return {
        "perfect_bayesian": verdict.pbe.ok,
        "beliefs": receiver_beliefs(game, verdict),
        "intuitive_criterion": criterion_record(verdict),
    }


def receiver_beliefs(game: SignallingGame, verdict: IntuitiveVerdict) -> dict[str, dict]:
    """After each message: Bayes beliefs over types, or the off-path supporting beliefs
    (an interval of the last type's probability for two types, else the inequalities
    sum_t c[t] * belief[t] >= 0 and one supporting belief)."""
    out = {}
    types = game.types
    supporting = verdict.pbe.rationality.supporting
    for m, h in game.receiver_sets.items():
        label = game.tree.infosets[h].label
        belief = verdict.pbe.beliefs[h]
        if belief is not None:
            out[label] = {"message": m, "on_path": True,
                          "belief": _by_type(game, h, belief)}
            continue
        s = supporting[h]
        entry: dict[str, Any] = {"message": m, "on_path": False, "supported": s.supported}
        if s.supported:
            entry["witness"] = _by_type(game, h, s.witness)
        if len(types) == 2:
            span = s.interval(game.node[(types[1], m)])
            entry["interval"] = None if span is None else {
                "of": types[1], "low": json_number(span[0]), "high": json_number(span[1])}
        else:
            entry["inequalities"] = [_by_type(game, h, row) for row in s.rows]
        out[label] = entry
    return out


def criterion_record(verdict: IntuitiveVerdict) -> dict:
    return {
        "passes": verdict.passes,
        "reason": verdict.reason,
        "equilibrium_payoffs": {t: json_number(v)
                                for t, v in verdict.equilibrium_payoffs.items()},
        "off_path": [{"message": x.message, "best_responses": list(x.responses),
                      "most": {t: json_number(v) for t, v in x.most.items()},
                      "dominated": list(x.dominated),
                      "best_responses_undominated": list(x.remaining_responses),
                      "deviators": list(x.deviators)} for x in verdict.tests],
    }


def json_number(value: Any) -> str | float:
    """Exact text for a Fraction ("1/10", "2"), else a float."""
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else str(value)
    if isinstance(value, int):
        return str(value)
    return float(value)


def _by_type(game: SignallingGame, infoset: int, values) -> dict[str, Any]:
    """Values aligned with a receiver set's nodes, keyed by the type at each node."""
    type_at = {game.node[(t, m)]: t for (t, m) in game.node}
    nodes = game.tree.infosets[infoset].nodes
    return {type_at[x]: json_number(v) for x, v in zip(nodes, values)}
