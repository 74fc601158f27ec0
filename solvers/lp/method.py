"""The LP method: zero-sum (or constant-sum) games between two mixed strategies, solved by
HiGHS; finite two-player `choose` games go to solvers/lp/finite_choice.py.

The LP's arrays are assembled in bulk and handed to highspy (option `route`, default
"direct"); `route = "pyomo"` declares the same LP as a pyomo.kernel model and compiles it back
first (`"pyomo-aml"`: a ConcreteModel); all routes give the same LP (tests/solvers/lp/). The
default is direct because Pyomo's import alone (about 1 s, scipy.stats with it) and its build
break the end-to-end target of issue 22 at every size (benchmarks/end_to_end.py).

The Model's bilinear payoff is compiled to payoff[r, s, a] (solvers/lp/compile.py), the
leader's LP and its Lagrangian dual are built and solved (solvers/lp/zero_sum_*.py), and the
answer is certified with NumPy alone. Values are in the game's own scale: when the payoffs
sum to c (`Classification.constant_sum`), the follower's value is c - v. Named fixed
profiles of the leader are evaluated
against the follower's optimal response, beside the optimal leader strategy at the same
constraint levels.
"""
from __future__ import annotations

import numpy as np
import sympy

from gamespec.analysis import Classification
from gamespec.derive import Formula
from gamespec.errors import GamespecError, SolverError
from gamespec.evaluate import Table, evaluate
from gamespec.evaluation_context import base_context
from gamespec.language.spec_printer import spec_str
from gamespec.model import Model, Strategy
from gamespec.render.latex import expr_latex, name_latex, tex_set, tex_text
from gamespec.result import Certificate, Result, Status
from gamespec.solvers.lp import size_limit
from gamespec.solvers.lp.compile import BilinearGame, bilinear_game, split_terms
from gamespec.solvers.lp.facts import lp_facts
from gamespec.solvers.lp.finite_choice import (
    can_solve_choice,
    derive_choice,
    is_choice_game,
    solve_choice,
)
from gamespec.solvers.lp.zero_sum_certificate import evaluate as evaluate_value
from gamespec.solvers.lp.zero_sum_game import ConditionalGame, SideConstraint
from gamespec.solvers.options import SolverOption
from gamespec.solvers.registry import Refusal, SolverEntry


def roles(model: Model) -> tuple[str, str]:
    """(leader, follower): the order of play if declared, else declaration order."""
    if model.order_declared and len(model.order) == 2:
        return model.order[0][0], model.order[1][0]
    names = list(model.players)
    return names[0], names[1]


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    if is_choice_game(model):  # its mixed extension, from the normal form
        return can_solve_choice(model, cls)
    if len(model.players) != 2:
        return False, "needs two players"
    if not cls.zero_sum:
        return False, "needs a zero-sum game"
    if cls.dynamic:
        return False, "the game is dynamic"
    for player in model.players.values():
        if player.kind != "single" or len(player.strategies) != 1 \
                or player.strategies[0].kind != "mixed":
            return False, f"`{player.name}` needs one mixed strategy"
        if len(player.strategies[0].condition_sets) > 1:
            return False, f"`{player.name}`'s strategy is conditioned on more than one index"
    if cls.linearity not in ("bilinear", "linear"):
        stated = [p for p in model.payoffs.values() if not p.implied]
        return False, Refusal(f"the payoff is {cls.linearity} in the strategies, not bilinear",
                              stated[0].span if stated else None)
    if model.free_params():
        return False, "parameters without values: " + ", ".join(model.free_params())
    leader, follower = roles(model)
    if model.players[follower].constraints:
        constraint = model.players[follower].constraints[0]
        return False, Refusal(f"`{follower}` (the follower) has a constraint "
                              f"(`{constraint.name}`): the LP carries constraints on the "
                              f"leader's strategy only", constraint.span)
    size = lp_coefficients(model.players[leader].strategies[0],
                           model.players[follower].strategies[0])
    if size > size_limit.MAX_ENTRIES:  # read now: --limit may have changed it
        return False, (f"the LP would need about {size:,} coefficients "
                       f"(limit {size_limit.MAX_ENTRIES:,}; raise it with "
                       f"--limit lp_coefficients={size})")
    return True, ""


