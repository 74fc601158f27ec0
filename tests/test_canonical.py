"""Canonical-problem suite (issue 15; as CVXPY runs its known problems against every
solver): for every bundled and corpus spec, every method that applies gives a certified
answer; answers match closed forms from the textbooks the corpus cites; and methods that
compute the same thing agree with each other and with independent oracles (a brute-force
search over the normal form, SciPy's LP, a dense grid of best responses evaluated by
gamespec.evaluate rather than by the lowering the solvers use)."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import spec_runs as runs  # (tests/spec_runs.py: runs cached for the session)
from scipy.optimize import linprog

from gamespec.errors import GamespecError
from gamespec.evaluate import LArray, evaluate
from gamespec.evaluation_context import base_context
from gamespec.normal_form import build_normal_form
from gamespec.solvers.continuous.method import shape_of

# Closed forms (the derivations are in each spec's comments).
KNOWN_STRATEGIES = {
    "cournot": {"firm1": 3.0, "firm2": 3.0},  # (a - c) / 3b
    "stackelberg_duopoly": {"leader": 4.5, "follower": 2.25},  # (a - c) / 2b, (a - c) / 4b
    "hotelling_prices": {"left": 3.0, "right": 3.0},
    "weighted_effort": {"a": 1.0, "b": 0.5},
    "cournot_costs_table": {"one": 4.0, "two": 3.0},
    "fixed_cost_entry": {"incumbent": 5.0, "entrant": 0.0},
    "stackelberg_cost_gap": {"leader": 4.5, "follower": 3.25},
    "piecewise_tariff": {"seller": 2.5, "buyer": 0.75},
    "public_good_max": {"a": 0.625, "b": 0.5},
    "noisy_report": {"reporter": 0.0, "auditor": 0.0},
    "data_markets": {"a": 28 / 15, "b": 8 / 15},
    "competitive_market": {"firms": 48.0},
    "toll_population": {"authority": 5.0, "drivers": 10 / 3},
}
ZERO_SUM_VALUES = {  # the first player's value
    "matching_pennies": 0.0, "rock_paper_scissors": 0.0, "inspection_zero_sum": 0.2,
    "commitment_zero_sum": 1 / 7, "saddle_zero_sum": 2.0, "colonel_blotto_small": 1.2,
}


def _fast(path: Path, method: str) -> bool:
    return (path.stem, method) not in runs.SLOW


def _cases(*methods: str) -> list:
    """(spec, ...) for the specs where every one of `methods` applies (info decides)."""
    out = []
    for path in runs.SPECS:
        if runs.needs_mirror(path):
            continue  # registry data: covered by the registry suite with the mirror fixture
        applicable = runs.applicable(path)
        if all(m in applicable and _fast(path, m) for m in methods):
            out.append(pytest.param(path, id=runs.spec_id(path)))
    return out


def _result(path: Path, method: str):
    result = runs.run(path, method)
    if isinstance(result, GamespecError):
        pytest.fail(f"{method} on {path.name}: {result.message}")
    return result


# ------------------------------------------------------------------ every method certified
@pytest.mark.parametrize("path", runs.SPECS, ids=runs.spec_id)
def test_every_applicable_method_gives_a_certified_answer(path, request):
    if runs.needs_mirror(path):
        request.getfixturevalue("mirror")
    for method in runs.applicable(path):
        if not _fast(path, method):
            continue
        result = runs.run(path, method)
        if isinstance(result, GamespecError):
            # the one admitted failure: best-response dynamics cannot settle in a game
            # without a pure equilibrium, which enumeration (where it applies) confirms
            assert method == "brd" and "cycle" in result.message, result.message
            if "enumerate" in runs.applicable(path):
                assert runs.run(path, "enumerate").status == "no_pure_equilibrium"
            continue
        assert result.certificate.ok, (method, path.name, result.certificate)


# ------------------------------------------------------------------ closed forms
@pytest.mark.parametrize("path", [p for p in _cases("continuous") if p.values[0].stem
                                  in KNOWN_STRATEGIES])
def test_continuous_answers_match_the_textbook_closed_forms(path):
    result = _result(path, "continuous")
    for player, want in KNOWN_STRATEGIES[path.stem].items():
        assert result.strategies[player] == pytest.approx(want, abs=1e-6), player


@pytest.mark.slow
def test_a_leader_above_a_population_matches_its_closed_form():
    path = runs.BY_STEM["toll_population"]
    result = _result(path, "continuous")
    assert result.certificate.ok
    for player, want in KNOWN_STRATEGIES["toll_population"].items():
        assert result.strategies[player] == pytest.approx(want, abs=1e-5), player
    assert result.values["authority"] == pytest.approx(50 / 3, abs=1e-5)


# ------------------------------------------------------------------ finite games: oracles
def _normal_form(path: Path):
    try:
        return build_normal_form(runs.game(path).model, limit=10_000)
    except GamespecError:
        pytest.skip("no small normal form")


def _brute_force_pure_equilibria(nf) -> set:
    out = set()
    for index in itertools.product(*(range(n) for n in nf.shape)):
        stable = True
        for k in range(len(nf.agents)):
            row = list(index)
            row[k] = slice(None)
            if nf.payoffs[(k, *row)].max() > nf.payoffs[(k, *index)] + 1e-9:
                stable = False
                break
        if stable:
            out.add(tuple(nf.labels[k][i] for k, i in enumerate(index)))
    return out


def _profile(nf, strategies: dict) -> tuple:
    return tuple(strategies[a] for a in nf.agents)


@pytest.mark.parametrize("path", _cases("enumerate"))
def test_enumerate_finds_exactly_the_brute_force_pure_equilibria(path):
    nf = _normal_form(path)
    result = _result(path, "enumerate")
    found = {_profile(nf, e["profile"]) for e in result.extra.get("equilibria", [])}
    assert found == _brute_force_pure_equilibria(nf)


@pytest.mark.parametrize("path", _cases("enumerate", "brd"))
def test_brd_stops_at_one_of_the_enumerated_equilibria(path):
    brd = runs.run(path, "brd")
    if isinstance(brd, GamespecError):
        assert _result(path, "enumerate").status == "no_pure_equilibrium"
        return
    nf = _normal_form(path)
    equilibria = {_profile(nf, e["profile"])
                  for e in _result(path, "enumerate").extra["equilibria"]}
    assert _profile(nf, brd.strategies) in equilibria


def _scipy_value(matrix: np.ndarray) -> float:
    """max_x min_j x^T A e_j by SciPy's LP (variables x, v; maximise v)."""
    m, n = matrix.shape
    c = np.r_[np.zeros(m), -1.0]
    a_ub = np.c_[-matrix.T, np.ones(n)]
    a_eq = np.r_[np.ones(m), 0.0][None, :]
    bounds = [(0, None)] * m + [(None, None)]
    found = linprog(c, A_ub=a_ub, b_ub=np.zeros(n), A_eq=a_eq, b_eq=[1.0], bounds=bounds)
    return -found.fun


