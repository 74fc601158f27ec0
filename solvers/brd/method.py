"""Best-response dynamics on any finite game the language expresses.

`ModelOracle` answers the BRD engine's question (each alternative's payoff for one agent,
the others fixed) by evaluating the Model's payoff once, in bulk, with the deviating
agent's strategy bound to all of its choices along one axis. Agents are single players
and the members of player families. The result is certified by the engine's plain
re-evaluation of every agent's every alternative.

A large family under a common payoff is solved with the grouped oracle instead
(`gamespec.solvers.brd.grouped`: members with equal data and equal choices are priced
together on type-choice pairs with counts) when grouping is exact for the spec. When the
payoff is moreover a function of aggregates over the members (`brd_aggregate_plan`),
sequential runs go through the aggregative engine with a payoff compiled from the Model
(`brd_aggregate_payoff`): one difference row per switch, statuses held by proven
windows, cached decisions with proven drift budgets. The result says which oracle ran and
why. Every scalar `let` and the common payoff are reported at the
equilibrium and at each named profile of the spec (`compare`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gamespec.analysis import Classification
from gamespec.errors import GamespecError, SolverError, SpecError
from gamespec.evaluate import LArray, Table, evaluate
from gamespec.evaluation_context import base_context
from gamespec.model import FiniteSet, FixedProfile, Model, Player
from gamespec.result import Certificate, Result, Status
from gamespec.solvers.brd.aggregate_payoff import PlanPayoff
from gamespec.solvers.brd.aggregate_plan import AggregatePlan, plan_aggregates
from gamespec.solvers.brd.aggregative import aggregative_brd
from gamespec.solvers.brd.array_program import Unsupported
from gamespec.solvers.brd.engine import BRDNotConverged, best_response_dynamics
from gamespec.solvers.brd.grouped import (
    GroupedOracle,
    Grouping,
    grouped_certificate,
    plan_grouping,
)
from gamespec.solvers.options import SolverOption
from gamespec.solvers.registry import SolverEntry

DEVIATION = "@deviation"
GROUPING_MIN_MEMBERS = 50  # at most this many members: the plain oracle is cheap enough


@dataclass(frozen=True)
class Agent:
    player: Player
    member: int | None  # position in the family's member set, None for a single player

    @property
    def name(self) -> str:
        if self.member is None:
            return self.player.name
        return f"{self.player.name}[{self.player.member_set.elements[self.member]}]"

    @property
    def domain(self) -> FiniteSet:
        return self.player.strategies[0].domain


class ModelOracle:
    """The FiniteGameOracle of a Model: plain bulk evaluation of the payoffs."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.agents: list[Agent] = []
        for player in model.players.values():
            if player.kind == "family":
                self.agents.extend(Agent(player, k) for k in range(len(player.member_set)))
            else:
                self.agents.append(Agent(player, None))
        self.ctx = base_context(model)
        self._first_agent = {}
        for index, agent in enumerate(self.agents):
            self._first_agent.setdefault(agent.player.name, index)

    @property
    def n_players(self) -> int:
        return len(self.agents)

    def n_choices(self, player: int) -> int:
        return len(self.agents[player].domain)

    def _bind(self, profile: np.ndarray, deviator: int | None):
        ctx = self.ctx.child(scalars=dict(self.ctx.scalars), tables=dict(self.ctx.tables),
                             let_cache={})
        for name, player in self.model.players.items():
            strategy = player.strategies[0]
            values = strategy.domain.values()
            start = self._first_agent[name]
            if player.kind == "family":
                n = len(player.member_set)
                chosen = values[profile[start:start + n]]
                if deviator is not None and start <= deviator < start + n:
                    table = np.repeat(chosen[:, None], len(values), axis=1)
                    table[deviator - start, :] = values
                    ctx.tables[strategy.name] = Table(table, (player.member_set,), (DEVIATION,))
                else:
                    ctx.tables[strategy.name] = Table(chosen, (player.member_set,))
            elif strategy.kind == "mixed":  # a pure choice is a point mass
                eye = np.eye(len(values))
                if deviator == start:
                    ctx.tables[strategy.name] = Table(eye, (strategy.domain,), (DEVIATION,))
                else:
                    ctx.tables[strategy.name] = Table(eye[profile[start]], (strategy.domain,))
            elif deviator == start:
                ctx.scalars[strategy.symbol] = LArray(values, (DEVIATION,))
            else:
                ctx.scalars[strategy.symbol] = LArray.scalar(values[profile[start]])
        return ctx

    def _payoff(self, agent: Agent, ctx) -> LArray:
        """The agent's payoff; an error inside it (e.g. a library function's) points at the
        payoff statement."""
        try:
            return self._payoff_value(agent, ctx)
        except SpecError as exc:
            payoff = self.model.payoffs.get(agent.player.name)
            raise exc.located(payoff.span if payoff is not None
                              else self.model.spans.get("common payoff")) from None

    def _payoff_value(self, agent: Agent, ctx) -> LArray:
        player = agent.player
        expr = self.model.payoff_of(player.name)
        if agent.member is None:
            return evaluate(expr, ctx)
        payoff = self.model.payoffs.get(player.name)
        var = payoff.variables[0] if payoff is not None and payoff.variables else player.member_var
        member = FiniteSet(player.member_set.name, (player.member_set.elements[agent.member],),
                           player.member_set.span)
        inner = ctx.child(index_sets={**ctx.index_sets, var: member})
        value = evaluate(expr, inner)
        if var.name in value.axes:
            axis = value.axes.index(var.name)
            value = LArray(np.take(value.data, 0, axis=axis),
                           value.axes[:axis] + value.axes[axis + 1:])
        return value

    def gains(self, player: int, profile: np.ndarray) -> np.ndarray:
        ctx = self._bind(np.asarray(profile), player)
        value = self._payoff(self.agents[player], ctx)
        stray = [a for a in value.axes if a != DEVIATION]
        if stray:
            raise SolverError(f"the payoff of `{self.agents[player].name}` still depends on "
                              f"`{stray[0]}`")
        n = self.n_choices(player)
        out = np.broadcast_to(np.asarray(value.aligned((DEVIATION,)), dtype=float), (n,)).copy()
        if not np.all(np.isfinite(out)):
            raise SpecError(f"the payoff of `{self.agents[player].name}` is not finite (NaN or "
                            f"infinity) at a profile the dynamics reached",
                            hint="guard divisions and logarithms, or shrink the strategy set")
        return out

    def common_payoff(self, profile: np.ndarray) -> float:
        ctx = self._bind(np.asarray(profile), None)
        return float(evaluate(self.model.common_payoff, ctx).data)

    def label(self, profile: np.ndarray) -> dict[str, str]:
        return {a.name: str(a.domain.elements[int(c)]) for a, c in zip(self.agents, profile)}


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    if not cls.finite or not model.strategies():
        return False, "needs finite strategy sets"
    if cls.dynamic or cls.sequential:
        return False, "best-response dynamics here are for simultaneous static games"
    for player in model.players.values():
        strategy = player.strategies[0]
        if len(player.strategies) != 1 or strategy.condition_sets or (
                strategy.kind == "mixed" and player.kind != "single"):
            return False, f"`{player.name}` must make one unconditioned choice"
    if model.free_params():
        return False, "parameters without values: " + ", ".join(model.free_params())
    return True, ""


