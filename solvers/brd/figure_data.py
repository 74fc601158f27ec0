"""The pictures of a BRD solve (`Result.extra["figures"]`, asked for with the option
`figures = true`): every quantity indexed by one set (a `let` or `param` over a set of at
most MAX_ELEMENTS elements) at the equilibrium and at each named profile, for the
distribution picture; then the payoff table when the game is small enough for one."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gamespec.errors import GamespecError
from gamespec.evaluate import evaluate
from gamespec.model import Model

MAX_ELEMENTS = 1000
SOLUTION = "solution"


def figure_data(model: Model, oracle, equilibrium: np.ndarray, strategies: dict,
                choices_of: Callable) -> dict:
    """`choices_of(profile)`: a named profile's choices (brd's `profile_choices`)."""
    from gamespec.solvers.finite.payoff_table_figure import figures_of_finite_game
    from gamespec.solvers.finite.pure_enumeration import pure_equilibria

    first: dict = {}
    distribution = _distribution(model, oracle, equilibrium, choices_of)
    if distribution is None:
        first["unavailable"] = {"distribution": "no let or param indexed by one set of at "
                                                f"most {MAX_ELEMENTS} elements"}
    else:
        first["distribution"] = distribution
    return figures_of_finite_game(model, strategies, pure_equilibria, first=first)


def _distribution(model: Model, oracle, equilibrium: np.ndarray, choices_of) -> dict | None:
    """{"sets": {set: {"labels", "series": {name: {"varies", "values": {at: [...]}}}}},
    "profiles": [...]}; lets vary with the choices, params do not."""
    profiles = {SOLUTION: equilibrium}
    for name, fixed in model.profiles.items():
        try:
            profiles[name] = choices_of(fixed)
        except GamespecError:
            continue  # compare records why the profile cannot be played
    contexts = {at: oracle._bind(np.asarray(choices), None) for at, choices in profiles.items()}
    sets: dict = {}

    def group(over) -> dict:
        return sets.setdefault(over.name, {"labels": [str(_plain(e)) for e in over.elements],
                                           "series": {}})

    for let in model.lets.values():
        if len(let.index_sets) != 1 or len(let.index_sets[0]) > MAX_ELEMENTS:
            continue
        over = let.index_sets[0]
        values = {}
        for at, ctx in contexts.items():
            vector = _indexed_let(let, ctx)
            if vector is None:
                break
            values[at] = vector
        else:
            group(over)["series"][let.name] = {"varies": True, "values": values}
    # params join only the sets over which a let is drawn
    for param in model.params.values():
        if len(param.index_sets) != 1 or param.array is None:
            continue
        over = param.index_sets[0]
        if over.name in sets:
            group(over)["series"][param.name] = {
                "varies": False,
                "values": {SOLUTION: np.asarray(param.array, dtype=float).reshape(-1)}}
    if not sets:
        return None
    return {"sets": sets, "profiles": [p for p in profiles if p != SOLUTION]}


def _indexed_let(let, ctx) -> np.ndarray | None:
    """A one-index let as a vector over its set, or None if it does not evaluate to one."""
    variable, over = let.variables[0], let.index_sets[0]
    inner = ctx.child(index_sets={**ctx.index_sets, variable: over})
    try:
        value = evaluate(let.expr, inner)
        data = np.asarray(value.aligned((variable.name,)), dtype=float)
    except (GamespecError, ValueError, KeyError):
        return None
    return np.broadcast_to(data.reshape(-1), (len(over),)).astype(float)


def _plain(element):
    return int(element) if isinstance(element, float) and element.is_integer() else element
