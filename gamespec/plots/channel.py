"""A leader's channel: the conditioned mixed strategy f(s | r) as a heat map, beside the
rows' weights (a distribution over the rows the spec defines), drawn at the rows'
coordinates with the off-diagonal mass as arrows when the spec gives coordinates.

Draws `Result.extra["figures"]["channel"]` (recorded by the LP method)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from gamespec.plots.common import ACCENT, figure, floats


def draw(data: dict, result, **_: Any):
    from matplotlib.colors import PowerNorm

    leader, name = data["player"], data["strategy"]
    rows, cols = [str(r) for r in data["rows"]], [str(c) for c in data["columns"]]
    F = np.array([floats(row) for row in data["matrix"]])
    weights_data, coords = data.get("weights"), data.get("coordinates")
    fig = figure(12.5, 5.6)
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.15])
    image = left.imshow(F, cmap="magma_r", vmin=0, vmax=1, aspect="equal")
    fig.colorbar(image, ax=left, label=f"{name}(s | r): probability of s given r", shrink=0.85)
    if len(rows) <= 12 and len(cols) <= 12:
        for i in range(len(rows)):
            for j in range(len(cols)):
                if F[i, j] > 5e-4:
                    left.text(j, i, f"{F[i, j]:.2g}", ha="center", va="center", fontsize=9,
                              color="white" if F[i, j] > 0.5 else "black")
    step = max(1, len(rows) // 15)
    left.set_xticks(range(0, len(cols), step), cols[::step])
    left.set_yticks(range(0, len(rows), step), rows[::step])
    left.set_xlabel(f"s (in {data['column_set']})")
    left.set_ylabel(f"r (in {data['row_set']})")
    left.set_title(f"{leader}'s channel {name}")
    if weights_data is not None:
        weights, weight_name = floats(weights_data["values"]), weights_data["name"]
    else:
        weights, weight_name = np.full(len(rows), 1.0 / len(rows)), None
    if coords is not None and rows == cols:
        xs, ys = floats(coords["x"]), floats(coords["y"])
        for i in range(len(rows)):
            for j in range(len(cols)):
                if i != j and F[i, j] > 0.02:
                    right.annotate("", (xs[j], ys[j]), (xs[i], ys[i]), zorder=1,
                                   arrowprops={"arrowstyle": "-|>", "color": "grey",
                                               "lw": 0.5 + 2 * F[i, j],
                                               "alpha": 0.3 + 0.6 * F[i, j],
                                               "shrinkA": 6, "shrinkB": 8})
        size = 60 + 600 * np.sqrt(weights / max(float(weights.max()), 1e-12))
        points = right.scatter(xs, ys, s=size, c=weights, cmap="viridis", edgecolors="black",
                               norm=PowerNorm(0.5, vmin=0), zorder=2)
        fig.colorbar(points, ax=right, label=f"{weight_name}(r)" if weight_name
                     else "uniform (no distribution over the rows in the spec)", shrink=0.85)
        for k, label in enumerate(rows):
            offset = 4 + 0.5 * math.sqrt(size[k])  # clear of the marker
            right.annotate(label, (xs[k], ys[k]), textcoords="offset points",
                           xytext=(offset, offset), fontsize=8 if len(rows) > 12 else 10)
        right.set_xlabel(coords["x_label"])
        right.set_ylabel(coords["y_label"])
        right.set_aspect("equal", adjustable="datalim")
        right.margins(0.12)
        shown = weight_name or "uniform weight"
        right.set_title(f"rows coloured by {shown} (square-root scale); arrows: r sent to s")
    else:
        right.bar(range(len(rows)), weights, color=ACCENT[0])
        right.set_xticks(range(0, len(rows), step), rows[::step])
        right.set_xlabel(f"r (in {data['row_set']}); the spec gives no coordinates")
        right.set_ylabel(f"{weight_name}(r)" if weight_name else "uniform weight")
        right.set_title(f"the weight of each row: {weight_name or 'uniform'}")
    right.grid(alpha=0.3)
    value = result.values.get(leader)
    fig.suptitle(f"{result.game}: {leader}'s value {value:.4g} ({result.method}, "
                 f"certificate {'ok' if result.certificate.ok else 'NOT OK'})"
                 if isinstance(value, (int, float)) else result.game)
    return fig
