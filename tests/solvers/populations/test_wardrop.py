"""The wardrop method against closed forms (Pigou, Roughgarden's x^d bound, Braess with
and without the bridge), an independent root search (Sheffi's three parallel routes with
BPR costs), SciPy's SLSQP on the potential and the total cost (two demands sharing a road),
and brute force over path-flow grids."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq, minimize

from gamespec.api import load, solve_model

REPO = Path(__file__).resolve().parents[3]
SHEFFI = """
network roads with flow x {
  edge r1: o -> d cost 10 * (1 + 0.15 * (x / 2) ^ 4)
  edge r2: o -> d cost 20 * (1 + 0.15 * (x / 4) ^ 4)
  edge r3: o -> d cost 25 * (1 + 0.15 * (x / 3) ^ 4)
  demand trips of 10 from o to d
}
"""
TWO_DEMANDS = """
network city with flow x {
  edge a -> m cost 1 + x ^ 2
  edge a -> c cost 4
  edge b -> m cost 2 * x
  edge b -> c cost 3 + x
  edge m -> c cost x ^ 3 / 2
  demand east of 2 from a to c
  demand west of 1.5 from b to c
}
"""


def solved(path=None, text=None, tmp_path=None, **overrides):
    if text is not None:
        path = tmp_path / "net.game"
        path.write_text(text)
    game = load(path, **overrides)
    result = solve_model(game.model)
    assert result.method == "wardrop"
    assert result.certificate.ok, result.certificate
    return result


def test_pigou_exact():
    result = solved(REPO / "specs" / "pigou.game")
    assert result.derived["equilibrium total cost"] == "1"
    assert result.derived["optimum total cost"] == "3/4"
    assert result.derived["price of anarchy"] == "4/3"
    assert result.certificate.residual == 0.0 and result.certificate.details["exact"]
    assert result.derived["optimum path flows"] == {"traffic": {"fixed": "1/2",
                                                                "variable": "1/2"}}


@pytest.mark.parametrize("d", [2, 4])
def test_pigou_power_matches_the_closed_form_price_of_anarchy(d):
    result = solved(REPO / "specs" / "pigou.game", d=d)
    net = result.extra["network"]
    bound = 1 / (1 - d * (d + 1) ** (-(d + 1) / d))
    assert net["price_of_anarchy"] == pytest.approx(bound, rel=1e-9)
    assert net["equilibrium"]["total_cost"] == pytest.approx(1.0, rel=1e-12)
    share = (d + 1) ** (-1 / d)  # the optimum's flow on the variable road
    assert net["optimum"]["edge_flows"]["variable"] == pytest.approx(share, rel=1e-8)


def test_braess_paradox_with_and_without_the_bridge():
    spec = REPO / "specs" / "braess.game"
    bridge = solved(spec).extra["network"]
    closed = solved(spec, bridge=0).extra["network"]
    assert closed["equilibrium"]["least_cost"]["drivers"] == 65
    assert closed["equilibrium"]["total_cost"] == 260_000
    assert closed["dropped_edges"] == ["bridge"]
    assert bridge["equilibrium"]["least_cost"]["drivers"] == 80
    assert bridge["equilibrium"]["total_cost"] == 320_000
    assert bridge["equilibrium"]["total_cost"] > closed["equilibrium"]["total_cost"]
    assert bridge["equilibrium"]["exact"]["path_flows"]["drivers"]["s->a->b->t"] == "4000"
    # the optimum with the bridge, by brute force over path flows (s-a-t, s-a-b-t, s-b-t)
    best = min(_braess_total(f1, f3) for f1 in range(0, 4001, 25)
               for f3 in range(0, 4001 - f1, 25))
    assert bridge["optimum"]["total_cost"] == pytest.approx(best, abs=1e-6)
    assert bridge["optimum"]["exact"]["total_cost"] == "258750"
    assert bridge["price_of_anarchy_exact"] == "256/207"
    assert closed["price_of_anarchy"] == 1


def _braess_total(f1, f3):
    f2 = 4000 - f1 - f3
    return (f1 + f3) ** 2 / 100 + 45 * f1 + 45 * f2 + (f2 + f3) ** 2 / 100


def test_braess_unit_demand_from_the_textbook():
    result = solved(REPO / "tests" / "corpus" / "network_braess_unit.game")
    assert result.derived["equilibrium total cost"] == "2"
    assert result.derived["optimum total cost"] == "3/2"
    assert result.derived["price of anarchy"] == "4/3"


def test_sheffi_parallel_routes_against_a_root_search(tmp_path):
    result = solved(text=SHEFFI, tmp_path=tmp_path)
    free = np.array([10.0, 20.0, 25.0])
    cap = np.array([2.0, 4.0, 3.0])

    def flow_at(level):  # each route's flow at which its cost equals `level`
        return np.where(level > free, cap * (np.maximum(level / free - 1, 0) / 0.15) ** 0.25,
                        0.0)

    level = brentq(lambda v: flow_at(v).sum() - 10, 10, 1000, xtol=1e-14)
    flows = result.extra["network"]["equilibrium"]["edge_flows"]
    assert [flows[r] for r in ("r1", "r2", "r3")] == pytest.approx(flow_at(level), abs=1e-8)
    assert result.values["trips"] == pytest.approx(level, rel=1e-10)
    # Sheffi (1985), Urban Transportation Networks: about 3.58, 4.64, 1.78
    assert [round(flows[r], 2) for r in ("r1", "r2", "r3")] == [3.58, 4.65, 1.77]

    def total(x):
        return float(np.sum(x * free * (1 + 0.15 * (x / cap) ** 4)))

    best = minimize(total, np.full(3, 10 / 3), method="SLSQP", bounds=[(0, 10)] * 3,
                    constraints={"type": "eq", "fun": lambda x: x.sum() - 10},
                    options={"ftol": 1e-14, "maxiter": 500})
    optimum = result.extra["network"]["optimum"]
    assert optimum["total_cost"] == pytest.approx(best.fun, rel=1e-9)
    assert optimum["total_cost"] <= best.fun + 1e-9


def _two_demand_oracle():
    # paths: east a-m-c, a-c; west b-m-c, b-c. Edges a-m, a-c, b-m, b-c, m-c.
    paths = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 1, 0]],
                     dtype=float)
    costs = [lambda x: 1 + x ** 2, lambda x: 4 + 0 * x, lambda x: 2 * x, lambda x: 3 + x,
             lambda x: x ** 3 / 2]
    integrals = [lambda x: x + x ** 3 / 3, lambda x: 4 * x, lambda x: x ** 2,
                 lambda x: 3 * x + x ** 2 / 2, lambda x: x ** 4 / 8]

    def potential(f):
        x = paths @ f
        return sum(g(v) for g, v in zip(integrals, x))

    def total(f):
        x = paths @ f
        return sum(v * c(v) for c, v in zip(costs, x))

    cons = [{"type": "eq", "fun": lambda f: f[0] + f[1] - 2},
            {"type": "eq", "fun": lambda f: f[2] + f[3] - 1.5}]
    out = []
    for objective in (potential, total):
        found = minimize(objective, np.array([1, 1, 0.75, 0.75]), method="SLSQP",
                         bounds=[(0, None)] * 4, constraints=cons,
                         options={"ftol": 1e-15, "maxiter": 1000})
        out.append((found.x, total(found.x), objective))
    return out


def test_two_demands_against_scipy_and_a_grid(tmp_path):
    result = solved(text=TWO_DEMANDS, tmp_path=tmp_path)
    net = result.extra["network"]
    (eq_x, eq_total, potential), (opt_x, opt_total, total) = _two_demand_oracle()
    flows = net["equilibrium"]["path_flows"]
    ours = np.array([flows["east"]["a->m->c"], flows["east"]["a->c"],
                     flows["west"]["b->m->c"], flows["west"]["b->c"]])
    assert ours == pytest.approx(eq_x, abs=1e-5)
    assert net["equilibrium"]["total_cost"] == pytest.approx(eq_total, rel=1e-7)
    assert net["optimum"]["total_cost"] == pytest.approx(opt_total, rel=1e-7)
    assert net["optimum"]["total_cost"] <= opt_total * (1 + 1e-12)
    # no point of a grid over the path flows has a lower potential or a lower total cost
    grid = [(e, 2 - e, w, 1.5 - w) for e, w in itertools.product(np.linspace(0, 2, 81),
                                                                 np.linspace(0, 1.5, 61))]
    assert potential(ours) <= min(potential(np.array(g)) for g in grid) + 1e-12
    opt = net["optimum"]["path_flows"]
    opt_f = np.array([opt["east"]["a->m->c"], opt["east"]["a->c"], opt["west"]["b->m->c"],
                      opt["west"]["b->c"]])
    assert total(opt_f) <= min(total(np.array(g)) for g in grid) + 1e-12
    # every used path is a cheapest path of its demand
    for demand, costs in net["equilibrium"]["path_costs"].items():
        least = min(costs.values())
        for name, cost in costs.items():
            if flows[demand][name] > 1e-9:
                assert cost == pytest.approx(least, rel=1e-10)


def test_path_flows_that_are_not_unique_are_said_so(tmp_path):
    text = """
