"""`claim` statements: a statement from elsewhere (a paper) checked against what gamespec
derives and solves, never trusted. Each claim gets a verdict, "holds", "does not hold" or
"holds where" (on part of the points tried), with the reason and a counterexample.

- A relation that names a strategy or a mean field is checked at the solution.
- A relation in the parameters alone is an identity (or a condition): SymPy simplifies
  lhs - rhs first; otherwise it is checked numerically at the spec's parameters and at
  seeded random points of the parameters' declared ranges (`param p = 0.5 in [0, 1]`).
- `best response P = expr over ...` is checked against the best response computed from
  P's payoff at every point of a grid of the values P responds to.
"""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import sympy

from gamespec.errors import GamespecError, SpecError
from gamespec.evaluate import LArray, evaluate
from gamespec.evaluation_context import base_context
from gamespec.language.spec_printer import spec_str
from gamespec.model import Claim, FiniteSet, IntervalDomain, Model
from gamespec.statements.bindings import context_at, mentions_play, solution_points, value_of
from gamespec.statements.regions import describe_region

HOLDS, FAILS, WHERE = "holds", "does not hold", "holds where"
SOLUTION_RTOL = 1e-6  # the solvers' own tolerance: a claim at the solution is that close
IDENTITY_RTOL = 1e-9
RANDOM_POINTS = 20
GRID_1D = 21  # grid points per interval of a best-response claim (one interval axis)
GRID_ND = 11  # ... per interval axis when there are several
SEED = 0
SIMPLIFY_SECONDS = 20.0  # SymPy's simplify of lhs - rhs, before the numbers decide


def check_claims(model: Model, result: Any) -> dict[str, dict]:
    """{claim name: verdict record} for every claim of the model."""
    out = {}
    for claim in model.claims:
        try:
            if claim.kind == "best_response":
                out[claim.name] = best_response_claim(model, claim)
            elif mentions_play(model, _whole(claim)):
                out[claim.name] = claim_at_solution(model, claim, result)
            else:
                out[claim.name] = parameter_claim(model, claim)
        except GamespecError as exc:
            out[claim.name] = {"kind": claim.kind.replace("_", " "), "verdict": "error",
                               "reason": exc.message}
    return out


def _whole(claim: Claim) -> sympy.Basic:
    return claim.lhs if claim.rhs is None else sympy.Tuple(claim.lhs, claim.rhs)


def statement(claim: Claim) -> str:
    """The claim as written (in SymPy's plain form)."""
    if claim.kind == "best_response":
        return f"best response {claim.player} = {spec_str(claim.lhs)}"
    if claim.rhs is None:
        return spec_str(claim.lhs)
    return f"{spec_str(claim.lhs)} {claim.relation} {spec_str(claim.rhs)}"


# ---------------------------------------------------------------------------- relations
def _compare(lhs: Any, rhs: Any, relation: str, rtol: float) -> bool:
    """lhs REL rhs with a relative tolerance for == (and slack for the inequalities)."""
    if relation == "holds":
        return bool(np.all(lhs))
    if isinstance(lhs, str) or isinstance(rhs, str):
        same = str(lhs) == str(rhs)
        return same if relation == "==" else (not same if relation == "!=" else False)
    a, b = np.asarray(lhs, float), np.asarray(rhs, float)
    slack = rtol * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
    with np.errstate(invalid="ignore"):
        ok = {"==": np.abs(a - b) <= slack, "!=": np.abs(a - b) > slack,
              "<=": a <= b + slack, ">=": a >= b - slack, "<": a < b + slack,
              ">": a > b - slack}[relation]
    return bool(np.all(ok))


def _sides(claim: Claim, ctx) -> tuple[Any, Any]:
    lhs = value_of(claim.lhs, ctx)
    rhs = value_of(claim.rhs, ctx) if claim.rhs is not None else None
    return lhs, rhs


