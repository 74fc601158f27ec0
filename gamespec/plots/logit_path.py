"""The principal branch of logit quantal response equilibria: each agent's probabilities
against the precision lambda, one panel per agent.

Draws `Result.extra["figures"]["logit-path"]` (recorded by the logit method)."""
from __future__ import annotations

from typing import Any

from gamespec.plots.common import ACCENT, figure, floats


def draw(data: dict, result, **_: Any):
    agents = data["agents"]
    fig = figure(5.2 * len(agents), 4.2)
    axes = fig.subplots(1, len(agents), squeeze=False)[0]
    for ax, agent in zip(axes, agents):
        for k, strategy in enumerate(agent["strategies"]):
            ax.plot(floats(strategy["lambda"]), floats(strategy["probability"]), lw=2,
                    color=ACCENT[k % len(ACCENT)], label=strategy["label"])
        ax.set_xlabel("precision lambda")
        ax.set_ylabel("probability")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(agent["agent"])
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=9)
    fig.suptitle(f"{result.game}: logit quantal response equilibria")
    return fig
