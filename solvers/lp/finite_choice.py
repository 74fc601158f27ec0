"""The LP method on finite two-player `choose` games that are zero-sum or constant-sum.

Such a game (every imported Gambit .nfg, every `table` spec with `choose`) is solved on its
mixed extension: the normal form (gamespec/normal_form.py) gives the row player's payoff
matrix A, the matrix game max_p min_q p^T A q is solved on HiGHS (solvers/lp/matrix_game.py),
and the answer is certified with NumPy alone: each player's best-response gain against the
other's mix. Values are in the game's own scale: the row player gets v, the column player
c - v when the payoffs sum to c at every profile.
"""
from __future__ import annotations

import numpy as np

from gamespec.analysis import Classification, payoff_sum_constant
from gamespec.derive import Formula
from gamespec.errors import SolverError
from gamespec.model import FiniteSet, Model
from gamespec.normal_form import NormalForm, build_normal_form
from gamespec.result import Certificate, Result, Status
from gamespec.solvers.lp.distributions import distribution_error
from gamespec.solvers.lp.facts import lp_facts
from gamespec.solvers.lp.matrix_game import matrix_game
from gamespec.solvers.lp.zero_sum_certificate import TOLERANCE, payoff_scale

MAX_PURE_PROFILES = 4_000_000  # entries of the payoff matrix handed to HiGHS

COVERS = ("the value of the game's mixed extension (every mixed equilibrium has it) and one "
          "optimal mixed strategy of each side")


def is_choice_game(model: Model) -> bool:
    """Every strategy of every player is a pure choice from a finite set."""
    strategies = [s for p in model.players.values() for s in p.strategies]
    return bool(strategies) and all(s.kind == "choice" and isinstance(s.domain, FiniteSet)
                                    for s in strategies)


def can_solve_choice(model: Model, cls: Classification) -> tuple[bool, str]:
    """Whether the LP method applies to a finite `choose` game, and why not."""
    if len(model.players) != 2:
        return False, "needs two players"
    if cls.dynamic:
        return False, "the game is dynamic"
    for player in model.players.values():
        if player.kind != "single":
            return False, f"`{player.name}` is a {player.kind}, not a single player"
    if cls.sequential:
        return False, ("the order of play is sequential (the follower sees the leader's "
                       "choice): the LP solves simultaneous play")
    if model.free_params():
        return False, "parameters without values: " + ", ".join(model.free_params())
    if cls.pure_profiles is None or cls.pure_profiles > MAX_PURE_PROFILES:
        return False, f"too many pure profiles for the LP (limit {MAX_PURE_PROFILES:,})"
    if not cls.zero_sum:  # the mixed path's words (zero-sum covers a constant sum)
        return False, "needs a zero-sum game"
    return True, ""


def payoff_matrices(nf: NormalForm) -> tuple[np.ndarray, float]:
    """The row player's payoff matrix and the constant c = u1 + u2 (SolverError if none)."""
    if len(nf.agents) != 2:
        raise SolverError(f"the LP needs two agents, the normal form has {len(nf.agents)}")
    constant = payoff_sum_constant(nf.payoffs)
    if constant is None:
        total = nf.payoffs.sum(axis=0)
        raise SolverError("the game is not constant-sum: u1 + u2 ranges from "
                          f"{total.min():.6g} to {total.max():.6g} over the pure profiles",
                          hint="use --method enumerate (pure equilibria) or another "
                               "mixed-equilibrium method")
    return np.asarray(nf.payoffs[0], dtype=float), constant


def matrix_certificate(A: np.ndarray, p: np.ndarray, q: np.ndarray, value: float,
                       duality_gap: float | None) -> Certificate:
    """NumPy check of (p, q): each player's best-response gain, the value, the distributions."""
    played = float(p @ A @ q)
    checks = {
        "row_gain": float(np.max(A @ q) - played),  # the row player maximises p^T A q
        "column_gain": float(played - np.min(p @ A)),  # the column player's own payoff c - A
        "value_mismatch": abs(played - value),
        "distribution_error": distribution_error(p, q),
    }
    if duality_gap is not None:
        checks["duality_gap"] = float(duality_gap)
    residual = max(abs(v) for v in checks.values())
    tol = TOLERANCE * max(abs(value), payoff_scale(A))
    return Certificate("each player's best-response gain against the other's mix, value "
                       "recomputed with NumPy", float(residual), bool(residual <= tol),
                       float(tol), checks)