def claim_at_solution(model: Model, claim: Claim, result: Any) -> dict:
    """A relation naming strategies: evaluated at each answer of the result."""
    at = {}
    answers = solution_points(result)
    if not answers:
        return {"kind": "at the solution", "statement": statement(claim), "verdict": "error",
                "reason": "the result has no solution to check it at"}
    for label, strategies in answers:
        ctx = context_at(model, strategies)
        lhs, rhs = _sides(claim, ctx)
        at[label] = {"holds": _compare(lhs, rhs, claim.relation, SOLUTION_RTOL), "lhs": lhs,
                     **({"rhs": rhs} if claim.rhs is not None else {})}
    held = [label for label, e in at.items() if e["holds"]]
    verdict = HOLDS if len(held) == len(at) else FAILS if not held else WHERE
    first = next(iter(at.values()))
    if claim.rhs is None:
        numbers = ""
    else:
        numbers = f": {_fmt(first['lhs'])} vs {_fmt(first['rhs'])}"
    where = "at the solution" if len(at) == 1 else f"at {len(held)} of {len(at)} answers"
    reason = f"{where}{numbers}"
    return {"kind": "at the solution", "statement": statement(claim), "verdict": verdict,
            "reason": reason, "at": at}


def parameter_claim(model: Model, claim: Claim) -> dict:
    """A relation in the parameters: symbolic first, then numeric at sampled points."""
    record: dict[str, Any] = {"kind": "identity" if claim.relation == "==" else "condition",
                              "statement": statement(claim)}
    if claim.relation == "==" and _simplifies_to_zero(model, claim):
        return {**record, "verdict": HOLDS,
                "reason": "identically: lhs - rhs simplifies to 0 for every parameter value"}
    spec_point = _parameter_point(model, claim, {
        p.name: p.value for p in model.params.values()
        if p.admissible is not None and not p.index_sets and p.value is not None})
    samples = [spec_point] + _random_points(model, claim)
    held = [s for s in samples if s["holds"]]
    if len(held) == len(samples):
        verdict = HOLDS
    elif not held:
        verdict = FAILS
    else:
        verdict = WHERE
    tried = "the spec's parameters" + (
        f" and {len(samples) - 1} random points of the declared ranges"
        if len(samples) > 1 else "")
    if verdict == HOLDS:
        reason = f"numerically at {tried} (not proved symbolically)" \
            if claim.relation == "==" else f"at {tried}"
    else:
        bad = next(s for s in samples if not s["holds"])
        sides = f": {_fmt(bad['lhs'])} vs {_fmt(bad['rhs'])}" if "rhs" in bad else ""
        at = "at the spec's parameters" if bad is spec_point else \
            "at " + ", ".join(f"{k} = {_fmt(v)}" for k, v in bad["parameters"].items())
        reason = f"fails {at}{sides}" if verdict == FAILS else \
            f"at {len(held)} of {len(samples)} points ({tried}); fails {at}{sides}"
        record["counterexample"] = bad
    if verdict == WHERE:
        axes = sorted({k for s in samples for k in s["parameters"]})
        record["region"] = describe_region(
            [(k, [s["parameters"].get(k, np.nan) for s in samples]) for k in axes],
            [s["holds"] for s in samples], scattered=True)
    return {**record, "verdict": verdict, "reason": reason, "points": len(samples),
            "holding": len(held)}


def _simplifies_to_zero(model: Model, claim: Claim) -> bool:
    from gamespec.analysis import nonzero_somewhere
    from gamespec.language.symbols import is_zero, safe_simplify
    from gamespec.solvers.continuous import with_time_limit

    difference = model.expand_lets(claim.lhs - claim.rhs)
    if nonzero_somewhere(difference, model):  # a cheap disproof first: simplifying can
        return False                           # take seconds
    if is_zero(difference):
        return True
    try:  # a simplification that runs away counts as "not shown" (then numbers decide)
        return with_time_limit(lambda: safe_simplify(difference) == 0,
                               SIMPLIFY_SECONDS) is True
    except Exception:  # noqa: BLE001 - SymPy's assorted failures mean "not shown"
        return False


def _parameter_point(model: Model, claim: Claim, varied: dict | None = None) -> dict:
    ctx = base_context(model)
    lhs, rhs = _sides(claim, ctx)
    rel = IDENTITY_RTOL
    entry = {"parameters": dict(varied or {}), "holds": _compare(lhs, rhs, claim.relation, rel),
             "lhs": lhs}
    if claim.rhs is not None:
        entry["rhs"] = rhs
    return entry


