"""What the `shares` picture draws (recorded when the solve runs with figures = true): for
each population of two choices, every choice's payoff against the share on the first
choice (the other populations held at the selected equilibrium), and the equilibria."""
from __future__ import annotations

import numpy as np

from gamespec.solvers.populations.finite_shares import ShareGame

POINTS = 801


def shares_figure(game: ShareGame, records: list[dict], chosen: int) -> dict:
    panels, skipped = [], []
    selected = [np.array(list(records[chosen]["profile"][p.name].values()))
                for p in game.populations]
    for p, pop in enumerate(game.populations):
        if len(pop.labels) != 2:
            skipped.append(pop.name)
            continue
        t = np.linspace(0.0, 1.0, POINTS)
        shares = [np.broadcast_to(x, (POINTS, x.size)).copy() for x in selected]
        shares[p] = np.stack([t, 1.0 - t], axis=1)
        payoffs = game.choice_payoffs(shares)[p]
        others_fixed = [r for r in records if all(
            np.allclose(list(r["profile"][q.name].values()), selected[k], atol=1e-9)
            for k, q in enumerate(game.populations) if k != p)]
        panels.append({
            "population": pop.name, "x_label": f"share on {pop.labels[0]}",
            "share": t.tolist(),
            "payoffs": [{"label": label, "values": payoffs[:, c].tolist()}
                        for c, label in enumerate(pop.labels)],
            "equilibria": [{"share": r["profile"][pop.name][pop.labels[0]], "kind": r["kind"],
                            "selected": r is records[chosen]} for r in others_fixed],
        })
    out: dict = {"shares": {"panels": panels}} if panels else {}
    if skipped:
        out["unavailable"] = {"shares": "drawn for populations of two choices only ("
                              + ", ".join(skipped) + " has more)"}
    return out
