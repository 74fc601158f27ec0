"""The samples the trajectory picture needs (`Result.extra["figures"]["trajectory"]`,
asked for with the option `figures = true`): the certified Euler-Lagrange solution on a
fine grid of its index, and the update rules' series with their fixed point."""
from __future__ import annotations

import numpy as np

from gamespec.model import Model

TIME_POINTS = 801


def coordinates_figure(model: Model, trajectory, span: tuple[float, float]) -> dict:
    """Each coordinate and its derivative on TIME_POINTS points of the index interval
    (the integrator's dense output), with the trajectory's certificate."""
    times = np.linspace(span[0], span[1], TIME_POINTS)
    q, v = trajectory.at(times)
    cert = trajectory.certificate
    return {"index": str(model.dynamics.index), "t": times,
            "coords": [{"name": name, "position": q[k], "rate": v[k]}
                       for k, name in enumerate(trajectory.coords)],
            "residual": float(cert.residual), "ok": bool(cert.ok)}


def figure_data(model: Model, coordinates: dict | None, updates) -> dict:
    """{"trajectory": {"coordinates": ..., "updates": ...}}; `updates` is (series, fixed
    point) from the solve, or None."""
    out: dict = {"coordinates": coordinates, "updates": None}
    if updates is not None:
        series, fixed = updates
        params = model.scalar_values()
        stars = {}
        for key, value in (fixed or {}).items():
            number = value.xreplace(params)
            if not number.free_symbols:
                stars[str(key).removesuffix("_star")] = float(number)
        out["updates"] = {"index": str(model.updates.index),
                          "start": min(int(e) for e in model.updates.rounds.elements),
                          "series": {name: list(values) for name, values in series.items()},
                          "fixed_point": stars}
    if out["coordinates"] is None and out["updates"] is None:
        return {"unavailable": {"trajectory": "no dynamics or update rules to draw"}}
    return {"trajectory": out}
