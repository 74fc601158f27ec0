"""Terminal tables for game-tree equilibria: each equilibrium's payoffs and play, then the
first one's behaviour strategy at every information set (exact where known)."""
from __future__ import annotations

from gamespec.render.console import indented, labelled, table, text
from gamespec.render.numbers import number
from gamespec.render.strategies import MORE
from gamespec.result import Result

MANY_EQUILIBRIA = 20
MANY_SETS = 40
MANY_STEPS = 8


def tree_equilibrium_block(result: Result, full: bool = False) -> list:
    records = result.extra["tree_equilibria"]
    kind = result.extra.get("kind", "")
    noun = "subgame-perfect equilibri" if kind == "subgame-perfect" else "equilibri"
    out = [text(f"{noun}{'um' if len(records) == 1 else 'a'}: {len(records)}"
                + (f"   ({kind})" if kind and kind != "subgame-perfect" else ""))]
    shown = records if full else records[:MANY_EQUILIBRIA]
    players = list(dict.fromkeys(p for rec in records for p in rec["payoffs"]))
    rows = []
    for k, rec in enumerate(shown, 1):
        exact = rec.get("exact_payoffs") or {}
        steps = rec["path"]
        play = ", ".join(steps) if full or len(steps) <= MANY_STEPS else (
            f"{len(steps)} moves with positive probability ({MORE})")
        rows.append([str(k), *(number(rec["payoffs"].get(p), exact.get(p)) for p in players),
                     play])
    out.append(indented(table(["#", *(f"payoff {p}" for p in players), "play"], rows,
                              right=set(range(len(players) + 1)))))
    for k, rec in enumerate(shown, 1):
        refined = rec.get("refinements")
        if refined is not None:
            test = refined["intuitive_criterion"]
            pbe = "perfect Bayesian" if refined["perfect_bayesian"] else "not perfect Bayesian"
            verdict = "passes" if test["passes"] else "fails"
            out.append(indented(labelled(f"{k}", f"{pbe}; {verdict} the intuitive criterion: "
                                         f"{test['reason']}")))
    if len(records) > len(shown):
        out.append(indented(text(f"({len(records) - len(shown)} more equilibria not shown; "
                                 f"{MORE}, --json lists each)", "dim")))
    return out + _behaviour(records, full)


def _behaviour(records: list[dict], full: bool) -> list:
    first = records[0]
    exact = first.get("exact", {})
    rows = [[player, label, _distribution(probs, exact.get(player, {}).get(label))]
            for player, sets in first["behaviour"].items() for label, probs in sets.items()]
    total = len(rows)
    if not full:
        rows = rows[:MANY_SETS]
    out = [text("behaviour" + (" (equilibrium 1)" if len(records) > 1 else "") + ":"),
           indented(table(["player", "information set", "play"], rows))]
    if total > len(rows):
        out.append(indented(text(f"({total - len(rows)} more information sets not shown; "
                                 f"{MORE})", "dim")))
    return out


def _distribution(probs: dict, exact: dict | None) -> str:
    positive = {m: p for m, p in probs.items() if p}
    if len(positive) == 1:
        return next(iter(positive))
    return ", ".join(f"{m} {number(p, exact.get(m) if exact else None)}"
                     for m, p in positive.items())
