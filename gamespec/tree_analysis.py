"""Classification of a game tree: its size, perfect information, zero-sum at the leaves."""
from __future__ import annotations

import sympy

from gamespec.game_tree import GameTree
from gamespec.model import Model


def tree_notes(tree: GameTree) -> tuple[str, ...]:
    """`info` lines about a tree: nodes, information sets, sequences."""
    size = tree.size()
    sets = ", ".join(f"{p} {k}" for p, k in size["information_sets"].items())
    sequences = ", ".join(f"{p} {k}" for p, k in size["sequences"].items())
    kind = "perfect information" if size["perfect_information"] else "imperfect information"
    return (f"game tree: {size['nodes']} nodes ({size['terminals']} leaves, "
            f"{size['chance_nodes']} chance), {kind}",
            f"information sets: {sets}; sequences: {sequences}")


def leaf_sum_constant(model: Model, tree: GameTree) -> tuple[bool | None, float | None]:
    """(zero_sum, c): whether two players' payoffs sum to one constant c at every leaf
    (symbolically when parameters have no values)."""
    if len(tree.players) != 2:
        return False, None
    values = {s: sympy.Float(v) for s, v in model.scalar_values().items()}
    sums = set()
    for index in tree.terminals():
        total = sum(tree.nodes[index].payoffs)
        if isinstance(total, float):
            total = round(total, 9)
        elif isinstance(total, sympy.Basic):
            total = sympy.nsimplify(total)
            total = total.xreplace(values)
            if not total.is_number:
                total = sympy.simplify(total)
        sums.add(total)
        if len(sums) > 1:
            break
    if len(sums) != 1:
        return False, None
    (total,) = sums
    if isinstance(total, sympy.Basic) and not total.is_number:
        return None, None
    return True, float(total)
