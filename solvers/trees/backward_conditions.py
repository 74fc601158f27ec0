"""Backward induction with symbolic payoffs: when each move is optimal (for `derive`).

The tree's values are SymPy expressions whose free symbols are the model's parameters.
Walking bottom-up, each subgame is played in one or more cases: a case is an assumption
on the parameters (a conjunction of relations), the parameter-dependent choices made
below, and the payoff vector that results. At each decision node, for every combination
of its children's cases, every move gets a record: the condition (given the case) under
which the move is optimal for the mover. Weak inequalities are used, so cases overlap on
boundaries, where the mover is indifferent; a case that holds only on such a boundary is
dropped when others hold on open sets (they cover it). Linear relations are checked with SymPy's
linear real arithmetic, which drops impossible cases and conditions the case implies;
other relations are kept as they are.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import product
from typing import Any

import sympy as sp

from gamespec.game_tree import CHANCE, TERMINAL, GameTree

Choices = tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Case:
    """One way to play a subgame: `assumption` on the parameters, the (node, move)
    choices below that depend on them (or are ties), and the payoff `values`."""

    assumption: Any
    choices: Choices
    values: tuple


@dataclass(frozen=True)
class MoveCondition:
    """Move `move` at decision `node` is optimal for `player` iff `condition`, in the
    case `case` (assumption) with choices `case_choices` below; `continuation`: the
    payoff vector when the move is taken in that case."""

    node: int
    player: str
    label: str
    history: tuple
    move: str
    condition: Any
    continuation: tuple
    case: Any
    case_choices: Choices


@dataclass(frozen=True)
class Derivation:
    """Records bottom-up; `cases` of every node's subgame; `complete` is False when
    `max_cases` cut a node's cases or the combinations of its children's cases."""

    records: list[MoveCondition]
    cases: dict[int, list[Case]]
    complete: bool


def backward_conditions(tree: GameTree, max_cases: int = 64) -> Derivation:
    """The optimality condition of every move of a perfect-information tree, by case."""
    from gamespec.solvers.trees.backward_induction import check_perfect_information

    check_perfect_information(tree)
    records: list[MoveCondition] = []
    cases: dict[int, list[Case]] = {}
    complete = True
    for index in _post_order(tree):
        n = tree.nodes[index]
        if n.kind == TERMINAL:
            cases[index] = [Case(sp.true, (), tuple(_symbolic(u) for u in n.payoffs))]
            continue
        combos, cut = _combinations([cases[c] for c in n.children], max_cases)
        complete = complete and not cut
        out: list[Case] = []
        for combo, assumption in combos:
            below = tuple(ch for c in combo for ch in c.choices)
            if n.kind == CHANCE:
                values = tuple(_tidy(sum(_symbolic(p) * c.values[k]
                                         for p, c in zip(n.probabilities, combo)))
                               for k in range(len(tree.players)))
                out.append(Case(assumption, below, values))
                continue
            found = _decision(tree, index, combo, assumption, below)
            records.extend(found)
            taken = _with_interior([
                (r, _conjoin([assumption, r.condition])) for r in found
                if r.condition is not sp.false], lambda item: item[1])
            for r, case in taken:
                mine = ((index, r.move),) if len(taken) > 1 else ()
                out.append(Case(case, below + mine, r.continuation))
        if len(out) > max_cases:
            out, complete = out[:max_cases], False
        cases[index] = out
    return Derivation(records, cases, complete)


def subgame_value(derivation: Derivation, node: int = 0) -> tuple:
    """Each player's payoff in the subgame at `node` as a Piecewise over its cases (at a
    boundary where cases overlap, the first listed case is taken)."""
    cases = derivation.cases[node]
    players = len(cases[0].values)
    return tuple(
        sp.piecewise_fold(sp.Piecewise(*[(c.values[k], c.assumption) for c in cases]))
        if len(cases) > 1 else cases[0].values[k]
        for k in range(players))


def render_conditions(tree: GameTree, derivation: Derivation) -> str:
    """One line per record: "incumbent at entered: Accommodate iff accommodate >= fight",
    with the case's choices below in parentheses when there are any."""
    lines = []
    for r in derivation.records:
        cond = {sp.true: "always", sp.false: "never"}.get(r.condition)
        text = f"{r.player} at {r.label}: {r.move} "
        text += cond if cond else f"iff {r.condition}"
        if r.case_choices:
            when = "; ".join(choice_text(tree, node, move) for node, move in r.case_choices)
            text += f" (when {when})"
        lines.append(text)
    if not derivation.complete:
        lines.append("(cases cut at max_cases: the list is incomplete)")
    return "\n".join(lines)


