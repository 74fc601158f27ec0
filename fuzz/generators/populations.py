"""Mean-field populations: `population NAME of N { choose ... field F = mean ... }` over an
interval (one field, optionally a leader) or a finite set (shares, several fields,
several populations, thresholds)."""
from __future__ import annotations

from fuzz.generators.common import Ctx, finite_set, set_literal

MUTATIONS = ("field_outside_population", "mixed_in_population", "field_other_strategy",
             "size_extreme", "two_fields_interval", "other_population_choice",
             "field_name_clash", "conditioned_choice", "order_with_shares",
             "payoff_unknown_field")


def _interval_population(ctx: Ctx, out: list[str]) -> None:
    n, m, kappa = ctx.name("N"), ctx.name("M"), ctx.name("kappa")
    out.append(f"param {n} = {ctx.pick(['100', '10', '2'])}")
    out.append(f"param {m} = {ctx.pick(['10', '1', '5'])}")
    out.append(f"param {kappa} = {ctx.pick(['0.05', '0.5', '1', '0'])}")
    pop, sigma, s2 = ctx.name("users"), ctx.name("sigma"), ctx.name("s2")
    size = n if not ctx.bad("size_extreme") else ctx.pick(["0", "-5", "1e300", "sqrt(-1)"])
    leader = ctx.chance(0.4)
    lx = ctx.name("sL")
    items = [f"choose {sigma} in [0, {m}]",
             f"field {s2} = mean {ctx.pick([sigma + '^2', sigma, f'exp(-{sigma})'])}"]
    if ctx.bad("two_fields_interval"):
        items.append(f"field {s2}b = mean {sigma}")
    if ctx.bad("field_other_strategy") and leader:
        items.append(f"field {s2}c = mean {lx}")
    if ctx.bad("mixed_in_population"):
        items[0] = f"mixed {sigma} over {{0, 1}}"
    out.append(f"population {pop} of {size} {{ " + " ".join(items) + " }")
    lead = f"{lx}^2 + " if leader else ""
    body = ctx.pick([f"exp(-{kappa} * ({lead}{s2})) - 0.1 * {sigma}",
                     f"{sigma} - {s2} / 2 - {ctx.expr([sigma, s2], 1)}",
                     f"-({sigma} - {s2})^2 + {kappa} * {sigma}"])
    out.append(f"payoff {pop} = {body}")
    if leader:
        lp = ctx.name("learner")
        out.append(f"player {lp} {{ choose {lx} in [0, {m}] }}")
        out.append(f"payoff {lp} = exp(-{kappa} * ({lx}^2 + {s2})) - {ctx.number()} * {lx}")
        out.append(f"order {lp} -> {pop}")
    if ctx.bad("field_outside_population"):
        out.append(f"player z{ctx.counter} {{ choose zz in [0, 1] field f = mean zz }}")


def _share_population(ctx: Ctx, out: list[str]) -> None:
    pops = ctx.pick([1, 1, 2])
    fields_all: list[str] = []
    bodies = []
    for _ in range(pops):
        pop, go = ctx.name("pat"), ctx.name("go")
        choices = finite_set(ctx, "Ch", 2, 4)
        fields = []
        items = [f"choose {go} in {set_literal(ctx, choices)}"]
        if ctx.bad("conditioned_choice"):
            items[0] = f"choose {go}[t in {{1, 2}}] in {set_literal(ctx, choices)}"
        for c in choices[: ctx.pick([1, 2])]:
            f = ctx.name("share") if not ctx.bad("field_name_clash") else go
            items.append(f"field {f} = mean [{go} == {c}]")
            fields.append(f)
        size = ctx.pick(["100", "1", "4000"]) if not ctx.bad("size_extreme") else \
            ctx.pick(["0", "-1", "1e308"])
        out.append(f"population {pop} of {size} {{ " + " ".join(items) + " }")
        fields_all += fields
        bodies.append((pop, go, choices))
    cap = ctx.name("cap")
    out.append(f"param {cap} = {ctx.pick(['0.6', '0.5', '0', '1', '1.5'])}")
    for pop, go, choices in bodies:
        f = ctx.pick(fields_all) if fields_all else "0"
        if ctx.bad("payoff_unknown_field"):
            f = "ghost"
        if ctx.bad("other_population_choice") and len(bodies) > 1:
            f = bodies[-1][1] if bodies[-1][1] != go else bodies[0][1]
        c0 = choices[0] if choices else "x"
        body = ctx.pick([
            f"if {go} == {c0} then (if {f} < {cap} then 1 else -1) else 0",
            f"[{go} == {c0}] * ({cap} - {f}) + {ctx.expr([f], 1)}",
            f"if {go} == {c0} then {ctx.expr([f, cap], 2)} else {ctx.expr([f], 2)}",
        ])
        out.append(f"payoff {pop} = {body}")
    if ctx.bad("order_with_shares"):
        out.append(f"order {bodies[0][0]} -> {bodies[-1][0]}")
    if ctx.chance(0.3):
        out.append(ctx.pick([f"select max payoff {bodies[0][0]}", "select first",
                             f"select min {fields_all[0] if fields_all else 'x'}"]))


def generate(ctx: Ctx) -> list[str]:
    out: list[str] = []
    if ctx.chance(0.5):
        _interval_population(ctx, out)
    else:
        _share_population(ctx, out)
    return out