ORACLES = ("auto", "plain", "grouped", "aggregative")


@dataclass(frozen=True)
class OracleChoice:
    """Which oracle BRD runs on (``plain``, ``grouped`` or ``aggregative``) and why."""

    name: str
    reason: str
    grouping: Grouping | None = None
    plan: AggregatePlan | None = None


def choose_oracle(model: Model, options: dict) -> OracleChoice:
    """The aggregative engine for a large family under a common payoff of aggregates
    (sequential moves), else the grouped oracle when grouping is exact, else the plain
    one; ``options["oracle"]`` (auto, plain, grouped, aggregative) overrides."""
    wanted = str(options.get("oracle", "auto"))
    if wanted not in ORACLES:
        raise SpecError(f"unknown BRD oracle `{wanted}`",
                        span=model.spans.get("solve option oracle"),
                        hint="use " + ", ".join(ORACLES))
    if wanted == "plain":
        return OracleChoice("plain", "requested (oracle = plain)")
    grouping, reason = plan_grouping(model)
    if grouping is None:
        if wanted in ("grouped", "aggregative"):
            raise SolverError(f"the {wanted} oracle does not apply: {reason}")
        return OracleChoice("plain", f"grouping does not apply: {reason}")
    if wanted == "auto" and grouping.n_members <= GROUPING_MIN_MEMBERS:
        return OracleChoice("plain", f"{grouping.n_members} members: plain evaluation is "
                            f"cheap (grouping is used above {GROUPING_MIN_MEMBERS})")
    grouped_reason = f"members grouped by type: {reason}"
    if wanted == "grouped":
        return OracleChoice("grouped", grouped_reason, grouping)
    if options.get("mode") == "simultaneous":
        if wanted == "aggregative":
            raise SolverError("the aggregative oracle moves members one at a time",
                              hint="drop mode = \"simultaneous\" or use oracle = \"grouped\"")
        return OracleChoice("grouped", grouped_reason + "; simultaneous moves", grouping)
    try:
        plan = plan_aggregates(model, grouping)
    except Unsupported as exc:
        if wanted == "aggregative":
            raise SolverError(f"the aggregative oracle does not apply: {exc}") from None
        return OracleChoice("grouped", f"{grouped_reason}; not aggregative: {exc}", grouping)
    return OracleChoice("aggregative", f"{grouped_reason}; payoff of aggregates: "
                        f"{plan.describe()}", grouping, plan)