def _combinations(child_cases: list, max_cases: int) -> tuple[list, bool]:
    """(combination of child cases, its assumption) for the possible combinations (those
    with interior when some have), and whether `max_cases` cut them."""
    out, cut = [], False
    for count, combo in enumerate(product(*child_cases)):
        if count == max_cases:
            cut = True
            break
        assumption = _conjoin([c.assumption for c in combo])
        if assumption is not sp.false:
            out.append((combo, assumption))
    return _with_interior(out, lambda item: item[1]), cut


def _with_interior(items: list, assumption_of) -> list:
    """The items whose assumption holds on an open set (strict inequalities), if any;
    else all: cases that hold only on a boundary are covered by their neighbours."""
    inner = [item for item in items if _interior(assumption_of(item))]
    return inner or items


def _interior(assumption: Any) -> bool:
    relations = assumption.atoms(sp.core.relational.Relational)
    strict = {r: (sp.Gt(r.lhs, r.rhs) if isinstance(r, sp.GreaterThan) else
                  sp.Lt(r.lhs, r.rhs) if isinstance(r, sp.LessThan) else r)
              for r in relations}
    return _satisfiable(assumption.xreplace(strict)) is not False


def _decision(tree, index, combo, assumption, below) -> list[MoveCondition]:
    n = tree.nodes[index]
    mover = tree.players.index(n.player)
    label = tree.infosets[n.infoset].label
    mine = [c.values[mover] for c in combo]
    out = []
    for k, move in enumerate(n.moves):
        relations = [_readable(sp.Ge(mine[k], mine[j])) for j in range(len(n.moves)) if j != k]
        out.append(MoveCondition(
            node=index, player=n.player, label=label, history=n.history, move=move,
            condition=_given(relations, assumption), continuation=combo[k].values,
            case=assumption, case_choices=below))
    return out


def _given(relations: list, assumption: Any) -> Any:
    """The conjunction of `relations` simplified under `assumption`: False if impossible,
    True if implied, else without the relations that are implied."""
    kept = []
    for rel in relations:
        if rel is sp.true:
            continue
        if rel is sp.false or _satisfiable(sp.And(assumption, rel)) is False:
            return sp.false
        if _satisfiable(sp.And(assumption, sp.Not(rel))) is not False:
            kept.append(rel)
    if not kept:
        return sp.true
    cond = sp.And(*kept)
    return sp.false if _satisfiable(sp.And(assumption, cond)) is False else cond


def _readable(rel: Any) -> Any:
    """A relation with its number on the right ("fight <= 0", not "0 >= fight")."""
    if isinstance(rel, sp.core.relational.Relational) and rel.lhs.is_number:
        return rel.reversed
    return rel


def _conjoin(parts: list) -> Any:
    """And of `parts` without conjuncts implied by the others; False if impossible."""
    atoms: list = []
    for p in parts:
        atoms.extend(p.args if isinstance(p, sp.And) else [p])
    atoms = [a for a in dict.fromkeys(atoms) if a is not sp.true]
    if any(a is sp.false for a in atoms) or _satisfiable(sp.And(*atoms)) is False:
        return sp.false
    kept = list(atoms)
    for a in atoms:
        rest = [b for b in kept if b is not a]
        if _satisfiable(sp.And(*rest, sp.Not(a))) is False:
            kept = rest
    return sp.And(*kept)


@lru_cache(maxsize=4096)
def _satisfiable(expr: Any) -> bool | None:
    """True/False by linear real arithmetic; None when SymPy cannot decide."""
    if expr in (sp.true, sp.false):
        return bool(expr)
    try:
        return sp.satisfiable(expr, use_lra_theory=True) is not False
    except Exception:  # nonlinear or non-real relations: undecided
        return None


def _tidy(expr: Any) -> Any:
    try:
        return sp.simplify(expr)
    except Exception:
        return expr


def choice_text(tree: GameTree, node: int, move: str) -> str:
    n = tree.nodes[node]
    return f"{n.player} at {tree.infosets[n.infoset].label} plays {move}"


def _post_order(tree: GameTree) -> list[int]:
    out: list[int] = []
    stack = [(0, False)]
    while stack:
        index, done = stack.pop()
        if done:
            out.append(index)
            continue
        stack.append((index, True))
        stack.extend((c, False) for c in reversed(tree.nodes[index].children))
    return out


def _symbolic(value: Any) -> Any:
    """A tree value as a SymPy number or expression (values are never text)."""
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        return sp.Float(value)
    return value