def _mix(labels, weights: np.ndarray) -> dict[str, float]:
    """A mixed strategy as {label: probability}, dropping zeros."""
    return {str(label): round(float(w), 12) for label, w in zip(labels, weights) if w > 1e-12}


def solve_choice(model: Model, cls: Classification, options: dict, method: str) -> Result:
    """The value and one optimal mixed strategy per player of a constant-sum `choose` game."""
    # the LP stack (highspy, scipy.sparse) is imported by a solve, not by can_solve
    from gamespec.solvers.lp.zero_sum_solve import solve_zero_sum

    nf = build_normal_form(model)
    A, constant = payoff_matrices(nf)
    which = str(options.get("lp", "both"))
    solution = solve_zero_sum(matrix_game(A), lp=which, route=str(options.get("route", "direct")),
                              time_limit=options.get("time_limit"))
    p, q = solution.f[0], solution.h[0]
    value = solution.value + 0.0
    certificate = matrix_certificate(A, p, q, value, solution.duality_gap)
    row, column = nf.agents
    lp = {
        "leader_lp_value": solution.leader_lp_value,
        "follower_lp_value": solution.follower_lp_value,
        "duality_gap": solution.duality_gap,
        "constant_sum": constant,
        "iterations": dict(solution.iterations),
        "interface": f"normal form -> matrix game on {row}'s payoff "
                     f"({A.shape[0]} x {A.shape[1]}) -> highspy (dual simplex)",
        "solve_timing": dict(solution.timing),
    }
    facts = lp_facts(lp)
    facts.append(["sum", f"{row} + {column} = {constant:g} at every profile: {column} gets "
                         f"{constant:g} - {row}'s value"])
    return Result(
        game=model.title, spec=model.path, spec_sha256=model.sha256, method=method,
        status=Status.OPTIMAL if certificate.ok else Status.NOT_CERTIFIED,
        values={row: value, column: constant - value},
        strategies={row: _mix(nf.labels[0], p), column: _mix(nf.labels[1], q)},
        certificate=certificate, covers=COVERS, extra={"lp": lp, "facts": facts},
        parameters={param.name: param.value for param in model.params.values()
                    if not param.index_sets and param.value is not None},
    )


def derive_choice(model: Model, derivation) -> None:
    """The matrix game's LP in mathematical form."""
    row, column = list(model.players)
    derivation.add("linear program (built by the LP method on the normal form)", [
        ("payoff matrix", f"A[i, j] = {row}'s payoff when {row} plays i and {column} plays j; "
                          f"{column}'s payoff is c - A[i, j] (c the constant sum)"),
        (f"{row}'s LP", Formula("maximise v over p >= 0, v free",
                                "\\max v \\text{ over } p \\ge 0,\\ v \\text{ free}")),
        ("  best-response rows", Formula("v <= sum_i A[i, j] p[i]   for all j",
                                         "v \\le \\sum_{i} A_{i,j}\\, p_{i} \\quad \\forall j")),
        ("  distribution", Formula("sum_i p[i] = 1", "\\sum_{i} p_{i} = 1")),
        (f"{column}'s LP (the dual)", Formula(
            "minimise w over q >= 0, w free; w >= sum_j A[i, j] q[j] for all i; sum_j q[j] = 1",
            "\\min w \\text{ over } q \\ge 0;\\ w \\ge \\sum_{j} A_{i,j}\\, q_{j} \\ \\forall i;"
            "\\ \\sum_{j} q_{j} = 1")),
        ("values", f"{row} gets v, {column} gets c - v"),
    ])