def lp_coefficients(leader: Strategy, follower: Strategy) -> int:
    """The payoff coefficients the leader's LP holds: one per (leader's condition, leader's
    choice, follower's choice); a follower conditioned on what the leader chose observes
    that choice, so its condition adds no factor of its own."""
    size = len(leader.domain) * len(follower.domain)
    for c in leader.condition_sets:
        size *= len(c)
    for c in follower.condition_sets:
        if c.elements != leader.domain.elements:
            size *= len(c)
    return size


def conditional_game(game: BilinearGame, bounds: dict[str, float] | None = None
                     ) -> ConditionalGame:
    """The LP form of the game; `bounds` replaces constraints' right sides (as written)."""
    bounds = bounds or {}
    constraints = tuple(
        SideConstraint(name, weights, sense,
                       bounds[name] - offset if name in bounds else bound, offset)
        for name, weights, sense, bound, offset in game.constraints
    )
    signal = None if game.conditioned else np.zeros(game.payoff.shape[1], dtype=np.int64)
    return ConditionalGame(game.payoff, constraints, signal)


def solve(model: Model, cls: Classification, options: dict) -> Result:
    # the LP stack (highspy, scipy.sparse) is imported by a solve, not by can_solve
    from gamespec.solvers.lp.zero_sum_solve import solve_zero_sum

    if is_choice_game(model):
        return solve_choice(model, cls, options, ENTRY.name)
    leader, follower = roles(model)
    game = bilinear_game(model, leader, follower)
    conditional = conditional_game(game)
    time_limit = options.get("time_limit")
    which = str(options.get("lp", "both"))
    route = str(options.get("route", "direct"))
    from gamespec.progress import Progress

    with Progress(None, "lp", unit="LPs", enabled=bool(options.get("progress"))) as bar:
        bar.note(f"{'both LPs' if which == 'both' else 'the LP'} "
                 f"({conditional.payoff.size:,} payoff coefficients)")
        solution = solve_zero_sum(conditional, lp=which, route=route, time_limit=time_limit)
        bar.advance(2 if which == "both" else 1)
    cert = solution.certificate
    certificate = Certificate(
        "LP duality gap, follower's best-response gain, value recomputed with NumPy",
        float(cert.residual), bool(cert.ok), float(cert.tolerance),
        {k: float(v) for k, v in cert.details.items()},
    )
    strategies = {
        leader: _strategy_table(game.leader, game.state_labels, game.choice_labels, solution.f,
                                conditioned=bool(game.leader.condition_sets)),
        follower: _strategy_table(game.follower, game.choice_labels, game.answer_labels,
                                  solution.h, conditioned=game.conditioned),
    }
    constant = cls.constant_sum or 0.0  # u_leader + u_follower (0 for zero-sum)
    values = {leader: solution.value + 0.0, follower: constant - solution.value}
    extra = {
        "lp": {
            "leader_lp_value": solution.leader_lp_value,
            "follower_lp_value": solution.follower_lp_value,
            "duality_gap": solution.duality_gap,
            "shadow_prices": dict(solution.z),
            "constraint_lhs": dict(solution.constraint_lhs),
            "iterations": dict(solution.iterations),
            "constraint_bounds": {c.name: {"sense": c.sense, "bound": c.written_bound}
                                  for c in conditional.constraints},
            "interface": _INTERFACE[route] + " -> highspy passModel (dual simplex; "
                         + _SOLVE_ORDER[which] + ")",
            "solve_timing": dict(solution.timing),
        },
    }
    extra["facts"] = lp_facts(extra["lp"])
    if constant:
        extra["lp"]["constant_sum"] = constant
        extra["facts"].append(["sum", f"{leader} + {follower} = {constant:g} at every profile: "
                                      f"{follower} gets {constant:g} - {leader}'s value"])
    same_levels: dict = {}  # constraint levels -> the optimum there (profiles share levels)
    start = (solution.leader_basis, solution.leader_program)
    compare = {name: _compare_profile(model, game, conditional, name, time_limit, route,
                                      start, same_levels)
               for name in model.profiles}
    if options.get("figures"):  # what the plots draw (gamespec/plots/)
        from gamespec.solvers.lp.figure_data import figure_data

        extra["figures"] = figure_data(model, game, leader, solution.f, strategies)
    return Result(
        game=model.title, spec=model.path, spec_sha256=model.sha256, method=ENTRY.name,
        status=Status.OPTIMAL if certificate.ok else Status.NOT_CERTIFIED, values=values,
        strategies=strategies, certificate=certificate, compare=compare, extra=extra,
        parameters={p.name: p.value for p in model.params.values()
                    if not p.index_sets and p.value is not None},
    )


