"""Statements evaluated after a solve: `report`, `check` and `claim` (conditions over the
parameters or the solution, and `claim NAME: best response P = EXPR over ...`), on a
continuous duopoly or a small finite game."""
from __future__ import annotations

from fuzz.generators.common import COMPARE, Ctx, interval

MUTATIONS = ("duplicate_name", "unknown_name", "response_unknown_player",
             "over_reversed", "over_unknown", "report_condition", "claim_number",
             "check_number", "claim_nan", "response_of_finite", "over_huge_set")


def generate(ctx: Ctx) -> list[str]:
    a, b, c = ctx.name("a"), ctx.name("b"), ctx.name("c")
    out = [f"param {a} = {ctx.pick(['10', '1', '100'])} in [1, 100]",
           f"param {b} = {ctx.pick(['1', '2', '0.5'])} in [0.5, 4]",
           f"param {c} = {ctx.pick(['1', '0', '2'])} in [0, 5]"]
    continuous = ctx.chance(0.6)
    p1, p2, x, y = ctx.name("firm"), ctx.name("firm"), ctx.name("q"), ctx.name("q")
    if continuous:
        out += [f"player {p1} {{ choose {x} in [0, {a} / {b}] }}",
                f"player {p2} {{ choose {y} in [0, {a} / {b}] }}",
                f"payoff {p1} = ({a} - {b} * ({x} + {y})) * {x} - {c} * {x}",
                f"payoff {p2} = ({a} - {b} * ({x} + {y})) * {y} - {c} * {y}"]
    else:
        out += [f"player {p1} {{ choose {x} in {{0, 1, 2}} }}",
                f"player {p2} {{ choose {y} in {{0, 1, 2}} }}",
                f"payoff {p1} = ({a} - {x} - {y}) * {x} - {c} * {x}",
                f"payoff {p2} = ({a} - {x} - {y}) * {y} - {c} * {y}"]
    if ctx.chance(0.3):
        value = f"({a} - {c}) / 2" if continuous else "1"
        out.append(f"profile {ctx.name('mono')} {{ {x} = {value} {y} = 0 }}")
    names = []
    atoms = [a, b, c, x, y]
    for _ in range(ctx.pick([1, 2, 3, 4])):
        n = ctx.name("st")
        if ctx.bad("duplicate_name") and names:
            n = names[0]
        names.append(n)
        kind = ctx.rng.random()
        ref = "ghost" if ctx.bad("unknown_name") else ctx.pick(atoms)
        if kind < 0.25:
            body = ctx.expr([ref, *atoms], 2)
            if ctx.bad("report_condition"):
                body = f"{ref} > 1"
            out.append(f"report {n} = {body}")
        elif kind < 0.45:
            cond = f"{ctx.expr([ref, *atoms], 2)} {ctx.pick(COMPARE)} {ctx.expr(atoms, 1)}"
            if ctx.bad("check_number"):
                cond = ctx.expr(atoms, 1)
            out.append(f"check {n}: {cond}")
        elif kind < 0.7:
            lhs = ctx.pick([f"({a} - {c})^2", x, f"{x} + {y}", ref])
            rhs = ctx.pick([f"{a}^2 - 2 * {a} * {c} + {c}^2", f"({a} - {c}) / (3 * {b})",
                            ctx.expr([a, b, c], 2)])
            body = f"{lhs} {ctx.pick(COMPARE)} {rhs}"
            if ctx.bad("claim_number"):
                body = lhs
            if ctx.bad("claim_nan"):
                body = f"sqrt(-{a}) == {lhs}"
            out.append(f"claim {n}: {body}")
        else:
            who = p1 if not ctx.bad("response_unknown_player") else "ghost"
            resp = ctx.pick([f"({a} - {c} - {y}) / (2 * {b})",
                             f"max(0, ({a} - {c} - {y}) / (2 * {b}))", ctx.expr([y, a], 2)])
            over = ""
            if ctx.chance(0.5) or ctx.mutation in ("over_reversed", "over_unknown",
                                                  "over_huge_set"):
                target = y if not ctx.bad("over_unknown") else "ghost"
                space = interval(ctx) if continuous else "{0, 1, 2}"
                if ctx.bad("over_reversed"):
                    space = "[9, 0]"
                if ctx.bad("over_huge_set"):
                    space = "1..1000000"
                over = f" over {target} in {space}"
            out.append(f"claim {n}: best response {who} = {resp}{over}")
    return out
