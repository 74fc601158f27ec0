"""The labelled-array evaluator agrees with direct NumPy on the same expressions."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gamespec.evaluate import evaluate
from gamespec.loader import model_from_string
from gamespec.numeric import base_context


def model(text):
    return model_from_string(text, "t.game")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-500, 500).map(lambda k: k / 100), min_size=2, max_size=6))
def test_sum_and_filtered_sum_match_numpy(values):
    n = len(values)
    rows = "\n".join(f"param v{k} = {v!r}" for k, v in enumerate(values))
    table = " + ".join(f"[i == {k + 1}] * v{k}" for k in range(n))
    m = model(f"set I = 1..{n}\n{rows}\nparam a[i in I] = {table}\n"
              "let total = sum(i in I) a[i] * a[i]\n"
              "let cross = sum(i in I, j in I : i != j) a[i] * a[j]\n"
              "let top = max(i in I) a[i]\nlet avg = mean(i in I) a[i]")
    ctx = base_context(m)
    a = np.array(values)
    assert np.isclose(float(evaluate(m.lets["total"].symbol, ctx).data), np.sum(a * a))
    assert np.isclose(float(evaluate(m.lets["cross"].symbol, ctx).data),
                      np.sum(a) ** 2 - np.sum(a * a))
    assert np.isclose(float(evaluate(m.lets["top"].symbol, ctx).data), np.max(a))
    assert np.isclose(float(evaluate(m.lets["avg"].symbol, ctx).data), np.mean(a))


def test_indexed_let_gathers_by_element_value():
    m = model("set I = 1..4\nparam w[i in I] = i * 10\nlet shifted[i in I] = w[5 - i]\n"
              "let s = sum(i in I) shifted[i] * i")
    ctx = base_context(m)
    assert float(evaluate(m.lets["s"].symbol, ctx).data) == 40 * 1 + 30 * 2 + 20 * 3 + 10 * 4


def test_laplace_mass_sums_to_one_over_bins():
    m = model("set X = 1..50\nlet total = sum(x in X) laplace_mass(0.3, 0.1, x, 50)")
    assert np.isclose(float(evaluate(m.lets["total"].symbol, base_context(m)).data), 1.0)
