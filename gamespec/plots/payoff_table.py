"""Two agents' payoff matrices, every cell annotated, pure equilibria outlined, the
solved answer dashed (with more agents, the others fixed at the first equilibrium).

Draws `Result.extra["figures"]["payoff-table"]` (tabulated by the finite methods)."""
from __future__ import annotations

from typing import Any

from gamespec.plots.common import EQUILIBRIUM, figure, floats


def draw(data: dict, result, **_: Any):
    from matplotlib.patches import Rectangle

    agents, rows, cols = data["agents"], data["rows"], data["columns"]
    shown, answer = data["equilibria"], data.get("answer")
    mixed = {int(k): v for k, v in data.get("mixed", {}).items()}
    width = min(9.5 + 0.6 * len(cols), 16.0)
    fig = figure(width, 5.0)
    fig.get_layout_engine().set(wspace=0.12)  # room between a colour bar and the next axis
    axes = fig.subplots(1, 2)
    annotate = len(rows) * len(cols) <= 144
    for k, ax in enumerate(axes):
        table = [floats(row) for row in data["payoffs"][k]]
        image = ax.imshow(table, cmap="viridis", aspect="auto")
        fig.colorbar(image, ax=ax, label=f"payoff of {agents[k]}", shrink=0.9)
        low = min(float(r.min()) for r in table)
        high = max(float(r.max()) for r in table)
        if annotate:
            for i in range(len(rows)):
                for j in range(len(cols)):
                    v = float(table[i][j]) + 0.0  # no "-0"
                    light = high > low and (v - low) / (high - low) > 0.6
                    ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=10,
                            color="black" if light else "white")
        for i, j in shown:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False,
                                   edgecolor=EQUILIBRIUM, linewidth=3.5))
        if answer is not None:  # the solved answer (a row, a column or a cell), dashed
            i, j = answer
            ax.add_patch(Rectangle((-0.5 if j is None else j - 0.5, -0.5 if i is None else i - 0.5),
                                   len(cols) if j is None else 1, len(rows) if i is None else 1,
                                   fill=False, edgecolor="white", linewidth=2.5, linestyle="--"))
        ax.set_xticks(range(len(cols)), [_tick(c, mixed.get(1, {})) for c in cols],
                      rotation=30 if max(map(len, cols)) > 6 else 0)
        ax.set_yticks(range(len(rows)), [_tick(r, mixed.get(0, {})) for r in rows])
        ax.set_xlabel(data["axis_labels"][1])
        ax.set_ylabel(data["axis_labels"][0])
        ax.set_title(f"payoff of {agents[k]}")
    fig.suptitle(f"{result.game}\n{_note(data, result, bool(mixed))}")
    return fig


def _note(data: dict, result, mixed: bool) -> str:
    shown, total = len(data["equilibria"]), data["total_equilibria"]
    simultaneous = " (of the simultaneous game)" if data.get("sequential") else ""
    if not total:
        note = "no pure Nash equilibrium" + simultaneous
    elif shown == total:
        note = (f"{shown} pure Nash equilibri{'um' if shown == 1 else 'a'}"
                f"{simultaneous} outlined in red")
    else:
        note = f"{shown} of {total} pure Nash equilibria{simultaneous} outlined in red"
    if data.get("others"):
        note += f"; shown with {data['others']}"
    if mixed:
        note += "; (p) = the solved mixed strategy"
    if data.get("answer") is not None:
        note += f"; dashed: the {result.method} answer"
    return note


def _tick(label: str, probabilities: dict) -> str:
    return f"{label}\n(p={probabilities[label]:.3g})" if label in probabilities else label