network grid {
  edge s -> a cost flow
  edge s -> a cost flow
  edge a -> t cost flow
  edge a -> t cost flow
  demand cars of 2 from s to t
}
"""
    result = solved(text=text, tmp_path=tmp_path)
    net = result.extra["network"]
    assert net["edge_flows_unique"]
    assert not net["equilibrium"]["path_flows_unique"]
    assert set(net["equilibrium"]["edge_flows"].values()) == {1.0}
    assert "not unique" in dict(result.extra["facts"])["uniqueness"]


def _grid(n):
    """A grid directed right and down: edge (from, to) -> (free cost, scale)."""
    edges = {}
    for i, j in itertools.product(range(n), range(n)):
        k = i * n + j
        if j + 1 < n:
            edges[(i, j), (i, j + 1)] = (1 + k % 3, 2 + k % 5, 2)
        if i + 1 < n:
            edges[(i, j), (i + 1, j)] = (1 + (7 * k) % 4, 1 + k % 4, 1)
    return edges


def _grid_paths(start, end):
    (i0, j0), (i1, j1) = start, end
    moves = "R" * (j1 - j0) + "D" * (i1 - i0)
    out = set()
    for order in itertools.permutations(moves):
        node, path = start, []
        for m in order:
            nxt = (node[0], node[1] + 1) if m == "R" else (node[0] + 1, node[1])
            path.append((node, nxt))
            node = nxt
        out.add(tuple(path))
    return sorted(out)


def test_a_grid_with_two_demands_against_scipy(tmp_path):
    n = 4
    edges = _grid(n)
    lines = [f"  edge n{a[0]}{a[1]} -> n{b[0]}{b[1]} cost {c} + x ^ {p} / {s}"
             for (a, b), (c, s, p) in edges.items()]
    demands = [((0, 0), (3, 3), 6.0), ((0, 1), (3, 2), 3.0)]
    lines += [f"  demand d{k} of {amount:g} from n{a[0]}{a[1]} to n{b[0]}{b[1]}"
              for k, (a, b, amount) in enumerate(demands)]
    result = solved(text="network grid with flow x {\n" + "\n".join(lines) + "\n}\n",
                    tmp_path=tmp_path)
    names = list(edges)
    paths = [p for a, b, _ in demands for p in _grid_paths(a, b)]
    owner = [k for k, (a, b, _) in enumerate(demands) for _ in _grid_paths(a, b)]
    inc = np.array([[e in p for p in paths] for e in names], dtype=float)
    free = np.array([edges[e][0] for e in names], dtype=float)
    scale = np.array([edges[e][1] for e in names], dtype=float)
    power = np.array([edges[e][2] for e in names], dtype=float)

    def potential(f):
        x = inc @ f
        return float(np.sum(free * x + x ** (power + 1) / ((power + 1) * scale)))

    def total(f):
        x = inc @ f
        return float(np.sum(x * (free + x ** power / scale)))

    cons = [{"type": "eq", "fun": (lambda f, k=k: sum(f[p] for p in range(len(paths))
                                                     if owner[p] == k) - demands[k][2])}
            for k in range(len(demands))]
    start = np.array([demands[owner[p]][2] / owner.count(owner[p]) for p in range(len(paths))])
    net = result.extra["network"]
    for key, objective in (("equilibrium", potential), ("optimum", total)):
        found = minimize(objective, start, method="SLSQP", bounds=[(0, None)] * len(paths),
                         constraints=cons, options={"ftol": 1e-15, "maxiter": 2000})
        x = inc @ found.x
        ours = net[key]["edge_flows"]
        flows = np.array([ours[f"n{a[0]}{a[1]}->n{b[0]}{b[1]}"] for a, b in names])
        assert flows == pytest.approx(x, abs=1e-4), key
        assert net[key]["total_cost"] == pytest.approx(total(found.x), rel=1e-7), key
    assert net["optimum"]["total_cost"] <= net["equilibrium"]["total_cost"]
    assert result.certificate.residual < 1e-12


def test_a_kinked_cost_is_priced_one_sided(tmp_path):
    # the marginal cost of the first road jumps from 1/2 to 1 at flow 1/2: the optimum sits
    # on the jump (the other road's 3/4 lies between), which a two-sided price would miss
    text = """
