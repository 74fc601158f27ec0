"""Equilibria and correlated distributions as tables: one row per equilibrium (each
player's strategy and payoff), exact where the Result has exact values."""
from __future__ import annotations

from gamespec.render.console import indented, table, text
from gamespec.render.numbers import number
from gamespec.render.strategies import MORE, inline
from gamespec.result import Result

MANY_EQUILIBRIA = 20  # more are counted; --full or --json lists each
MANY_COLUMNS = 4  # more players than this: the profile and payoffs in one column each


def equilibrium_block(result: Result, equilibria: list[dict], full: bool) -> list:
    """`pure equilibria: N` (pure enumeration) or `equilibria: N (P pure, M mixed)`, then a
    table: the strategy and payoff of each player per equilibrium."""
    if result.method == "enumerate":
        head = f"pure equilibria: {len(equilibria)}"
    else:
        pure = sum(1 for eq in equilibria if eq.get("pure"))
        head = f"equilibria: {len(equilibria)} ({pure} pure, {len(equilibria) - pure} mixed)"
    out = [text(head)]
    if not equilibria:
        return out
    shown = equilibria if full else equilibria[:MANY_EQUILIBRIA]
    players = list(dict.fromkeys(p for eq in equilibria for p in eq["profile"]))
    notes = [_note(eq) for eq in shown]
    wide = len(players) <= MANY_COLUMNS
    split = len(players) <= 2  # one payoff column per player, else all in one column
    if wide:
        headers = ["#", *players, *((f"payoff {p}" for p in players) if split else ["payoffs"])]
    else:
        headers = ["#", "profile", "payoffs"]
    rows = []
    for k, eq in enumerate(shown, 1):
        exact, pays = eq.get("exact", {}), eq.get("exact_payoffs", {})
        strategy = {p: inline(eq["profile"][p], exact.get(p), full)
                    for p in players if p in eq["profile"]}
        payoff = {p: number(v, pays.get(p)) for p, v in eq["payoffs"].items()}
        if wide:
            pays = [payoff.get(p, "") for p in players]
            row = [str(k), *(strategy.get(p, "") for p in players),
                   *(pays if split else [", ".join(pays)])]
        else:
            row = [str(k), ", ".join(f"{p}={s}" for p, s in strategy.items()),
                   ", ".join(f"{p}: {v}" for p, v in payoff.items())]
        rows.append(row + ([notes[k - 1]] if any(notes) else []))
    if any(notes):
        headers.append("note")
    right = {0} | ({1 + len(players) + i for i in range(len(players))} if wide and split
                   else set())
    out.append(indented(table(headers, rows, right=right)))
    if len(equilibria) > len(shown):
        out.append(indented(text(f"({len(equilibria) - len(shown)} more equilibria not "
                                 f"shown; {MORE}, --json lists each)", "dim")))
    return out


def _note(eq: dict) -> str:
    note = f"labels {', '.join(map(str, eq['labels']))}" if eq.get("labels") else ""
    if eq.get("role") and eq["role"] != "optimal":
        note += ("; " if note else "") + str(eq["role"])
    return note


def distribution_block(result: Result, full: bool) -> list:
    """A correlated equilibrium: the distribution over pure profiles, then the payoffs."""
    rows_in = result.extra["distribution"]
    shown = rows_in if full else rows_in[:MANY_EQUILIBRIA]
    players = list(dict.fromkeys(p for row in rows_in for p in row["profile"]))
    rows = [[number(row["probability"]), *(str(row["profile"].get(p, "")) for p in players)]
            for row in shown]
    out = [text(f"{result.extra.get('kind', 'correlated')} equilibrium over {len(rows_in)} "
                "profiles:"),
           indented(table(["probability", *players], rows, right={0}))]
    if len(rows_in) > len(shown):
        out.append(indented(text(f"({len(rows_in) - len(shown)} more profiles not shown; "
                                 f"{MORE})", "dim")))
    pay = ", ".join(f"{p}: {number(v)}" for p, v in result.values.items())
    out.append(text(f"expected payoffs: {pay}   welfare "
                    f"{number(result.extra.get('welfare', 0))}"))
    return out
