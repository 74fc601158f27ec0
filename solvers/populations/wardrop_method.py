"""The `wardrop` method: a congestion network's Wardrop equilibrium, its system optimum
and the price of anarchy (equilibrium total cost / optimal total cost), certified by the
path-cost gaps, the marginal-cost (KKT) gaps and flow conservation; exact in rationals when
every cost is affine. The solver stacks (networkx, SciPy) are imported when it runs."""
from __future__ import annotations

import time

from gamespec.analysis import Classification
from gamespec.model import Model
from gamespec.result import Certificate, Result, Status
from gamespec.solvers.options import SolverOption
from gamespec.solvers.registry import SolverEntry

COVERS = ("the Wardrop equilibrium (its edge costs and total cost are the same in every "
          "equilibrium) and a system optimum, over every simple path")
COVERS_KKT = (COVERS.replace("a system optimum", "a point satisfying the optimum's first-order "
                             "(KKT) conditions, not shown global (marginal costs decrease "
                             "somewhere)"))


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    if model.network is None:
        return False, "no `network` in the spec"
    if model.free_params():
        return False, "parameters without values: " + ", ".join(model.free_params())
    return True, ""


def solve(model: Model, cls: Classification, options: dict) -> Result:
    from gamespec.solvers.populations.network_costs import check_costs
    from gamespec.solvers.populations.network_paths import path_problem
    from gamespec.solvers.populations.wardrop_result import network_result, solution

    started = time.perf_counter()
    problem = path_problem(model)
    costs = check_costs(model, problem)
    limit = options.get("time_limit")
    deadline = None if limit is None else started + float(limit)
    equilibrium = solution(model, problem, costs, marginal=False, deadline=deadline)
    optimum = solution(model, problem, costs, marginal=True, deadline=deadline)
    tolerance = float(options["tolerance"])
    body = network_result(model, problem, costs, equilibrium, optimum)
    residuals = {"equilibrium_gap": equilibrium.gap, "optimum_kkt_gap": optimum.gap,
                 "conservation": max(equilibrium.conservation, optimum.conservation)}
    exact = equilibrium.exact is not None and optimum.exact is not None
    residual = 0.0 if exact else max(residuals.values())
    ok = residual <= tolerance  # measured, whatever made the iterations stop
    certificate = Certificate(
        "Wardrop path-cost gap + optimum marginal-cost (KKT) gap + flow conservation",
        residual, ok, tolerance,
        {**residuals, "exact": exact, "optimum_global": costs.marginal_nondecreasing,
         "sweeps": {"equilibrium": equilibrium.sweeps, "optimum": optimum.sweeps},
         "iterations_converged": {"equilibrium": equilibrium.converged,
                                  "optimum": optimum.converged}})
    return Result(game=model.title, spec=model.path, spec_sha256=model.sha256,
                  method=ENTRY.name,
                  status=Status.EQUILIBRIUM if ok else Status.NOT_CERTIFIED,
                  values=body["values"], strategies=body["strategies"],
                  certificate=certificate, derived=body["derived"],
                  extra={"facts": body["facts"], "network": body["network"]},
                  covers=COVERS if costs.marginal_nondecreasing else COVERS_KKT,
                  timing={"network": time.perf_counter() - started})


def derive(model: Model, cls: Classification, derivation) -> None:
    from gamespec.solvers.populations.wardrop_conditions import wardrop_sections

    for title, items in wardrop_sections(model):
        derivation.add(title, items)


ENTRY = SolverEntry(
    name="wardrop",
    summary="congestion networks: Wardrop equilibrium, system optimum, price of anarchy",
    can_solve=can_solve,
    solve=solve,
    derive=derive,
    covers=COVERS,
    options=(SolverOption("tolerance", "float", 1e-9, "largest relative path-cost gap and "
                          "flow imbalance the certificate accepts", low=0, low_open=True),),
)
