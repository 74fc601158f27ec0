"""Dynamic parts of a Model: Euler–Lagrange systems, repeated play with value recursions,
and update rules over rounds.

- dynamics: the Euler–Lagrange equations of the spec's Lagrangian, the normal modes when
  the system is linear, and a certified numerical solution over the index interval;
- repeated: the value recursions solved exactly, each `condition` solved for the spec's
  `solve_for` parameter (default: the discount, else the first it can be solved for; see
  repeated_conditions) and evaluated at the given parameters, and checked by a seeded Monte
  Carlo simulation on both sides of the boundary when the recursions have the trigger form
  V = g + d x V;
- update rules: the recurrence simulated over the rounds, and its fixed point.
"""
from __future__ import annotations

import math

import numpy as np
import sympy

from gamespec.analysis import Classification
from gamespec.errors import GamespecError, SolverError, SpecError
from gamespec.math_text import MathText
from gamespec.model import Model
from gamespec.result import Certificate, Result, Status
from gamespec.solvers.dynamics import euler_lagrange as el
from gamespec.solvers.dynamics import repeated as rep
from gamespec.solvers.dynamics.repeated_conditions import (  # noqa: F401 - re-exported
    condition_fact,
    condition_record,
    conditions,
    ranges,
    value_solutions,
)
from gamespec.solvers.options import SolverOption
from gamespec.solvers.registry import SolverEntry

ODE_TOLERANCE = 1e-6


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    if not (model.dynamics or model.repeated or model.updates):
        return False, "no dynamics, repeated play or update rules in the spec"
    if model.players:
        return False, "the spec also has players: solve its static game with another method"
    if model.free_params():
        return False, "parameters without values: " + ", ".join(model.free_params())
    return True, ""


def _params(model: Model) -> dict:
    return model.scalar_values()


# ---------------------------------------------------------------------------- dynamics
def equations(model: Model) -> el.EquationsOfMotion:
    dyn = model.dynamics
    if dyn.lagrangian is None:
        raise SolverError("the dynamics block has no lagrangian")
    return el.derive_equations(lowered_lagrangian(model), list(dyn.coordinates), dyn.index)


def lowered_lagrangian(model: Model, lagrangian=None):
    """The Lagrangian (or `lagrangian`) through the one lowering (gamespec.lowering.fold):
    indexed parameters, data, aggregates and library functions folded to numbers, scalar
    parameters kept by name (so the equations stay symbolic in them), the coordinates and
    the index free."""
    from gamespec.lowering import fold

    dyn = model.dynamics
    scalars = [p.symbol for p in model.params.values() if not p.index_sets]
    return fold(model, dyn.lagrangian if lagrangian is None else lagrangian, [dyn.index],
                scalars, span=dyn.span)


def normal_modes(eqs: el.EquationsOfMotion) -> el.NormalModes | None:
    try:
        return el.linear_normal_modes(eqs.equations, eqs.coords, eqs.t)
    except GamespecError:
        return None


def _initial(model: Model) -> dict:
    dyn = model.dynamics
    params = _params(model)
    values: dict = {}
    for coord, order, expr in dyn.initial:
        name = str(coord.func)
        q0, v0 = values.get(name, (None, None))
        number = float(expr.xreplace(params))
        values[name] = (number, v0) if order == 0 else (q0, number)
    missing = [str(c.func) for c in dyn.coordinates
               if None in values.get(str(c.func), (None, None))]
    if missing:
        raise SolverError(f"no initial value (or derivative) for {missing[0]}",
                          hint=f"initial {missing[0]} = ..., {missing[0]}' = ...")
    return values


def integrate_model(model: Model, options: dict | None = None,
                    eqs: el.EquationsOfMotion | None = None) -> el.Trajectory:
    """The spec's Euler-Lagrange system integrated over its index interval, certified
    (a Trajectory with dense output: `trajectory.at(times)`)."""
    options = options or {}
    eqs = eqs if eqs is not None else equations(model)
    params = _params(model)
    dyn = model.dynamics
    span = (float(dyn.domain.low.xreplace(params)), float(dyn.domain.high.xreplace(params)))
    return el.integrate(
        eqs, None, None, params, _initial(model), span,
        rtol=float(options.get("rtol", 1e-10)), atol=float(options.get("atol", 1e-12)),
        time_limit=float(options.get("time_limit") or 60.0),
        tolerance=float(options.get("tolerance", ODE_TOLERANCE)),
    )


