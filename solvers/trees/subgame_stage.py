"""The equilibria of one subgame once its sub-subgames are replaced by leaves holding their
continuation payoffs: backward induction when what is left has perfect information, every
optimal pure plan when one player moves, else the reduced normal form's equilibria (two
players: vertex enumeration, Lemke-Howson when enumeration refuses the size; three or more:
support enumeration, the logit limit when it refuses or runs out of time)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from gamespec.errors import SolverError
from gamespec.game_tree import GameTree
from gamespec.solvers.trees.behaviour import expected_payoffs
from gamespec.solvers.trees.subgames import subtree

BACKWARD = "backward induction (every pure equilibrium)"
ONE_PLAYER = "one mover (every optimal pure plan)"
VERTEX = "vertex enumeration (every extreme equilibrium)"
LEMKE_HOWSON = "Lemke–Howson from the first label (one equilibrium)"
SUPPORT = "support enumeration (every isolated equilibrium)"
LOGIT = "the logit limit (one equilibrium)"
COMPLETE = (BACKWARD, ONE_PLAYER, VERTEX, SUPPORT)  # stages that list a whole class
RELATIVE_TOLERANCE = 1e-9


def stage_equilibria(tree: GameTree, root: int, cut: Mapping[int, Sequence[Any]],
                     limit: int, time_limit: float | None = None, fallback: bool = False
                     ) -> tuple[list[tuple[dict[int, tuple], tuple]], str]:
    """([(behaviour at the subgame's own information sets (original indices), payoffs of
    every player at `root`)], the algorithm's description) for the subgame at `root` with
    the sub-subgames at the nodes of `cut` replaced by leaves of those payoffs; fallback:
    go straight to Lemke-Howson or the logit limit (enumeration refused this subgame)."""
    whole = subtree(tree, root, cut)
    sub = whole.tree
    if sub.perfect_information():
        found, how = _backward(sub, limit), BACKWARD
    else:
        movers = [p for p in tree.players if sub.player_infosets(p)]
        solving = subtree(tree, root, cut, players=movers).tree
        if len(movers) == 1:
            found, how = _one_player(solving), ONE_PLAYER
        else:
            found, how = _normal_form(solving, time_limit, fallback)
    out, seen = [], set()
    for behaviour in found:
        key = tuple(tuple(p) for _, p in sorted(behaviour.items()))
        if key in seen:
            continue
        seen.add(key)
        values = tuple(expected_payoffs(sub, behaviour))
        out.append(({whole.infosets[j]: tuple(p) for j, p in behaviour.items()}, values))
        if len(out) >= limit:
            break
    return out, how


def _exact(tree: GameTree) -> bool:
    return all(isinstance(v, (int, Fraction)) for n in tree.nodes
               for v in (*n.payoffs, *n.probabilities))


def _backward(tree: GameTree, limit: int) -> list[dict[int, tuple]]:
    from gamespec.solvers.trees.backward_induction import iter_equilibria

    tol = 0.0 if _exact(tree) else RELATIVE_TOLERANCE
    return [eq.behaviour for eq in iter_equilibria(tree, tol, limit)]


def _one_player(tree: GameTree) -> list[dict[int, tuple]]:
    from gamespec.solvers.trees.backward_induction import optimal_moves
    from gamespec.solvers.trees.normal_form_equilibria import tree_equilibrium
    from gamespec.solvers.trees.reduced_normal_form import reduced_normal_form

    rnf = reduced_normal_form(tree)
    exact = rnf.tensor(exact=True)
    values = list((exact if exact is not None else rnf.tensor())[0])
    tol = 0.0 if exact is not None else RELATIVE_TOLERANCE
    one = Fraction(1) if exact is not None else 1.0
    out = []
    for k in optimal_moves(values, tol):
        mixed = [tuple(one if i == k else one * 0 for i in range(len(values)))]
        out.append(tree_equilibrium(tree, rnf, mixed).behaviour)
    return out


def _normal_form(tree: GameTree, time_limit: float | None,
                 fallback: bool) -> tuple[list[dict], str]:
    from gamespec.solvers.trees.normal_form_equilibria import tree_equilibria

    if fallback:
        if len(tree.players) == 2:
            found, how = tree_equilibria(tree, "lemke_howson", label=0), LEMKE_HOWSON
        else:
            found, how = tree_equilibria(tree, "logit"), LOGIT
    elif len(tree.players) == 2:
        try:
            found, how = tree_equilibria(tree, "vertex_enumeration"), VERTEX
        except SolverError as exc:
            if "bases" not in exc.message:
                raise
            found, how = tree_equilibria(tree, "lemke_howson", label=0), LEMKE_HOWSON
    else:
        try:
            found = tree_equilibria(tree, "support_enumeration", time_limit=time_limit)
            how = SUPPORT
        except SolverError as exc:
            if "support" not in exc.message:
                raise
            found, how = tree_equilibria(tree, "logit"), LOGIT
    bad = [eq for eq in found.equilibria if not eq.ok]
    if bad:
        raise SolverError(f"subgame_perfect: a subgame equilibrium failed its check (a "
                          f"deviation gains {float(bad[0].regret):.3g})")
    return [eq.behaviour for eq in found.equilibria], how
