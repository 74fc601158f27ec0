"""Lagrangian dynamics: coordinates, a Lagrangian in them and their derivatives, initial
values, claimed equations of motion."""
from __future__ import annotations

from fuzz.generators.common import Ctx

MUTATIONS = ("primed_unknown", "no_lagrangian", "initial_unknown", "reversed_interval",
             "primed_outside", "with_player", "two_blocks", "claim_wrong", "huge_interval",
             "no_coordinates", "double_prime_initial")


def generate(ctx: Ctx) -> list[str]:
    out = []
    k, m = ctx.name("k"), ctx.name("m")
    out.append(f"param {k} = {ctx.pick(['0.5', '2', '1', '0', '-1'])}")
    out.append(f"param {m} = {ctx.pick(['1', '2', '0.1', '0'])}")
    coords = [ctx.name("u") for _ in range(ctx.pick([1, 1, 2, 3]))]
    t = ctx.name("r")
    lo, hi = "0", ctx.pick(["10", "1", "20", "0.001"])
    if ctx.bad("reversed_interval"):
        lo, hi = "10", "0"
    if ctx.bad("huge_interval"):
        hi = ctx.pick(["1e300", "1e9"])
    kinetic = " + ".join(f"{m} * {c}'^2 / 2" for c in coords)
    pairs = [f"({a} - {b})^2" for a, b in zip(coords, coords[1:])] or [f"{coords[0]}^2"]
    potential = f"{k} * (" + " + ".join(pairs) + ") / 2"
    if ctx.chance(0.2):
        potential += f" + {ctx.expr([*coords, t], 2)}"
    items = []
    if not ctx.bad("no_coordinates"):
        items.append("coordinates " + ", ".join(coords))
    if not ctx.bad("no_lagrangian"):
        lag = f"{kinetic} - {potential}"
        if ctx.bad("primed_unknown"):
            lag += " + ghost'^2"
        items.append(f"lagrangian = {lag}")
    inits = []
    for c in coords:
        inits += [f"{c} = {ctx.number(0.1)}", f"{c}' = {ctx.pick(['0', '1', '-1'])}"]
    if ctx.bad("initial_unknown"):
        inits.append("ghost = 1")
    if ctx.bad("double_prime_initial"):
        inits.append(f"{coords[0]}'' = 1")
    ctx.rng.shuffle(inits)
    items.append("initial " + ", ".join(inits[: max(1, ctx.rng.randint(1, len(inits)))]))
    if ctx.chance(0.3) or ctx.bad("claim_wrong"):
        c = coords[0]
        rhs = "0" if not ctx.bad("claim_wrong") else "1"
        items.append(f"claim {m} * {c}'' + {k} * {c} == {rhs}")
    if ctx.chance(0.1):
        items.append(f"claim lagrangian = {kinetic} - {potential}")
    out.append(f"dynamics over {t} in [{lo}, {hi}] {{\n  " + "\n  ".join(items) + "\n}")
    if ctx.bad("primed_outside"):
        out.append(f"param z{ctx.counter} = {coords[0]}'")
    if ctx.bad("with_player"):
        out.append("player pp { choose xx in {0, 1} }\npayoff pp = xx")
    if ctx.bad("two_blocks"):
        out.append("dynamics over s in [0, 1] { coordinates w lagrangian = w'^2 "
                   "initial w = 0 }")
    return out
