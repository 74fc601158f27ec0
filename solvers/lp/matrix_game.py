"""Zero-sum matrix games: A[m, n] as a `ConditionalGame` with one leader state and a pooled
signal (if the follower saw the row, the row player could only play pure strategies).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gamespec.errors import SpecError
from gamespec.result import Certificate
from gamespec.solvers.lp.zero_sum_game import ConditionalGame


@dataclass(frozen=True, eq=False)
class MatrixGameSolution:
    """Value and optimal mixed strategies of a zero-sum matrix game (row player maximises)."""

    value: float
    row_strategy: np.ndarray
    column_strategy: np.ndarray
    leader_lp_value: float | None
    follower_lp_value: float | None
    certificate: Certificate


def matrix_game(A: np.ndarray) -> ConditionalGame:
    """The matrix game A as a ConditionalGame: one leader state, pooled signal."""
    A = np.asarray(A, dtype=float)
    if A.ndim != 2:
        raise SpecError(f"a matrix game needs a 2-D payoff, got shape {A.shape}")
    return ConditionalGame(payoff=A[None, :, :], signal=np.zeros(A.shape[0], dtype=np.int64))


def solve_matrix_game(A: np.ndarray, **options: Any) -> MatrixGameSolution:
    """Solve max_p min_q p^T A q; options are those of `solve_zero_sum`."""
    from gamespec.solvers.lp.zero_sum_solve import solve_zero_sum  # the LP stack, when used

    sol = solve_zero_sum(matrix_game(A), **options)
    return MatrixGameSolution(sol.value, sol.f[0], sol.h[0], sol.leader_lp_value,
                              sol.follower_lp_value, sol.certificate)