@pytest.mark.parametrize("path", _cases("lp"))
def test_lp_values_equal_scipys_and_the_closed_form(path):
    nf = _normal_form(path)
    if len(nf.agents) != 2:
        pytest.skip("not a two-player matrix game")
    result = _result(path, "lp")
    first = nf.agents[0]
    assert result.values[first] == pytest.approx(_scipy_value(nf.payoffs[0]), abs=1e-8)
    if path.stem in ZERO_SUM_VALUES:
        assert result.values[first] == pytest.approx(ZERO_SUM_VALUES[path.stem], abs=1e-8)


@pytest.mark.parametrize("path", _cases("lp", "enumerate"))
def test_a_saddle_point_found_by_enumeration_and_brd_has_the_lp_value(path):
    enumerated = _result(path, "enumerate")
    lp_value = _result(path, "lp").values
    for equilibrium in enumerated.extra.get("equilibria", []):
        for player, value in equilibrium["payoffs"].items():
            assert value == pytest.approx(lp_value[player], abs=1e-8)
    brd = runs.run(path, "brd") if "brd" in runs.applicable(path) else None
    if brd is not None and not isinstance(brd, GamespecError):
        assert brd.values == pytest.approx(lp_value, abs=1e-8)


@pytest.mark.parametrize("path", _cases("lp", "stackelberg"))
def test_commitment_value_equals_the_lp_value_in_zero_sum_games(path):
    # von Neumann: in a zero-sum game committing first neither helps nor hurts
    assert _result(path, "stackelberg").values == pytest.approx(
        _result(path, "lp").values, abs=1e-8)


