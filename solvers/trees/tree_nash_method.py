"""The `tree_nash` method: Nash equilibria of any game tree with perfect recall (general
sum, any number of players, imperfect information) through its reduced normal form, handed
to the finite-game algorithms (solvers/trees/normal_form_equilibria.py), and given back as
behaviour strategies. Certified by the largest gain of a deviation to a pure plan."""
from __future__ import annotations

from gamespec.analysis import Classification
from gamespec.errors import SolverError
from gamespec.model import Model
from gamespec.result import Certificate, Result
from gamespec.solvers.options import SolverOption
from gamespec.solvers.registry import SolverEntry
from gamespec.solvers.trees.tree_values import is_tree, numeric_tree

ALGORITHMS = ("vertex_enumeration", "lemke_howson", "support_enumeration", "logit")


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    """Any tree whose reduced normal form is small enough to tabulate."""
    ok, reason = is_tree(model)
    if not ok:
        return ok, reason
    import math

    from gamespec.solvers.trees import reduced_normal_form as rnf

    try:
        counts = rnf.reduced_strategy_counts(model.tree)
    except SolverError as exc:
        return False, exc.message
    entries = math.prod(counts) * len(counts)
    if entries > rnf.DEFAULT_LIMIT:
        shown = " x ".join(f"{c:,}" if c < 10**9 else f"~10^{len(str(c)) - 1}" for c in counts)
        return False, (f"the reduced normal form ({shown} plans) is too large to tabulate "
                       f"(at most {rnf.DEFAULT_LIMIT:,} payoff entries)")
    return True, ""


def solve(model: Model, cls: Classification, options: dict) -> Result:
    from gamespec.solvers.trees.normal_form_equilibria import tree_equilibria
    from gamespec.solvers.trees.records import number_text, tree_record, tree_result

    tree = numeric_tree(model)
    label = options.get("label")
    algorithm = options.get("algorithm")
    fallback = ""
    try:
        found = tree_equilibria(tree, algorithm, label=None if label is None else label - 1,
                                time_limit=options.get("time_limit"))
    except SolverError as exc:
        if algorithm is not None or len(tree.players) != 2 or "bases" not in exc.message:
            raise
        # the default for two players: all extreme equilibria where enumeration is cheap,
        # else one by Lemke-Howson (the refusal says why)
        found = tree_equilibria(tree, "lemke_howson", label=0)
        fallback = f"{exc.message}; instead "
    if not found.equilibria:
        raise SolverError("tree_nash returned no equilibrium (a finite game always has one)")
    from gamespec.solvers.trees.refinements import refinements

    rnf = found.rnf
    records = []
    for eq in found.equilibria:
        plans = {p: {rnf.labels[k][i]: (number_text(q) if eq.exact else float(q))
                     for i, q in enumerate(eq.mixed[k]) if q}
                 for k, p in enumerate(rnf.players)}
        record = tree_record(tree, eq.behaviour, max_gain=eq.regret, payoffs=eq.payoffs,
                             plans=plans, off_path=sorted(
                                 tree.infosets[h].label for h in eq.off_path))
        refined = refinements(tree, eq.behaviour)  # a signalling game's PBE and criterion
        if refined is not None:
            record["refinements"] = refined
        records.append(record)
    worst = max(float(eq.regret) for eq in found.equilibria)
    ok = all(eq.ok for eq in found.equilibria)
    if not ok:
        raise SolverError(f"tree_nash: an equilibrium failed its check (a deviation gains "
                          f"{worst:.3g})")
    certificate = Certificate(
        "largest gain of a deviation to a pure plan, over every equilibrium listed",
        worst, ok, 1e-9, {"equilibria_checked": len(records),
                          "exact_zero": sum(1 for eq in found.equilibria
                                            if eq.exact and eq.regret == 0),
                          "reduced_strategies": dict(zip(rnf.players, map(len, rnf.plans))),
                          **found.extra})
    return tree_result(model, tree, records, method=ENTRY.name,
                       kind=f"reduced normal form, {found.method.replace('_', ' ')}",
                       certificate=certificate, covers=fallback + found.covers)


MAX_LEAVES_SHOWN = 40


def derive(model: Model, cls: Classification, derivation) -> None:
    """The payoffs at the leaves, symbolic in the parameters, with the plays leading there
    (the data every equilibrium condition of the tree is made of)."""
    tree = model.tree
    leaves = tree.terminals()
    items = []
    for index in leaves[:MAX_LEAVES_SHOWN]:
        node = tree.nodes[index]
        play = ", ".join(f"{who}={move}" for who, move in node.history) or "(no move)"
        reach = tree.reach_probability(index)
        prefix = "" if reach == 1 else f"with probability {reach}: "
        items.append((play, prefix + ", ".join(
            f"{p}: {u}" for p, u in zip(tree.players, node.payoffs))))
    if len(leaves) > MAX_LEAVES_SHOWN:
        items.append(("", f"... {len(leaves) - MAX_LEAVES_SHOWN} more leaves"))
    derivation.add(f"payoffs at the leaves ({len(leaves)})", items)


ENTRY = SolverEntry(
    name="tree_nash",
    summary="Nash equilibria of any game tree through its reduced normal form (all extreme "
            "ones for two players)",
    covers="the Nash equilibria the chosen algorithm finds in the reduced normal form",
    can_solve=can_solve,
    solve=solve,
    derive=derive,
    options=(SolverOption("algorithm", "str", None, "vertex_enumeration (two players, all "
                          "extreme; the default), lemke_howson, support_enumeration (the "
                          "default for three or more), logit (one)", choices=ALGORITHMS),
             SolverOption("label", "int", None, "lemke_howson: follow the path from this "
                          "label only (1-based)", low=1)),
)
