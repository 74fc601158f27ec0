"""Test-only oracles and games for the bimatrix algorithms (never imported by gamespec):
pygambit's enummixed / lcp (through gambit_reference: computed, or replayed where pygambit
is not installed), wrapped to give exact Fraction tuples, plus the textbook and degenerate
games the tests share."""
from __future__ import annotations

import signal
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import numpy as np

from gamespec.language.loader import load_model
from gamespec.normal_form import build_normal_form
from gamespec.solvers.finite.mixed_equilibrium import rational_payoffs

from . import gambit_reference as gambit

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

TEXTBOOK = {
    "battle_of_the_sexes": ([[3, 0], [0, 2]], [[2, 0], [0, 3]]),
    "matching_pennies": ([[1, -1], [-1, 1]], [[-1, 1], [1, -1]]),
    "rock_paper_scissors": ([[0, -1, 1], [1, 0, -1], [-1, 1, 0]],
                            [[0, 1, -1], [-1, 0, 1], [1, -1, 0]]),
    "chicken": ([[0, -1], [1, -10]], [[0, 1], [-1, -10]]),
}

DEGENERATE = {
    # column 0 pays the column player the same against every row
    "equal_column": ([[3, 1, 0], [0, 2, 3]], [[2, 1, 0], [2, 0, 3]]),
    # a continuum: any mix of the two rows is a best reply to column 1
    "repeated_payoffs": ([[1, 1], [1, 1], [0, 2]], [[1, 0], [1, 0], [0, 1]]),
    # row 2 is weakly dominated, column 2 strictly dominated
    "dominated": ([[2, 1, 0], [1, 1, 0], [2, 0, -1]], [[1, 2, 0], [2, 1, 0], [1, 1, 0]]),
    # the degenerate variant of the 3 x 2 example in von Stengel (2002), section 2
    "handbook_3x2": ([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]]),
    "all_zero": ([[0, 0], [0, 0]], [[0, 0], [0, 0]]),
}


def exact(A, B):
    """The (A_exact, B_exact) pair the solvers take."""
    return rational_payoffs(np.asarray(A, float)), rational_payoffs(np.asarray(B, float))


def _profiles(solution) -> set[tuple[tuple[Fraction, ...], ...]]:
    return {eq.profile for eq in solution.equilibria}


def enummixed(A, B) -> set[tuple[tuple[Fraction, ...], ...]]:
    """pygambit's extreme equilibria (lrs-style vertex enumeration), exact."""
    return _profiles(gambit.solve(gambit.arrays(A, B), "enummixed", rational=True))


def lcp(A, B) -> set[tuple[tuple[Fraction, ...], ...]]:
    """The equilibria pygambit's Lemke-Howson (lcp) search reaches, exact."""
    return _profiles(gambit.solve(gambit.arrays(A, B), "lcp", rational=True))


def random_game(rng, m: int, n: int, low: int, high: int):
    return (rng.integers(low, high + 1, (m, n)).astype(float),
            rng.integers(low, high + 1, (m, n)).astype(float))


def von_stengel_6x6() -> tuple[np.ndarray, np.ndarray]:
    nf = build_normal_form(load_model(CORPUS / "von_stengel_6x6.game"))
    return nf.payoffs[0], nf.payoffs[1]


@contextmanager
def time_limit(seconds: int):
    """Raise TimeoutError after `seconds` (nashpy's Lemke-Howson can loop)."""
    def stop(*_):
        raise TimeoutError
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
