"""The principal branch of logit quantal response equilibria: each agent's probabilities
against the precision lambda, one panel per agent.

Draws `Result.extra["figures"]["logit-path"]` (recorded by the logit method)."""
from __future__ import annotations

from typing import Any

import numpy as np

from gamespec.plots.common import ACCENT, figure, floats

DASHES = ("-", "--", ":", "-.")


def draw(data: dict, result, **_: Any):
    agents = data["agents"]
    fig = figure(5.2 * len(agents), 4.2)
    axes = fig.subplots(1, len(agents), squeeze=False)[0]
    for ax, agent in zip(axes, agents):
        for k, strategy in enumerate(agent["strategies"]):  # dashes tell overlapping lines apart
            ax.plot(floats(strategy["lambda"]), floats(strategy["probability"]), lw=2,
                    color=ACCENT[k % len(ACCENT)], ls=DASHES[k % len(DASHES)],
                    label=strategy["label"])
        top = max((float(np.nanmax(floats(st["lambda"]), initial=0.0))
                   for st in agent["strategies"]), default=0.0)
        scale = ""
        if top > 100:  # the path spans orders of magnitude: linear near 0, log beyond 1
            ax.set_xscale("symlog", linthresh=1.0)
            ax.set_xlim(0, top)
            scale = " (linear to 1, log beyond)"
        ax.set_xlabel(f"precision \u03bb{scale}")
        ax.set_ylabel(f"probability of each strategy of {agent['agent']}")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(agent["agent"])
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=9)
    fig.suptitle(f"{result.game}: logit quantal response equilibria "
                 "(\u03bb = 0: uniform play; large \u03bb: best responses)")
    return fig