def solve_dynamics(model: Model, options: dict) -> tuple[dict, dict, Certificate, dict]:
    eqs = equations(model)
    params = _params(model)
    dyn = model.dynamics
    span = (float(dyn.domain.low.xreplace(params)), float(dyn.domain.high.xreplace(params)))
    trajectory = integrate_model(model, options, eqs)
    cert = trajectory.certificate
    certificate = Certificate(cert.kind + ": Euler-Lagrange residual, energy drift, "
                              "closed form", float(cert.residual), bool(cert.ok),
                              float(cert.tolerance),
                              {k: v for k, v in cert.details.items() if v is not None})
    times = np.linspace(span[0], span[1], 11)
    q, v = trajectory.at(times)
    strategies = {name: {f"{t:g}": float(x) for t, x in zip(times, q[k])}
                  for k, name in enumerate(trajectory.coords)}
    values = {f"{name}({span[1]:g})": float(q[k, -1]) for k, name in enumerate(trajectory.coords)}
    extra = {"steps": trajectory.steps, "span": list(span)}
    modes = normal_modes(eqs)
    if modes is not None:
        numeric = [float(sympy.N(w2.xreplace(params))) for w2 in modes.squared_frequencies]
        extra["squared_frequencies"] = numeric
    if options.get("figures"):  # the integrated path the plots draw; solve() moves it
        from gamespec.solvers.dynamics.figure_data import coordinates_figure

        extra["figure"] = coordinates_figure(model, trajectory, span)
    return values, strategies, certificate, extra


def variant_report(model: Model) -> el.VariantReport | None:
    """Check claimed equations (and a claimed Lagrangian) against Euler-Lagrange."""
    dyn = model.dynamics
    if not dyn.claims:
        return None
    lagrangian = dyn.claimed_lagrangian if dyn.claimed_lagrangian is not None \
        else dyn.lagrangian
    return el.check_variant(lowered_lagrangian(model, lagrangian), list(dyn.claims),
                            list(dyn.coordinates), dyn.index)


# ---------------------------------------------------------------------------- repeated play
def _trigger_form(model: Model, value: sympy.Symbol, rhs: sympy.Expr):
    """rhs = g + b V with b = discount * x: returns (g, x) or None."""
    expr = sympy.expand(model.expand_lets(rhs))
    b = expr.coeff(value)
    g = sympy.simplify(expr - b * value)
    d = model.repeated.discount
    if d is None or value in g.free_symbols:
        return None
    x = sympy.simplify(b / d)
    return g, x


def _real(expr) -> float | None:
    """The expression's value as a finite float, or None when it is not a number."""
    try:
        value = float(expr)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def monte_carlo_check(model: Model, condition, seed: int = 0) -> dict | None:
    """Simulate the repeated game on both sides of the derived boundary (two-value form)."""
    if not isinstance(condition, rep.Condition) or len(model.repeated.values) != 2:
        return None
    params = _params(model)
    (v1, r1), (v2, r2) = model.repeated.values
    forms = [_trigger_form(model, v1, r1), _trigger_form(model, v2, r2)]
    if None in forms:
        return None
    (g1, x1), (g2, x2) = forms
    variable = condition.variable
    boundary = _real(condition.boundary.xreplace(params))
    if boundary is None:
        return None
    checks = []
    for factor in (0.8, 1.2):
        point = {**params, variable: boundary * factor}
        numbers = [_real(e.xreplace(point)) for e in (g1, g2, x2, x1, model.repeated.discount)]
        if None in numbers:  # a value that depends on the other value: not a trigger form
            return None
        comply, defect, undetected, stay, discount = numbers
        if abs(stay - 1.0) > 1e-12:
            return None
        if not (0 < discount < 1 and 0 <= undetected <= 1):
            continue  # this side of the boundary lies outside the variable's range
        sim = rep.simulate_repeated(comply, defect, discount, undetected, paths=20_000,
                                    seed=seed)
        predicted = bool(condition.relation.xreplace(point))
        simulated = bool(sim.comply_mean > sim.defect_mean)
        checks.append({f"{variable}": boundary * factor, "predicted_comply": predicted,
                       "simulated_comply": simulated, "comply_mean": sim.comply_mean,
                       "defect_mean": sim.defect_mean})
    if not checks:
        return None
    return {"boundary": boundary, "points": checks,
            "agree": all(c["predicted_comply"] == c["simulated_comply"] for c in checks)}