_INTERFACE = {
    "direct": "NumPy arrays assembled in bulk",
    "pyomo": "pyomo.kernel model (matrix_constraint rows) -> bulk compile",
    "pyomo-aml": "Pyomo ConcreteModel -> LinearStandardFormCompiler",
}
_SOLVE_ORDER = {
    "both": "follower's LP cold, then the leader's warm-started from its basis",
    "leader": "the leader's LP only; the follower's strategy from its row duals",
    "follower": "the follower's LP only; the leader's strategy from its row duals",
}


def _strategy_table(strategy, row_labels, column_labels, matrix: np.ndarray, conditioned: bool):
    """A strategy as {row: {column: probability}}, dropping zeros; one row if unconditioned."""
    matrix = np.asarray(matrix)
    table = {}
    for i, row in enumerate(matrix):
        entries = {str(column_labels[j]): round(float(p), 12) for j, p in enumerate(row)
                   if p > 1e-12}
        key = str(row_labels[i]) if conditioned else "*"
        table[key] = entries
    return table if conditioned else table["*"]


def profile_matrix(model: Model, game: BilinearGame, name: str, strategy=None,
                   leader_matrix: np.ndarray | None = None) -> np.ndarray | None:
    """A named profile's fixed strategy as a matrix, tabulated in bulk (None if not fixed).

    The follower's entry may refer to the leader's strategy (e.g. a Bayesian attack built
    from f): `leader_matrix` is bound to the leader's strategy name while evaluating it.
    """
    profile = model.profiles[name]
    strategy = strategy or game.leader
    for target, variables, sets, expr in profile.assignments:
        if target != strategy.name:
            continue
        ctx = base_context(model)
        ctx.index_sets.update(dict(zip(variables, sets)))
        if leader_matrix is not None:
            leader = game.leader
            sets_f = tuple(leader.condition_sets) + (leader.domain,)
            matrix_f = leader_matrix if leader.condition_sets else leader_matrix[0]
            ctx.tables[leader.name] = Table(matrix_f, sets_f)
        value = evaluate(expr, ctx)
        own = tuple(v.name for v in variables)
        stray = [a for a in value.axes if a not in own]
        if stray:
            raise SolverError(f"profile `{name}`: `{target}` depends on `{stray[0]}`",
                              span=profile.span)
        data = np.broadcast_to(np.asarray(value.aligned(own), dtype=float),
                               tuple(len(s) for s in sets))
        matrix = np.array(data, dtype=float)
        conditioned = bool(strategy.condition_sets)
        return matrix if conditioned else matrix[np.newaxis]
    if strategy is game.leader:
        raise SolverError(f"profile `{name}` does not fix `{strategy.name}`", span=profile.span)
    return None


def _compare_profile(model, game, conditional, name, time_limit, route="direct",
                     start=(None, None), same_levels=None) -> dict:
    """A baseline against the optimal response, beside the optimum at its constraint levels.

    The optimal response is exact per observation (`best_response_closed_form`); the optimum
    at the baseline's levels is the leader's LP with those bounds (the optimum's LP, matrix
    shared), started from its optimal basis (`start`: basis, LP), and solved once per
    distinct levels (`same_levels` caches it)."""
    from gamespec.solvers.lp.follower_response import best_response_closed_form
    from gamespec.solvers.lp.zero_sum_solve import solve_zero_sum

    try:
        f = profile_matrix(model, game, name)
    except GamespecError as exc:
        return {"error": exc.message}
    rows = f.sum(axis=1)
    if not np.allclose(rows, 1.0, atol=1e-9) or (f < -1e-12).any():
        return {"error": "the profile's rows are not probability distributions",
                "row_sums": rows.tolist()}
    response = best_response_closed_form(conditional.payoff, f, conditional.signal)
    lhs = {c.name: c.level(f) for c in conditional.constraints}
    entry = {"value_against_optimal_response": response.value, "constraint_lhs": lhs}
    h = profile_matrix(model, game, name, game.follower, leader_matrix=f)
    if h is not None:
        if not np.allclose(h.sum(axis=1), 1.0, atol=1e-9) or (h < -1e-12).any():
            entry["error"] = f"the profile's `{game.follower.name}` rows are not distributions"
        else:
            entry["value_against_profile_response"] = evaluate_value(
                conditional.payoff, f, h, conditional.signal)
            entry["optimal_response_is_at_least_as_strong"] = bool(
                response.value <= entry["value_against_profile_response"] + 1e-9)
    if conditional.constraints:
        same_levels = {} if same_levels is None else same_levels
        key = tuple(sorted(lhs.items()))
        if key not in same_levels:
            same_levels[key] = solve_zero_sum(
                conditional_game(game, lhs), lp="leader", route=route, time_limit=time_limit,
                leader_basis=start[0], leader_program=start[1]).value
        entry["optimal_value_at_same_constraint_levels"] = same_levels[key]
        entry["optimal_is_at_least_as_good"] = bool(same_levels[key] >= response.value - 1e-7)
    return entry


