"""The labelled-array evaluator agrees with direct NumPy on the same expressions."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gamespec.evaluate import evaluate
from gamespec.evaluation_context import base_context
from gamespec.language.loader import model_from_string


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


# --------------------------------------------------------------------------- weighted sets


def _weighted_context(m, values, weights, extra_axes=()):
    """The model's set I replaced by len(values) elements with multiplicities `weights`."""
    from gamespec.evaluate import Table
    from gamespec.model import FiniteSet

    ctx = base_context(m)
    pairs = FiniteSet("I", tuple(range(1, len(values) + 1)), m.sets["I"].span)
    ctx.sets = {**ctx.sets, "I": pairs}
    ctx.tables["a"] = Table(np.asarray(values, dtype=float), (pairs,))
    ctx.weights = {"I": Table(np.asarray(weights, dtype=float), (pairs,), extra_axes)}
    return ctx


WEIGHTED_SPEC = (
    "set I = 1..9\nparam a[i in I] = i\nset X = 1..3\n"
    "let total = sum(i in I) a[i] * a[i]\nlet avg = mean(i in I) a[i]\n"
    "let top = max(i in I) a[i]\nlet low = min(i in I) a[i]\n"
    "let big = count(i in I : a[i] > 1)\nlet prodv = prod(i in I) a[i]\n"
    "let pairs = sum(i in I, j in I) a[i] * a[j] * [a[i] < a[j]]\n"
    "let grid = sum(i in I, x in X) a[i]\n"
    "let filtered = mean(i in I : a[i] > 1) a[i]"
)


def test_weighted_aggregates_equal_plain_ones_over_the_multiset():
    m = model(WEIGHTED_SPEC)
    values, weights = [0.5, 2.0, 3.0, float("nan")], [2, 1, 3, 0]
    ctx = _weighted_context(m, values, weights)
    multiset = np.repeat(values[:3], weights[:3])  # the nan has weight 0: never seen
    expected = {
        "total": np.sum(multiset ** 2), "avg": np.mean(multiset), "top": multiset.max(),
        "low": multiset.min(), "big": np.count_nonzero(multiset > 1),
        "prodv": np.prod(multiset),
        "pairs": sum(a * b for a in multiset for b in multiset if a < b),
        "grid": 3 * multiset.sum(), "filtered": multiset[multiset > 1].mean(),
    }
    for name, value in expected.items():
        got = evaluate(m.lets[name].symbol, ctx.child(let_cache={}))
        assert got.axes == () and np.isclose(float(got.data), value), name


def test_weighted_aggregates_take_a_batch_axis_of_weight_columns():
    m = model(WEIGHTED_SPEC)
    values = [0.5, 2.0, 3.0]
    columns = np.array([[2, 0, 1], [1, 3, 0], [0, 2, 2]], dtype=float).T  # (|U|, batch)
    batched = _weighted_context(m, values, columns, ("@batch",))
    for name in ("total", "avg", "top", "low", "big", "prodv", "pairs", "grid", "filtered"):
        got = evaluate(m.lets[name].symbol, batched.child(let_cache={}))
        assert got.axes == ("@batch",), name
        for k in range(columns.shape[1]):
            single = _weighted_context(m, values, columns[:, k])
            want = float(evaluate(m.lets[name].symbol, single).data)
            assert np.isclose(got.data[k], want), (name, k)


def test_unweighted_context_has_no_weights():
    m = model("set I = 1..3\nparam a[i in I] = i\nlet s = sum(i in I) a[i]")
    ctx = base_context(m)
    assert ctx.weights == {} and float(evaluate(m.lets["s"].symbol, ctx).data) == 6.0


def test_if_choosing_between_set_elements_evaluates(tmp_path) -> None:
    from gamespec.analysis import classify
    from gamespec.language.loader import model_from_string
    from gamespec.solvers.finite.pure_enumeration import solve

    model = model_from_string("""
set I = 1..2
players p[i in I] { choose x in {A, B} }
payoff p = [x[i] == (if i == 1 then A else B)]
""", "t.game")
    result = solve(model, classify(model), {})
    assert [e["profile"] for e in result.extra["equilibria"]] == [{"p[1]": "A", "p[2]": "B"}]


def test_a_let_indexed_by_the_deviating_strategy_is_read_along_its_diagonal():
    # M depends on the deviation (batch axis) and is indexed by b[i], which has it too:
    # "axes don't match array" before; now each alternative equals a plain evaluation
    import numpy as np

    from gamespec.language.loader import model_from_string
    from gamespec.solvers.brd.method import ModelOracle

    model = model_from_string(
        "set I = 1..6\nset Y = 1..3\nset R = 1..4\nplayers pl[i in I] { choose b in R }\n"
        "let M[x in R, y in Y] = sum(j in I) [b[j] == x] * y * (1 + mod(j, 3))\n"
        "common payoff = sum(i in I) max(y in Y) M[b[i], y]"
        " - sum(x in R) (sum(j in I) [b[j] == x])^2\n", "t.game")
    oracle = ModelOracle(model)
    profile = np.array([0, 1, 2, 3, 0, 1])
    for agent in (0, 3):
        want = []
        for choice in range(4):
            moved = profile.copy()
            moved[agent] = choice
            want.append(oracle.common_payoff(moved))
        np.testing.assert_allclose(oracle.gains(agent, profile), want, rtol=1e-12)


def test_a_filtered_count_is_the_mask_sum_without_a_float_copy():
    """count(i in I, x in X : v[i] == x and ...) over a large I x X mask (the NVO specs'
    histogram of 10^6 rows x 101 bins made an 808 MB float array at load): the count equals
    NumPy's, and the peak stays near the boolean mask's size, not a float copy's."""
    import tracemalloc

    n, k = 200_000, 50
    m = model(f"set I = 1..{n}\nset X = 1..{k}\n"
              "param v[i in I] = if i <= 30000 then 3 else 20 + i / 1000000\n"
              "let low = count(i in I, x in X : v[i] == x and x <= 10)")
    i = np.arange(1, n + 1)
    values = np.where(i <= 30000, 3, 20 + i / 1e6)
    ctx = base_context(m)
    tracemalloc.start()
    tracemalloc.reset_peak()
    got = evaluate(m.lets["low"].symbol, ctx)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert float(got.data) == np.count_nonzero(values <= 10) > 0
    assert peak < 4 * n * k  # the bool mask is n * k bytes; a float copy would be 8 * n * k