# ---------------------------------------------------------------------------- update rules
def simulate_updates(model: Model) -> dict[str, list[float]]:
    upd = model.updates
    params = _params(model)
    series: dict[str, dict[int, float]] = {}
    for target, at, value in upd.initial:
        series.setdefault(target, {})[int(at.xreplace(params))] = float(value.xreplace(params))
    index = upd.index
    rounds = [int(r) for r in upd.rounds.elements]
    for r in rounds:
        point = {**params, index: r}
        new = {}
        for target, at, value in upd.rules:
            step = int(at.xreplace(point))
            expr = value.xreplace(point)
            if not isinstance(expr, sympy.Basic):  # a rule that is one parameter: a number
                new[(target, step)] = float(expr)
                continue
            subs = {}
            for item in expr.atoms(sympy.Indexed):
                name, pos = item.base.label.name, int(item.indices[0])
                if pos not in series.get(name, {}):
                    raise SolverError(f"{name}[{pos}] is used before it is defined",
                                      hint="give it an initial value")
                subs[item] = series[name][pos]
            new[(target, step)] = float(expr.xreplace(subs))
        for (target, step), number in new.items():
            series.setdefault(target, {})[step] = number
    return {name: [values[k] for k in sorted(values)] for name, values in series.items()}


def update_equations(model: Model) -> list[tuple[sympy.Symbol, sympy.Expr]]:
    """(X*, rule(X*)) for every update rule, the series' values replaced by X*."""
    upd = model.updates
    stars = {name: sympy.Symbol(f"{name}_star") for name, _, _ in upd.rules}
    return [(stars[target], value.replace(lambda e: isinstance(e, sympy.Indexed),
                                          lambda e: stars.get(e.base.label.name, e)))
            for target, _, value in upd.rules]


def update_fixed_point(model: Model) -> dict | None:
    """Solve X* = rule(X*) for linear rules in the series' previous values."""
    pairs = update_equations(model)
    equations = [sympy.Eq(star, rule) for star, rule in pairs]
    try:
        solution = sympy.solve(equations, [star for star, _ in pairs], dict=True)
    except Exception:  # noqa: BLE001 - no closed form is a normal outcome here
        return None
    return solution[0] if solution else None


def _check_discount(model: Model) -> None:
    """A numeric discount must lie in (0, 1): at 1 the value recursions have no solution."""
    discount = model.repeated.discount
    if discount is None:
        return
    value = _as_number(discount, _params(model))
    if value is not None and not 0.0 < value < 1.0:
        raise SpecError(f"the discount must be in (0, 1), got {value:g}",
                        span=model.repeated.span,
                        hint="at 1 the discounted values are infinite; use e.g. 0.99")


def _as_number(expr, params: dict) -> float | None:
    """`expr` with the parameters put in, as a float, or None if symbols remain."""
    value = expr.xreplace(params) if isinstance(expr, sympy.Basic) else expr
    if isinstance(value, sympy.Basic) and value.free_symbols:
        return None
    return float(value)


