"""The one lowering of Model expressions to NumPy (gamespec.lowering): the issue-15
reproducers, and differential checks against the other evaluation routes (gamespec.evaluate
on labelled arrays, SymPy substitution of the folded expression) at random points."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from gamespec.api import game_info, solve_model
from gamespec.errors import GamespecError
from gamespec.evaluate import LArray, evaluate
from gamespec.evaluation_context import base_context
from gamespec.language.loader import model_from_string
from gamespec.lowering import LoweringError, fold, lower

BASE = """
set S = {1, 2, 3}
set T = {Low, Mid, High}
param w[i in S] = i
param v[t in T] = if t == Low then 0.5 else (if t == Mid then 1.5 else 2.5)
param m[i in S, t in T] = i * v[t] - 1
param k = 0.75
player a { choose x in [0, 1] }
player b { choose y in [-1, 2] }
"""

# Each construct with the strategies inside it (so it must be written out, not folded).
PAYOFFS = [
    "sum(i in S) w[i] * x - x^2 * y",
    "sum(i in S, t in T) m[i, t] * x * y + k * y^2",
    "prod(i in S) (1 + w[i] * x / 10) - mean(t in T) v[t] * y",
    "max(t in T) v[t] * x - min(i in S) (w[i] - y)^2",
    "count(i in S : w[i] * x > 1) + sum(t in T : v[t] > 1) v[t] * y",
    "sum(i in S : w[i] > 1) [x > w[i] / 4] * y + (if x > 0.5 then y else -y)",
    "sum(t in T) (if t == Mid then x else y) * v[t]",
    "exp(-sum(i in S) w[i] * x) + ln(1 + x) * abs(y) + sqrt(1 + x * y^2)",
    "max(x, y, sum(i in S) w[i] / 6) + min(t in T) v[t] * (x - y)",
    "laplace_mass(x, 0.5, 2, 4) + gaussian_mass(x, 0.3, 1, 3) * y + mod(k * 4, 2) * x",
    "sum(i in S) w[i] * bin_of(x, 4) - y * x",
    "mean(i in S : w[i] * x > y) w[i] * x",
    "sum(i in S) w[i] * (x - w[i])^2 * y + mean(t in T : v[t] > 1) v[t] * exp(-x) * y",
    "sum(i in S) sum(t in T) m[i, t] * x^2 + sum(i in S) (w[i] + x)^2",
]


def _model(payoff: str):
    return model_from_string(BASE + f"payoff a = {payoff}\npayoff b = x * y - y^2\n",
                             "t.game")


def _points(seed: int, n: int = 200):
    rng = np.random.default_rng(seed)
    xs = rng.uniform(0, 1, n)
    ys = rng.uniform(-1, 2, n)
    xs[:3], ys[:3] = (0.0, 1.0, 0.25), (-1.0, 2.0, 0.0)  # ends and a kink
    return xs, ys


def _by_evaluator(model, expr, xs, ys):
    """The labelled-array evaluator with the strategies bound to one shared point axis."""
    ctx = base_context(model)
    x, y = (s.symbol for s in model.strategies())
    ctx.scalars[x] = LArray(xs, ("@point",))
    ctx.scalars[y] = LArray(ys, ("@point",))
    value = evaluate(model.expand_lets(expr), ctx)
    return np.broadcast_to(np.asarray(value.data, float), xs.shape)


@pytest.mark.parametrize("payoff", PAYOFFS)
def test_lowering_agrees_with_the_evaluator_at_random_points(payoff):
    model = _model(payoff)
    variables = [s.symbol for s in model.strategies()]
    fn = lower(model, model.payoff_of("a"), variables)
    for seed in range(3):
        xs, ys = _points(seed)
        with np.errstate(all="ignore"):
            got = np.broadcast_to(np.asarray(fn(xs, ys), float), xs.shape)
            want = _by_evaluator(model, model.payoff_of("a"), xs, ys)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("payoff", [p for p in PAYOFFS if "_mass" not in p and "bin_of" not in p
                                    and "mod(" not in p])
def test_lowering_agrees_with_sympy_substitution_of_the_folded_expression(payoff):
    # derive works on the folded SymPy expression; NumPy code must mean the same thing
    model = _model(payoff)
    variables = [s.symbol for s in model.strategies()]
    folded = fold(model, model.payoff_of("a"), variables)
    fn = lower(model, model.payoff_of("a"), variables)
    xs, ys = _points(7, 25)
    for xv, yv in zip(xs, ys):
        exact = folded.xreplace({variables[0]: sympy.Float(xv, 30),
                                 variables[1]: sympy.Float(yv, 30)})
        want = float(sympy.N(exact, 30))
        with np.errstate(all="ignore"):
            got = float(fn(xv, yv))
        if math.isnan(want):  # an empty filtered mean: 0 / 0 on both routes
            assert math.isnan(got)
        else:
            assert got == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_fold_writes_out_the_aggregate_and_evaluates_the_table():
    model = _model(PAYOFFS[0])
    x, y = (s.symbol for s in model.strategies())
    assert fold(model, model.payoff_of("a"), [x, y]) == 6 * x - x**2 * y


def test_scalar_parameters_can_stay_symbolic_outside_aggregates():
    model = _model("k * x + sum(i in S) w[i] * k * x")
    x, y = (s.symbol for s in model.strategies())
    k = model.params["k"].symbol
    folded = fold(model, model.payoff_of("a"), [x, y], [k])
    assert sympy.expand(folded - 7 * k * x) == 0


def test_the_reproducer_with_an_indexed_parameter_solves_to_its_closed_form():
    # u_a = 6x - x^2 y on [0, 1]: du_a/dx = 6 - 2xy > 0, so x* = 1; u_b = xy - y^2 gives
    # y* = x / 2 = 1/2; values 6 - 1/2 and 1/2 - 1/4
    text = ("set S = {1, 2, 3}\nparam w[i in S] = i\nplayer a { choose x in [0, 1] }\n"
            "player b { choose y in [0, 1] }\npayoff a = sum(i in S) w[i] * x - x^2 * y\n"
            "payoff b = x * y - y^2\n")
    model = model_from_string(text, "issue15.game")
    assert "continuous" in game_info(model).applicable
    result = solve_model(model, method="continuous")
    assert result.certificate.ok
    assert result.strategies["a"] == pytest.approx(1.0, abs=1e-9)
    assert result.strategies["b"] == pytest.approx(0.5, abs=1e-9)
    assert result.values == pytest.approx({"a": 5.5, "b": 0.25}, abs=1e-9)


def test_a_library_function_in_a_continuous_payoff_solves():
    # laplace_mass(x, 1/2, 1, 2) falls in x, -(x - y)^2 is flat at x = y, y* = x / 2: the
    # equilibrium is (0, 0) and a's value the truncated mass of [0, 1/2] around 0,
    # (1 - e^-1) / (1 - e^-2)
    text = ("player a { choose x in [0, 1] }\nplayer b { choose y in [0, 1] }\n"
            "payoff a = laplace_mass(x, 0.5, 1, 2) - (x - y)^2\npayoff b = x * y - y^2\n")
    model = model_from_string(text, "lap.game")
    result = solve_model(model, method="continuous")
    assert result.certificate.ok
    assert result.strategies["a"] == pytest.approx(0.0, abs=1e-6)
    assert result.strategies["b"] == pytest.approx(0.0, abs=1e-6)
    want = (1 - math.exp(-1)) / (1 - math.exp(-2))
    assert result.values["a"] == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize("call", ["laplace_mass(x, 0.5, 1, 2)", "gaussian_mass(x, 0.2, 2, 3)",
                                  "bin_of(x, 4) / 4", "mod(3 * x, 1)"])
def test_every_library_function_in_a_continuous_payoff_solves_or_is_refused(call):
    text = ("player a { choose x in [0, 1] }\nplayer b { choose y in [0, 1] }\n"
            f"payoff a = {call} - (x - y)^2 / 4\npayoff b = x * y - y^2\n")
    model = model_from_string(text, "f.game")
    info = game_info(model)
    if "continuous" not in info.applicable:
        reason = next(m.reason for m in info.methods if m.name == "continuous")
        assert str(reason)  # refused with a stated reason
        return
    try:
        result = solve_model(model, method="continuous")
    except GamespecError as exc:  # a located refusal or "could not finish", never exit 70
        assert exc.exit_code in (2, 3)
        assert "has no value" not in exc.message
        return
    # the reported answer is a best response for a on a dense grid (independent check)
    x, y = (s.symbol for s in model.strategies())
    grid = np.linspace(0, 1, 20001)
    fn = lower(model, model.payoff_of("a"), [x, y])
    best = np.nanmax(np.asarray(fn(grid, result.strategies["b"]), float))
    assert result.values["a"] >= best - 1e-6


def test_a_large_sum_that_splits_is_folded_in_bulk_and_solves_to_its_closed_form():
    # -sum_i w_i (x - w_i)^2 = -W1 x^2 + 2 W2 x - W3: x* = W2 / W1, y* = x* / 2
    text = ("set S = 1..5000\nparam w[i in S] = i / 5000\n"
            "player a { choose x in [0, 1] }\nplayer b { choose y in [0, 1] }\n"
            "payoff a = -sum(i in S) w[i] * (x - w[i])^2\npayoff b = x * y - y^2\n")
    model = model_from_string(text, "big.game")
    x, _ = (s.symbol for s in model.strategies())
    folded = fold(model, model.payoff_of("a"), [x])
    assert sympy.Poly(folded, x).degree() == 2  # three numbers, not 5,000 terms
    w = np.arange(1, 5001) / 5000
    result = solve_model(model, method="continuous")
    assert result.strategies["a"] == pytest.approx((w**2).sum() / w.sum(), abs=1e-9)
    assert result.strategies["b"] == pytest.approx((w**2).sum() / w.sum() / 2, abs=1e-9)


def test_an_aggregate_too_large_to_write_out_is_refused_by_info_with_its_place():
    text = ("set S = 1..5000\nparam w[i in S] = i / 5000\n"
            "player a { choose x in [0, 1] }\nplayer b { choose y in [0, 1] }\n"
            "payoff a = max(i in S) w[i] * (x - w[i]) - x^2\npayoff b = x * y - y^2\n")
    model = model_from_string(text, "big.game")
    info = game_info(model)
    assert "continuous" not in info.applicable
    reason = str(next(m.reason for m in info.methods if m.name == "continuous"))
    assert "5,000 terms" in reason


def test_an_index_that_is_a_strategy_variable_cannot_be_lowered():
    model = _model("x")
    x, _ = (s.symbol for s in model.strategies())
    w = model.params["w"].symbol
    with pytest.raises(LoweringError, match="indexed by a strategy"):
        fold(model, sympy.Indexed(w, x) * x, [x])


def _random_expression(rng, depth: int, bound: tuple[str, ...] = ()) -> str:
    """A random payoff over the BASE spec's names (seeded): strategies, parameters, the
    index variables in scope, and every aggregate and conditional form."""
    leaves = ["x", "y", "k", "w[2]", "v[Mid]", "0.5", "2"] + [f"w[{b}]" for b in bound]
    if depth == 0:
        return str(rng.choice(leaves))
    sub = lambda extra=(): _random_expression(rng, depth - 1, bound + extra)  # noqa: E731
    free = [v for v in ("i", "j") if v not in bound]
    form = int(rng.integers(11 if free else 7))
    if form == 0:
        return f"({sub()} + {sub()})"
    if form == 1:
        return f"({sub()} * {sub()})"
    if form == 2:
        return f"[{sub()} > {sub()}] * {sub()}"
    if form == 3:
        return f"(if {sub()} <= {sub()} then {sub()} else {sub()})"
    if form == 4:
        return f"max({sub()}, {sub()})"
    if form == 5:
        return f"exp(-({sub()})^2)"
    if form == 6:
        return f"abs({sub()} - {sub()})"
    var = free[0]
    kind = ("sum", "mean", "max", "min")[form - 7]
    body = sub((var,))
    if rng.random() < 0.5:
        return f"{kind}({var} in S : w[{var}] * {sub((var,))} > 1) ({body})"
    return f"{kind}({var} in S) ({body})"


@pytest.mark.parametrize("seed", range(40))
def test_random_payoffs_lower_to_what_the_evaluator_computes(seed):
    rng = np.random.default_rng(seed)
    payoff = _random_expression(rng, 3)
    model = _model(payoff)
    variables = [s.symbol for s in model.strategies()]
    fn = lower(model, model.payoff_of("a"), variables)
    xs, ys = _points(seed, 100)
    with np.errstate(all="ignore"):
        got = np.broadcast_to(np.asarray(fn(xs, ys), float), xs.shape)
        want = _by_evaluator(model, model.payoff_of("a"), xs, ys)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, equal_nan=True,
                               err_msg=payoff)


def test_a_closed_form_never_mixes_a_folded_table_with_the_symbol_it_was_computed_from():
    # k[1] = c: keeping c symbolic beside k's folded number gave x = c/3 + 8/3 at c = 1
    # (wrong in c); with a table folded, every parameter takes its value
    text = ("set F = {1}\nparam c = 1\nparam k[i in F] = c\n"
            "player a { choose x in [0, 10] }\nplayer b { choose y in [0, 10] }\n"
            "payoff a = (10 - x - y) * x - k[1] * x\npayoff b = (10 - x - y) * y - c * y\n")
    for c, want in ((1, 3.0), (4, 2.0)):
        result = solve_model(model_from_string(text, "k.game", {"c": c}), method="continuous")
        assert result.strategies["a"] == pytest.approx(want, abs=1e-9)
        for form in result.derived.get("closed_form", {}).values():
            assert "c" not in form and float(form) == pytest.approx(want)


def test_constants_beyond_the_float_range_compile_to_their_float_values():
    """10^999 in a payoff made the compiled function raise OverflowError (int too large to
    convert to float: exit 70); found by the construct fuzzer."""
    from gamespec.lowering import to_numpy

    q = sympy.Symbol("q")
    huge = sympy.Integer(10) ** 999
    fn = to_numpy([q], sympy.Piecewise((q, huge >= q), (huge, True)) + q * 0)
    assert fn(np.array([0.25, 0.5])).tolist() == [0.25, 0.5]
    assert to_numpy([q], huge * q)(np.array([2.0, -1.0])).tolist() == [math.inf, -math.inf]
    assert to_numpy([q], -huge + q)(1.0) == -math.inf
    assert to_numpy([q], q + sympy.Rational(1, 10**400))(1.0) == 1.0
    assert to_numpy([q], q * sympy.Rational(10**400, 3))(1.0) == math.inf


def test_a_population_payoff_with_a_huge_constant_solves():
    model = model_from_string(
        "population pat of 4000 { choose go in {0, 1, 2} field share = mean [go == 0] }\n"
        "param cap = 0.6\n"
        "payoff pat = [go == 0] * (cap - share) + (if 10^999 >= share then share else 10^999)\n"
        "select min share\n")
    result = solve_model(model)
    assert result.certificate.ok
    assert result.strategies["pat"]["0"] == pytest.approx(0.6)  # cap - share = 0