def solve(model: Model, cls: Classification, options: dict) -> Result:
    choice = choose_oracle(model, options)
    plain = ModelOracle(model)
    tol = float(options.get("tolerance", 1e-12))
    mode = "simultaneous" if options.get("mode") == "simultaneous" else "sequential"
    result, grouped, payoff = run_dynamics(model, choice, options, plain)
    if grouped is None and choice.grouping is not None:  # to compare weighted with plain
        grouped = GroupedOracle(model, choice.grouping, tol=tol)
    potential = plain.common_payoff if model.common_payoff is not None else None
    if result.status == "cycle":
        raise BRDNotConverged(result)
    profile = result.profile
    certificate = _certificate(model, choice, result, tol)
    if not result.converged:  # a pass or time limit: the best profile so far, not certified
        certificate = Certificate(
            f"NOT CERTIFIED: {result.describe()}; max unilateral gain at the last profile",
            certificate.residual, False, tol, certificate.details)
    values = _values(plain, profile, grouped is not None)
    if grouped is not None and "common payoff" in values:  # weighted against plain
        certificate.details["grouped_payoff_minus_plain"] = (
            grouped.common_payoff(profile) - values["common payoff"])
    extra = _run_facts(choice, grouped, payoff, result, int(options.get("seed", 0))) | {
        "start": options.get("start", "random"),
        "potential_checked": "no" if potential is None or mode != "sequential"
        else ("every pass" if grouped is not None else "every switch")}
    strategies = plain.label(profile)
    if options.get("figures"):  # what the plots draw (gamespec/plots/)
        from gamespec.solvers.brd.figure_data import figure_data

        extra["figures"] = figure_data(model, plain, profile, strategies,
                                       lambda fixed: profile_choices(model, plain, fixed))
    return Result(
        game=model.title, spec=model.path, spec_sha256=model.sha256, method=ENTRY.name,
        status=(Status.EQUILIBRIUM if certificate.ok else Status.NOT_CERTIFIED)
        if result.converged else Status(result.status), values=values,
        strategies=strategies, certificate=certificate,
        compare=compare_profiles(model, plain, profile), extra=extra,
    )


def run_dynamics(model: Model, choice: OracleChoice, options: dict,
                 plain: ModelOracle | None = None):
    """Best-response dynamics with the chosen oracle; returns the engine's result, the
    grouped oracle (None for plain runs) and the compiled payoff (aggregative runs only).
    The common payoff is checked never to fall: after every switch (plain oracle) or at
    every pass end (grouped: by weighted evaluation; aggregative: by the compiled terms at
    the aggregate summed from exact counts). Option `progress`: the passes on stderr (a
    terminal only)."""
    from gamespec.progress import Progress

    with Progress(None, "brd", unit="passes", enabled=bool(options.get("progress"))) as bar:
        return _run_dynamics(model, choice, options, plain, bar)


def _run_dynamics(model: Model, choice: OracleChoice, options: dict,
                  plain: ModelOracle | None, bar):
    plain = plain if plain is not None else ModelOracle(model)
    tol = float(options.get("tolerance", 1e-12))
    mode = "simultaneous" if options.get("mode") == "simultaneous" else "sequential"
    grouped = None
    if choice.grouping is not None and choice.plan is None:  # look-ahead: sequential only
        grouped = GroupedOracle(model, choice.grouping, tol=tol,
                                lookahead=None if mode == "sequential" else 1)
    run = dict(
        initial=_start_profile(model, plain, options.get("start")),
        seed=int(options.get("seed", 0)),
        tol=tol,
        max_passes=int(options.get("passes", 1000)),
        time_limit=options.get("time_limit"),
        on_progress=_progress_printer(bar) if options.get("progress") else None,
    )
    if choice.plan is not None:
        payoff = PlanPayoff(choice.plan)
        with np.errstate(all="ignore"):  # the payoff checks finiteness where it matters
            result = aggregative_brd(choice.plan.game, payoff, certify=False,
                                     potential=payoff.potential(choice.plan.game), **run)
        return result, grouped, payoff
    potential = plain.common_payoff if model.common_payoff is not None else None
    result = best_response_dynamics(
        grouped if grouped is not None else plain,
        mode=mode,
        potential=potential if grouped is None else grouped.common_payoff,
        potential_per_pass=grouped is not None,  # weighted evaluation: once per pass
        certify=grouped is None,
        **run,
    )
    return result, grouped, None


