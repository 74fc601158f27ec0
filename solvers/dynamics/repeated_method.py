"""Repeated play of a finite stage game under trigger strategies (grim, tit-for-tat, grim
with imperfect detection): the condition on the discount factor under which each strategy
sustains the path profile, solved exactly for the discount and evaluated at the given
parameters, and checked by each player's best response computed by value iteration over
the strategy's states (gamespec.solvers.dynamics.trigger_check).
"""
from __future__ import annotations

import sympy

from gamespec.analysis import Classification
from gamespec.errors import GamespecError, SpecError
from gamespec.model import Model, StageGame
from gamespec.result import Certificate, Result, Status
from gamespec.solvers.dynamics import repeated_conditions as dyn
from gamespec.solvers.dynamics.isolate import Condition, exact, holds_at, isolate
from gamespec.solvers.dynamics.trigger_check import best_responses
from gamespec.solvers.dynamics.triggers import deviation_checks, pure_equilibria
from gamespec.solvers.options import SolverOption
from gamespec.solvers.registry import SolverEntry

SHOWN_DEVIATIONS = 12


def exact_values(model: Model) -> dict:
    """The given parameter values as exact numbers (0.1 -> 1/10)."""
    return {k: exact(v) for k, v in model.scalar_values().items()}


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    if not (model.repeated and model.repeated.strategies):
        return False, "no trigger strategies (`strategy grim` in a repeated block)"
    if model.dynamics or model.updates:
        return False, "the spec also has dynamics or update rules: the dynamics method"
    if model.repeated.stage is None and len(model.order) > 1:
        return False, "trigger strategies here are for simultaneous stage games (no `order`)"
    return True, ""


def stage_of(model: Model) -> StageGame:
    """The stage game: the imported one the repeated block names, else the spec's own."""
    rep = model.repeated
    if rep.stage is not None:
        return model.stages[rep.stage]
    from gamespec.language.build_stage import exact_numbers
    from gamespec.profile_values import profile_payoffs

    players = list(model.players.values())
    values = profile_payoffs(model)
    choices = tuple(tuple(p.strategies[0].domain.elements) for p in players)
    table: dict = {}
    for (k, profile), value in values.items():
        table.setdefault(profile, [None] * len(players))[k] = exact_numbers(
            model.expand_lets(value))
    return StageGame("", tuple(p.name for p in players), choices,
                     {prof: tuple(v) for prof, v in table.items()}, model.path, rep.span)


def punishment(model: Model, stage: StageGame, values: dict) -> tuple[tuple, str]:
    """The punishment profile and where it came from (named, or the unique equilibrium)."""
    rep = model.repeated
    if rep.punish is not None:
        return rep.punish, "named in the spec"
    symbolic = any(not u.xreplace(values).is_number for pay in stage.payoffs.values()
                   for u in pay)
    if symbolic:
        raise SpecError("the stage payoffs have parameters without values, so its pure "
                        "equilibrium cannot be computed", span=rep.span,
                        hint="name the punishment: punish (...)")
    found = pure_equilibria(stage, values)
    if len(found) != 1:
        shown = "; ".join("(" + ", ".join(map(str, p)) + ")" for p in found) or "none"
        raise SpecError(f"the stage game has {len(found)} pure equilibria ({shown}), so the "
                        "punishment is not determined", span=rep.span,
                        hint="name it: punish (...)")
    return found[0], "the stage game's unique pure equilibrium"


def discount_variable(model: Model) -> sympy.Symbol:
    discount = model.repeated.discount
    return discount if isinstance(discount, sympy.Symbol) else sympy.Symbol("discount",
                                                                            real=True)


def _solve_check(check, var, model: Model, values: dict, cache: dict):
    """The check solved for the discount (None if it cannot be); equal checks solved once."""
    relation = check.relation
    if relation not in cache:
        ranges = dyn.ranges(model)
        ranges[var] = (0.0, 1.0)
        others = {k: v for k, v in values.items() if k != var}
        try:
            cache[relation] = isolate(relation, var, ranges, others)
        except GamespecError:
            cache[relation] = None
    return cache[relation]


def _with_discount(relation, var, discount):
    return relation if var == discount else relation.xreplace({var: discount})


