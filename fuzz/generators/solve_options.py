"""Solve statements: `solve [using METHOD] { name = value, ... }` on small games of each
shape, with the options each registered method declares (read from the registry), values
in and out of their ranges, of the right and the wrong type."""
from __future__ import annotations

from functools import lru_cache

from fuzz.generators.common import Ctx

BASES = {
    "bimatrix": ("player a { choose x in {U, D} }\nplayer b { choose y in {L, R} }\n"
                 "table {\n (U, L): (3, 2)\n (U, R): (0, 0)\n (D, L): (0, 0)\n (D, R): (2, 3)\n}"),
    "zero_sum": ("player a { mixed p over {H, T} }\nplayer b { mixed q over {H, T} }\n"
                 "table {\n (H, H): (1)\n (H, T): (-1)\n (T, H): (-1)\n (T, T): (1)\n}\n"
                 "zero_sum"),
    "leader": ("player a { mixed f over {G, V} }\nplayer b { choose t in {G, V} }\n"
               "payoff a = -f[t]\npayoff b = f[t] * 2 - 1\norder a -> b"),
    "duopoly": ("player a { choose q1 in [0, 10] }\nplayer b { choose q2 in [0, 10] }\n"
                "payoff a = (10 - q1 - q2) * q1 - q1\npayoff b = (10 - q1 - q2) * q2 - q2"),
    "tree": ("player e {}\nplayer i {}\ntree {\n e chooses { Out: payoff (0, 2)\n"
             "  In: i chooses { F: payoff (-1, -1) A: payoff (1, 1) } }\n}"),
    "shares": ("population pop of 100 { choose go in {A, S} field att = mean [go == A] }\n"
               "payoff pop = if go == A then 0.6 - att else 0"),
    "repeated": ("param d = 0.9 in [0, 1]\nrepeated { discount d value V = 1 + d * V "
                 "condition ok: V > 2 }"),
    "network": ("network roads with flow x { edge s -> t cost x / 100 edge s -> t cost 45 "
                "demand cars of 4000 from s to t }"),
    "family": "players i in 1..4 { choose b in {0, 1} }\ncommon payoff = sum(j in 1..4) b[j]",
}
MUTATIONS = ("unknown_option", "wrong_type", "out_of_range", "unknown_method",
             "string_for_number", "fraction_for_int", "bool_for_number", "duplicate_option",
             "wrong_method_for_game", "empty_string", "two_solve_statements")


@lru_cache(maxsize=1)
def methods() -> dict:
    """method name -> its declared options (the registry, imported once)."""
    from gamespec.solvers.options import RUN_SETTINGS
    from gamespec.solvers.registry import registry

    return {e.name: (*RUN_SETTINGS, *e.options) for e in registry()}


def _value(ctx: Ctx, option) -> str:
    kind = option.kind
    if ctx.bad("string_for_number") and kind in ("int", "float"):
        return '"12"'
    if ctx.bad("bool_for_number") and kind in ("int", "float"):
        return "true"
    if ctx.bad("fraction_for_int") and kind == "int":
        return "2.5"
    if ctx.bad("empty_string") and kind == "str":
        return '""'
    if ctx.bad("wrong_type"):
        return ctx.pick(['"x"', "1", "true", "sqrt(-1)", "1/0"])
    if kind == "bool":
        return ctx.pick(["true", "false"])
    if kind == "str":
        if option.choices:
            return f'"{ctx.pick(option.choices)}"'
        return f'"{ctx.pick(["a", "laplace", "1", ""])}"'
    if kind == "data":
        return "points"
    lo = 0 if option.low is None else option.low
    hi = lo + 100 if option.high is None else option.high
    if ctx.bad("out_of_range"):
        return ctx.pick([repr(lo - 1), repr(hi * 10 + 1), "-1e300", "1e300", "0"])
    if option.name == "time_limit":
        return ctx.pick(["1", "5", "0.1"])
    if kind == "int":
        return str(ctx.rng.randint(int(lo), int(min(hi, lo + 50))))
    return repr(round(ctx.rng.uniform(lo, min(hi, lo + 10)), 6))


def generate(ctx: Ctx) -> list[str]:
    out = [BASES[ctx.pick(BASES)]]
    table = methods()
    method = ctx.pick(table)
    opts = [o for o in table[method] if o.name not in ("progress", "figures")]
    chosen = [o for o in opts if ctx.chance(0.4)]
    pairs = [f"{o.name} = {_value(ctx, o)}" for o in chosen]
    if ctx.bad("unknown_option"):
        pairs.append(ctx.pick(["tolerence = 1", "maxiter = 3", "x = \"y\""]))
    if ctx.bad("duplicate_option") and pairs:
        pairs.append(pairs[0])
    name = method if not ctx.bad("unknown_method") else ctx.pick(["LP", "simplex", "nash"])
    using = f" using {name}" if ctx.chance(0.8) or ctx.bad("unknown_method") else ""
    block = " { " + ctx.pick([", ", " ", ",\n  "]).join(pairs) + " }" if pairs or \
        ctx.chance(0.3) else ""
    out.append(f"solve{using}{block}")
    if ctx.bad("two_solve_statements"):
        out.append("solve using enumerate")
    return out
