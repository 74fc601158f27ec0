"""The `backward_induction` method: every pure subgame-perfect equilibrium of a game tree
with perfect information (chance allowed), by backward induction; ties give one
equilibrium per tied move. `derive` prints when each move is optimal, symbolically in the
parameters."""
from __future__ import annotations

from gamespec.analysis import Classification
from gamespec.model import Model
from gamespec.result import Certificate, Result
from gamespec.solvers.options import SolverOption
from gamespec.solvers.registry import SolverEntry
from gamespec.solvers.trees.tree_values import is_tree, numeric_tree

TOLERANCE = 1e-9


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    ok, reason = is_tree(model)
    if not ok:
        return ok, reason
    shared = next((h for h in model.tree.infosets if len(h.nodes) > 1), None)
    if shared is not None:
        return False, (f"needs perfect information ({shared.player} cannot tell apart the "
                       f"{len(shared.nodes)} nodes of \"{shared.label}\")")
    return True, ""


def solve(model: Model, cls: Classification, options: dict) -> Result:
    from gamespec.solvers.trees.backward_induction import backward_induction
    from gamespec.solvers.trees.records import certified_records, tree_result
    from gamespec.solvers.trees.subgame_check import largest_one_shot_gain

    tree = numeric_tree(model)
    found = backward_induction(tree, max_equilibria=int(options.get("max_equilibria", 1000)))
    records, worst, limit = certified_records(
        tree, found.equilibria, lambda eq: largest_one_shot_gain(tree, eq.behaviour),
        method="backward induction", what="a one-shot deviation", tolerance=TOLERANCE)
    count = len(records)
    covers = (f"all {count} pure subgame-perfect equilibri{'um' if count == 1 else 'a'} "
              f"(ties decided {found.ties}); at a tie every mixture of the tied moves is "
              "subgame perfect too")
    if not found.complete:
        covers = (f"the first {count} pure subgame-perfect equilibria (max_equilibria); "
                  "there are more")
    if model.strategies():  # the tree of an order over pure choices
        covers += ("; every mover commits to a pure action (a mixed commitment: "
                   "--method stackelberg)")
    certificate = Certificate(
        "largest one-shot deviation gain at any decision node (subgame perfection)",
        worst, True, limit,
        {"equilibria_checked": count, "decision_nodes": sum(
            1 for n in tree.nodes if n.kind == "decision"), "ties": found.ties})
    return tree_result(model, tree, records, method=ENTRY.name, kind="subgame-perfect",
                       certificate=certificate, covers=covers)


def derive(model: Model, cls: Classification, derivation) -> None:
    from gamespec.solvers.trees.backward_conditions import backward_conditions

    result = backward_conditions(model.tree)
    items = []
    for r in result.records:
        when = ""
        if r.case_choices:
            from gamespec.solvers.trees.backward_conditions import choice_text

            when = " (when " + "; ".join(choice_text(model.tree, node, move)
                                          for node, move in r.case_choices) + ")"
        items.append((f"{r.player} at {r.label}: {r.move}{when}", r.condition))
    if not result.complete:
        items.append(("note", "cases were cut at 64 per node: the list is incomplete"))
    derivation.add("subgame-perfect conditions (each move is optimal iff)", items)


ENTRY = SolverEntry(
    name="backward_induction",
    summary="every pure subgame-perfect equilibrium of a perfect-information game tree",
    covers="all pure subgame-perfect equilibria",
    can_solve=can_solve,
    solve=solve,
    derive=derive,
    options=(SolverOption("max_equilibria", "int", 1000,
                          "list at most this many equilibria (ties multiply them)", low=1),),
)
