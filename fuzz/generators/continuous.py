"""Continuous games: players choosing from intervals (and boxes), constraints, Cournot-like
and quadratic payoffs, leader -> follower orders."""
from __future__ import annotations

from fuzz.generators.common import Ctx, interval

MUTATIONS = ("reversed_interval", "constraint_other", "strict_constraint",
             "always_true_constraint", "mixed_interval_and_finite", "unbounded",
             "constraint_unknown", "three_level_order", "nan_payoff")


def generate(ctx: Ctx) -> list[str]:
    out, players, xs = [], [], []
    params = [ctx.name("a"), ctx.name("c")]
    out.append(f"param {params[0]} = {ctx.number(0.1)}")
    out.append(f"param {params[1]} = {ctx.pick(['1', '0', '0.5', '2'])}")
    n = ctx.pick([1, 2, 2, 3])
    for _ in range(n):
        p, x = ctx.name("f"), ctx.name("q")
        space = interval(ctx) if not ctx.bad("reversed_interval") else "[1, 0]"
        if ctx.bad("unbounded"):
            space = "[0, 1e300]"
        items = [f"choose {x} in {space}"]
        if ctx.bad("mixed_interval_and_finite") and not players:
            items.append(f"choose {x}b in {{0, 1}}")
        if ctx.chance(0.15):
            items.append(f"choose {x}2 in [0, 1]")  # a box of two intervals
            xs.append(f"{x}2")
        if ctx.chance(0.2) or ctx.mutation in ("constraint_other", "strict_constraint",
                                              "always_true_constraint", "constraint_unknown"):
            target = x
            if ctx.bad("constraint_other") and xs:
                target = xs[0]
            if ctx.bad("constraint_unknown"):
                target = "ghost"
            op = "<" if ctx.bad("strict_constraint") else ctx.pick(["<=", ">="])
            rhs = ctx.expr(params, 1)
            if ctx.bad("always_true_constraint"):
                target, rhs = "1", "2"
            items.append(f"subject to {ctx.name('cap')}: {target} {op} {rhs}")
        out.append(f"player {p} {{ " + " ".join(items) + " }")
        players.append(p)
        xs.append(x)
    total = " + ".join(xs)
    for p, x in zip(players, xs):
        form = ctx.pick([
            f"({params[0]} - ({total})) * {x} - {params[1]} * {x}",
            f"-({x} - {ctx.expr(xs, 1)})^2",
            f"{x} * {ctx.expr(xs + params, 2)} - {x}^2 / 2",
            ctx.expr(xs + params, 3, trouble=0.1),
        ])
        if ctx.bad("nan_payoff"):
            form = f"{form} + sqrt(-1 - {x}^2)"
        out.append(f"payoff {p} = {ctx.deep(form)}")
    if n >= 2 and (ctx.chance(0.4) or ctx.bad("three_level_order")):
        order = list(players)
        ctx.rng.shuffle(order)
        if ctx.bad("three_level_order") or n == 2:
            out.append("order " + " -> ".join(order))
        else:
            out.append(f"order {order[0]} -> {{{', '.join(order[1:])}}}")
    return out
