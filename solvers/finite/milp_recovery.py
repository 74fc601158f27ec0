"""From a MILP's floating-point equilibrium to a clean one: the support the binaries chose,
the indifference system on it solved exactly (Fraction elimination) or polished in floats.

For one player's mix y over columns `cols`, with the other player's pure strategies `rows`
all earning the same value v, the system is sum(y) = 1 and M[i, cols] @ y - v = 0 (i in rows).
Rows come in priority order; a row inconsistent with the earlier ones is skipped, and any
variable left free takes the MILP's value (as a small-denominator Fraction). The caller
verifies the result (exact regret 0), so this is a recovery heuristic, never a proof.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np


def exact_mix(M: np.ndarray, rows: list[int], cols: list[int], hint: np.ndarray,
              value_hint: float) -> list[Fraction] | None:
    """Fractions y over `cols` (sum 1, every row in `rows` earning the same value), or None
    if the solution has a negative entry. `hint` (over `cols`) fills free variables."""
    k = len(cols)
    equations = [[Fraction(1)] * k + [Fraction(0), Fraction(1)]]  # sum y = 1
    for i in rows:
        equations.append([Fraction(M[i, j]) for j in cols] + [Fraction(-1), Fraction(0)])
    pivots: dict[int, list[Fraction]] = {}
    for eq in equations:
        _add_row(pivots, eq, k + 1)
    guess = [_rational(h) for h in hint] + [_rational(value_hint)]
    free = [c for c in range(k + 1) if c not in pivots]
    solution = [Fraction(0)] * (k + 1)
    for c in free:
        solution[c] = guess[c]
    for c, row in pivots.items():
        solution[c] = row[-1] - sum((row[f] * solution[f] for f in free), Fraction(0))
    y = solution[:k]
    return None if any(v < 0 for v in y) else y


def _add_row(pivots: dict[int, list[Fraction]], row: list[Fraction], width: int) -> None:
    """Insert `row` (coefficients then right-hand side) into the reduced row echelon form
    `pivots` (pivot column -> row); skip it if it is redundant or inconsistent."""
    row = list(row)
    for c, prow in pivots.items():
        if row[c]:
            f = row[c]
            row = [a - f * b for a, b in zip(row, prow)]
    lead = next((c for c in range(width) if row[c]), None)
    if lead is None:
        return  # redundant (rhs 0) or inconsistent (rhs != 0): skipped either way
    f = row[lead]
    row = [a / f for a in row]
    for c, prow in pivots.items():
        if prow[lead]:
            g = prow[lead]
            pivots[c] = [a - g * b for a, b in zip(prow, row)]
    pivots[lead] = row


def _rational(x: float) -> Fraction:
    return Fraction(float(x)).limit_denominator(10**6)


def polished_mix(M: np.ndarray, rows: list[int], cols: list[int], y: np.ndarray,
                 value: float) -> np.ndarray:
    """The floating-point mix over `cols` nearest to `y` that solves the same system
    (least-norm correction), clipped at 0 and renormalised."""
    k = len(cols)
    system = np.zeros((1 + len(rows), k + 1))
    system[0, :k] = 1.0
    system[1:, :k] = M[np.ix_(rows, cols)]
    system[1:, k] = -1.0
    rhs = np.zeros(1 + len(rows))
    rhs[0] = 1.0
    x0 = np.append(y, value)
    correction = np.linalg.lstsq(system, rhs - system @ x0, rcond=None)[0]
    out = np.clip((x0 + correction)[:k], 0.0, None)
    total = out.sum()
    return out / total if total > 0 else y