def _random_points(model: Model, claim: Claim) -> list[dict]:
    """The claim at seeded random points of the ranged parameters (the spec rebuilt at
    each, so that parameters computed from them follow)."""
    from gamespec.language.loader import model_from_string

    ranged = {p.name: p.admissible for p in model.params.values()
              if p.admissible is not None and not p.index_sets}
    if not ranged:
        return []
    rng = np.random.default_rng(SEED)
    names = {c.name for c in model.claims}
    out = []
    for _ in range(RANDOM_POINTS):
        varied = {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in ranged.items()}
        try:
            rebuilt = model_from_string(model.source, model.path, {**model.overrides, **varied})
            twin = next(c for c in rebuilt.claims if c.name == claim.name and c.name in names)
            out.append(_parameter_point(rebuilt, twin, varied))
        except GamespecError:
            continue
    return out


# ---------------------------------------------------------------------------- best responses
def best_response_claim(model: Model, claim: Claim) -> dict:
    """The claimed response against the computed best response at every grid point."""
    player = model.players[claim.player]
    strategy = player.strategies[0]
    payoff = model.expand_lets(model.payoff_of(player.name))
    axes = list(claim.over) or _default_axes(model, claim)
    params = model.scalar_values()
    grids = [(symbol, _grid(domain, params, len(axes), claim)) for symbol, domain in axes]
    if player.fields and not {f.symbol for f in player.fields} & {s for s, _ in grids}:
        oracle = _EquilibriumOracle(model, player, payoff, [s for s, _ in grids], params,
                                    claim)
    else:
        oracle = _ResponseOracle(model, strategy, payoff, [s for s, _ in grids], params,
                                 claim.span)
    rows = []
    for combo in itertools.product(*[values for _, values in grids]):
        point = dict(zip([s for s, _ in grids], combo))
        ctx = base_context(model)
        for symbol, value in point.items():
            ctx.scalars[symbol] = LArray.scalar(
                np.array(value, dtype=object) if isinstance(value, str) else value)
        claimed = value_of(claim.lhs, ctx)
        rows.append({"at": {s.name: v for s, v in point.items()}, **oracle.check(claimed, point)})
    held = [r for r in rows if r["holds"]]
    verdict = HOLDS if len(held) == len(rows) else FAILS if not held else WHERE
    names = ", ".join(f"{s.name} in {_describe_grid(v, d)}"
                      for (s, v), (_, d) in zip(grids, axes))
    record = {"kind": "best response", "statement": statement(claim), "verdict": verdict,
              "grid": names, "points": len(rows), "holding": len(held)}
    if verdict == HOLDS:
        what = "the selected equilibrium" if isinstance(oracle, _EquilibriumOracle) else \
            "a best response"
        record["reason"] = f"the claimed response is {what} at all {len(rows)} " \
                           f"points of the grid {names}"
        return record
    bad = next(r for r in rows if not r["holds"])
    record["counterexample"] = bad
    at = ", ".join(f"{k} = {_fmt(v)}" for k, v in bad["at"].items())
    where = f"outside {bad['outside']}" if "outside" in bad else \
        f"payoff {_fmt(bad['claimed_payoff'])}"
    text = (f"at {at}: claimed {_fmt(bad['claimed'])} ({where}), "
            f"best response {bad['best_response']} (payoff {_fmt(bad['best_payoff'])})")
    if "equilibria" in bad:
        text = (f"at {at}: claimed {_fmt(bad['claimed'])}, the selected equilibrium "
                f"{bad['best_response']} (payoff {_fmt(bad['best_payoff'])}; symmetric "
                f"equilibria {bad['equilibria']})")
    if verdict == WHERE:
        record["region"] = describe_region([(s.name, values) for s, values in grids],
                                           [r["holds"] for r in rows])
        record["reason"] = f"at {len(held)} of {len(rows)} points of the grid {names}; " \
                           f"fails {text}"
    else:
        record["reason"] = f"fails at every point of the grid {names}; {text}"
    return record