def analyse(model: Model, values: dict) -> dict:
    """Every strategy's deviation conditions, solved and evaluated: the JSON `repeated`."""
    rep = model.repeated
    stage = stage_of(model)
    punish, source = punishment(model, stage, values)
    var = discount_variable(model)
    out = {"stage": stage.name or "(this spec)", "players": list(stage.players),
           "sustain": dict(zip(stage.players, map(str, rep.sustain))),
           "punish": dict(zip(stage.players, map(str, punish))), "punish_from": source,
           "strategies": {}}
    if all(u.xreplace(values).is_number for pay in stage.payoffs.values() for u in pay):
        out["punish_is_stage_equilibrium"] = punish in pure_equilibria(stage, values)
    out["_relations"], out["_punish"], cache = {}, punish, {}
    for strategy in rep.strategies:
        checks = deviation_checks(stage, strategy, rep.sustain, punish, var, values)
        records, solved, relations = [], [], []
        for check in checks:
            condition = _solve_check(check, var, model, values, cache)
            rel = condition.relation if condition else check.relation
            rel = _with_discount(rel, var, rep.discount)
            record = {"player": check.player, "deviation": check.deviation,
                      "condition": sympy.sstr(rel), "solved": condition is not None}
            if condition and condition.assumed:
                record["assuming"] = [sympy.sstr(a) for a in condition.assumed]
            at = holds_at(rel, values)
            if at is not None:
                record.update(at)
            records.append(record)
            solved.append(condition)
            relations.append(rel)
        overall = _overall(solved, checks, var, rep.discount)
        out["_relations"][strategy.name] = (overall, relations)
        entry = {"kind": strategy.kind, "conditions": records, "condition": sympy.sstr(overall)}
        if strategy.detect is not None:
            entry["detect"] = sympy.sstr(strategy.detect)
        if all("holds" in r for r in records):
            entry["sustained"] = all(r["holds"] for r in records)
        entry.update(_threshold(solved, records, relations, rep.discount, values))
        out["strategies"][strategy.name] = entry
    return out


def _threshold(solved: list, records: list, relations: list, discount, values: dict) -> dict:
    """`threshold`: the least discount that sustains the path, when every condition is a
    lower bound or holds for every discount; `no_discount` when none in (0, 1) does,
    `every_discount` when all do.
    Conditions the solver left unsolved are marked `every_discount` / `no_discount`."""
    bounds = [c for c in solved if c is not None and _lower(c)]
    free, never = 0, False
    for c, record, rel in zip(solved, records, relations):
        where = None if c is not None else _discount_set(rel, discount, values)
        if where == sympy.Interval.open(0, 1):
            record["every_discount"] = True
            free += 1
        elif where is sympy.S.EmptySet:
            record["no_discount"] = never = True
    lows = [c.boundary.xreplace(values) for c in bounds]
    highs = [c.boundary.xreplace(values) for c in solved if c is not None and not _lower(c)]
    if not all(n.is_number for n in lows + highs):
        return {"no_discount": True} if never else {}
    low = float(max(lows)) if lows else 0.0
    high = float(min(highs)) if highs else 1.0
    if never or low >= 1 or high <= 0 or low > high:
        return {"no_discount": True}
    if solved and free == len(solved):
        return {"every_discount": True}  # e.g. the path is a stage equilibrium
    if not bounds or len(bounds) + free != len(solved):
        return {}
    return {"threshold": low}


def _discount_set(relation, discount, values: dict):
    """The discounts in (0, 1) where a condition the solver left unsolved holds, at the given
    values of the other parameters (all of them for `R/(1 - d) >= 0`), or None."""
    if not isinstance(discount, sympy.Symbol):
        return None
    others = {k: v for k, v in values.items() if k != discount}
    try:
        return sympy.solveset(relation.xreplace(others), discount, sympy.Interval.open(0, 1))
    except (NotImplementedError, TypeError, ValueError):
        return None


def _lower(condition: Condition) -> bool:
    return isinstance(condition.relation, (sympy.GreaterThan, sympy.StrictGreaterThan))


def _overall(solved: list, checks: list, var, discount):
    """`discount >= Max(bounds)` when every condition is a lower bound, else all of them."""
    if solved and all(c is not None and _lower(c) for c in solved):
        weak = [c.boundary for c in solved if isinstance(c.relation, sympy.GreaterThan)]
        strict = [c.boundary for c in solved if isinstance(c.relation,
                                                            sympy.StrictGreaterThan)]
        parts = []
        if weak:
            parts.append(sympy.GreaterThan(discount, sympy.Max(*set(weak))))
        if strict:
            parts.append(sympy.StrictGreaterThan(discount, sympy.Max(*set(strict))))
        return parts[0] if len(parts) == 1 else sympy.And(*parts)
    rels = [c.relation if c else k.relation for c, k in zip(solved, checks)]
    return sympy.And(*[_with_discount(r, var, discount) for r in rels])


def brute_force(model: Model, analysis: dict, values: dict) -> Certificate:
    """Each player's best response to each strategy (value iteration) against the verdict
    of the derived conditions: a strategy the conditions call sustained must leave every
    player no gain, and one they reject must leave someone a gain."""
    rep = model.repeated
    stage = stage_of(model)
    punish = analysis["_punish"]
    discount = float(rep.discount.xreplace(values))
    worst, agree, details = 0.0, True, {}
    scale = max(abs(float(u.xreplace(values))) for pay in stage.payoffs.values() for u in pay)
    tolerance = 1e-9 * max(1.0, scale) / (1 - discount)
    for strategy in rep.strategies:
        detect = None if strategy.detect is None else float(strategy.detect.xreplace(values))
        found = best_responses(stage, strategy.kind, rep.sustain, punish, discount, detect,
                               values)
        entry = analysis["strategies"][strategy.name]
        for br in found:
            details[f"{strategy.name}: {br.player} best-response gain"] = br.gain
            mine = [r for r in entry["conditions"] if r["player"] == br.player]
            predicted = all(r["holds"] for r in mine)
            tie = any(r.get("at_boundary") for r in mine)
            if predicted:
                worst = max(worst, br.gain)
                agree &= br.gain <= tolerance
            elif not tie:
                agree &= br.gain > tolerance
    return Certificate("best response to each trigger strategy by value iteration over its "
                       "states (every deviation plan) agrees with the derived conditions",
                       max(worst, 0.0), agree, tolerance, details)