def _start_profile(model: Model, plain: ModelOracle, start) -> np.ndarray | None:
    """The named profile the `start` option asks the dynamics to begin from (None: a seeded
    random profile)."""
    if start is None:
        return None
    span = model.spans.get("solve option start")
    if not isinstance(start, str) or start not in model.profiles:
        known = ", ".join(f'"{name}"' for name in model.profiles) or "none declared"
        raise SpecError(f"`start` must name a profile of the spec, not {start!r}", span=span,
                        hint=f"profiles: {known} (declare one with `profile NAME {{ ... }}`)")
    return profile_choices(model, plain, model.profiles[start])


def _progress_printer(bar):
    """Each pass ticks the progress bar (gamespec.progress), its switches beside it."""

    def show(info) -> None:
        bar.advance()
        bar.note(f"pass {info.pass_index}: {info.switches:,} switches "
                 f"({info.total_switches:,} in all)")

    return show


def _certificate(model: Model, choice: OracleChoice, result, tol: float) -> Certificate:
    """The NE certificate: the engine's plain re-evaluation of every agent's alternatives,
    or, for the grouped oracle, a fresh weighted evaluation per occupied type-choice pair
    (members sharing a pair face the same decision)."""
    details = {"passes": result.passes, "switches": result.switches}
    if choice.grouping is None:
        gain = result.certificate.value
        return Certificate("max unilateral gain (plain re-evaluation)", gain, gain <= tol,
                           tol, details)
    best, pairs = grouped_certificate(model, choice.grouping, result.profile)
    details["pairs_checked"] = pairs
    return Certificate("max unilateral gain (fresh weighted re-evaluation of every occupied "
                       "type-choice pair)", best.value, best.value <= tol, tol, details)


def _values(plain: ModelOracle, profile: np.ndarray, common_only: bool) -> dict[str, float]:
    """Each agent's payoff (for at most 200 agents) and the common payoff, if any."""
    values: dict[str, float] = {}
    common = plain.common_payoff(profile) if plain.model.common_payoff is not None else None
    if plain.n_players <= 200:
        for k, agent in enumerate(plain.agents):
            values[agent.name] = (common if common_only and common is not None
                                  else float(plain.gains(k, profile)[profile[k]]))
    if common is not None:
        values["common payoff"] = common
    return values


def _run_facts(choice: OracleChoice, grouped: GroupedOracle | None,
               payoff: PlanPayoff | None, result, seed: int) -> dict:
    """What the Result's extra says about the run: oracle and why, types, passes, switches,
    and the oracle's own work counts."""
    facts = {"oracle": choice.name, "oracle_reason": choice.reason,
             "types": choice.grouping.n_types if choice.grouping is not None else None,
             "passes": result.passes, "switches": result.switches, "seed": seed}
    if choice.grouping is not None:
        facts["type_data"] = list(choice.grouping.type_tables)
    if payoff is not None:
        facts["aggregates"] = list(choice.plan.slots)
        facts["decisions_priced"] = payoff.decisions
        facts["exact_moves"] = payoff.exact_moves
        facts["window_refreshes"] = payoff.refreshes
    elif grouped is not None:
        facts["grouped_evaluations"] = grouped.evaluations
        facts["decisions_priced"] = grouped.decisions_priced
    return facts


# --------------------------------------------------------------------------- compare


def compare_profiles(model: Model, oracle: ModelOracle, equilibrium: np.ndarray) -> dict:
    """The common payoff and every scalar let at the equilibrium and at each named profile
    (plain evaluation); a profile that cannot be played records its error instead."""
    out = {"equilibrium": scalar_report(model, oracle, equilibrium)}
    for name, fixed in model.profiles.items():
        try:
            out[name] = scalar_report(model, oracle, profile_choices(model, oracle, fixed))
        except GamespecError as exc:
            out[name] = {"error": exc.message}
    return out