def derive(model: Model, cls: Classification, derivation) -> None:
    """The leader's LP and its dual, in mathematical form, with the coefficients' formulas."""
    if is_choice_game(model):
        derive_choice(model, derivation)
        return
    leader, follower = roles(model)
    f = model.players[leader].strategies[0]
    h = model.players[follower].strategies[0]
    strategies = {f.name: f, h.name: h}
    try:
        terms = split_terms(model, model.payoff_of(leader), strategies)
    except GamespecError as exc:
        derivation.add("linear programs", [("not derived", exc.message)])
        return
    r = bool(f.condition_sets)
    conditioned = bool(h.condition_sets)
    fn, hn = f.name, h.name
    fn_tex, hn_tex = f"{{{name_latex(fn)}}}", f"{{{name_latex(hn)}}}"
    rs, rs_tex = (f"{fn}[r, s]", f"{fn_tex}_{{r,s}}") if r else (f"{fn}[s]", f"{fn_tex}_{{s}}")
    ha, ha_tex = ((f"{hn}[s, a]", f"{hn_tex}_{{s,a}}") if conditioned
                  else (f"{hn}[a]", f"{hn_tex}_{{a}}"))
    C, C_tex = ("C[r, s, a]", "C_{r,s,a}") if r else ("C[s, a]", "C_{s,a}")
    G, G_tex = ("G_k[r, s]", "G_{k,r,s}") if r else ("G_k[s]", "G_{k,s}")
    sum_r, sum_r_tex = ("sum_r ", "\\sum_{r} ") if r else ("", "")
    items = [(f"payoff coefficient (leader's payoff = sum {C} {rs} {ha})",
              _coefficient_text(terms, f, h, r))]
    if conditioned:  # v[s]: the leader's guaranteed payoff after the follower sees s
        items += [
            ("leader's LP", Formula(f"maximise sum_s v[s] over {fn} >= 0, v free",
                                    f"\\max \\sum_{{s}} v_{{s}} \\text{{ over }} {fn_tex} \\ge 0,"
                                    f"\\ v \\text{{ free}}")),
            ("  best-response rows",
             Formula(f"v[s] <= {sum_r}{C} {rs}   for all s, a",
                     f"v_{{s}} \\le {sum_r_tex}{C_tex}\\, {rs_tex} \\quad \\forall s, a")),
        ]
    else:
        over = "r,s" if r else "s"
        items += [
            ("leader's LP", Formula(f"maximise v over {fn} >= 0, v free",
                                    f"\\max v \\text{{ over }} {fn_tex} \\ge 0,"
                                    "\\ v \\text{ free}")),
            ("  best-response rows",
             Formula(f"v <= sum_{over} {C} {rs}   for all a",
                     f"v \\le \\sum_{{{over}}} {C_tex}\\, {rs_tex} \\quad \\forall a")),
        ]
    items.append(("  distributions",
                  Formula(f"sum_s {rs} = 1" + ("   for all r" if r else ""),
                          f"\\sum_{{s}} {rs_tex} = 1" + (" \\quad \\forall r" if r else ""))))
    for c in model.players[leader].constraints:
        items.append((f"  {c.name}",
                      Formula(spec_str(c.relation) + f"   [dual: z_{c.name}]",
                              expr_latex(c.relation)
                              + f" \\quad [\\text{{dual }} z_{{\\text{{{tex_text(c.name)}}}}}]")))
    u, u_tex = ("u[r]", "u_{r}") if r else ("u", "u")
    items += [
        ("follower's LP (the Lagrangian dual)",
         Formula(f"minimise {'sum_r u[r]' if r else 'u'} + sum_k bound_k z_k over {hn} >= 0, "
                 "u free, z_k >= 0 for <=, <= 0 for >=",
                 f"\\min {sum_r_tex}{u_tex} + \\sum_{{k}} b_{{k}} z_{{k}} \\text{{ over }} "
                 f"{hn_tex} \\ge 0,"
                 "\\ u \\text{ free},\\ z_{k} \\ge 0 \\ (\\le),\\ z_{k} \\le 0 "
                 "\\ (\\ge)")),
        ("  rows", Formula(f"{u} >= sum_a {C} {ha} - sum_k z_k {G}   for all "
                           f"{'r, s' if r else 's'}",
                           f"{u_tex} \\ge \\sum_{{a}} {C_tex}\\, {ha_tex} - \\sum_{{k}} z_{{k}} "
                           f"{G_tex} \\quad \\forall {'r, s' if r else 's'}")),
        ("  distributions", Formula(f"sum_a {ha} = 1" + ("   for all s" if conditioned else ""),
                                    f"\\sum_{{a}} {ha_tex} = 1"
                                    + (" \\quad \\forall s" if conditioned else ""))),
        ("note", "the sign of z_k G_k follows from the Lagrangian: PAPERS.md records that the "
                 "location-privacy paper prints eq (26) with '+', which is not the dual"),
    ]
    derivation.add("linear programs (built by the LP method)", items)


