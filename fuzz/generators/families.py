"""Families of players (`players i in I`, `players name[i in I]`) and players with private
types (`types k in K with prior[k]`), with conditioned choices and indexed payoffs."""
from __future__ import annotations

from fuzz.generators.common import Ctx, finite_set, set_literal

MUTATIONS = ("empty_family", "prior_negative", "prior_not_one", "payoff_wrong_index",
             "member_unbound", "types_in_family", "conditioned_wrong_set", "huge_family",
             "family_name_clash", "prior_unknown")


def _family(ctx: Ctx, out: list[str]) -> None:
    size = ctx.size(1, 4)
    if ctx.bad("empty_family"):
        size = 0
    if ctx.bad("huge_family"):
        size = ctx.pick([60, 1000, 2_000_000])
    members = ctx.name("I")
    out.append(f"set {members} = 1..{size}" if size else f"set {members} = 1..0")
    choices = finite_set(ctx, "C")
    b, j = ctx.name("b"), ctx.name("j")
    extra = ""
    if ctx.bad("types_in_family"):
        extra = " types t in {1, 2} with 0.5"
    if ctx.chance(0.5):
        fam = ctx.name("i")
        idx = fam
        out.append(f"players {fam} in {members} {{ choose {b} in {set_literal(ctx, choices)}"
                   f"{extra} }}")
    else:
        fam, idx = ctx.name("fam"), ctx.name("k")
        out.append(f"players {fam}[{idx} in {members}] {{ choose {b} in "
                   f"{set_literal(ctx, choices)}{extra} }}")
    if ctx.bad("family_name_clash"):
        out.append(f"player {fam} {{ choose q{ctx.counter} in {{0, 1}} }}")
    own = f"{b}[{idx}]" if not ctx.bad("member_unbound") else f"{b}[zz]"
    first = choices[0] if choices else "C1"
    others = f"count({j} in {members} : {b}[{j}] == {first})"
    body = ctx.pick([f"[{own} == {first}] - {others} / {max(size, 1)}",
                     f"(if {own} == {first} then {others} else {ctx.number()})",
                     f"{ctx.number()} * [{own} == {first}] + {ctx.expr([others], 2)}"])
    if ctx.chance(0.3):
        m = ctx.name("m")
        out.append(f"payoff {fam}[{m} in {members}] = {body.replace(idx + ']', m + ']')}"
                   if not ctx.bad("payoff_wrong_index") else
                   f"payoff {fam}[{m} in {{X, Y}}] = {body}")
    else:
        out.append(f"payoff {fam} = {body}")


def _typed(ctx: Ctx, out: list[str]) -> None:
    types = finite_set(ctx, "T")
    tset, prior, k = ctx.name("K"), ctx.name("prior"), ctx.name("k")
    out.append(f"set {tset} = {set_literal(ctx, types)}")
    n = max(len(types), 1)
    value = f"1/{n}"
    if ctx.bad("prior_negative"):
        value = f"if {k} == {types[0] if types else 'x'} then -0.5 else 1.5"
    if ctx.bad("prior_not_one"):
        value = "0.7"
    out.append(f"param {prior}[{k} in {tset}] = {value}")
    d, a, t = ctx.name("def"), ctx.name("att"), ctx.name("t")
    targets = finite_set(ctx, "G")
    x, y = ctx.name("x"), ctx.name("y")
    mixed = ctx.chance(0.5)
    out.append(f"player {d} {{ {'mixed' if mixed else 'choose'} {x} "
               f"{'over' if mixed else 'in'} {set_literal(ctx, targets)} }}")
    cond_set = tset if not ctx.bad("conditioned_wrong_set") else set_literal(ctx, targets)
    pr = f"{prior}[{k}]" if not ctx.bad("prior_unknown") else f"ghost[{k}]"
    out.append(f"player {a} {{ types {k} in {tset} with {pr} "
               f"choose {y}[{k} in {cond_set}] in {set_literal(ctx, targets)} }}")
    g = targets[0] if targets else "G1"
    mine = f"{x}[{g}]" if mixed else f"[{x} == {g}]"
    out.append(f"payoff {d} = sum({t} in {tset}) {prior}[{t}] * [{y}[{t}] == {g}] * {mine}")
    out.append(f"payoff {a}[{t} in {tset}] = [{y}[{t}] == {g}] * (1 - {mine}) "
               f"+ {ctx.expr([], 1)}")
    if ctx.chance(0.5):
        out.append(f"order {d} -> {a}")


def generate(ctx: Ctx) -> list[str]:
    out: list[str] = []
    if ctx.chance(0.5) or ctx.mutation in ("empty_family", "member_unbound", "huge_family",
                                           "types_in_family", "family_name_clash",
                                           "payoff_wrong_index"):
        _family(ctx, out)
    else:
        _typed(ctx, out)
    return out