def _default_axes(model: Model, claim: Claim) -> list:
    axes = []
    for other in model.players.values():
        if other.name == claim.player:
            continue
        if len(other.strategies) != 1 or other.strategies[0].indexed:
            raise SpecError(f"`best response {claim.player}`: `{other.name}` has no scalar "
                            "strategy to grid over", span=claim.span,
                            hint="name what the player responds to with `over NAME in ...`")
        axes.append((other.strategies[0].symbol, other.strategies[0].domain))
    return axes


def _grid(domain, params: dict, n_axes: int, claim: Claim) -> list:
    if isinstance(domain, FiniteSet):
        return list(domain.elements) if domain.symbolic else [float(e) for e in domain.elements]
    try:  # an end such as sqrt(-1) or 1/0 written 0^-1 is no grid
        low = float(domain.low.xreplace(params))
        high = float(domain.high.xreplace(params))
    except (TypeError, ValueError):
        low = high = float("nan")
    if not (np.isfinite(low) and np.isfinite(high)):
        raise SpecError(f"claim `{claim.name}`: the interval [{spec_str(domain.low)}, "
                        f"{spec_str(domain.high)}] to grid over needs finite real ends",
                        span=claim.span)
    count = GRID_1D if n_axes == 1 else GRID_ND
    return [float(x) for x in np.linspace(low, high, count)] if high > low else [low]


def _describe_grid(values: list, domain) -> str:
    if isinstance(domain, IntervalDomain) and len(values) > 1:
        return f"[{_fmt(values[0])}, {_fmt(values[-1])}] ({len(values)} points)"
    return "{" + ", ".join(_fmt(v) for v in values) + "}"


class _ResponseOracle:
    """The player's best response at one point of the grid: the continuous engine's
    best-response set for an interval, every element of a finite set otherwise."""

    def __init__(self, model: Model, strategy, payoff, symbols, params, span) -> None:
        self.model, self.strategy, self.payoff, self.span = model, strategy, payoff, span
        domain = strategy.domain
        self.interval = isinstance(domain, IntervalDomain)
        if self.interval:
            from gamespec.solvers.continuous import BestResponseMap

            self.low = float(domain.low.xreplace(params))
            self.high = float(domain.high.xreplace(params))
            self.map = BestResponseMap(payoff, strategy.symbol, self.low, self.high, params,
                                       tuple(symbols))

    def check(self, claimed: Any, point: dict) -> dict:
        if self.interval:
            return self._interval(claimed, point)
        return self._finite(claimed, point)

    def _interval(self, claimed: Any, point: dict) -> dict:
        response = self.map(point)
        x = float(claimed)
        inside = self.low - 1e-12 <= x <= self.high + 1e-12
        claimed_payoff = self.map.value(x, point) if inside else float("nan")
        holds = inside and response.distance(x) <= 1e-6 * max(1.0, self.high - self.low)
        return {"holds": bool(holds), "claimed": x, "claimed_payoff": claimed_payoff,
                "best_response": response.describe(), "best_payoff": response.value,
                **({} if inside else {"outside": f"[{_fmt(self.low)}, {_fmt(self.high)}]"})}

    def _finite(self, claimed: Any, point: dict) -> dict:
        domain = self.strategy.domain
        values = {}
        for element in domain.elements:
            ctx = base_context(self.model)
            for symbol, value in point.items():
                ctx.scalars[symbol] = LArray.scalar(
                    np.array(value, dtype=object) if isinstance(value, str) else value)
            ctx.scalars[self.strategy.symbol] = LArray.scalar(
                np.array(element, dtype=object) if isinstance(element, str) else float(element))
            values[element] = float(evaluate(self.payoff, ctx).data)
        best = max(values.values())
        tol = 1e-9 * max(1.0, abs(best))
        winners = [e for e, v in values.items() if v >= best - tol]
        match = next((e for e in domain.elements if str(e) == str(claimed) or (
            not isinstance(e, str) and not isinstance(claimed, str)
            and abs(float(e) - float(claimed)) <= 1e-9)), None)
        holds = match is not None and values[match] >= best - tol
        return {"holds": bool(holds), "claimed": claimed,
                "claimed_payoff": values[match] if match is not None else float("nan"),
                "best_response": "{" + ", ".join(_fmt(e) for e in winners) + "}"
                if len(winners) > 1 else _fmt(winners[0]), "best_payoff": best}


