"""Populations over finite choices: each choice's payoff against the population's share on
its first choice, the equilibrium shares marked (a threshold as a dashed line).

Draws `Result.extra["figures"]["shares"]` (recorded by the population_shares method)."""
from __future__ import annotations

from typing import Any

import numpy as np

from gamespec.plots.common import ACCENT, EQUILIBRIUM, curve, figure, floats


def draw(data: dict, result, **_: Any):
    panels = data["panels"]
    fig = figure(5.2 * len(panels), 4.2)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, panel in zip(axes, panels):
        x = floats(panel["share"])
        values = [floats(series["values"]) for series in panel["payoffs"]]
        finite = [v[np.isfinite(v)] for v in values if np.isfinite(v).any()]
        spread = float(max(np.ptp(v) for v in finite)) if finite else 0.0
        for k, (series, y) in enumerate(zip(panel["payoffs"], values)):
            curve(ax, x, y, 1.0, spread, lw=2,
                  color=ACCENT[k % len(ACCENT)], label=f"payoff of {series['label']}")
        for eq in panel["equilibria"]:
            share = float(eq["share"])
            what = "threshold" if eq["kind"] == "threshold" else "equilibrium"
            ax.axvline(share, color=EQUILIBRIUM, ls="--" if what == "threshold" else "-",
                       lw=2 if eq["selected"] else 1, alpha=0.9 if eq["selected"] else 0.5,
                       label=f"{'selected ' if eq['selected'] else ''}{what}: share {share:.3g}")
        ax.set_xlabel(panel["x_label"])
        ax.set_ylabel("payoff")
        ax.set_xlim(0, 1)
        ax.set_title(panel["population"])
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=9)
    fig.suptitle(f"{result.game}: each choice's payoff by the population's share")
    return fig