def _substitution_certificate(kind: str, equations, solution: dict, params: dict
                              ) -> Certificate:
    """max |lhs - rhs| of each equation with the solution substituted back: numerically at
    the spec's parameters when they are all given, else 0 if SymPy simplifies it to 0."""
    worst = 0.0
    for lhs, rhs in equations:
        gap = (lhs - rhs).xreplace(solution)
        number = _as_number(gap, params)
        if number is None:
            number = 0.0 if sympy.simplify(gap) == 0 else float("inf")
        worst = max(worst, abs(number))
    tolerance = 1e-9 * max([1.0, *(abs(n) for v in solution.values()
                                   if (n := _as_number(v, params)) is not None)])
    return Certificate(kind, worst, worst <= tolerance, tolerance)


# ---------------------------------------------------------------------------- entry points
def solve(model: Model, cls: Classification, options: dict) -> Result:
    values: dict = {}
    strategies: dict = {}
    certificates: list[Certificate] = []
    extra: dict = {}
    derived: dict = {}
    compare: dict = {}
    timing: dict = {}
    if model.dynamics:
        v, s, cert, more = solve_dynamics(model, options)
        values.update(v)
        strategies.update(s)
        certificates.append(cert)
        report = variant_report(model)
        if report is not None:
            more["claimed_variant"] = {
                "follows_from_its_lagrangian": report.follows,
                "summary": report.summary().splitlines(),
            }
        extra["dynamics"] = more
    if model.repeated:
        _check_discount(model)
        solutions = value_solutions(model)
        derived["values"] = {str(k): sympy.sstr(v) for k, v in solutions.items()}
        checks = {}
        for name, condition in conditions(model, options.get("solve_for")):
            record = condition_record(condition, _params(model))
            extra.setdefault("conditions", {})[name] = record
            extra.setdefault("facts", []).append(condition_fact(name, record))
            text = record["condition"]
            derived[f"condition {name}"] = text
            if not isinstance(condition, rep.Condition):  # said, not silently left as is
                extra.setdefault("unsolved_conditions", []).append(name)
                derived[f"condition {name}"] = text + "   (not solved for a parameter)"
            check = monte_carlo_check(model, condition, int(options.get("seed", 0)))
            if check is not None:
                checks[name] = check
        if checks:
            extra["monte_carlo"] = checks
            agree = all(c["agree"] for c in checks.values())
            certificates.append(Certificate(
                "Monte Carlo agrees with the derived condition on both sides of the boundary",
                0.0 if agree else 1.0, agree, 0.0,
                {name: c["boundary"] for name, c in checks.items()}))
        params = _params(model)
        for k, v in solutions.items():
            number = _as_number(v, params)
            values[str(k)] = number if number is not None else sympy.sstr(v)
        recursions = [(v, model.expand_lets(rhs)) for v, rhs in model.repeated.values]
        certificates.append(_substitution_certificate(
            "value recursions hold at their solution (substituted back)", recursions,
            solutions, params))
    if model.updates:
        series = simulate_updates(model)
        strategies.update({name: list(vals) for name, vals in series.items()})
        fixed = update_fixed_point(model)
        if fixed:
            params = _params(model)
            derived["update fixed point"] = {str(k): sympy.sstr(v) for k, v in fixed.items()}
            residual = max(abs(series[str(k).removesuffix("_star")][-1]
                               - float(v.xreplace(params))) for k, v in fixed.items())
            extra["distance_to_fixed_point_at_last_round"] = residual
            certificates.append(_substitution_certificate(
                "update fixed point satisfies its rules (substituted back)",
                update_equations(model), fixed, params))
        else:
            certificates.append(Certificate(
                "update rules simulated as written (no closed-form fixed point to check)",
                0.0, True, 0.0))
    if options.get("figures"):  # what the plots draw (gamespec/plots/)
        from gamespec.solvers.dynamics.figure_data import figure_data

        extra["figures"] = figure_data(model, extra.get("dynamics", {}).pop("figure", None),
                                       (series, fixed) if model.updates else None)
    if not certificates:
        raise SolverError("the dynamics method found nothing to solve in this spec",
                          hint="add `dynamics`, `repeated` or `update` statements")
    worst = max(certificates, key=lambda c: (not c.ok, c.residual))
    certificate = Certificate(" + ".join(c.kind for c in certificates),
                              max(c.residual for c in certificates),
                              all(c.ok for c in certificates), worst.tolerance,
                              {k: v for c in certificates for k, v in c.details.items()})
    return Result(game=model.title, spec=model.path, spec_sha256=model.sha256,
                  method=ENTRY.name,
                  status=Status.SOLVED if certificate.ok else Status.NOT_CERTIFIED,
                  values=values, strategies=strategies, certificate=certificate,
                  derived=derived, compare=compare, extra=extra, timing=timing)


