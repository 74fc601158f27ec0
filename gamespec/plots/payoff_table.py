"""A payoff table as one bimatrix: each cell split into one strip per agent, every strip
coloured on one shared payoff scale and labelled with that agent's payoff (left to right:
the agents in order). Pure equilibria outlined, the solved answer dashed; with three or
more agents, one panel per profile of the others, so no agent is left out.

Draws `Result.extra["figures"]["payoff-table"]` (tabulated by the finite methods)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from gamespec.plots import style
from gamespec.plots.common import EQUILIBRIUM, figure, floats

ANNOTATE = 144  # cells per panel up to which every payoff is written out


def draw(data: dict, result, **_: Any):
    agents, rows, cols = data["agents"], data["rows"], data["columns"]
    panels = data.get("panels") or [{"others": [], "payoffs": data["payoffs"],
                                     "equilibria": data["equilibria"],
                                     "answer": data.get("answer")}]
    tables = [np.array([[floats(r) for r in p["payoffs"][k]] for k in range(len(agents))])
              for p in panels]
    low = min(float(np.nanmin(t)) for t in tables)
    high = max(float(np.nanmax(t)) for t in tables)
    norm = _norm(low, high)
    ncols = min(len(panels), 3)
    nrows = math.ceil(len(panels) / ncols)
    cell_w, cell_h = 0.42 * len(agents) + 0.3, 0.5
    width = min(max(ncols * (cell_w * len(cols) + 1.4) + 1.4, 5.5), 18.0)
    height = min(max(nrows * (cell_h * len(rows) + 1.3) + 1.2, 3.6), 16.0)
    fig = figure(width, height)
    grid = fig.subplots(nrows, ncols, squeeze=False)
    mixed = {int(k): v for k, v in data.get("mixed", {}).items()}
    image = None
    for k, ax in enumerate(grid.flat):
        if k >= len(panels):
            ax.set_axis_off()
            continue
        image = _panel(ax, tables[k], panels[k], data, norm, mixed)
    bar = fig.colorbar(image, ax=list(grid.flat), shrink=0.9, aspect=25)
    bar.set_label("payoff")
    key = "each cell: the payoffs of " + ", ".join(agents) + ", left to right"
    fig.suptitle(f"{result.game}\n{key}; {_note(data, result, bool(mixed))}")  # wrapped
    return fig


def _norm(low: float, high: float):
    from matplotlib.colors import Normalize

    if not high > low:  # a constant table: any colour, the same for all
        low, high = low - 1.0, high + 1.0
    return Normalize(low, high)


def _panel(ax, table: np.ndarray, panel: dict, data: dict, norm, mixed: dict):
    """One bimatrix: agents x rows x columns payoffs as strips, numbers, outlines."""
    from matplotlib.patches import Rectangle

    n, nr, nc = table.shape
    strips = np.transpose(table, (1, 2, 0)).reshape(nr, nc * n)  # cell (i, j) strip k
    image = ax.imshow(strips, cmap=style.SEQUENTIAL, norm=norm, aspect="auto",
                      interpolation="nearest", extent=(-0.5, nc - 0.5, nr - 0.5, -0.5))
    if max(nr, nc) <= 40:  # cells apart (a larger table reads as a heat map)
        for j in range(nc + 1):
            ax.axvline(j - 0.5, color="white", lw=3 if nc <= 12 else 1.5)
        for i in range(nr + 1):
            ax.axhline(i - 0.5, color="white", lw=3 if nr <= 12 else 1.5)
    if nr * nc <= ANNOTATE:
        size = 10 if nr * nc <= 36 else 8
        cmap = image.get_cmap()
        for i in range(nr):
            for j in range(nc):
                for k in range(n):
                    v = float(table[k, i, j]) + 0.0  # no "-0"
                    shade = cmap(norm(v))
                    light = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2] > 0.5
                    ax.text(j - 0.5 + (k + 0.5) / n, i, f"{v:.3g}", ha="center", va="center",
                            fontsize=size, color="black" if light else "white",
                            gid=f"payoff {k} {i} {j}")
    for i, j in panel["equilibria"]:
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=EQUILIBRIUM,
                               linewidth=3.5 if max(nr, nc) <= 12 else 2, zorder=3))
    answer = panel.get("answer")
    if answer is not None:  # the solved answer (a row, a column or a cell), dashed
        i, j = answer
        corner = (-0.5 if j is None else j - 0.5, -0.5 if i is None else i - 0.5)
        size = (nc if j is None else 1, nr if i is None else 1)
        for colour, dashes in (("white", "-"), ("black", "--")):  # seen on any colour
            ax.add_patch(Rectangle(corner, *size, fill=False, edgecolor=colour, linewidth=2.2,
                                   linestyle=dashes, zorder=4))
    rows, cols = data["rows"], data["columns"]
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    sx, sy = max(1, nc // 25), max(1, nr // 25)  # at most about 25 labels an axis
    ax.set_xticks(range(0, nc, sx), [_tick(c, mixed.get(1, {})) for c in cols[::sx]],
                  rotation=30 if max(map(len, cols)) > 9 * (0.42 * n + 0.3) else 0)
    ax.set_yticks(range(0, nr, sy), [_tick(r, mixed.get(0, {})) for r in rows[::sy]])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(data["axis_labels"][1])
    ax.set_ylabel(data["axis_labels"][0])
    if panel["others"]:
        ax.set_title(", ".join(f"{a} = {label}" for a, label in panel["others"]), pad=6)
    return image


def _note(data: dict, result, mixed: bool) -> str:
    shown, total = len(data["equilibria"]), data["total_equilibria"]
    simultaneous = " (of the simultaneous game)" if data.get("sequential") else ""
    panels = data.get("panels")
    if panels is not None:
        shown = sum(len(p["equilibria"]) for p in panels)
    if not total:
        note = "no pure Nash equilibrium" + simultaneous
    elif shown == total:
        note = (f"{shown} pure Nash equilibri{'um' if shown == 1 else 'a'}"
                f"{simultaneous} outlined")
    else:
        note = f"{shown} of {total} pure Nash equilibria{simultaneous} outlined"
    if panels is None and data.get("others"):
        note += f"; shown with {data['others']}"
    if panels is not None and data.get("total_panels", len(panels)) > len(panels):
        note += f"; {len(panels)} of {data['total_panels']} profiles of the others shown"
    if mixed:
        note += "; (p) = the solved mixed strategy"
    if any(p.get("answer") is not None for p in panels or [data]):
        note += f"; dashed: the {result.method} answer"
    return note


def _tick(label: str, probabilities: dict) -> str:
    return f"{label}\n(p={probabilities[label]:.3g})" if label in probabilities else label
