"""Second derivatives of separable smooth terms, derived on the program tree: checked
against central second differences of the term's own value program."""
from __future__ import annotations

import numpy as np
import pytest

from gamespec.language.loader import model_from_string
from gamespec.solvers.brd.aggregate_plan import batch_rows, plan_aggregates
from gamespec.solvers.brd.engine import random_profile
from gamespec.solvers.brd.grouped import plan_grouping

BASE = ("set I = 1..40\nset X = 1..6\nset Y = 1..3\n"
        "param q[x in X] = x / 21\nparam v[y in Y] = y / 2\n"
        "param w[i in I, x in X] = 0.05 + ((i * x) - 5 * floor(i * x / 5)) / 5\n"
        "players pl[i in I] { choose b in {0, 1, 2} }\n"
        "let A[x in X] = mean(i in I) w[i, x] * (b[i] + 1)\n")
SMOOTH = [
    "-sum(x in X) q[x] * ln(q[x] / A[x])",      # KL: q / A^2
    "-sum(x in X) A[x] * ln(A[x])",               # entropy: product and chain rules
    "-sum(x in X) (A[x] - 0.2 * x)^2",            # a constant second derivative
    "sum(x in X) x * exp(-A[x]) + sum(x in X) sqrt(A[x])",
    "sum(x in X : x > 2) (2 / A[x] + 1 / A[x]^2 + tanh(A[x]) + ln(3 * A[x]))",
    "sum(x in X) A[x]^3 / (1 + x) - sum(x in X) sum(y in Y) v[y] * A[x]^2",
    # inner sums whose derivative is constant along their axis: every y still counts
    "sum(x in X) sum(y in Y) ln(v[y] / A[x]) * A[x] - sum(x in X) mean(y in Y) (A[x] - v[y])^2",
]


def _smooth_terms(body: str):
    model = model_from_string(BASE + f"common payoff = {body}\n", "t.game")
    plan = plan_aggregates(model, plan_grouping(model)[0])
    return plan, plan.smooth_terms


@pytest.mark.parametrize("body", SMOOTH)
def test_second_derivatives_match_second_differences_of_the_value(body):
    plan, terms = _smooth_terms(body)
    assert terms and all(t.curvature is not None for t in terms)
    rng = np.random.default_rng(1)
    for seed in range(3):
        S = plan.game.aggregate_from_counts(plan.game.counts(random_profile([3] * 40, seed)))
        for term in terms:
            c = term.curvature
            width = c.cols.stop - c.cols.start
            got = batch_rows(c.program.point(S[None]), c.rank, 1, width)[0] * c.mask
            for j in rng.permutation(np.arange(c.cols.start, c.cols.stop))[:4]:
                h = 1e-3 * S[j]
                rows = np.repeat(S[None], 3, axis=0)
                rows[0, j] -= h
                rows[2, j] += h
                f = term.value(rows)
                want = (f[0] - 2 * f[1] + f[2]) / h ** 2
                assert got[j - c.cols.start] == pytest.approx(want, rel=1e-4, abs=1e-6)


@pytest.mark.parametrize("body", [
    "-sum(x in X) abs(A[x] - 0.3)",               # not twice differentiable
    "-sum(x in X) max(A[x], 0.5)",
    "-sum(x in X) [A[x] > 0.4] * A[x]",
])
def test_terms_without_a_derivative_rule_get_no_drift_bound(body):
    _, terms = _smooth_terms(body)
    assert [t.curvature for t in terms] == [None]
