"""Best responses: two players' curves and their crossing, or a population's best response
BR(s) to the state s the others play, with the diagonal and every fixed point.

Draws `Result.extra["figures"]["best-response"]` (sampled by the continuous method)."""
from __future__ import annotations

from typing import Any

import numpy as np

from gamespec.plots.common import ACCENT, EQUILIBRIUM, curve, figure, floats


def draw(data: dict, result, **_: Any):
    if data["shape"] == "two players":
        return _two_players(data, result)
    return _population(data, result)


def _two_players(data: dict, result):
    a, b = data["axes"]
    (la, ha), (lb, hb) = (a["low"], a["high"]), (b["low"], b["high"])
    first, second = data["curves"]
    fig = figure(6.6, 5.6)
    ax = fig.subplots()
    curve(ax, floats(first["response"]), floats(first["against"]), ha - la, hb - lb,
          color=ACCENT[0], lw=2,
          label=f"{a['player']}'s best response {a['symbol']}*({b['symbol']})")
    curve(ax, floats(second["against"]), floats(second["response"]), ha - la, hb - lb,
          color=ACCENT[1], lw=2,
          label=f"{b['player']}'s best response {b['symbol']}*({a['symbol']})")
    point = (float(result.strategies[a["player"]]), float(result.strategies[b["player"]]))
    ax.plot(*point, marker="*", ms=16, color=EQUILIBRIUM, ls="none",
            label=f"{data['answer']} ({point[0]:.4g}, {point[1]:.4g})")
    ax.set_xlim(la, ha)
    ax.set_ylim(lb, hb)
    ax.set_xlabel(f"{a['player']}: {a['symbol']}")
    ax.set_ylabel(f"{b['player']}: {b['symbol']}")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=9)
    ax.set_title(f"{result.game}: best responses")
    return fig


def _population(data: dict, result):
    low, high = data["low"], data["high"]
    own, points = data["symbol"], data["fixed_points"]
    chosen = float(result.strategies[data["player"]])
    panels_data = [(high, floats(data["s"]), floats(data["response"]))]
    zoom = data.get("zoom")
    if zoom is not None:
        panels_data.append((zoom["upper"], floats(zoom["s"]), floats(zoom["response"])))
    fig = figure(12.0 if zoom is not None else 7.0, 5.6)
    panels = list(fig.subplots(1, 2)) if zoom is not None else [fig.subplots()]
    for ax, (upper, s, values) in zip(panels, panels_data):
        curve(ax, s, values, 0, high - low, color=ACCENT[0], lw=2,
              label=f"BR(s): a member's best {own} when the others play s")
        ax.plot([low, upper], [low, upper], color="grey", ls="--", lw=1,
                label="diagonal BR(s) = s")
        for point in points:
            s_k, stable, response_set = float(point["s"]), point["stable"], point["best_response"]
            if not low <= s_k <= upper:
                continue
            ax.plot(s_k, s_k, "o", ms=10, mfc=ACCENT[0] if stable else "white", mec=ACCENT[0],
                    mew=2, zorder=3, clip_on=False)
            if "{" in response_set or "[" in response_set:
                ax.annotate(f"set-valued here: BR({s_k:.3g}) = {response_set}", (s_k, s_k),
                            textcoords="offset points", xytext=(14, 12), fontsize=8,
                            arrowprops={"arrowstyle": "-", "color": "grey"})
        if low <= chosen <= upper:
            ax.plot(chosen, chosen, "*", ms=18, color=EQUILIBRIUM, zorder=4, clip_on=False,
                    label=f"selected equilibrium s* = {chosen:.4g}")
        ax.plot([], [], "o", ms=8, mfc=ACCENT[0], mec=ACCENT[0], label="fixed point (stable)")
        ax.plot([], [], "o", ms=8, mfc="white", mec=ACCENT[0], mew=2,
                label="fixed point (unstable)")
        ax.set_xlim(low, upper)
        visible = values[values <= low + 0.6 * (high - low)] if upper < high else values
        ax.set_ylim(low, max(upper, float(np.nanmax(visible, initial=upper))) * 1.05)
        ax.set_xlabel(f"s: the others' common {own} (mean field {data['field']} = "
                      f"{data['field_formula'].replace('**', '^')})")
        ax.set_ylabel(f"best response {own}")
        ax.grid(alpha=0.3)
    panels[0].legend(loc="center right" if zoom is not None else "lower right", fontsize=8)
    if zoom is not None:
        panels[0].set_title(f"the whole interval [{low:g}, {high:g}]")
        panels[1].set_title(f"zoom on [{low:g}, {zoom['upper']:.3g}]")
    against = data.get("against")
    note = (f"\nagainst {against['player']}'s {against['symbol']} = {against['value']:.4g}"
            if against else "")
    fig.suptitle(f"{result.game}: population best response{note}")
    return fig
