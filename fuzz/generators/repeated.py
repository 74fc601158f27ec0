"""Repeated play: value recursions and conditions, and trigger strategies (grim, tit for
tat, grim with detection) of a finite stage game (the spec's own, or a `stage` file)."""
from __future__ import annotations

from fuzz.generators.common import Ctx

MUTATIONS = ("discount_out_of_range", "sustain_wrong_arity", "unknown_strategy_kind",
             "detect_out_of_range", "condition_unknown_value", "punish_unknown",
             "two_blocks", "no_discount", "stage_missing_file", "stage_leaves_folder",
             "tft_three_players", "value_cycle", "sustain_unknown")


def _values(ctx: Ctx, out: list[str]) -> None:
    d, g, p = ctx.name("d"), ctx.name("g"), ctx.name("p")
    out.append(f"param {d} = {ctx.pick(['0.9', '0.5', '0.99', '0', '1'])} in [0, 1]")
    out.append(f"param {g} = {ctx.number(0.1)}")
    out.append(f"param {p} = {ctx.prob()}")
    items = [] if ctx.bad("no_discount") else [f"discount {d}"]
    values = [ctx.name("V") for _ in range(ctx.pick([1, 2, 2, 3]))]
    for k, v in enumerate(values):
        rec = ctx.pick([f"{g} - 1 + {d} * {v}", f"{g} + {d} * {p} * {v}",
                        f"{ctx.expr([g, p], 2)} + {d} * {v}"])
        if ctx.bad("value_cycle") and k:
            rec = f"{values[k - 1]} + {d} * {v}"
            items[-1] = items[-1] + f" + {v}"
        items.append(f"value {v} = {rec}")
    left = values[0]
    right = values[-1] if not ctx.bad("condition_unknown_value") else "ghost"
    items.append(f"condition {ctx.name('ok')}: {left} {ctx.pick(['>', '>=', '<'])} {right}")
    out.append("repeated {\n  " + "\n  ".join(items) + "\n}")


def _trigger(ctx: Ctx, out: list[str]) -> None:
    d, q = ctx.name("d"), ctx.name("q")
    disc = ctx.pick(["0.6", "0.9", "0.3"]) if not ctx.bad("discount_out_of_range") else \
        ctx.pick(["1", "0", "1.5", "-1", "1e308"])
    out.append(f"param {d} = {disc}")
    out.append(f"param {q} = {ctx.prob()}")
    n = 3 if ctx.bad("tft_three_players") else 2
    players, acts = [], []
    for _ in range(n):
        p, a = ctx.name("pl"), ctx.name("a")
        out.append(f"player {p} {{ choose {a} in {{Co, De}} }}")
        players.append(p)
        acts.append(a)
    rows = []
    T, R, P, S = (ctx.pick(x) for x in (["5", "4", "10"], ["3", "2"], ["1", "0"],
                                        ["0", "-1", "-2"]))
    if n == 2:
        for a, b, pa, pb in [("Co", "Co", R, R), ("Co", "De", S, T), ("De", "Co", T, S),
                             ("De", "De", P, P)]:
            rows.append(f"  ({a}, {b}): ({pa}, {pb})")
        out.append("table {\n" + "\n".join(rows) + "\n}")
    else:
        for p, a in zip(players, acts):
            out.append(f"payoff {p} = {R} * [{a} == Co] + {ctx.expr([], 1)}")
    items = [f"discount {d}"]
    if ctx.bad("stage_missing_file") or ctx.bad("stage_leaves_folder") or ctx.chance(0.1):
        where = "stage_pd.game"
        if ctx.bad("stage_missing_file"):
            where = "nowhere.game"
        if ctx.bad("stage_leaves_folder"):
            where = ctx.pick(["../run_fuzz.py", "/etc/hostname", "data/../x.game"])
        out.append(f'stage one = "{where}"')
        items.append("stage one")
    path = ["Co"] * n
    if ctx.bad("sustain_wrong_arity"):
        path.append("Co")
    if ctx.bad("sustain_unknown"):
        path[0] = "Maybe"
    items.append(f"sustain ({', '.join(path)})")
    if ctx.chance(0.3) or ctx.bad("punish_unknown"):
        pun = ["De"] * n if not ctx.bad("punish_unknown") else ["Never"] * n
        items.append(f"punish ({', '.join(pun)})")
    kinds = ["grim", "tit_for_tat", f"grim detect {q}"]
    for _ in range(ctx.pick([1, 2, 3])):
        kind = ctx.pick(kinds)
        if ctx.bad("unknown_strategy_kind"):
            kind = "forgiving"
        if ctx.bad("detect_out_of_range"):
            kind = f"grim detect {ctx.pick(['1.5', '-0.1', '1/0'])}"
        items.append(f"strategy {ctx.name('st')}: {kind}" if ctx.chance(0.7)
                     else f"strategy {kind}")
    out.append("repeated {\n  " + "\n  ".join(items) + "\n}")
    if ctx.bad("two_blocks"):
        out.append(f"repeated {{ discount {d} }}")


def generate(ctx: Ctx) -> list[str]:
    out: list[str] = []
    if ctx.chance(0.4) or ctx.mutation in ("no_discount", "value_cycle",
                                           "condition_unknown_value"):
        _values(ctx, out)
    else:
        _trigger(ctx, out)
    return out