class _EquilibriumOracle:
    """A population's response to a leader's value when `over` leaves its mean field out:
    the symmetric equilibrium the solver selects (all fixed points are searched)."""

    def __init__(self, model: Model, player, payoff, symbols, params, claim: Claim) -> None:
        from gamespec.solvers.continuous import BestResponseMap, PopulationFollower
        from gamespec.solvers.continuous.method import selection_rule

        if len(symbols) != 1 or len(player.fields) != 1:
            raise SpecError(f"`best response {claim.player}` as an equilibrium response: "
                            "`over` names one leader strategy (or add the mean field to "
                            "`over` for a member's best response)", span=claim.span)
        domain = player.strategies[0].domain
        self.low = float(domain.low.xreplace(params))
        self.high = float(domain.high.xreplace(params))
        mean_field = player.fields[0]
        br_map = BestResponseMap(payoff, player.strategies[0].symbol, self.low, self.high,
                                 params, (mean_field.symbol, symbols[0]))
        self.follower = PopulationFollower(br_map, field=mean_field.symbol,
                                           leader_var=symbols[0], aggregate=mean_field.body,
                                           selection=selection_rule(model))
        self.leader = symbols[0]

    def check(self, claimed: Any, point: dict) -> dict:
        found = self.follower.solve(float(point[self.leader]))
        x = float(claimed)
        chosen = found.selected
        holds = chosen is not None and abs(chosen.s - x) <= 1e-6 * max(1.0, self.high - self.low)
        every = "{" + ", ".join(_fmt(p.s) for p in found.fixed_points) + "}"
        return {"holds": bool(holds), "claimed": x,
                "claimed_payoff": float("nan"),
                "best_response": _fmt(chosen.s) if chosen is not None else "none",
                "best_payoff": chosen.payoff if chosen is not None else float("nan"),
                "equilibria": every}


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value[:4]) + (", ...]" if len(value) > 4 else "]")
    return str(value)


def claim_items(model: Model) -> list[tuple[str, Any]]:
    """`gamespec derive`'s section: each statement, and the verdict of every claim that
    needs no solution (identities, conditions in the parameters, best responses)."""
    items: list[tuple[str, Any]] = []
    for report in model.reports:
        items.append((f"report {report.name}", report.expr))
    for check in model.checks:
        items.append((f"check {check.name}", check.condition))
    for claim in model.claims:
        shown = claim.lhs if claim.kind == "best_response" or claim.rhs is None else \
            _relation(claim)
        label = f"claim {claim.name}" + (f": best response {claim.player}"
                                         if claim.kind == "best_response" else "")
        items.append((label, shown))
        if claim.kind != "best_response" and mentions_play(model, _whole(claim)):
            items.append(("", "checked at the solution by `gamespec solve`"))
            continue
        try:
            record = best_response_claim(model, claim) if claim.kind == "best_response" \
                else parameter_claim(model, claim)
        except GamespecError as exc:
            record = {"verdict": "error", "reason": exc.message}
        verdict = {"does not hold": "does NOT hold"}.get(record["verdict"], record["verdict"])
        if record["verdict"] == WHERE:
            verdict = f"holds only {record.get('region', 'in part')}"
        items.append(("", f"{verdict}: {record['reason']}"))
    return items


def _relation(claim: Claim) -> sympy.Basic:
    ops = {"==": sympy.Eq, "!=": sympy.Ne, "<=": sympy.Le, ">=": sympy.Ge, "<": sympy.Lt,
           ">": sympy.Gt}
    try:
        return ops[claim.relation](claim.lhs, claim.rhs, evaluate=False)
    except (KeyError, TypeError):
        return f"{spec_str(claim.lhs)} {claim.relation} {spec_str(claim.rhs)}"
