"""Congestion networks: `network NAME [with flow X] { edge [L:] a -> b cost EXPR [if C]
demand D of AMOUNT from o to d }`: random graphs of a few nodes, affine and nonlinear costs,
several demands, conditional edges."""
from __future__ import annotations

from fuzz.generators.common import Ctx

MUTATIONS = ("unknown_node", "no_path", "negative_cost", "decreasing_cost", "zero_demand",
             "duplicate_label", "path_explosion", "flow_name_clash", "with_player",
             "two_networks", "cost_nan", "duplicate_demand")


def generate(ctx: Ctx) -> list[str]:
    out = []
    flow = ctx.pick(["x", "f", "flow"]) if ctx.chance(0.7) else None
    fname = flow or "flow"
    bridge = ctx.name("bridge")
    out.append(f"param {bridge} = {ctx.pick(['1', '0'])}")
    if ctx.bad("flow_name_clash"):
        flow = fname = bridge
    n = ctx.pick([3, 4, 5]) if not ctx.bad("path_explosion") else 14
    nodes = ["s", *[f"n{k}" for k in range(1, n - 1)], "t"]
    edges, labels = [], []
    # a path s -> ... -> t, then random extra edges (forward mostly: few cycles)
    for u, v in zip(nodes, nodes[1:]):
        edges.append((u, v))
    extra = ctx.pick([1, 2, 4]) if not ctx.bad("path_explosion") else 80
    for _ in range(extra):
        i, j = sorted(ctx.rng.sample(range(n), 2))
        if ctx.chance(0.1):
            i, j = j, i
        edges.append((nodes[i], nodes[j]))
    if ctx.bad("no_path"):
        edges = [(u, v) for u, v in edges if v != "t"] + [("t", "s")]
    items = []
    for k, (u, v) in enumerate(edges):
        cost = ctx.pick([f"{fname} / 100", "45", f"{ctx.pick(['1', '2', '0.5'])} * {fname}",
                         f"{fname}^2 + 1", f"1 + {fname}^4 / 1000", "0", f"10 + {fname}"])
        if ctx.bad("negative_cost") and not k:
            cost = f"-1 - {fname}"
        if ctx.bad("decreasing_cost") and not k:
            cost = f"100 - {fname}"
        if ctx.bad("cost_nan") and not k:
            cost = f"sqrt(-1 - {fname})"
        label = ""
        if ctx.chance(0.3) or ctx.bad("duplicate_label"):
            name = ctx.name("e") if not ctx.bad("duplicate_label") else "dup"
            labels.append(name)
            label = f"{name}: "
        cond = f" if {bridge} == 1" if ctx.chance(0.15) else ""
        items.append(f"edge {label}{u} -> {v} cost {cost}{cond}")
    demands = ctx.pick([1, 1, 2])
    for _ in range(demands):
        amount = ctx.pick(["4000", "1", "10", "0.5"]) if not ctx.bad("zero_demand") else \
            ctx.pick(["0", "-1", "1e308"])
        dest = "t" if not ctx.bad("unknown_node") else "nowhere"
        name = ctx.name("d") if not ctx.bad("duplicate_demand") else "same"
        items.append(f"demand {name} of {amount} from s to {dest}")
    ctx.rng.shuffle(items)
    with_flow = f" with flow {flow}" if flow else ""
    out.append(f"network {ctx.name('roads')}{with_flow} {{\n  " + "\n  ".join(items) + "\n}")
    if ctx.bad("with_player"):
        out.append("player p { choose y in {0, 1} }\npayoff p = y")
    if ctx.bad("two_networks"):
        out.append("network other { edge a -> b cost 1 demand d of 1 from a to b }")
    return out
