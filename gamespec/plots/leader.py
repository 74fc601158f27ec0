"""The leader's problem: its payoff over its strategy when the followers respond (top),
the followers' response (bottom), and the chosen commitment.

Draws `Result.extra["figures"]["leader"]` (sampled by the continuous method)."""
from __future__ import annotations

from typing import Any

import numpy as np

from gamespec.plots.common import ACCENT, EQUILIBRIUM, curve, figure, floats


def draw(data: dict, result, **_: Any):
    leader, symbol = data["leader"], data["symbol"]
    xs, values = floats(data["x"]), floats(data["payoff"])
    x_star = float(result.strategies[leader])
    u_star = float(result.values[leader])
    fig = figure(8.0, 6.6)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    scale = float(np.nanmax(values) - np.nanmin(values)) or 1.0
    curve(top, xs, values, 0, scale * 4, color=ACCENT[0], lw=2,
          label=f"{leader}'s payoff when the followers respond")
    top.plot(x_star, u_star, "*", ms=17, color=EQUILIBRIUM,
             label=f"chosen: {symbol} = {x_star:.4g}, payoff {u_star:.4g}")
    top.set_ylabel(f"payoff of {leader}")
    top.legend(loc="best", fontsize=9)
    top.grid(alpha=0.3)
    for response, colour in zip(data["responses"], ACCENT[1:]):
        series = floats(response["values"])
        spread = float(np.nanmax(series) - np.nanmin(series)) if np.isfinite(series).any() else 1
        curve(bottom, xs, series, 0, (spread or 1.0) * 4, color=colour, lw=2,
              label=response["label"])
        bottom.plot(x_star, float(response["at_answer"]), "*", ms=15, color=EQUILIBRIUM)
    bottom.set_ylabel(data["response_axis"])
    bottom.legend(loc="best", fontsize=9)
    bottom.grid(alpha=0.3)
    bottom.set_xlabel(f"{leader}'s strategy {symbol}")
    if data.get("symlog"):
        bottom.set_xscale("symlog", linthresh=max(1.0, abs(x_star)))
        bottom.set_xlabel(f"{leader}'s strategy {symbol} (symmetric log scale)")
    bottom.set_xlim(data["low"], data["high"])
    fig.suptitle(f"{result.game}: the leader's problem")
    return fig
