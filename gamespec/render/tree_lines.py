"""Terminal lines for game-tree equilibria: each equilibrium's play and payoffs, then the
first one's behaviour strategy at every information set (exact where known)."""
from __future__ import annotations

from gamespec.result import Result

MANY_EQUILIBRIA = 20
MANY_SETS = 40
MANY_STEPS = 8


def tree_equilibrium_lines(result: Result) -> list[str]:
    records = result.extra["tree_equilibria"]
    kind = result.extra.get("kind", "")
    noun = "subgame-perfect equilibri" if kind == "subgame-perfect" else "equilibri"
    lines = [f"{noun}{'um' if len(records) == 1 else 'a'}: {len(records)}"
             + (f"   ({kind})" if kind and kind != "subgame-perfect" else "")]
    for k, rec in enumerate(records[:MANY_EQUILIBRIA], 1):
        pays = rec.get("exact_payoffs") or {p: _num(v) for p, v in rec["payoffs"].items()}
        pay = ", ".join(f"{p}: {v}" for p, v in pays.items())
        steps = rec["path"]
        play = ", ".join(steps) if len(steps) <= MANY_STEPS else (
            f"{len(steps)} moves with positive probability (--json lists them)")
        lines.append(f"  {k}. payoffs {pay}   play: {play}")
        refined = rec.get("refinements")
        if refined is not None:
            test = refined["intuitive_criterion"]
            pbe = "perfect Bayesian" if refined["perfect_bayesian"] else "not perfect Bayesian"
            verdict = "passes" if test["passes"] else "fails"
            lines.append(f"     {pbe}; {verdict} the intuitive criterion: {test['reason']}")
    if len(records) > MANY_EQUILIBRIA:
        lines.append(f"  ... ({len(records) - MANY_EQUILIBRIA} more; --json lists each)")
    first = records[0]
    lines.append("behaviour" + (" (equilibrium 1)" if len(records) > 1 else "") + ":")
    shown = 0
    exact = first.get("exact", {})
    for player, sets in first["behaviour"].items():
        for label, probs in sets.items():
            if shown == MANY_SETS:
                total = sum(len(s) for s in first["behaviour"].values())
                lines.append(f"  ... ({total - MANY_SETS} more information sets; --json lists "
                             "each)")
                return lines
            lines.append(f"  {player} @ {label}: "
                         f"{_distribution(probs, exact.get(player, {}).get(label))}")
            shown += 1
    return lines


def _distribution(probs: dict, exact: dict | None) -> str:
    positive = {m: p for m, p in probs.items() if p}
    if len(positive) == 1:
        return next(iter(positive))
    return ", ".join(f"{m} {exact[m] if exact else _num(p)}" for m, p in positive.items())


def _num(value) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)