def solve(model: Model, cls: Classification, options: dict) -> Result:
    if model.free_params():
        raise SpecError("parameters without values: " + ", ".join(model.free_params()),
                        span=model.repeated.span,
                        hint="give them values (or --set NAME=VALUE); `gamespec derive` "
                             "shows the conditions symbolically")
    values = exact_values(model)
    dyn.check_discount(model)
    analysis = analyse(model, values)
    certificate = brute_force(model, analysis, values)
    stage = stage_of(model)
    derived, facts = {}, []
    d = float(model.repeated.discount.xreplace(values))
    for name, entry in analysis["strategies"].items():
        derived[f"strategy {name}"] = entry["condition"]
        verdict = {True: "sustained", False: "NOT sustained"}.get(entry.get("sustained"), "")
        where = f"{model.repeated.discount} = {d:.6g}"
        if "threshold" in entry:
            where += f", threshold {entry['threshold']:.6g}"
        elif entry.get("no_discount"):
            where += ", no discount in (0, 1) sustains it"
        elif entry.get("every_discount"):
            where += ", every discount sustains it"
        facts.append((f"strategy {name} ({entry['kind']})",
                      f"{entry['condition']}: {verdict} at the given parameters ({where})"))
        for record in entry["conditions"][:SHOWN_DEVIATIONS]:
            label = f"  {record['player']} deviates to {record['deviation']}"
            facts.append(dyn.condition_fact(label, record, label))
    if analysis.get("punish_is_stage_equilibrium") is False:
        facts.append(("punishment", "not a stage equilibrium: a player would leave it, so the "
                      "strategies are checked as a Nash equilibrium of the repeated game (every "
                      "deviation plan from the path), not as a subgame-perfect one"))
    analysis.pop("_relations"), analysis.pop("_punish")
    extra = {"repeated": analysis, "facts": facts,
             "sustained": {name: entry.get("sustained")
                           for name, entry in analysis["strategies"].items()}}
    if model.repeated.conditions:
        for name, condition in dyn.conditions(model, options.get("solve_for")):
            record = dyn.condition_record(condition, values)
            extra.setdefault("conditions", {})[name] = record
            derived[f"condition {name}"] = record["condition"]
            facts.append(dyn.condition_fact(name, record))
    sustain = model.repeated.sustain
    path_values = {p: float(stage.payoffs[sustain][k].xreplace(values)) / (1 - d)
                   for k, p in enumerate(stage.players)}
    strategies = {p: {"path": str(sustain[k]), "punishment": analysis["punish"][p]}
                  for k, p in enumerate(stage.players)}
    status = Status.SOLVED if certificate.ok else Status.NOT_CERTIFIED
    return Result(game=model.title, spec=model.path, spec_sha256=model.sha256,
                  method=ENTRY.name, status=status, values=path_values,
                  strategies=strategies, certificate=certificate, derived=derived, extra=extra)


def derive(model: Model, cls: Classification, derivation) -> None:
    values = exact_values(model)
    try:
        analysis = analyse(model, values)
    except SpecError as exc:  # e.g. no values to find the punishment with: say so
        derivation.add("repeated play: trigger strategies", [("not derived", exc.message)])
        return
    items = []
    for name, entry in analysis["strategies"].items():
        overall, relations = analysis["_relations"][name]
        verdict = {True: ": sustained at the given parameters",
                   False: ": NOT sustained at the given parameters"}.get(entry.get("sustained"),
                                                                        "")
        items.append((f"strategy {name} ({entry['kind']}{verdict})", overall))
        for record, rel in zip(entry["conditions"], relations):
            holds = {True: "holds", False: "fails"}.get(record.get("holds"))
            where = f" ({holds}{', at the boundary' if record.get('at_boundary') else ''})" \
                if holds else ""
            items.append((f"  {record['player']} deviates to {record['deviation']}{where}", rel))
    derivation.add("repeated play: trigger strategies", items)


ENTRY = SolverEntry(
    name="repeated",
    covers=("the spec's trigger strategies against every deviation plan of each player (the "
            "conditions on the discount are exact); not every equilibrium of the repeated game"),
    summary="repeated finite stage game: grim trigger, tit-for-tat, imperfect detection",
    can_solve=can_solve,
    solve=solve,
    derive=derive,
    options=(SolverOption("solve_for", "str", None, "the parameter each `condition` of the "
                          "repeated block is solved for (default: the discount)"),),
)