# ------------------------------------------------------------------ continuous: a grid oracle
def _payoff_on_grid(model, player: str, point: dict, var, grid: np.ndarray) -> np.ndarray:
    """The player's payoff with `var` running over `grid` and the others at `point`,
    evaluated by gamespec.evaluate (labelled arrays), not by the solvers' lowering."""
    ctx = base_context(model)
    for symbol, value in point.items():
        ctx.scalars[symbol] = LArray.scalar(float(value))
    ctx.scalars[var] = LArray(grid, ("@grid",))
    with np.errstate(all="ignore"):
        value = evaluate(model.expand_lets(model.payoff_of(player)), ctx)
    return np.broadcast_to(np.asarray(value.data, float), grid.shape)


def _bounds(model, player) -> tuple[float, float]:
    domain = player.strategies[0].domain
    ctx = base_context(model)
    return float(evaluate(domain.low, ctx).data), float(evaluate(domain.high, ctx).data)


def _two_player_continuous(kind: str) -> list:
    """Specs of that shape with named players only (families: tests/solvers/continuous/
    test_n_player.py checks their answers by a global search of every member's interval)."""
    return [p for p in _cases("continuous") if shape_of(runs.game(p.values[0]).model) == kind
            and all(q.kind != "family" for q in runs.game(p.values[0]).model.players.values())]


@pytest.mark.parametrize("path", _two_player_continuous("nash"))
def test_continuous_nash_answers_are_best_responses_on_a_dense_grid(path):
    model = runs.game(path).model
    result = _result(path, "continuous")
    players = list(model.players.values())
    point = {p.strategies[0].symbol: result.strategies[p.name] for p in players}
    for player in players:
        var = player.strategies[0].symbol
        low, high = _bounds(model, player)
        grid = np.linspace(low, high, 40_001)
        others = {s: v for s, v in point.items() if s != var}
        best = np.nanmax(_payoff_on_grid(model, player.name, others, var, grid))
        own = _payoff_on_grid(model, player.name, others, var, np.array([point[var]]))[0]
        assert own == pytest.approx(result.values[player.name], abs=1e-9)
        assert best <= own + 1e-7 * (1 + abs(own)), player.name


@pytest.mark.parametrize("path", _two_player_continuous("stackelberg"))
def test_continuous_stackelberg_answers_beat_a_brute_force_leader_grid(path):
    model = runs.game(path).model
    result = _result(path, "continuous")
    leader, follower = (model.players[g[0]] for g in model.order)
    lvar, fvar = leader.strategies[0].symbol, follower.strategies[0].symbol
    leader_grid = np.linspace(*_bounds(model, leader), 201)
    follower_grid = np.linspace(*_bounds(model, follower), 4001)
    best = -np.inf
    for x in leader_grid:
        responses = _payoff_on_grid(model, follower.name, {lvar: x}, fvar, follower_grid)
        y = follower_grid[int(np.nanargmax(responses))]
        value = _payoff_on_grid(model, leader.name, {fvar: y}, lvar, np.array([x]))[0]
        best = max(best, value)
    # the grid's answer is within its resolution of the solver's, never clearly above it
    assert best <= result.values[leader.name] + 1e-3 * (1 + abs(best))
    assert best >= result.values[leader.name] - 0.05 * (1 + abs(best))
    responses = _payoff_on_grid(model, follower.name, {lvar: result.strategies[leader.name]},
                                fvar, follower_grid)
    assert np.nanmax(responses) <= result.values[follower.name] + 1e-7
