"""Dynamics over their index: Euler-Lagrange coordinates and their phase portrait;
update-rule series over the rounds, with the fixed point, and the phase portrait of the
first two.

Draws `Result.extra["figures"]["trajectory"]` (recorded by the dynamics method)."""
from __future__ import annotations

from typing import Any

import numpy as np

from gamespec.plots.common import ACCENT, EQUILIBRIUM, figure, floats


def draw(data: dict, result, **_: Any):
    rows = [part for part in ("coordinates", "updates") if data.get(part)]
    fig = figure(11.5, 4.6 * len(rows))
    grid = fig.subplots(len(rows), 2, squeeze=False)
    if data.get("coordinates"):
        _coordinates(data["coordinates"], *grid[rows.index("coordinates")])
    if data.get("updates"):
        _updates(data["updates"], *grid[rows.index("updates")])
    fig.suptitle(result.game)
    return fig


def _coordinates(dyn: dict, ax_t, ax_p) -> None:
    times, index = floats(dyn["t"]), dyn["index"]
    for k, coord in enumerate(dyn["coords"]):
        colour = ACCENT[k % len(ACCENT)]
        q, v = floats(coord["position"]), floats(coord["rate"])
        ax_t.plot(times, q, color=colour, lw=2, label=f"{coord['name']}({index})")
        ax_p.plot(q, v, color=colour, lw=1.5, label=coord["name"])
        ax_p.plot(q[0], v[0], "o", color=colour, ms=7)
    ax_t.set_xlabel(str(index))
    ax_t.set_ylabel("coordinate")
    ax_t.set_title("Euler-Lagrange solution")
    ax_p.set_xlabel("coordinate q")
    ax_p.set_ylabel(f"dq/d{index}")
    ax_p.set_title(f"phase portrait (dots: start); certificate residual {dyn['residual']:.2g} "
                   f"{'ok' if dyn['ok'] else 'NOT OK'}")
    for ax in (ax_t, ax_p):
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=9)


def _updates(upd: dict, ax_s, ax_p) -> None:
    series = {name: floats(values) for name, values in upd["series"].items()}
    stars = {name: float(v) for name, v in (upd.get("fixed_point") or {}).items()}
    names = list(series)
    for k, name in enumerate(names):
        steps = np.arange(upd["start"], upd["start"] + len(series[name]))
        colour = ACCENT[k % len(ACCENT)]
        ax_s.plot(steps, series[name], "o-", ms=3.5, color=colour, label=name)
        if name in stars:
            ax_s.axhline(stars[name], color=colour, ls=":", lw=1)
    ax_s.set_xlabel(f"round {upd['index']}")
    ax_s.set_ylabel("value")
    ax_s.set_title("update rules over the rounds (dotted: fixed point)")
    if len(names) >= 2:
        a, b = names[0], names[1]
        n = min(len(series[a]), len(series[b]))
        ax_p.plot(series[a][:n], series[b][:n], "o-", ms=3.5, color=ACCENT[0], lw=1)
        ax_p.plot(series[a][0], series[b][0], "o", ms=8, color=ACCENT[1], label="start")
        if a in stars and b in stars:
            ax_p.plot(stars[a], stars[b], "*", ms=16, color=EQUILIBRIUM,
                      label=f"fixed point ({stars[a]:.4g}, {stars[b]:.4g})")
        ax_p.set_xlabel(a)
        ax_p.set_ylabel(b)
    else:
        a = names[0]
        ax_p.plot(series[a][:-1], series[a][1:], "o-", ms=3.5, color=ACCENT[0])
        ax_p.set_xlabel(f"{a}[i]")
        ax_p.set_ylabel(f"{a}[i + 1]")
    ax_p.set_title("phase portrait of the update rules")
    for ax in (ax_s, ax_p):
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize=9)
