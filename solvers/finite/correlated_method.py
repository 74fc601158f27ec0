"""The `correlated` method: a correlated (or coarse correlated) equilibrium of a finite game
with any number of players that is best for an objective, by linear programming on HiGHS.

The objective is the spec's `select max|min payoff PLAYER`, else welfare (the sum of every
agent's payoff). The answer is a distribution over pure profiles; its certificate is the
largest gain from disobeying a recommendation (or, coarse, from ignoring it), recomputed
from the distribution with NumPy.
"""
from __future__ import annotations

import numpy as np

from gamespec.analysis import Classification
from gamespec.errors import SolverError
from gamespec.model import Model
from gamespec.normal_form import build_normal_form
from gamespec.result import Certificate, Result, Status
from gamespec.solvers.finite.applicability import mixed_extension
from gamespec.solvers.finite.equilibrium_records import selected_objective
from gamespec.solvers.finite.mixed_equilibrium import regret_tolerance
from gamespec.solvers.options import SolverOption
from gamespec.solvers.registry import SolverEntry

SHOWN = 1e-9  # profiles with less probability than this are left out of the listing


def solve(model: Model, cls: Classification, options: dict) -> Result:
    from gamespec.solvers.finite.correlated import correlated_equilibrium

    nf = build_normal_form(model)
    coarse = bool(options.get("coarse"))
    objective, said = selected_objective(
        model, nf, ENTRY.name, ("welfare", "maximising welfare (the sum of the payoffs)"))
    solution = correlated_equilibrium(nf.payoffs, objective=objective, coarse=coarse,
                                      time_limit=options.get("time_limit"))
    kind = "coarse correlated" if coarse else "correlated"
    tolerance = regret_tolerance(nf.payoffs)
    violation = float(solution.max_violation)
    certificate = Certificate(
        f"largest gain from {'ignoring' if coarse else 'disobeying'} a recommendation, "
        "recomputed from the distribution", violation, violation <= tolerance, tolerance,
        {"objective_value": float(solution.objective)})
    if not certificate.ok:
        raise SolverError(f"the {kind} equilibrium failed its check (gain {violation:.3g})")
    distribution = np.asarray(solution.distribution)
    listing = [{"profile": {a: nf.labels[k][idx[k]] for k, a in enumerate(nf.agents)},
                "probability": float(distribution[idx])}
               for idx in map(tuple, np.argwhere(distribution > SHOWN))]
    listing.sort(key=lambda row: -row["probability"])
    values = {a: float(v) for a, v in zip(nf.agents, solution.payoffs)}
    return Result(
        game=model.title, spec=model.path, spec_sha256=model.sha256, method=ENTRY.name,
        status=Status.OPTIMAL, values=values, strategies={}, certificate=certificate,
        extra={"distribution": listing, "kind": kind, "welfare": float(sum(values.values()))},
        covers=f"one {kind} equilibrium {said} over all {kind} equilibria (an LP optimum)")


ENTRY = SolverEntry(
    name="correlated",
    summary="a correlated (or coarse correlated) equilibrium of a finite game that maximises "
            "welfare or a player's payoff, by LP on HiGHS",
    covers="one correlated equilibrium optimal for the objective",
    can_solve=mixed_extension,
    solve=solve,
    options=(SolverOption("coarse", "bool", False, "a coarse correlated equilibrium (a "
                          "player commits to obey before seeing the recommendation)"),),
)