def _coefficient_text(terms, f, h, has_state: bool, shown: int = 6) -> Formula:
    """Each payoff term's contribution to C at its own indices, e.g. `C[s, s] += 1`;
    terms without one of the strategies are spread over the rows that sum to 1."""
    plain, tex = [], []
    for term in terms[:shown]:
        coef = sympy.Mul(*term.coefficient) if term.coefficient else sympy.Integer(1)
        lead, follow = term.factors.get(f.name), term.factors.get(h.name)
        index = []
        if has_state:
            index.append(sympy.sstr(lead.indices[0]) if lead is not None else "r")
        index.append(sympy.sstr(lead.indices[-1]) if lead is not None else "s")
        index.append(sympy.sstr(follow.indices[-1]) if follow is not None else "a")
        share = "" if lead is not None or not has_state else " / R"
        sums = ", ".join(f"{v} in {fs.label}" for v, fs in term.binders)
        plain.append(f"C[{', '.join(index)}] += {spec_str(coef)}{share}"
                     + (f" (sum {sums})" if sums else ""))
        sums_tex = ", ".join(f"{expr_latex(v)} \\in {tex_set(fs.label)}" for v, fs in term.binders)
        index_tex = ",".join(name_latex(i) for i in index)
        tex.append(f"C_{{{index_tex}}} \\mathrel{{+}}= {expr_latex(coef)}"
                   + ("/R" if share else "")
                   + (f" \\quad (\\text{{sum }} {sums_tex})" if sums else ""))
    if len(terms) > shown:
        plain.append(f"... ({len(terms)} terms)")
        tex.append(f"\\ldots\\ ({len(terms)} \\text{{ terms}})")
    return Formula("; ".join(plain), ";\\ ".join(tex))


ENTRY = SolverEntry(
    name="lp",
    covers=('the value of the zero-sum game (every equilibrium has it) and one optimal '
            'strategy of each side'),
    summary="zero-sum or constant-sum games in mixed (possibly conditioned) strategies: "
            "leader's LP and its dual on HiGHS; finite two-player `choose` games (e.g. "
            "imported .nfg) on their mixed extension",
    can_solve=can_solve,
    solve=solve,
    derive=derive,
    uses_constraints=True,
    options=(
        SolverOption("lp", "str", "both", "which LPs to solve: both (the follower's, then the "
                     "leader's warm-started; checks strong duality), or one side with the other "
                     "strategy from its duals", choices=("both", "leader", "follower")),
        SolverOption("route", "str", "direct", "how the LP reaches HiGHS: NumPy arrays built in "
                     "bulk (direct), or declared as a Pyomo model and compiled back (pyomo: "
                     "pyomo.kernel matrix constraints; pyomo-aml: a ConcreteModel)",
                     choices=("direct", "pyomo", "pyomo-aml")),
    ),
)
