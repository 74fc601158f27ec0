"""Linear programs as arrays: `LinearProgram` (CSC matrix, bounds, sense), its named column and
row blocks (`Block`, `layout`), and its Lagrangian dual (`lagrangian_dual`).

Every LP and MILP of the LP and Stackelberg methods is assembled in this form with
NumPy/scipy.sparse, then handed to HiGHS (solvers/lp/routes.py), directly or through Pyomo.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Block:
    """A named, shaped range of columns or rows of a `LinearProgram` (row-major inside)."""

    name: str
    shape: tuple[int, ...]
    start: int
    labels: tuple[str, ...] | None = None

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def slice(self) -> slice:
        return slice(self.start, self.start + self.size)


def layout(*blocks: tuple[str, tuple[int, ...]] | tuple[str, tuple[int, ...], Sequence[str]]
           ) -> tuple[Block, ...]:
    """Consecutive blocks from (name, shape[, labels]) triples."""
    out, start = [], 0
    for spec in blocks:
        name, shape = spec[0], tuple(int(n) for n in spec[1])
        labels = tuple(spec[2]) if len(spec) > 2 else None
        out.append(Block(name, shape, start, labels))
        start += math.prod(shape)
    return tuple(out)


@dataclass(frozen=True, eq=False)
class LinearProgram:
    """opt c@x s.t. row_lower <= A@x <= row_upper, col_lower <= x <= col_upper (inf = none).

    A is CSC, or CSR for a dual built by `lagrangian_dual` (the transpose of its LP's CSC
    matrix, sharing its arrays); HiGHS takes either."""

    A: sp.csc_array | sp.csr_array
    c: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    maximize: bool
    col_blocks: tuple[Block, ...]
    row_blocks: tuple[Block, ...]
    integrality: np.ndarray | None = None
    name: str = "lp"

    @property
    def shape(self) -> tuple[int, int]:
        return self.A.shape

    def col(self, name: str) -> Block:
        """The column block called `name`."""
        return next(b for b in self.col_blocks if b.name == name)

    def row(self, name: str) -> Block:
        """The row block called `name`."""
        return next(b for b in self.row_blocks if b.name == name)


def lagrangian_dual(
    lp: LinearProgram, col_names: dict[str, str], row_names: dict[str, str], name: str
) -> LinearProgram:
    """The LP dual of a maximisation `lp` (min b@u s.t. A.T@u vs c), derived from its Lagrangian.

    Each column of `lp` must be >= 0, <= 0 or free, each row one-sided or an equality. A row
    "<= b" gets a multiplier u >= 0, ">= b" gets u <= 0, "== b" a free one; a column x >= 0
    gives the dual row A_j.T u >= c_j, x <= 0 gives <=, a free column gives ==. The dual's column
    blocks are `lp`'s row blocks renamed by `row_names`; its row blocks are `lp`'s column
    blocks renamed by `col_names`. Its matrix is `lp.A.T`: CSR sharing `lp.A`'s arrays (no copy
    of what may be millions of coefficients).
    """
    if not lp.maximize:
        raise ValueError("lagrangian_dual expects a maximisation LP")
    lo_fin, up_fin = np.isfinite(lp.row_lower), np.isfinite(lp.row_upper)
    equality = lo_fin & up_fin & (lp.row_lower == lp.row_upper)
    if np.any(lo_fin & up_fin & ~equality) or np.any(~lo_fin & ~up_fin):
        raise ValueError("lagrangian_dual needs one-sided or equality rows")
    cost = np.where(up_fin, lp.row_upper, lp.row_lower)
    u_lower = np.where(up_fin & ~equality, 0.0, -np.inf)
    u_upper = np.where(lo_fin & ~equality, 0.0, np.inf)
    nonneg = (lp.col_lower == 0) & ~np.isfinite(lp.col_upper)
    nonpos = (lp.col_upper == 0) & ~np.isfinite(lp.col_lower)
    free = ~np.isfinite(lp.col_lower) & ~np.isfinite(lp.col_upper)
    if not np.all(nonneg | nonpos | free):
        raise ValueError("lagrangian_dual needs columns that are >= 0, <= 0 or free")
    d_lower = np.where(nonneg | free, lp.c, -np.inf)
    d_upper = np.where(nonpos | free, lp.c, np.inf)
    return LinearProgram(
        A=lp.A.T,
        c=cost.astype(float),
        col_lower=u_lower,
        col_upper=u_upper,
        row_lower=d_lower.astype(float),
        row_upper=d_upper.astype(float),
        maximize=False,
        col_blocks=tuple(
            Block(row_names.get(b.name, b.name), b.shape, b.start, b.labels) for b in lp.row_blocks
        ),
        row_blocks=tuple(
            Block(col_names.get(b.name, b.name), b.shape, b.start, b.labels) for b in lp.col_blocks
        ),
        name=name,
    )
