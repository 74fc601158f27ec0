"""Parameters, sets and lets: scalar and indexed parameters with ranges, free symbols,
ranges / literal / scaled sets, long let chains; used by one player's payoff."""
from __future__ import annotations

from fuzz.generators.common import Ctx, finite_set, set_literal

MUTATIONS = ("cyclic_let", "duplicate_name", "outside_range", "huge_range", "index_arity",
             "wrong_set_index", "free_in_set", "long_let_chain", "element_clash",
             "non_integer_range", "repeated_element", "indexed_no_body")


def generate(ctx: Ctx) -> list[str]:
    out, scalars = [], []
    for _ in range(ctx.size(1, 4)):
        name = ctx.name("p")
        value = ctx.expr(scalars, 2)
        guard = ""
        if ctx.chance(0.3) or ctx.bad("outside_range"):
            guard = " in [0, 1]" if not ctx.bad("outside_range") else " in [5, 6]"
            value = ctx.pick(["0.5", "0", "1", "25%"]) if not ctx.bad("outside_range") else "7"
        if ctx.chance(0.1):
            out.append(f"param {name}{guard}")  # a free symbol
        else:
            out.append(f"param {name} = {value}{guard}")
            scalars.append(name)
    n = ctx.size(1, 4, huge=ctx.pick([2_000_000, 2_000_001, 10**12]))
    if ctx.bad("huge_range"):
        n = ctx.pick(["2000001", "1e300", "99999999999", "(0-5)"])
    if ctx.bad("non_integer_range"):
        n = "2.5"
    rng_set = ctx.name("R")
    lo = ctx.pick(["1", "0", "(-2)", "(1 - 1)"])
    out.append(f"set {rng_set} = {lo}..{n}")
    elements = finite_set(ctx, "Lv")
    if ctx.bad("repeated_element") and elements:
        elements.append(elements[0])
    lit = ctx.name("S")
    out.append(f"set {lit} = {set_literal(ctx, elements)}")
    if ctx.bad("element_clash") and elements and not elements[0].isdigit():
        out.append(f"param {elements[0]} = 1")
    if ctx.bad("free_in_set"):
        out.append(f"param free{ctx.counter}")
        out.append(f"set F{ctx.counter} = 1..free{ctx.counter}")
    if scalars and ctx.chance(0.3):
        out.append(f"set {ctx.name('V')} = {{1, 2, 3}} {ctx.pick('*/')} {ctx.pick(scalars)}")
    w = ctx.name("w")
    i = ctx.name("i")
    if ctx.bad("indexed_no_body"):
        out.append(f"param {w}[{i} in {rng_set}]")
    else:
        out.append(f"param {w}[{i} in {rng_set}] = {ctx.expr([i, *scalars], 2)}")
    m = ctx.name("m")
    a, b = ctx.name("a"), ctx.name("b")
    out.append(f"param {m}[{a} in {rng_set}, {b} in {lit}] = "
               f"if {b} == {elements[0] if elements else 'x'} then {a} else 0")
    # lets: a chain, each using the previous one
    chain = ctx.pick([1, 3, 5]) if not ctx.bad("long_let_chain") else ctx.pick([59, 61, 300])
    lets = [ctx.name("l") for _ in range(chain)]
    for k, name in enumerate(lets):
        prev = lets[k - 1] if k else ctx.pick([*scalars, "1"])
        out.append(f"let {name} = {prev} + {ctx.expr(scalars, 1)}")
    if ctx.bad("cyclic_let"):
        out.append(f"let {lets[0]}x = {lets[-1]} + {lets[0]}x")
    if ctx.bad("duplicate_name"):
        out.append(f"param {ctx.pick([w, m, lets[0], rng_set])} = 1")
    x = ctx.name("x")
    out.append(f"player {ctx.name('u')} {{ choose {x} in {rng_set} }}")
    j = ctx.name("j")
    index = f"{w}[{x}]"
    if ctx.bad("index_arity"):
        index = f"{w}[{x}, {x}]"
    if ctx.bad("wrong_set_index"):
        index = f"sum({j} in {lit}) {w}[{j}]"
    payoff = f"{index} * {lets[-1]} + sum({j} in {rng_set}) {m}[{j}, " \
             f"{elements[0] if elements else 'x'}]"
    out.append(f"payoff {out[-1].split()[1]} = {ctx.deep(payoff)}")
    return out
