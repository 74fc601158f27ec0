"""The pictures of an LP solve (`Result.extra["figures"]`, asked for with the option
`figures = true`): a leader's channel, its strategy conditioned on one set, with the
rows' labels, the rows' weights (the first parameter over the rows that is a probability
distribution) and coordinates when the spec has them; else the payoff table."""
from __future__ import annotations

import numpy as np

from gamespec.model import Model

# Coordinate pairs looked for over the rows: parameters, then data columns `table.NAME`.
COORDINATE_NAMES = (("x", "y"), ("lon", "lat"))


def figure_data(model: Model, game, leader: str, matrix: np.ndarray, strategies: dict) -> dict:
    """{"channel": ...} for a conditioned leader strategy, then the payoff table."""
    from gamespec.solvers.finite.payoff_table_figure import figures_of_finite_game
    from gamespec.solvers.finite.pure_enumeration import pure_equilibria

    strategy = game.leader
    first = {}
    if len(strategy.condition_sets) == 1:
        rows_set, cols_set = strategy.condition_sets[0], strategy.domain
        first["channel"] = {
            "player": leader, "strategy": strategy.name, "row_set": rows_set.name,
            "column_set": cols_set.name, "rows": [str(r) for r in game.state_labels],
            "columns": [str(c) for c in game.choice_labels], "matrix": np.asarray(matrix),
            "weights": _weights(model, rows_set), "coordinates": _coordinates(model, rows_set)}
        return first  # a channel's payoff table would be too large to be a picture
    return figures_of_finite_game(model, strategies, pure_equilibria, first=first)


def _one_index_params(model: Model, over):
    for param in model.params.values():
        if len(param.index_sets) == 1 and param.index_sets[0].elements == over.elements \
                and param.array is not None:
            yield param.name, np.asarray(param.array, dtype=float).reshape(-1)


def _weights(model: Model, over) -> dict | None:
    """The first parameter over the rows whose values are a probability distribution."""
    for name, values in _one_index_params(model, over):
        if values.size == len(over) and np.all(values >= 0) and abs(values.sum() - 1) < 1e-9:
            return {"name": name, "values": values}
    return None


def _coordinates(model: Model, over) -> dict | None:
    """(x, y) of the rows: parameters named x/y (lon/lat) over them, else data columns
    table.x/table.y (table.lon/table.lat) keyed by them, with the columns' units when the
    data source states them; None when there are none."""
    params = dict(_one_index_params(model, over))
    for xn, yn in COORDINATE_NAMES:
        if xn in params and yn in params:
            return {"x": params[xn], "y": params[yn], "x_label": xn, "y_label": yn}
        for key, (_, rows, values) in model.columns.items():
            table, _, column = key.rpartition(".")
            other = model.columns.get(f"{table}.{yn}")
            if column == xn and other is not None and rows.elements == over.elements:
                units = getattr(model.data.get(table), "units", None) or {}
                return {"x": np.asarray(values, dtype=float),
                        "y": np.asarray(other[2], dtype=float),
                        "x_label": f"{table}.{xn}", "y_label": f"{table}.{yn}",
                        "x_unit": units.get(xn), "y_unit": units.get(yn)}
    return None
