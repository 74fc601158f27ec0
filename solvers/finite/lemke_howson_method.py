"""The `lemke_howson` method: one or a few mixed equilibria of a two-player finite game by
complementary pivoting (Lemke & Howson 1964), fast on games too large to enumerate.

Labels are numbered as in Shapley (1974), from 1: the first player's strategies are labels
1..m, the second's m+1..m+n. By default the path from every label is followed and the
distinct equilibria are listed with the labels that reach them; `label = K` follows one.
"""
from __future__ import annotations

from gamespec.analysis import Classification
from gamespec.errors import SpecError
from gamespec.model import Model
from gamespec.normal_form import build_normal_form
from gamespec.result import Result
from gamespec.solvers.finite.applicability import two_player_normal_form
from gamespec.solvers.finite.equilibrium_records import equilibria_result
from gamespec.solvers.finite.mixed_equilibrium import rational_payoffs
from gamespec.solvers.options import SolverOption
from gamespec.solvers.registry import SolverEntry


def solve(model: Model, cls: Classification, options: dict) -> Result:
    from gamespec.solvers.finite.lemke_howson import lemke_howson, lemke_howson_all

    nf = build_normal_form(model)
    exact = rational_payoffs(nf.payoffs)
    pair = None if exact is None else (exact[0], exact[1])
    a, b = nf.payoffs
    labels = sum(nf.shape)
    wanted = options.get("label")
    if wanted is not None:
        if not 1 <= wanted <= labels:
            raise SpecError(f"lemke_howson `label` must be between 1 and {labels} "
                            f"(the {nf.shape[0]} + {nf.shape[1]} pure strategies), not {wanted}")
        found = [([wanted - 1], lemke_howson(a, b, wanted - 1, exact=pair))]
        covers = f"one Nash equilibrium, by Lemke–Howson from label {wanted}"
    else:
        found = lemke_howson_all(a, b, exact=pair)
        covers = (f"the {len(found)} Nash equilibri{'um' if len(found) == 1 else 'a'} that "
                  f"Lemke–Howson reaches from all {labels} labels (not necessarily all)")
    return equilibria_result(model, nf, [eq for _, eq in found], method=ENTRY.name,
                             figures=bool(options.get("figures")), kind="Lemke–Howson",
                             exact_payoffs=exact, covers=covers,
                             annotations=[{"labels": [k + 1 for k in ks]} for ks, _ in found])


ENTRY = SolverEntry(
    name="lemke_howson",
    summary="mixed Nash equilibria of a two-player finite game by Lemke–Howson, from one "
            "label or all of them",
    covers="the Nash equilibria Lemke–Howson reaches from the labels followed",
    can_solve=two_player_normal_form,
    solve=solve,
    options=(SolverOption("label", "int", None, "follow the path from this label only "
                          "(1..m: the first player's strategies, m+1..m+n: the second's); "
                          "default: every label", low=1),),
)
