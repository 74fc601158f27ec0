"""A Result as a tidy long table (`tidy_rows`): one row per player × action, per condition
(information set, observed signal, type) × action, or per series point, with plain cells
(numbers, labels, exact text), never a dict or JSON text. What `Result.to_dataframe()`,
`Result.to_csv()` and `gamespec solve --format csv` give. Reads only a Result's generic
fields (strategies, values, the listed equilibria) and imports no other gamespec module.
"""
from __future__ import annotations

import math
import re
from typing import Any

COLUMNS = ("equilibrium", "profile", "player", "series", "given", "action", "index",
           "probability", "flow", "value", "exact_action", "exact_probability", "exact_flow",
           "exact_value")
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?[0-9]+[eE][+-]?[0-9]+")


def tidy_rows(result) -> list[dict]:
    """The long table of a Result (columns in `COLUMNS` order; see docs/results.md#tables):

    - `equilibrium` (1, 2, ...) when the result lists several equilibria (or tree equilibria);
    - `player`, then `given` (the condition of a conditioned strategy: an information set,
      the signal or region observed, a type, `path`/`punishment`) and `action`;
    - `probability` (a share for a population; `flow` for a congestion network), 1 for a
      pure choice; a continuous strategy is its number in `action`;
    - `value`: the player's payoff (per type when the result keys it `player[type]`);
    - `exact_probability` / `exact_action` / `exact_value`: the exact text ("3/5") where the
      result has it;
    - a correlated equilibrium: `profile` (1, 2, ...) × `player`, the profile's probability;
    - dynamics: `series`, `index` (a point of the interval or a round), `value`.

    Numeric labels ("10") become numbers, and keys that are all numbers are sorted
    numerically (1, 2, 10); other keys keep the order the result holds (the spec's order).
    """
    if result.method == "dynamics":
        return _series_rows(result)
    if not result.strategies and isinstance(result.extra.get("distribution"), list):
        return _distribution_rows(result)
    quantity = "flow" if "network" in result.extra else "probability"
    listed, key = result.extra.get("equilibria"), "profile"
    if listed is None and result.extra.get("tree_equilibria") is not None:
        listed, key = result.extra["tree_equilibria"], "behaviour"
    if listed is None:
        return _answer_rows(None, result.strategies, result.values, {}, {}, quantity)
    rows: list[dict] = []
    for k, eq in enumerate(listed, 1):
        exact = eq.get("exact") or eq.get("exact_algebraic") or {}
        rows += _answer_rows(k, eq.get(key, {}), eq.get("payoffs", {}), exact,
                             eq.get("exact_payoffs", {}), quantity)
    return rows


def tidy_columns(rows: list[dict]) -> list[str]:
    """The columns the rows use, in `COLUMNS` order (others after, first seen first)."""
    seen = {k for row in rows for k, v in row.items() if v is not None}
    extra = [k for row in rows for k in row if k not in COLUMNS and k in seen]
    return [c for c in COLUMNS if c in seen] + list(dict.fromkeys(extra))


def label(value: Any) -> Any:
    """A label that is a numeral as its number ("10" -> 10, "0.5" -> 0.5); else unchanged."""
    if isinstance(value, str):
        if _INT.fullmatch(value):
            return int(value)
        if _FLOAT.fullmatch(value):
            number = float(value)
            if math.isfinite(number):
                return number
    return value


def ordered(keys) -> list:
    """The keys sorted numerically when every one is a numeral; else in their order."""
    keys = list(keys)
    numbers = [label(k) for k in keys]
    if keys and all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers):
        return [k for _, k in sorted(zip(numbers, keys), key=lambda pair: pair[0])]
    return keys


def _answer_rows(k, strategies: dict, payoffs: dict, exact: dict, exact_payoffs: dict,
                 quantity: str) -> list[dict]:
    rows = []
    for player in ordered(strategies):
        for given, action, amount, exact_action, exact_amount in _entries(
                strategies[player], exact.get(player)):
            row = {"equilibrium": k, "player": player, "given": label(given),
                   "action": label(action), quantity: amount,
                   "value": _number(_value_of(payoffs, player, given)),
                   "exact_action": exact_action, f"exact_{quantity}": exact_amount,
                   "exact_value": _text(_value_of(exact_payoffs, player, given))}
            rows.append(row)
    for player in payoffs:  # a value with no strategy ("common payoff"), not a type's value
        if player not in strategies and not _is_type_value(player, strategies):
            rows.append({"equilibrium": k, "player": player, "value": _number(payoffs[player]),
                         "exact_value": _text(exact_payoffs.get(player))})
    return rows


def _entries(strategy, exact):
    """(given, action, amount, exact action, exact amount) for one player's strategy."""
    if isinstance(strategy, dict):
        for key in ordered(strategy):
            inner, inner_exact = strategy[key], exact.get(key) if isinstance(exact, dict) else None
            if isinstance(inner, dict):  # conditioned: {given: {action: probability}}
                for action in ordered(inner):
                    yield (key, action, _number(inner[action]), None,
                           _text(inner_exact.get(action) if isinstance(inner_exact, dict)
                                 else None))
            elif isinstance(inner, (int, float)) and not isinstance(inner, bool):
                yield None, key, _number(inner), None, _text(inner_exact)
            else:  # {given: label}: a type's or a phase's pure choice
                yield key, inner, 1.0, None, None
    elif isinstance(strategy, (list, tuple)):
        for index, item in enumerate(strategy):
            yield index, item, None, None, None
    elif isinstance(strategy, (int, float)) and not isinstance(strategy, bool):
        yield None, _number(strategy), 1.0, _text(exact), None
    else:  # a pure label
        sure = exact.get(strategy) if isinstance(exact, dict) else None
        yield None, strategy, 1.0, None, _text(sure)


def _value_of(payoffs: dict, player, given):
    if player in payoffs:
        return payoffs[player]
    if given is not None:
        return payoffs.get(f"{player}[{given}]")
    return None


def _is_type_value(name: str, strategies: dict) -> bool:
    head, _, rest = name.partition("[")
    return bool(rest) and isinstance(strategies.get(head), dict)


def _distribution_rows(result) -> list[dict]:
    """A correlated equilibrium: each recommended profile × player."""
    rows = []
    for k, entry in enumerate(result.extra["distribution"], 1):
        for player, action in entry.get("profile", {}).items():
            rows.append({"profile": k, "player": player, "action": label(action),
                         "probability": _number(entry.get("probability")),
                         "value": _number(result.values.get(player))})
    return rows


def _series_rows(result) -> list[dict]:
    """Dynamics: each series at each point (index), then the named end values."""
    rows = []
    for name, series in result.strategies.items():
        if isinstance(series, dict):
            rows += [{"series": name, "index": label(i), "value": _number(series[i])}
                     for i in ordered(series)]
        elif isinstance(series, (list, tuple)):
            rows += [{"series": name, "index": i, "value": _number(v)}
                     for i, v in enumerate(series)]
    rows += [{"series": name, "value": _number(v) if not isinstance(v, str) else v}
             for name, v in result.values.items()]
    return rows


def _number(value):
    """A float as a float (numpy scalars too), an int as an int; None and text unchanged."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _text(value):
    return None if value is None else str(value)
