"""Finite normal-form games: named players choosing (or mixing) over finite sets, payoffs
as expressions or a table, order, zero_sum / common payoff, profiles and select."""
from __future__ import annotations

import itertools

from fuzz.generators.common import Ctx, finite_set, set_literal

MUTATIONS = ("drop_payoff", "duplicate_player", "table_missing_row", "table_wrong_arity",
             "table_duplicate_row", "order_repeat", "order_unknown", "zero_sum_three",
             "profile_unknown", "select_unknown", "mixed_over_interval",
             "strategy_name_clash", "table_and_payoff", "zero_sum_both_payoffs",
             "table_unknown_key", "no_strategy", "common_and_payoff")


def generate(ctx: Ctx) -> list[str]:
    n = ctx.pick([2, 2, 2, 3, 1])
    if ctx.bad("zero_sum_three"):
        n = 3
    out, players, strategies, sets = [], [], [], []
    for _ in range(n):
        p, s = ctx.name("pl"), ctx.name("s")
        elements = finite_set(ctx, "A")
        kind = "mixed" if ctx.chance(0.3) else "choose"
        space = set_literal(ctx, elements)
        if ctx.chance(0.3):
            sname = ctx.name("S")
            out.append(f"set {sname} = {space}")
            space = sname
        if ctx.bad("mixed_over_interval") and not players:
            kind, space = "mixed", "[0, 1]"
        if ctx.bad("strategy_name_clash") and strategies:
            s = strategies[0]
        item = f"{kind} {s} {'over' if kind == 'mixed' else 'in'} {space}"
        if ctx.bad("no_strategy") and not players:
            item = ""
        out.append(f"player {p} {{ {item} }}")
        players.append(p)
        strategies.append((s, kind))
        sets.append(elements)
    if ctx.bad("duplicate_player"):
        out.append(f"player {players[0]} {{ choose z{ctx.counter} in {{0, 1}} }}")
    params = [ctx.name("c") for _ in range(ctx.size(0, 2))]
    out += [f"param {c} = {ctx.number()}" for c in params]
    use_table = ctx.chance(0.4) or ctx.bad("table_missing_row")
    zero = ctx.chance(0.2) or ctx.bad("zero_sum_three")
    if use_table and all(sets) and len(sets) <= 3:
        rows = list(itertools.product(*sets))
        if ctx.bad("table_missing_row") and rows:
            rows.pop(ctx.rng.randrange(len(rows)))
        if ctx.bad("table_duplicate_row") and rows:
            rows.append(rows[0])
        lines = []
        for row in rows:
            width = 1 if zero and n == 2 and ctx.chance(0.5) else n
            if ctx.bad("table_wrong_arity"):
                width += 1
            keys = list(row)
            if ctx.bad("table_unknown_key"):
                keys[0] = "Nowhere"
            lines.append(f"  ({', '.join(keys)}): ("
                         + ", ".join(ctx.expr(params, 2) for _ in range(width)) + ")")
        out.append("table {\n" + "\n".join(lines) + "\n}")
        if ctx.bad("table_and_payoff"):
            out.append(f"payoff {players[0]} = 1")
    else:
        atoms = list(params)
        for (s, kind), elements in zip(strategies, sets):
            if kind == "choose":
                atoms.append(s if elements and elements[0].isdigit() else
                             f"[{s} == {elements[0] if elements else 'A1'}]")
            else:
                atoms.append(f"{s}[{elements[0] if elements else 'A1'}]")
        if ctx.chance(0.2) or ctx.bad("common_and_payoff"):
            out.append(f"common payoff = {ctx.deep(ctx.expr(atoms, 3))}")
            if ctx.bad("common_and_payoff"):
                out.append(f"payoff {players[0]} = 0")
        else:
            given = players[:1] if zero and not ctx.bad("zero_sum_both_payoffs") else players
            for p in given:
                if ctx.bad("drop_payoff") and p == players[-1]:
                    continue
                out.append(f"payoff {p} = {ctx.deep(ctx.expr(atoms, 3))}")
    if zero:
        out.append("zero_sum")
    if len(players) > 1 and ctx.chance(0.3) or ctx.bad("order_repeat") or ctx.bad(
            "order_unknown"):
        groups = list(players)
        ctx.rng.shuffle(groups)
        if ctx.bad("order_repeat"):
            groups.append(groups[0])
        if ctx.bad("order_unknown"):
            groups.append("nobody")
        if len(groups) >= 3 and ctx.chance(0.5):
            groups = [groups[0], "{" + ", ".join(groups[1:]) + "}"]
        out.append("order " + " -> ".join(groups))
    if ctx.chance(0.3) or ctx.bad("profile_unknown"):
        s, kind = strategies[0]
        target = "ghost" if ctx.bad("profile_unknown") else s
        elements = sets[0] or ["A1"]
        if kind == "choose":
            body = f"{target} = {elements[0]}"
        else:
            e = ctx.name("e")
            body = f"{target}[{e} in {set_literal(ctx, elements)}] = {ctx.prob()}"
        out.append(f"profile {ctx.name('pf')} {{ {body} }}")
    if ctx.chance(0.3) or ctx.bad("select_unknown"):
        who = "ghost" if ctx.bad("select_unknown") else ctx.pick(players)
        out.append(ctx.pick([f"select max payoff {who}", f"select min payoff {who}",
                             "select first"]))
    return out