network n with flow x {
  edge kinked: s -> t cost if x > 0.5 then x else 0.5
  edge flat: s -> t cost 0.75
  demand c of 1 from s to t
}
"""
    net = solved(text=text, tmp_path=tmp_path).extra["network"]
    assert net["equilibrium"]["edge_flows"]["kinked"] == pytest.approx(0.75, abs=1e-12)
    assert net["equilibrium"]["total_cost"] == pytest.approx(0.75, abs=1e-12)
    grid = np.linspace(0, 1, 100_001)
    totals = grid * np.where(grid > 0.5, grid, 0.5) + (1 - grid) * 0.75
    assert net["optimum"]["total_cost"] == pytest.approx(totals.min(), abs=1e-9)
    assert net["optimum"]["edge_flows"]["kinked"] == pytest.approx(0.5, abs=1e-9)


def test_max_and_abs_costs_have_no_dirac_delta_in_their_slopes(tmp_path):
    # the marginal cost's derivative would hold a DiracDelta at the kink, which NumPy
    # cannot evaluate: max, min and abs are differentiated as Piecewise
    text = """
network n with flow x {
  edge a: s -> t cost max(x, 2)
  edge b: s -> t cost abs(x - 1) + x
  demand c of 3 from s to t
}
"""
    net = solved(text=text, tmp_path=tmp_path).extra["network"]
    grid = np.linspace(0, 3, 300_001)  # flow on a
    cost_a = np.maximum(grid, 2)
    cost_b = np.abs(3 - grid - 1) + 3 - grid
    totals = grid * cost_a + (3 - grid) * cost_b
    assert net["optimum"]["total_cost"] == pytest.approx(totals.min(), abs=1e-8)
    gap = np.abs(cost_a - cost_b)
    assert net["equilibrium"]["edge_flows"]["a"] == pytest.approx(grid[gap.argmin()], abs=1e-4)


@pytest.mark.parametrize("bridge", [0, 1])
def test_the_network_agrees_with_the_population_over_routes(bridge):
    # specs/braess_population.game writes the same roads as a population choosing among
    # three routes, solved by another method (population_shares)
    network = solved(REPO / "specs" / "braess.game", bridge=bridge)
    routes = solve_model(load(REPO / "specs" / "braess_population.game", bridge=bridge).model)
    assert routes.method == "population_shares" and routes.certificate.ok
    (equilibrium,) = routes.extra["equilibria"]
    assert -equilibrium["payoffs"]["drivers"] == pytest.approx(network.values["drivers"])
    shares = equilibrium["profile"]["drivers"]
    flows = network.strategies["drivers"]
    named = {"Upper": "s->a->t", "Lower": "s->b->t", "Zigzag": "s->a->b->t"}
    for route, path in named.items():
        assert 4000 * shares[route] == pytest.approx(flows.get(path, 0.0), abs=1e-6)
