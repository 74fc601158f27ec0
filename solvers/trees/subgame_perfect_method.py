"""The `subgame_perfect` method: subgame-perfect equilibria of any game tree with perfect
recall, solving its proper subgames bottom-up (solvers/trees/subgame_perfect.py). Certified
at every subgame root by the largest gain of a best response within the subgame."""
from __future__ import annotations

from gamespec.analysis import Classification
from gamespec.errors import SolverError
from gamespec.model import Model
from gamespec.result import Certificate, Result
from gamespec.solvers.options import SolverOption
from gamespec.solvers.registry import SolverEntry
from gamespec.solvers.trees.tree_values import is_tree, numeric_tree

TOLERANCE = 1e-9
NAMED = 3  # subgames named per algorithm in the covers text


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    ok, reason = is_tree(model)
    if not ok:
        return ok, reason
    from gamespec.solvers.trees.subgames import subgames

    if len(subgames(model.tree).roots) < 2:
        return False, ("the tree has no proper subgame: its subgame-perfect equilibria are its "
                       "Nash equilibria (tree_nash)")
    return True, ""


def solve(model: Model, cls: Classification, options: dict) -> Result:
    from gamespec.solvers.trees.records import certified_records, tree_result
    from gamespec.solvers.trees.subgame_perfect import subgame_gains, subgame_perfect

    tree = numeric_tree(model)
    found = subgame_perfect(tree, int(options.get("max_equilibria", 1000)),
                            options.get("subgame_time_limit", 10.0))
    if not found.equilibria:
        raise SolverError("subgame_perfect returned no equilibrium (a finite tree has one)")
    records, worst, limit = certified_records(
        tree, found.equilibria,
        lambda eq: max(subgame_gains(tree, eq.behaviour, found.subgames.roots).values()),
        method="subgame_perfect", what="a best response in a subgame", tolerance=TOLERANCE)
    roots = found.subgames.roots
    certificate = Certificate(
        "largest gain of a best response within any subgame, over every equilibrium listed",
        worst, True, limit,
        {"equilibria_checked": len(records), "subgames": len(roots),
         "exact_zero": sum(1 for r in records if r.get("exact_max_gain") == "0")})
    stages = {_name(tree, r): list(h) for r, h in found.stages.items()}
    return tree_result(model, tree, records, method=ENTRY.name, kind="subgame-perfect",
                       certificate=certificate, covers=covers_text(tree, found),
                       extra={"subgames": len(roots), "stages": stages})


def covers_text(tree, found) -> str:
    """What was searched: each stage's algorithm, the cap, and what is left out."""
    from gamespec.solvers.trees.subgame_stage import BACKWARD, COMPLETE

    count = len(found.equilibria)
    many = "um" if count == 1 else "a"
    head = (f"{'all' if found.complete else 'the first'} {count} subgame-perfect "
            f"equilibri{many} ")
    if not found.complete:
        head += "(max_equilibria: there are more) "
    if set(found.stages) == {0} and found.stages[0] == (BACKWARD,) and len(
            found.subgames.roots) > 1:
        return head + ("that are pure, by backward induction (perfect information); at a "
                       "tie every mixture of the tied moves is subgame perfect too")
    by_how: dict[str, list[int]] = {}
    for root, hows in found.stages.items():
        for how in hows:
            by_how.setdefault(how, []).append(root)
    parts = []
    for how, roots in by_how.items():
        roots = sorted(roots)
        names = ", ".join(_name(tree, r) for r in roots[:NAMED])
        more = f" and {len(roots) - NAMED} more" if len(roots) > NAMED else ""
        parts.append(f"{how} in {len(roots)} subgame{'s' if len(roots) > 1 else ''} "
                     f"({names}{more})")
    scope = ("every subgame's listed equilibria in every combination" if
             all(how in COMPLETE for how in by_how) else
             "not all: some subgames were solved for one equilibrium")
    return (head + f"built bottom-up over {len(found.subgames.roots)} subgames, {scope}: "
            + "; ".join(parts) + ". Mixtures of a subgame's equilibria (and of tied moves) "
            "are equilibria there too, and lead to SPE not listed")


def _name(tree, root: int) -> str:
    from gamespec.solvers.trees.subgame_perfect import subgame_name

    return subgame_name(tree, root)


ENTRY = SolverEntry(
    name="subgame_perfect",
    summary="subgame-perfect equilibria of any game tree with perfect recall, subgame by "
            "subgame bottom-up",
    covers="the subgame-perfect equilibria built from each subgame's equilibria",
    can_solve=can_solve,
    solve=solve,
    options=(SolverOption("max_equilibria", "int", 1000,
                          "list at most this many equilibria (combinations multiply them)",
                          low=1),
             SolverOption("subgame_time_limit", "float", 10.0, "seconds for support "
                          "enumeration in "
                          "one subgame of three or more players (then the logit limit)",
                          low=0)),
)
