"""Quantities indexed by one set, drawn over it: those that do not depend on the players'
choices as bars (e.g. a data histogram), those that do as lines at the solution and at a
named profile; KL(bars || line) in the legend when both are distributions.

Draws `Result.extra["figures"]["distribution"]` (evaluated by the BRD method): which
quantities is the plot option `series` (names), else those over the first set over which
a quantity depends on the choices (the fixed ones only if they are distributions)."""
from __future__ import annotations

import difflib
from typing import Any

import numpy as np

from gamespec.errors import SpecError
from gamespec.plots.common import ACCENT, EQUILIBRIUM, figure, floats

SOLUTION = "solution"


def draw(data: dict, result, profile: str | None = None, series=None, **_: Any):
    over, names = _chosen(data, series)
    group = data["sets"][over]
    entries = {name: group["series"][name] for name in names}
    bars = [n for n, e in entries.items() if not e["varies"]]
    lines = [n for n, e in entries.items() if e["varies"]]
    profiles = data.get("profiles", [])
    if profile is None and profiles:
        profile = profiles[0]
    if profile is not None and profile not in profiles:
        close = difflib.get_close_matches(profile, profiles, n=1)
        raise SpecError(f"no profile `{profile}` in the result's figure data",
                        hint=f"did you mean `{close[0]}`?" if close else
                        "profiles: " + (", ".join(profiles) or "none"))
    labels = [str(e) for e in group["labels"]]
    positions = np.arange(len(labels))
    fig = figure(10.0, 5.0)
    ax = fig.subplots()
    top = 0.0
    base = None
    for k, name in enumerate(bars):
        values = floats(entries[name]["values"][SOLUTION])
        ax.bar(positions, values, width=1.0, color="lightgrey" if k == 0 else ACCENT[2 + k],
               edgecolor="grey", lw=0.3, alpha=1.0 if k == 0 else 0.5,
               label=f"{name} (does not depend on the choices)")
        top = max(top, float(np.max(values, initial=0.0)))
        base = values if k == 0 and _is_distribution(values) else base
    at = [SOLUTION] + ([profile] if profile is not None else [])
    styles = ((EQUILIBRIUM, "-"), (ACCENT[0], "--"))
    for k, name in enumerate(lines):
        for where, (colour, style) in zip(at, styles):
            values = floats(entries[name]["values"][where])
            top = max(top, float(np.nanmax(values, initial=0.0)))
            label = f"{name} at the {SOLUTION}" if where == SOLUTION \
                else f"{name} at profile {where}"
            if base is not None and _is_distribution(values):
                label += f" (KL({bars[0]}||{name}) = {_kl(base, values):.4g})"
            ax.plot(positions, values, style, color=colour if k == 0 else ACCENT[(k + 1) % 6],
                    lw=2, label=label)
    step = max(1, len(labels) // 20)
    ax.set_xticks(positions[::step], labels[::step])
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.set_ylim(0, 1.05 * top if top > 0 else 1)
    ax.set_xlabel(f"element of {over}")
    ax.set_ylabel(", ".join(names))
    ax.grid(alpha=0.3)
    fig.legend(loc="outside lower center", ncols=2, fontsize=9)  # off the bars
    ax.set_title(f"{result.game}: {', '.join(names)} over {over}")
    return fig


def _chosen(data: dict, series) -> tuple[str, list[str]]:
    """(set, names): the named series (all over one set), else the first set where a
    quantity depends on the choices, with every quantity over that set."""
    sets = data["sets"]
    if series:
        names = [s.strip() for s in series.split(",")] if isinstance(series, str) \
            else [str(s) for s in series]
        known = {n: over for over, group in sets.items() for n in group["series"]}
        for name in names:
            if name not in known:
                close = difflib.get_close_matches(name, list(known), n=1)
                raise SpecError(f"no quantity `{name}` indexed by one set in the figure data",
                                hint=f"did you mean `{close[0]}`?" if close else
                                "quantities: " + (", ".join(known) or "none"))
        over = {known[n] for n in names}
        if len(over) > 1:
            raise SpecError("the series to draw must be indexed by the same set",
                            hint=", ".join(f"{n} over {known[n]}" for n in names))
        return known[names[0]], names
    for over, group in sets.items():  # lines, and bars only for distributions
        if any(e["varies"] for e in group["series"].values()):
            return over, [n for n, e in group["series"].items() if e["varies"]
                          or _is_distribution(floats(e["values"][SOLUTION]))]
    raise SpecError("no quantity indexed by one set depends on the players' choices",
                    hint="define one with `let NAME[x in X] = ...`, or name some with "
                         "--series NAME")


def _is_distribution(values: np.ndarray) -> bool:
    return bool(np.all(values >= 0) and abs(float(values.sum()) - 1.0) < 1e-6)


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1) / q), 0.0)))
