"""A leader's channel: the conditioned mixed strategy f(s | r) as a heat map, beside the
rows' weights (a distribution over the rows the spec defines), drawn at the rows'
coordinates with the off-diagonal mass as arrows when the spec gives coordinates.

Draws `Result.extra["figures"]["channel"]` (recorded by the LP method)."""
from __future__ import annotations

from typing import Any

import numpy as np

from gamespec.plots import style
from gamespec.plots.common import ACCENT, figure, floats


def draw(data: dict, result, **_: Any):
    leader, name = data["player"], data["strategy"]
    rows, cols = [str(r) for r in data["rows"]], [str(c) for c in data["columns"]]
    F = np.array([floats(row) for row in data["matrix"]])
    weights_data, coords = data.get("weights"), data.get("coordinates")
    fig = figure(12.5, 5.6)
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.15])
    image = left.imshow(F, cmap=style.CHANNEL, vmin=0, vmax=1, aspect="equal")
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
    value = result.values.get(leader)
    fig.suptitle(f"{result.game}: {leader}'s value {value:.4g} ({result.method}, "
                 f"certificate {'ok' if result.certificate.ok else 'NOT OK'})"
                 if isinstance(value, (int, float)) else result.game)
    if coords is not None and rows == cols:
        _map(fig, right, F, rows, weights, weight_name, coords)
    else:
        right.bar(range(len(rows)), weights, color=ACCENT[0])
        right.set_xticks(range(0, len(rows), step), rows[::step])
        right.set_xlabel(f"r (in {data['row_set']}); the spec gives no coordinates")
        right.set_ylabel(f"{weight_name}(r)" if weight_name else "uniform weight")
        right.set_title(f"the weight of each row: {weight_name or 'uniform'}")
    right.grid(alpha=0.3)
    return fig


def _map(fig, ax, F, rows, weights, weight_name, coords) -> None:
    """The rows at their coordinates, sized and coloured by weight, labelled without
    overlaps; arrows for the mass the channel moves from r to s."""
    from matplotlib.colors import PowerNorm

    from gamespec.plots.labels import place_labels

    xs, ys = floats(coords["x"]), floats(coords["y"])
    for i in range(len(rows)):
        for j in range(len(rows)):
            if i != j and F[i, j] > 0.02:
                ax.annotate("", (xs[j], ys[j]), (xs[i], ys[i]), zorder=1,
                            arrowprops={"arrowstyle": "-|>", "color": "0.35",
                                        "lw": 0.4 + 1.6 * F[i, j], "alpha": 0.25 + 0.5 * F[i, j],
                                        "shrinkA": 5, "shrinkB": 7, "mutation_scale": 9})
    size = 40 + 500 * np.sqrt(weights / max(float(weights.max()), 1e-12))
    points = ax.scatter(xs, ys, s=size, c=weights, cmap=style.SEQUENTIAL, edgecolors="black",
                        linewidths=0.6, norm=PowerNorm(0.5, vmin=0), zorder=2)
    fig.colorbar(points, ax=ax, label=f"{weight_name}(r)" if weight_name
                 else "uniform (no distribution over the rows in the spec)", shrink=0.85)
    ax.set_xlabel(_axis_label(coords, "x"))
    ax.set_ylabel(_axis_label(coords, "y"))
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.08)
    shown = weight_name or "uniform weight"
    ax.set_title(f"regions coloured by {shown} (square-root scale); arrows: r reported as s")
    fig.draw_without_rendering()  # the layout settles before the labels are placed
    order = np.argsort(-weights, kind="stable")
    place_labels(ax, xs, ys, rows, np.sqrt(size) / 2, fontsize=8 if len(rows) > 12 else 10,
                 order=order)


def _axis_label(coords: dict, axis: str) -> str:
    """`x (km)` for a data column city.x in km; the name alone when no unit is known."""
    name = str(coords[f"{axis}_label"]).rpartition(".")[2]
    unit = coords.get(f"{axis}_unit")
    return f"{name} ({unit})" if unit else name