def scalar_report(model: Model, oracle: ModelOracle, profile: np.ndarray) -> dict[str, float]:
    """The common payoff (or each player's payoff, for a few agents) and every scalar let
    that evaluates to a number at ``profile``."""
    ctx = oracle._bind(np.asarray(profile), None)
    out: dict[str, float] = {}
    if model.common_payoff is not None:
        out["common payoff"] = float(evaluate(model.common_payoff, ctx).data)
    elif oracle.n_players <= 200:
        for k, agent in enumerate(oracle.agents):
            out[f"payoff {agent.name}"] = float(oracle.gains(k, profile)[profile[k]])
    for name, let in model.lets.items():
        if let.variables:
            continue
        try:
            value = evaluate(let.symbol, ctx)
        except GamespecError:
            continue
        if not value.axes:
            out[name] = float(value.data)
    return out


def profile_choices(model: Model, oracle: ModelOracle, fixed: FixedProfile) -> np.ndarray:
    """A named profile as the choice index of every agent."""
    profile = np.full(oracle.n_players, -1, dtype=np.int64)
    owners = {p.strategies[0].name: p for p in model.players.values()}
    seen: set[str] = set()
    for target, variables, sets, expr in fixed.assignments:
        if target in seen:
            raise SpecError(f"profile `{fixed.name}` sets `{target}` twice", span=fixed.span)
        seen.add(target)
        player = owners.get(target)
        if player is None or player.strategies[0].kind != "choice":
            raise SpecError(f"profile `{fixed.name}`: `{target}` is not a pure choice",
                              span=fixed.span)
        ctx = base_context(model)
        ctx.index_sets.update(dict(zip(variables, sets)))
        value = evaluate(expr, ctx)
        start = oracle._first_agent[player.name]
        if player.kind == "family":
            n = len(player.member_set)
            own = tuple(v.name for v in variables)
            if len(own) > 1 or any(a not in own for a in value.axes) or (
                    own and len(sets[0]) != n):
                raise SpecError(f"profile `{fixed.name}` must set `{target}` per member "
                                  f"of {player.member_set.label}", span=fixed.span)
            chosen = np.broadcast_to(np.asarray(value.aligned(own)).reshape(-1), (n,))
        else:
            n, chosen = 1, np.asarray(value.data).reshape(1)
        profile[start:start + n] = _domain_positions(player.strategies[0].domain, chosen,
                                                     fixed)
    missing = [a.name for a, c in zip(oracle.agents, profile) if c < 0]
    if missing:
        raise SpecError(f"profile `{fixed.name}` does not fix `{missing[0]}`", span=fixed.span)
    return profile


def _domain_positions(domain: FiniteSet, chosen: np.ndarray, fixed: FixedProfile) -> np.ndarray:
    """Positions in ``domain`` of the chosen values (numbers matched to 1e-9 relative)."""
    if domain.symbolic:
        lookup = {e: k for k, e in enumerate(domain.elements)}
        keys = [lookup.get(str(v)) for v in chosen.tolist()]
        if any(k is None for k in keys):
            raise SpecError(f"profile `{fixed.name}` picks a value outside {domain.describe()}",
                              span=fixed.span)
        return np.asarray(keys, dtype=np.int64)
    values = domain.values()
    close = np.isclose(np.asarray(chosen, dtype=float)[:, None], values[None, :],
                       rtol=1e-9, atol=1e-12)
    if not close.any(axis=1).all():
        raise SpecError(f"profile `{fixed.name}` picks a value outside {domain.describe()}",
                          span=fixed.span)
    return np.argmax(close, axis=1).astype(np.int64)


ENTRY = SolverEntry(
    name="brd",
    covers=('one pure Nash equilibrium, reached by best-response dynamics from the start '
            'profile; others may exist (enumerate lists every pure one)'),
    summary="best-response dynamics to a pure Nash equilibrium (any finite game)",
    can_solve=can_solve,
    solve=solve,
    options=(
        SolverOption("oracle", "str", "auto", "how deviations are priced: plain evaluation, "
                     "grouped by member type, aggregative, or auto (the fastest that applies)",
                     choices=("auto", "plain", "grouped", "aggregative")),
        SolverOption("mode", "str", "sequential", "sequential (one agent at a time: an exact "
                     "potential rises) or simultaneous (everybody best-responds at once)",
                     choices=("sequential", "simultaneous")),
        SolverOption("tolerance", "float", 1e-12, "a switch must gain more than this",
                     low=0, low_open=True),
        SolverOption("start", "str", None, "the named profile to start from (default: a "
                     "seeded random profile)"),
        SolverOption("passes", "int", 1000, "stop after this many passes over the agents "
                     "(not certified)", low=1),
    ),
)
