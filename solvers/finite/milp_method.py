"""The `milp` method: a Nash equilibrium of a two-player finite game that is best for an
objective, by the mixed-integer formulation of Sandholm, Gilpin & Conitzer (2005) on HiGHS;
optionally a proof that the equilibrium is unique (or a second one).

The objective is the spec's `select max|min payoff PLAYER`, else the `objective` option
(welfare, the sum of both payoffs, by default).
"""
from __future__ import annotations

from gamespec.analysis import Classification
from gamespec.model import Model
from gamespec.normal_form import NormalForm, build_normal_form
from gamespec.result import Result
from gamespec.solvers.finite.applicability import two_player_normal_form
from gamespec.solvers.finite.equilibrium_records import equilibria_result, selected_objective
from gamespec.solvers.finite.mixed_equilibrium import rational_payoffs
from gamespec.solvers.options import SolverOption
from gamespec.solvers.registry import SolverEntry


def objective_of(model: Model, nf: NormalForm, options: dict):
    """What the MILP optimises, and how to say it: the spec's select, else the option."""
    if options.get("objective", "welfare") == "welfare":
        default = "welfare", "maximising welfare (the sum of the payoffs)"
    else:
        default = None, "with no objective"
    return selected_objective(model, nf, ENTRY.name, default)


DEFAULT_TIME_LIMIT = 600.0  # seconds of HiGHS time when no --time-limit is given


def solve(model: Model, cls: Classification, options: dict) -> Result:
    from gamespec.solvers.finite.milp_nash import equilibrium_is_unique, milp_equilibrium

    nf = build_normal_form(model)
    exact = rational_payoffs(nf.payoffs)
    pair = None if exact is None else (exact[0], exact[1])
    a, b = nf.payoffs
    objective, said = objective_of(model, nf, options)
    # HiGHS holds the interpreter while it runs, so the CPU-time backstop cannot stop it:
    # without --time-limit, HiGHS gets DEFAULT_TIME_LIMIT seconds
    time_limit = options.get("time_limit") or DEFAULT_TIME_LIMIT
    eq = milp_equilibrium(a, b, objective=objective, time_limit=time_limit, exact=pair)
    covers = f"one Nash equilibrium {said} over all equilibria (an optimal MILP solution)"
    found = [eq]
    notes = [{"role": "optimal"}]
    extra = {}
    if options.get("unique"):
        unique, other = equilibrium_is_unique(a, b, eq, time_limit=time_limit, exact=pair)
        extra["unique"] = unique
        if unique:
            covers = "the unique Nash equilibrium (uniqueness proved by MILP)"
        else:
            covers += "; not unique: a second equilibrium is listed"
            found.append(other)
            notes.append({"role": "second equilibrium (the game has more than one)"})
    return equilibria_result(model, nf, found, method=ENTRY.name, kind="MILP",
                             figures=bool(options.get("figures")),
                             exact_payoffs=exact, covers=covers, annotations=notes,
                             extra=extra)


ENTRY = SolverEntry(
    name="milp",
    summary="a Nash equilibrium of a two-player finite game that maximises welfare or a "
            "player's payoff, by mixed-integer programming on HiGHS; can prove uniqueness",
    covers="one Nash equilibrium optimal for the objective over all equilibria",
    can_solve=two_player_normal_form,
    solve=solve,
    options=(
        SolverOption("objective", "str", "welfare", "what the equilibrium maximises when the "
                     "spec has no `select`: welfare (the sum of payoffs) or none",
                     choices=("welfare", "none")),
        SolverOption("unique", "bool", False, "also prove that the equilibrium is unique, or "
                     "find a second one (one MILP per probability, at most)"),
    ),
)
