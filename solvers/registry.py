"""The ordered registry of solvers; the plan picks the first whose `can_solve` accepts."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from gamespec.analysis import Classification
from gamespec.errors import SolverError
from gamespec.model import Model, Span
from gamespec.result import Result
from gamespec.solvers.method_names import METHOD_MODULES, unknown_method
from gamespec.solvers.options import SolverOption

# Most specific first: method name -> its module (each defines ENTRY, a SolverEntry), in
# gamespec.solvers.method_names (importable without this module's imports). Modules are
# imported when first needed, so a solve imports only the methods it tries.
SOLVER_MODULES = tuple(METHOD_MODULES.values())


class Refusal(str):
    """A reason a method does not apply, with the place in the spec it is about (or None)."""

    span: Span | None

    def __new__(cls, text: str, span: Span | None = None) -> Refusal:
        refusal = super().__new__(cls, text)
        refusal.span = span
        return refusal


@dataclass(frozen=True)
class SolverEntry:
    """name: what --method takes; can_solve returns (True, "") or (False, reason).

    derive, if given, adds this method's symbolic conditions to a Derivation
    (`gamespec derive`) when can_solve accepts the game. options declares every option
    the method reads besides the run settings (seed, time_limit, progress).
    """

    name: str
    summary: str
    can_solve: Callable[[Model, Classification], tuple[bool, str]]
    solve: Callable[..., Result]
    derive: Callable | None = None
    uses_constraints: bool = False  # False: a spec with `subject to` is refused, not ignored
    options: tuple[SolverOption, ...] = ()  # what `solve using NAME { ... }` may set
    covers: str = ""  # which equilibria an answer covers (every Result says it)

    def fits(self, model: Model, cls: Classification) -> tuple[bool, str]:
        """Whether this method applies, and why not; constraints it would drop refuse it."""
        ok, reason = self.can_solve(model, cls)
        if ok and not self.uses_constraints:
            constrained = [p for p in model.players.values() if p.constraints]
            if constrained:
                constraint = constrained[0].constraints[0]
                return False, Refusal(f"`{constrained[0].name}` has a constraint "
                                      f"(`{constraint.name}`) and this method does not take "
                                      f"constraints", constraint.span)
        return ok, reason


def entry_of(name: str) -> SolverEntry:
    """The method called `name` (its module imported now, so a broken backend names itself)."""
    entry = importlib.import_module(f"gamespec.solvers.{METHOD_MODULES[name]}").ENTRY
    assert entry.name == name, (name, entry.name)
    return entry


def registry() -> list[SolverEntry]:
    """Every solver, in order."""
    return [entry_of(name) for name in METHOD_MODULES]


def applicable(model: Model, cls: Classification) -> list[tuple[SolverEntry, bool, str]]:
    return [(e, *e.fits(model, cls)) for e in registry()]


def plan(model: Model, cls: Classification, method: str | None = None) -> SolverEntry:
    """The solver to run: --method, else the spec's `solve using`, else the first that applies."""
    names = list(METHOD_MODULES)
    wanted = method or model.solve_method
    if wanted is not None:
        if wanted not in METHOD_MODULES:
            raise unknown_method(wanted, None if method else model.spans.get("solve using"))
        chosen = entry_of(wanted)
        ok, reason = chosen.fits(model, cls)
        if not ok:
            others = [e.name for e, fits, _ in applicable(model, cls) if fits]
            hint = ("methods that apply to this game: " + ", ".join(others)
                    + " (drop --method to use the first)") if others else (
                "no method applies to this game; `gamespec info FILE` says why")
            raise SolverError(f"method `{wanted}` does not apply: {reason}", hint=hint,
                              span=getattr(reason, "span", None))
        return chosen
    if not model.players and not cls.dynamic and model.network is None:
        raise SolverError(
            "the spec declares no players (and no repeated play, dynamics or update rules): "
            "there is nothing to solve",
            hint="add `player NAME { choose x in {A, B} }` and `payoff NAME = ...` "
                 "(docs/tutorial.md walks through one)")
    reasons = []
    for name in names:
        entry = entry_of(name)
        ok, reason = entry.fits(model, cls)
        if ok:
            return entry
        reasons.append(f"{entry.name}: {reason}")
    raise SolverError(
        f"no solver applies to this game ({describe_class(cls)})",
        hint="methods and why they do not apply: " + "; ".join(reasons),
    )


def describe_class(cls: Classification) -> str:
    parts = ["finite" if cls.finite else "continuous" if cls.continuous
             # a non-atomic population over a finite set: its state is the simplex of shares
             else "finite choices" if cls.populations else "infinite"]
    if cls.tree is not None:
        parts = ["game tree"]
        if cls.tree["perfect_information"]:
            parts.append("perfect information")
    if cls.dynamic:
        parts.append("dynamic")
    if cls.zero_sum:
        parts.append(cls.sum_kind or "zero-sum")
    if cls.common_interest:
        parts.append("common-interest")
    if cls.sequential:
        parts.append("sequential (" + " -> ".join("{" + ",".join(g) + "}" for g in cls.order) + ")")
    if cls.populations:
        parts.append("population")
    if cls.tree is None:
        parts.append(cls.linearity)
    return ", ".join(parts)
