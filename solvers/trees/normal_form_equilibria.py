"""Nash equilibria of a general-sum game tree through its reduced normal form.

The reduced normal form (reduced_normal_form.py) is handed to the finite-game algorithms:
two players: vertex enumeration (all extreme equilibria, exact) or Lemke-Howson; any number:
support enumeration (small games) or the limit of the logit branch (one equilibrium). Each
mixed equilibrium is turned into behaviour strategies (behaviour_from_mixed.py); its payoffs
are computed on the tree, and its certificate is the largest gain of a unilateral deviation
to a pure plan, computed on the reduced normal form (exactly 0 in Fractions when exact).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from gamespec.errors import SolverError
from gamespec.game_tree import GameTree
from gamespec.solvers.finite.mixed_equilibrium import (
    MixedEquilibrium,
    exact_regret,
    max_regret,
    rational_payoffs,
    regret_tolerance,
)
from gamespec.solvers.trees.behaviour import expected_payoffs
from gamespec.solvers.trees.behaviour_from_mixed import behaviour_profile
from gamespec.solvers.trees.reduced_normal_form import (
    DEFAULT_LIMIT,
    ReducedNormalForm,
    reduced_normal_form,
)

METHODS = ("vertex_enumeration", "lemke_howson", "support_enumeration", "logit")
MAX_BASES = 1_000_000
MAX_SUPPORTS = 20_000
RECOVERY_DENOMINATOR = 10_000  # logit limits are tried as rationals up to this denominator

COVERS_VERTEX = ("all extreme Nash equilibria of the reduced normal form (vertex "
                 "enumeration), as behaviour strategies; every Nash equilibrium of the tree is "
                 "realization-equivalent to a convex combination of extreme ones within a "
                 "clique")
COVERS_SUPPORT = "all isolated Nash equilibria of the reduced normal form (support enumeration)"
COVERS_LOGIT = ("one Nash equilibrium of the reduced normal form: the limit of the principal "
                "logit quantal response branch")


@dataclass(frozen=True)
class TreeEquilibrium:
    """mixed[k]: player k's probabilities over rnf.plans[k] (Fractions when exact);
    behaviour: information set -> move probabilities; off_path: sets no plan in the mix
    reaches (uniform there); payoffs: each player's expected payoff on the tree;
    regret: the largest gain of a unilateral deviation to a pure plan (0 at equilibrium);
    exact: the tree and the probabilities are Fractions (so are payoffs and regret)."""

    mixed: tuple[tuple, ...]
    behaviour: dict[int, tuple]
    off_path: frozenset[int]
    payoffs: tuple
    regret: Any
    exact: bool
    ok: bool
    how: str = ""


@dataclass(frozen=True)
class TreeEquilibria:
    """What a method found, what that covers, and the reduced normal form it searched."""

    rnf: ReducedNormalForm
    method: str
    equilibria: list[TreeEquilibrium]
    covers: str
    extra: dict = field(default_factory=dict)


def tree_equilibria(tree: GameTree, method: str | None = None, *, limit: int = DEFAULT_LIMIT,
                    label: int | None = None, max_bases: int = MAX_BASES,
                    max_supports: int = MAX_SUPPORTS,
                    time_limit: float | None = None) -> TreeEquilibria:
    """Equilibria of a numeric tree with perfect recall. method: one of METHODS (default:
    vertex_enumeration for two players, support_enumeration for more); label: Lemke-Howson
    from this label only (0-based: the first player's plans, then the second's)."""
    rnf = reduced_normal_form(tree, limit=limit)
    players = len(rnf.players)
    method = method or ("vertex_enumeration" if players == 2 else "support_enumeration")
    if method not in METHODS:
        raise SolverError(f"unknown tree method {method!r}; one of {', '.join(METHODS)}")
    if method in ("vertex_enumeration", "lemke_howson") and players != 2:
        raise SolverError(f"{method} needs two players, the tree has {players}",
                          hint="use support_enumeration or logit")
    floats = rnf.tensor()
    exact = rnf.tensor(exact=True)
    rational = exact if exact is not None else rational_payoffs(floats)
    extra: dict = {}
    if method == "vertex_enumeration":
        from gamespec.solvers.finite.vertex_enumeration import extreme_equilibria

        pair = None if rational is None else (rational[0], rational[1])
        found = extreme_equilibria(floats[0], floats[1], exact=pair, max_bases=max_bases)
        covers = COVERS_VERTEX
    elif method == "lemke_howson":
        found, covers, extra = _lemke_howson(floats, rational, label)
    elif method == "support_enumeration":
        from gamespec.solvers.finite.support_enumeration import support_equilibria

        result = support_equilibria(floats, exact=rational, max_supports=max_supports,
                                    time_limit=time_limit)
        found, covers = result.equilibria, COVERS_SUPPORT
        extra = {"supports_checked": result.supports_checked}
        if result.continua:
            extra["continua"] = [_support_text(rnf, s) for s in result.continua]
            covers += ("; these supports hold a continuum of equilibria (one point of each "
                       "is listed): " + "; ".join(extra["continua"]))
    else:
        from gamespec.solvers.finite.logit import limit_equilibrium

        found = [_recovered(limit_equilibrium(floats), exact)]
        covers = COVERS_LOGIT + (f" ({found[0].how})" if found[0].how else "")
    equilibria = [tree_equilibrium(tree, rnf, _mixed_of(eq), how=eq.how) for eq in found]
    return TreeEquilibria(rnf, method, equilibria, covers, extra)


def tree_equilibrium(tree: GameTree, rnf: ReducedNormalForm, mixed: Sequence[Sequence[Any]],
                     how: str = "") -> TreeEquilibrium:
    """A mixed profile over reduced plans as behaviour strategies, with its payoffs on the
    tree and its deviation certificate on the reduced normal form."""
    mixed = tuple(tuple(s) for s in mixed)
    exact = rnf.exact is not None and all(isinstance(p, Fraction) for s in mixed for p in s)
    converted = behaviour_profile(tree, rnf, mixed)
    payoffs = tuple(expected_payoffs(tree, converted.behaviour))
    regret, ok = deviation_gain(rnf, mixed)
    return TreeEquilibrium(mixed, converted.behaviour, converted.off_path, payoffs, regret,
                           exact, ok, how)


def deviation_gain(rnf: ReducedNormalForm, mixed: Sequence[Sequence[Any]]) -> tuple[Any, bool]:
    """(the largest gain of a unilateral deviation to a pure plan, whether it passes):
    exact (must be 0) for an exact tree and a Fraction profile, else in floats within
    regret_tolerance."""
    exact = rnf.tensor(exact=True)
    if exact is not None and all(isinstance(p, Fraction) for s in mixed for p in s):
        gain = exact_regret(exact, tuple(tuple(s) for s in mixed))
        if gain is not None:
            return gain, gain == 0
    floats = rnf.tensor()
    gain = max_regret(floats, [np.asarray([float(p) for p in s]) for s in mixed])
    return gain, gain <= regret_tolerance(floats)


def _lemke_howson(floats, rational, label):
    from gamespec.solvers.finite.lemke_howson import lemke_howson, lemke_howson_all

    pair = None if rational is None else (rational[0], rational[1])
    labels = sum(floats.shape[1:])
    if label is not None:
        if not 0 <= label < labels:
            raise SolverError(f"the Lemke–Howson label must be in 0..{labels - 1}")
        eq = lemke_howson(floats[0], floats[1], label, exact=pair)
        return [eq], (f"one Nash equilibrium of the reduced normal form, by Lemke–Howson "
                      f"from label {label + 1}"), {"labels": [[label + 1]]}
    groups = lemke_howson_all(floats[0], floats[1], exact=pair)
    many = "um" if len(groups) == 1 else "a"
    covers = (f"the {len(groups)} Nash equilibri{many} of the reduced normal form that "
              f"Lemke–Howson reaches from all {labels} labels (not necessarily all)")
    return [eq for _, eq in groups], covers, {"labels": [[k + 1 for k in ks]
                                                         for ks, _ in groups]}


def _mixed_of(eq: MixedEquilibrium) -> tuple[tuple, ...]:
    """The exact probabilities when they are Fractions, else the floats."""
    if eq.exact is not None and all(isinstance(p, Fraction) for s in eq.exact for p in s):
        return tuple(tuple(s) for s in eq.exact)
    return tuple(tuple(float(p) for p in s) for s in eq.strategies)


def _recovered(eq: MixedEquilibrium, exact: np.ndarray | None) -> MixedEquilibrium:
    """A float equilibrium with its exact rational form, when rounding each probability to
    a small denominator gives a profile whose exact deviation gain is 0."""
    if exact is None:
        return eq
    guess = []
    for s in eq.strategies:
        fr = [Fraction(float(p)).limit_denominator(RECOVERY_DENOMINATOR) for p in s]
        total = sum(fr, Fraction(0))
        if total <= 0 or min(fr) < 0:
            return eq
        guess.append(tuple(p / total for p in fr))
    if exact_regret(exact, tuple(guess)) != 0:
        return eq
    return MixedEquilibrium(eq.strategies, tuple(guess), how=eq.how)


def _support_text(rnf: ReducedNormalForm, support) -> str:
    return ", ".join(f"{p} on {{{'; '.join(rnf.labels[k][i] for i in support[k])}}}"
                     for k, p in enumerate(rnf.players))