def derive(model: Model, cls: Classification, derivation) -> None:
    if model.dynamics and model.dynamics.lagrangian is not None:
        eqs = equations(model)
        items = [(f"Euler-Lagrange ({k + 1})", e) for k, e in enumerate(eqs.equations)]
        if eqs.accelerations is not None:
            items += [(f"{c.func}''", a) for c, a in zip(eqs.coords, eqs.accelerations)]
        energy = eqs.energy()
        if energy is not None:
            items.append(("conserved energy", energy))
        modes = normal_modes(eqs)
        if modes is not None:
            items += [(MathText("", _OMEGA2, f" (mode {k + 1})",
                                plain=f"omega^2 (mode {k + 1})"), sympy.factor(w2))
                      for k, w2 in enumerate(modes.squared_frequencies)]
        derivation.add("dynamics (Euler-Lagrange)", items)
        report = variant_report(model)
        if report is not None:
            derivation.add("claimed variant, checked", _variant_items(report))
    if model.repeated:
        items = [(str(k), v) for k, v in value_solutions(model).items()]
        values = _params(model)
        for name, condition in conditions(model, model.solve_options.get("solve_for")):
            rel = condition.relation if isinstance(condition, rep.Condition) else condition
            record = condition_record(condition, values)
            verdict = {True: "holds", False: "fails"}.get(record.get("holds"))
            tie = ", at the boundary" if record.get("at_boundary") else ""
            where = f" ({verdict} at the given parameters{tie})" if verdict else ""
            items.append((f"condition {name}{where}", rel))
        derivation.add("repeated play (value recursions)", items)
    if model.updates:
        fixed = update_fixed_point(model)
        if fixed:
            derivation.add("update rules: fixed point",
                           [(str(k), v) for k, v in fixed.items()])


_OMEGA2 = sympy.Symbol("omega") ** 2


def _variant_items(report) -> list:
    """The variant report's facts as derivation items (formulas kept as formulas)."""
    verdict = "follow" if report.follows else "do NOT follow"
    items = [("", f"claimed equations {verdict} from the Lagrangian")]
    items += [("Euler-Lagrange", e) for e in report.derived]
    items += [("claimed", e) for e in report.claimed]
    items.append(("total momentum P", report.momentum))
    items.append(("dP/dt along Euler-Lagrange", report.momentum_rate_derived))
    items.append(("dP/dt along claimed", report.momentum_rate_claimed))
    for which, values in (("Euler-Lagrange", report.squared_frequencies_derived),
                          ("claimed", report.squared_frequencies_claimed)):
        if values is not None:
            items.append((MathText("", _OMEGA2, f" ({which})",
                                             plain=f"omega^2 ({which})"), sympy.Tuple(*values)))
    return items


ENTRY = SolverEntry(
    name="dynamics",
    covers=("the one solution of the spec's equations from its initial values (no equilibrium"
            ' search); repeated-play conditions solved exactly'),
    summary="Euler-Lagrange systems, repeated play with value recursions, update rules",
    can_solve=can_solve,
    solve=solve,
    derive=derive,
    options=(
        SolverOption("rtol", "float", 1e-10, "relative tolerance of the ODE integrator",
                     low=0, low_open=True),
        SolverOption("atol", "float", 1e-12, "absolute tolerance of the ODE integrator",
                     low=0, low_open=True),
        SolverOption("tolerance", "float", ODE_TOLERANCE, "largest ODE residual and energy "
                     "drift the certificate accepts", low=0, low_open=True),
        SolverOption("solve_for", "str", None, "the parameter each repeated-play condition is "
                     "solved for (default: the first it is linear in)"),
    ),
)
