"""The `sequence_form` method: an equilibrium of a two-player zero-sum (or constant-sum)
game tree with imperfect information, by the sequence-form LP on HiGHS, as behaviour
strategies. Certified apart from the LP: the strategies are rounded to fractions and each
player's best response is computed exactly by a backward pass over the tree; when the two
bounds meet, the game value is exact."""
from __future__ import annotations

from gamespec.analysis import Classification
from gamespec.model import Model
from gamespec.result import Certificate, Result
from gamespec.solvers.registry import SolverEntry
from gamespec.solvers.trees.tree_values import is_tree, numeric_tree

TOLERANCE = 1e-7


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    ok, reason = is_tree(model)
    if not ok:
        return ok, reason
    if len(model.tree.players) != 2:
        return False, "needs two players"
    if not cls.zero_sum:
        return False, "needs payoffs that sum to one constant at every leaf (zero-sum)"
    return True, ""


def solve(model: Model, cls: Classification, options: dict) -> Result:
    from gamespec.solvers.trees.exact_certificate import certify_exact
    from gamespec.solvers.trees.records import number_text, payoff_scale, tree_record, tree_result
    from gamespec.solvers.trees.sequence_form_lp import solve_sequence_form

    tree = numeric_tree(model)
    solution = solve_sequence_form(tree, time_limit=options.get("time_limit"))
    cert = certify_exact(tree, solution.behaviour, solution.constant)
    exact = cert.certified
    behaviour = cert.behaviour if exact else solution.behaviour
    gain = cert.exploitability if exact else _float_gain(tree, solution.behaviour)
    scale = payoff_scale(tree)
    ok = float(gain) <= TOLERANCE * scale
    record = tree_record(tree, behaviour, max_gain=gain,
                         unreached=[tree.infosets[h].label for h in solution.unreached])
    first = tree.players[0]
    value = cert.value if exact else solution.values[0]
    details = {"lp_value": solution.values[0], "sequences": dict(zip(
        tree.players, solution.form.sizes)), "iterations": solution.iterations,
        "timing": {"lp_build": solution.build_seconds, "lp_solve": solution.solve_seconds},
        "exact_value": number_text(value) if exact else None,
        "rounded_to_denominator": cert.denominator if exact else None}
    certificate = Certificate(
        "exploitability (both best responses, computed on the tree apart from the LP)"
        + (", exact" if exact else ""), float(gain), ok, TOLERANCE * scale, details)
    covers = (f"one Nash equilibrium (the game value {number_text(value)} for {first} is the "
              "same in every equilibrium of a zero-sum game)")
    return tree_result(model, tree, [record], method=ENTRY.name, kind="sequence-form LP",
                       certificate=certificate, covers=covers,
                       extra={"game_value": {first: float(value)}})


def _float_gain(tree, behaviour):
    from gamespec.solvers.trees.best_response import exploitability

    return exploitability(tree, behaviour)


ENTRY = SolverEntry(
    name="sequence_form",
    summary="an equilibrium and the value of a two-player zero-sum game tree (sequence-form "
            "LP on HiGHS)",
    covers="one Nash equilibrium and the game value",
    can_solve=can_solve,
    solve=solve,
)
