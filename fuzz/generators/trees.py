"""Game trees: `tree { ... }` with explicit and set moves, chance moves (explicit and over
sets), `sees`, `at` labels, `if`, `for`, `track`, `end` and payoff vectors."""
from __future__ import annotations

from fuzz.generators.common import Ctx

MUTATIONS = ("prob_sum", "negative_prob", "duplicate_move", "missing_payoff",
             "payoff_arity", "sees_unknown", "mover_not_player", "items_after_end",
             "player_with_strategy", "at_label_mismatch", "var_before_move", "huge_tree",
             "empty_moves", "payoff_not_number", "track_unknown")


class _Tree:
    def __init__(self, ctx: Ctx, players: list[str]) -> None:
        self.ctx, self.players = ctx, players
        self.vars: list[str] = []
        self.moves_of: dict[str, list[str]] = {}
        self.tracks: list[str] = []
        self.labels: dict[str, int] = {}

    def payoff(self) -> str:
        ctx, n = self.ctx, len(self.players)
        if ctx.bad("payoff_arity") and ctx.chance(0.5):
            n += ctx.pick([1, -1])
        atoms = [*self.tracks]
        values = [ctx.expr(atoms, 1, trouble=0.03) for _ in range(max(n, 0))]
        if ctx.bad("payoff_not_number") and self.vars:
            values[0] = self.vars[-1]
        return f"payoff ({', '.join(values)})"

    def mover(self) -> str:
        if self.ctx.bad("mover_not_player") and self.ctx.chance(0.3):
            return "stranger"
        return self.ctx.pick(self.players)

    def sees(self) -> str:
        ctx = self.ctx
        if ctx.bad("sees_unknown") and ctx.chance(0.5):
            return " sees ghost"
        r = ctx.rng.random()
        if r < 0.15:
            return " sees nothing"
        if r < 0.4 and self.vars:
            return " sees " + ", ".join(sorted(set(ctx.rng.sample(self.vars, 1))))
        return ""

    def at(self, moves: list[str]) -> str:
        ctx = self.ctx
        if not ctx.chance(0.15):
            return ""
        label = ctx.pick(["s1", "s2"])
        if label in self.labels and self.labels[label] != len(moves) and not ctx.bad(
                "at_label_mismatch"):
            return ""
        self.labels[label] = len(moves)
        return f' at "{label}"'

    def moves(self, prefix: str) -> list[str]:
        ctx = self.ctx
        n = ctx.pick([2, 2, 3]) if not ctx.bad("empty_moves") or ctx.chance(0.7) else 0
        names = [f"{prefix}{k}" for k in range(1, n + 1)]
        if ctx.bad("duplicate_move") and names and ctx.chance(0.5):
            names.append(names[0])
        return names

    def block(self, depth: int) -> list[str]:
        """Items that end every play (with a payoff, unless a mutation says otherwise)."""
        ctx, items = self.ctx, []
        saved = (list(self.vars), list(self.tracks))
        for _ in range(ctx.pick([0, 0, 1, 2]) if depth > 0 else 0):
            r = ctx.rng.random()
            if r < 0.35:
                v = ctx.name("v")
                names = self.moves("M")
                items.append(f"{self.mover()}{self.sees()} chooses {v} in "
                             f"{{{', '.join(names)}}}")
                self.vars.append(v)
                self.moves_of[v] = names
            elif r < 0.6:
                c = ctx.name("c")
                k = ctx.pick([2, 3])
                prob = f"1/{k}" if not ctx.bad("prob_sum") else f"1/{k + 1}"
                items.append(f"chance {c} in 1..{k} with {prob}")
                self.vars.append(c)
                self.moves_of[c] = [str(j) for j in range(1, k + 1)]
            elif r < 0.8:
                t = ctx.name("pot")
                start = ctx.pick(self.tracks) + " + 1" if self.tracks else ctx.number(0.1)
                if ctx.bad("track_unknown"):
                    start = "ghost + 1"
                items.append(f"track {t} = {start}")
                self.tracks.append(t)
            else:
                k = ctx.name("k")
                rounds = ctx.pick(["2", "3"]) if not ctx.bad("huge_tree") else "20"
                v = ctx.name("b")
                items.append(f"for {k} in 1..{rounds} {{ {self.mover()} chooses {v} in "
                             f"{{Lo, Hi}} }}")
                self.vars.append(v)
                self.moves_of[v] = ["Lo", "Hi"]
        if ctx.bad("var_before_move") and ctx.chance(0.3):
            items.append(f"payoff ({', '.join(['later'] * len(self.players))})")
        items.append(self.terminal(depth))
        if ctx.bad("items_after_end") and ctx.chance(0.3):
            items += ["end", self.payoff()]
        self.vars, self.tracks = saved
        return items

    def terminal(self, depth: int) -> str:
        ctx = self.ctx
        r = ctx.rng.random()
        if depth <= 0 or r < 0.25:
            if ctx.bad("missing_payoff") and ctx.chance(0.3):
                return "end"
            return self.payoff() + (" end" if ctx.chance(0.1) else "")
        if r < 0.55:
            names = self.moves("A")
            var = f" {ctx.name('w')}" if ctx.chance(0.3) else ""
            mover = self.mover()
            head = f"{mover}{self.at(names)}{self.sees()} chooses{var}"
            branches = [f"{m}: {{ {' '.join(self.block(depth - 1))} }}" for m in names]
            return f"{head} {{ " + " ".join(branches) + " }"
        if r < 0.75:
            names = self.moves("N")
            if not names:
                return "chance { }"
            probs = [f"1/{len(names)}"] * len(names)
            if ctx.bad("prob_sum"):
                probs[0] = "0.9"
            if ctx.bad("negative_prob"):
                probs[0], probs[-1] = "-0.5", f"1/{len(names)} + 0.5 + 1/{len(names)}"
            branches = [f"{m} ({p}): {{ {' '.join(self.block(depth - 1))} }}"
                        for m, p in zip(names, probs)]
            return "chance { " + " ".join(branches) + " }"
        if self.vars:
            v = self.ctx.pick(self.vars)
            then = " ".join(self.block(depth - 1))
            other = " ".join(self.block(depth - 1))
            value = ctx.pick(self.moves_of.get(v) or ["M1"])
            return f"if {v} == {value} {{ {then} }} " \
                   f"else {{ {other} }}"
        return self.payoff()


def generate(ctx: Ctx) -> list[str]:
    players = [ctx.name("pl") for _ in range(ctx.pick([2, 2, 2, 3, 1]))]
    out = []
    for k, p in enumerate(players):
        body = " choose z in {0, 1} " if ctx.bad("player_with_strategy") and not k else ""
        out.append(f"player {p} {{{body}}}")
    params = [ctx.name("f")]
    out.append(f"param {params[0]} = {ctx.number()}")
    tree = _Tree(ctx, players)
    items = tree.block(ctx.pick([1, 2, 3]))
    out.append("tree {\n  " + "\n  ".join(items) + "\n}")
    if len(players) == 2 and ctx.chance(0.15):
        out.append("zero_sum")
    return out
