"""Update rules over rounds: `update over i in SET { X[i + 1] = ... initial X[1] = ... }`,
several series, and named update-rule profiles."""
from __future__ import annotations

from fuzz.generators.common import Ctx

MUTATIONS = ("gap", "symbolic_rounds", "unknown_series", "rule_backwards", "no_initial",
             "duplicate_profile", "huge_rounds", "fractional_rounds", "rule_twice",
             "index_not_round", "initial_out_of_range")


def _block(ctx: Ctx, name: str | None, series: list[str], params: list[str]) -> str:
    i = ctx.name("i")
    n = ctx.pick(["20", "5", "1", "100"])
    if ctx.bad("huge_rounds"):
        n = ctx.pick(["2000000", "1e300"])
    rounds = f"1..{n}"
    if ctx.bad("symbolic_rounds"):
        rounds = "{A, B, C}"
    if ctx.bad("fractional_rounds"):
        rounds = "{1, 1.5, 2}"
    items = []
    for s in series:
        at = f"{i} + 1" if not ctx.bad("gap") else f"{i} + 2"
        if ctx.bad("rule_backwards"):
            at = f"{i} - 1"
        if ctx.bad("index_not_round"):
            at = "3"
        other = ctx.pick(series)
        ref = f"{other}[{i}]" if not ctx.bad("unknown_series") else f"ghost[{i}]"
        body = ctx.pick([f"{s}[{i}] + {params[0]} * ({params[1]} - {s}[{i}])",
                         f"{params[1]} + {params[0]} * ({ref} - {params[1]} - 1%)",
                         f"{ctx.expr([f'{s}[{i}]', ref, *params], 2)}"])
        items.append(f"{s}[{at}] = {body}")
        if ctx.bad("rule_twice"):
            items.append(f"{s}[{at}] = {params[1]}")
    if not ctx.bad("no_initial"):
        first = "1" if not ctx.bad("initial_out_of_range") else "0"
        items.append("initial " + ", ".join(f"{s}[{first}] = {params[1]} - 3%"
                                            for s in series))
    label = f'"{name}" ' if name is not None else ""
    return f"update {label}over {i} in {rounds} {{\n  " + "\n  ".join(items) + "\n}"


def generate(ctx: Ctx) -> list[str]:
    k, tth = ctx.name("k"), ctx.name("Tth")
    out = [f"param {k} = {ctx.pick(['0.5', '0.1', '1', '2', '-1', '0'])}",
           f"param {tth} = {ctx.pick(['0.9', '20', '0', '1e300'])}"]
    series = [ctx.name("T") for _ in range(ctx.pick([1, 2, 2, 3]))]
    out.append(_block(ctx, None, series, [k, tth]))
    names = [ctx.pick(["Static", "Elastic_0.1", "a b", "", "x" * 300])
             for _ in range(ctx.pick([0, 0, 1, 2]))]
    if ctx.bad("duplicate_profile"):
        names = ["Same", "Same"]
    for name in names:
        out.append(_block(ctx, name, series, [k, tth]))
    return out
