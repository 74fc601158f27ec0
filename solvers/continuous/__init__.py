"""Continuous strategy spaces: best responses, mean-field fixed points, leaders, Nash.

Payoffs arrive as SymPy expressions in real Symbols (strategy variables, mean-field
symbols, parameters). SymPy builds and derives; every number is computed by compiled
NumPy functions evaluated in bulk (a whole grid, or a whole batch of opponents, per call).
Every solver checks its own answer independently and says what it checked in a
`Certificate`.

Modules, one job each: `results` (result records), `expressions` (SymPy to NumPy),
`sampling` (grids, tolerances), `bracketing` (vectorised root and maximum searches),
`symbolic` (closed forms and the derivation), `best_response` (the batched best-response
map), `mean_field` (population fixed points), `followers` (follower maps), `leader`
(the leader's optimum), `nash`, `stackelberg`; `method` adapts Models to them.
This package re-exports their public names.
"""
from gamespec.result import Certificate
from gamespec.solvers.continuous.best_response import BestResponseMap, best_response
from gamespec.solvers.continuous.bracketing import (
    bracketed_roots,
    golden_maxima,
    refine_sign_changes,
)
from gamespec.solvers.continuous.expressions import as_expr, as_number, substitute
from gamespec.solvers.continuous.followers import (
    BestResponseFollower,
    FollowerMap,
    PopulationFollower,
)
from gamespec.solvers.continuous.leader import solve_leader
from gamespec.solvers.continuous.mean_field import (
    SELECTIONS,
    mean_field_equilibria,
    mean_field_fixed_points,
)
from gamespec.solvers.continuous.nash import nash_closed_form, nash_continuous
from gamespec.solvers.continuous.results import (
    BestResponse,
    FixedPoint,
    FollowerResponse,
    LeaderResult,
    MeanFieldResult,
    NashResult,
    StackelbergResult,
)
from gamespec.solvers.continuous.sampling import sample_grid
from gamespec.solvers.continuous.stackelberg import (
    stackelberg_closed_form,
    stackelberg_continuous,
)
from gamespec.solvers.continuous.symbolic import (
    BestResponseDerivation,
    Branch,
    Candidate,
    solve_univariate,
    switch_functions,
    symbolic_best_response,
    with_time_limit,
)

__all__ = [
    "SELECTIONS",
    "BestResponse",
    "BestResponseDerivation",
    "BestResponseFollower",
    "BestResponseMap",
    "Branch",
    "Candidate",
    "Certificate",
    "FixedPoint",
    "FollowerMap",
    "FollowerResponse",
    "LeaderResult",
    "MeanFieldResult",
    "NashResult",
    "PopulationFollower",
    "StackelbergResult",
    "as_expr",
    "as_number",
    "best_response",
    "bracketed_roots",
    "golden_maxima",
    "mean_field_equilibria",
    "mean_field_fixed_points",
    "nash_closed_form",
    "nash_continuous",
    "refine_sign_changes",
    "sample_grid",
    "solve_leader",
    "solve_univariate",
    "stackelberg_closed_form",
    "stackelberg_continuous",
    "substitute",
    "switch_functions",
    "symbolic_best_response",
    "with_time_limit",
]
