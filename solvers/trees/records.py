"""Result records of game-tree equilibria: behaviour strategies per information set,
payoffs (exact where known), the play they lead to, and the Result that lists them."""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from gamespec.errors import SolverError
from gamespec.game_tree import DECISION, GameTree
from gamespec.model import Model
from gamespec.result import Certificate, Result, Status
from gamespec.solvers.trees.behaviour import Behaviour, expected_payoffs


def payoff_scale(tree: GameTree) -> float:
    """max(1, the largest |payoff| at a leaf): what certificate tolerances scale with."""
    return max([1.0] + [abs(float(u)) for i in tree.terminals() for u in tree.nodes[i].payoffs])


def number_text(value: Any) -> str:
    """An exact number as text: 3/5, -1/18, 2."""
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else str(value)
    return f"{float(value):.12g}"


def is_exact(values) -> bool:
    return all(isinstance(v, (Fraction, int)) for v in values)


def behaviour_by_player(tree: GameTree, behaviour: Behaviour, text: bool = False) -> dict:
    """{player: {information set label: {move: probability}}} (floats, or exact text)."""
    out: dict[str, dict] = {p: {} for p in tree.players}
    for h, info in enumerate(tree.infosets):
        probs = behaviour[h]
        out[info.player][info.label] = {
            move: (number_text(p) if text else float(p)) for move, p in zip(info.moves, probs)}
    return out


def played_path(tree: GameTree, behaviour: Behaviour) -> list[str]:
    """The moves on the path of play (positive probability) from the root, in order, as
    "mover: variable=move" (one entry per distinct step when chance branches)."""
    out = []
    frontier = [0]
    while frontier:
        index = frontier.pop(0)
        node = tree.nodes[index]
        if not node.children:
            continue
        probs = behaviour[node.infoset] if node.kind == DECISION else node.probabilities
        who = node.player if node.kind == DECISION else "chance"
        for move, child, p in zip(node.moves, node.children, probs):
            if not p:
                continue
            name = tree.nodes[child].history[-1][0] if tree.nodes[child].history else who
            step = f"{who}: {move}" if name in (who, "chance") else f"{who}: {name}={move}"
            if p != 1:
                step += f" ({number_text(p)})"
            if step not in out:
                out.append(step)
            frontier.append(child)
    return out


def tree_record(tree: GameTree, behaviour: Behaviour, *, max_gain: Any,
                payoffs: Any = None, **notes) -> dict:
    """One equilibrium as a JSON-ready record."""
    payoffs = expected_payoffs(tree, behaviour) if payoffs is None else payoffs
    probs = [p for ps in behaviour.values() for p in ps]
    record = {
        "behaviour": behaviour_by_player(tree, behaviour),
        "payoffs": {p: float(v) for p, v in zip(tree.players, payoffs)},
        "path": played_path(tree, behaviour),
        "pure": all(p in (0, 1) for p in probs),
        "max_gain": float(max_gain),
    }
    if is_exact(probs) and is_exact(payoffs):
        record["exact"] = behaviour_by_player(tree, behaviour, text=True)
        record["exact_payoffs"] = {p: number_text(v) for p, v in zip(tree.players, payoffs)}
        if isinstance(max_gain, (Fraction, int)):
            record["exact_max_gain"] = number_text(max_gain)
    record.update(notes)
    return record


def certified_records(tree: GameTree, equilibria, gain_of, *, method: str, what: str,
                      tolerance: float) -> tuple[list[dict], float, float]:
    """Records of `equilibria` (each with .behaviour and .payoffs), each checked by
    `gain_of(eq)`, computed apart from the search; (records, largest gain, tolerance used).
    A gain above tolerance x payoff_scale is a SolverError naming `what` gains it."""
    records, worst = [], 0
    for eq in equilibria:
        gain = gain_of(eq)
        worst = max(worst, gain)
        records.append(tree_record(tree, eq.behaviour, max_gain=gain, payoffs=eq.payoffs))
    limit = tolerance * payoff_scale(tree)
    if float(worst) > limit:
        raise SolverError(f"{method}: an equilibrium failed its check ({what} gains "
                          f"{float(worst):.3g})")
    return records, float(worst), limit


def tree_result(model: Model, tree: GameTree, records: list[dict], *, method: str,
                kind: str, certificate: Certificate, covers: str,
                extra: dict | None = None) -> Result:
    """A Result listing tree equilibria (the first is the answer's values and strategies)."""
    first = records[0]
    return Result(
        game=model.title, spec=model.path, spec_sha256=model.sha256, method=method,
        status=Status.EQUILIBRIA if len(records) > 1 else Status.EQUILIBRIUM,
        values=dict(first["payoffs"]), strategies=dict(first["behaviour"]),
        certificate=certificate, covers=covers,
        extra={"tree_equilibria": records, "kind": kind, "tree": tree.size(),
               **(extra or {})})
