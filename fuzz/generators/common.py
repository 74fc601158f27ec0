"""Shared pieces of the construct generators: a context holding the random source and the
mutation chosen for this spec, names, numbers (extremes included) and expressions."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

FUZZ_DIR = Path(__file__).resolve().parents[1]
# Generated specs are checked as if they lived in fuzz/data/, beside its small data files.
SPEC_PATH = str(FUZZ_DIR / "data" / "fuzz.game")

# Numbers a spec may write: ordinary ones, and extremes (literal limits are at 60 digits
# and exponent +-300; 1e308 and 1e-320 are beyond them on purpose).
ORDINARY = ["0", "1", "2", "3", "0.5", "0.25", "10", "100", "0.9", "1.5", "7", "4"]
EXTREME = ["0", "1e308", "1e300", "1e-300", "1e-320", "99999999999", "0.000001", "1e-9",
           "1" * 59, "1" * 61, "2.5e2", "007", "1e299", "1e-299", "5%", "250%", "(-1)",
           "(-1e300)", "(0 - 0)"]
# Expressions that are valid syntax but troublesome values.
TROUBLE = ["sqrt(-1)", "1/0", "0^-1", "(0^-1 - 0^-1)", "10^999", "(10^300)^4", "log(0)",
           "exp(1000)", "1/(1-1)", "mod(1, 0)", "floor(1e300)", "ln(-1)", "(-8)^(1/3)",
           "0^0", "max(1, sqrt(-1))", "sign(0) / sign(0)", "tanh(1e300)", "ceil(-0.5)",
           "exp(-1000)", "sin(1e300)", "abs(-0)", "2^1000", "2^-1000"]
FUNCTIONS1 = ["exp", "ln", "log", "sqrt", "abs", "floor", "ceil", "sin", "cos", "tanh", "sign"]
COMPARE = ["<", "<=", ">", ">=", "==", "!="]
RESERVED = {"if", "then", "else", "and", "or", "not", "in", "over", "of", "with", "to"}


@dataclass
class Ctx:
    """The random source of one spec and the one construct-aware mutation picked for it
    (None: the spec is meant to be valid-shaped)."""

    rng: random.Random
    mutation: str | None = None
    used: set = field(default_factory=set)
    counter: int = 0

    def bad(self, tag: str) -> bool:
        """Whether this spec carries the mutation `tag`."""
        return self.mutation == tag

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(list(seq))

    def size(self, lo: int = 1, hi: int = 4, huge: int | None = None) -> int:
        """A small size, now and then an extreme one (0 or `huge`)."""
        r = self.rng.random()
        if r < 0.03:
            return 0
        if huge is not None and r < 0.05:
            return huge
        return self.rng.randint(lo, hi)

    def name(self, prefix: str = "n") -> str:
        """A fresh name (short, or now and then long / underscored / keyword-like)."""
        self.counter += 1
        r = self.rng.random()
        if r < 0.03:
            base = prefix + "_" * 3 + "x" * self.rng.choice([40, 300])
        elif r < 0.05:  # keywords are names where a name is expected (by position)
            word = self.pick(["value", "first", "mean", "field", "choose", "game", "chance"])
            if word not in self.used:
                self.used.add(word)
                return word
            base = word
        else:
            base = prefix
        out = f"{base}{self.counter}"
        self.used.add(out)
        return out

    def labels(self, n: int, prefix: str = "L") -> list[str]:
        """n distinct element names."""
        return [f"{prefix}{k}" for k in range(1, n + 1)]

    def number(self, extreme: float = 0.15) -> str:
        return self.pick(EXTREME if self.chance(extreme) else ORDINARY)

    def prob(self) -> str:
        """A probability-like number, sometimes outside [0, 1]."""
        if self.chance(0.1):
            return self.pick(["-0.1", "1.5", "1e308", "(0 - 0.5)", "2", "0"])
        return self.pick(["0.5", "0.2", "0.8", "1", "0", "0.9", "1/3", "60%"])

    def expr(self, atoms: list[str], depth: int = 3, trouble: float = 0.05) -> str:
        """A random arithmetic expression over `atoms` (names or numbers)."""
        rng = self.rng
        if depth <= 0 or rng.random() < 0.3:
            if rng.random() < trouble:
                return self.pick(TROUBLE)
            if atoms and rng.random() < 0.7:
                return self.pick(atoms)
            return self.number()
        k = rng.randrange(10)
        a = self.expr(atoms, depth - 1, trouble)
        if k < 4:
            b = self.expr(atoms, depth - 1, trouble)
            return f"({a} {self.pick('+-*/')} {b})"
        if k == 4:
            return f"({a})^{self.pick(['2', '3', '0.5', '-1', '(1/2)', '999'])}"
        if k == 5:
            return f"{self.pick(FUNCTIONS1)}({a})"
        if k == 6:
            b = self.expr(atoms, depth - 1, trouble)
            return f"{self.pick(['max', 'min'])}({a}, {b})"
        if k == 7:
            b = self.expr(atoms, depth - 1, trouble)
            c = self.expr(atoms, depth - 1, trouble)
            return f"(if {a} {self.pick(COMPARE)} {b} then {c} else {a})"
        if k == 8:
            b = self.expr(atoms, depth - 1, trouble)
            return f"[{a} {self.pick(COMPARE)} {b}]"
        return f"-{a}"

    def condition(self, atoms: list[str]) -> str:
        a, b = self.expr(atoms, 2), self.expr(atoms, 2)
        return f"{a} {self.pick(COMPARE)} {b}"

    def deep(self, core: str) -> str:
        """`core` wrapped in deep brackets or a long chain (limits: 64 brackets, tree depth
        200), or left alone."""
        r = self.rng.random()
        if r < 0.85:
            return core
        if r < 0.92:
            n = self.pick([10, 63, 65, 120])
            return "(" * n + core + ")" * n
        return " + ".join([core] * self.pick([5, 20, 210]))  # 210: over the depth limit


def set_literal(ctx: Ctx, elements: list[str]) -> str:
    return "{" + ", ".join(elements) + "}"


def finite_set(ctx: Ctx, prefix: str = "E", lo: int = 2, hi: int = 3) -> list[str]:
    """Elements of a small finite set (names, or numbers now and then)."""
    n = ctx.size(lo, hi)
    if ctx.chance(0.2):
        return [str(k) for k in range(n)]
    return ctx.labels(n, prefix)


def interval(ctx: Ctx) -> str:
    lo, hi = ctx.pick([("0", "1"), ("0", "10"), ("-1", "1"), ("1", "2")])
    if ctx.chance(0.1):
        lo, hi = ctx.pick([(hi, lo), ("0", "0"), ("0", "1e300"), ("-1e300", "1e300"),
                           ("sqrt(-1)", "1"), ("0", "1/0")])
    return f"[{lo}, {hi}]"


def join(statements: list[str]) -> str:
    return "\n".join(statements) + "\n"


# Statement-level mutations any generator may get (besides its own).
GENERIC = ("drop_statement", "duplicate_statement", "shuffle", "truncate", "inject_line")


def mutate_statements(ctx: Ctx, statements: list[str]) -> list[str]:
    """Apply the generic mutation of ctx (if it is one) to the list of statements."""
    rng, out = ctx.rng, list(statements)
    if not out:
        return out
    k = rng.randrange(len(out))
    if ctx.bad("drop_statement"):
        del out[k]
    elif ctx.bad("duplicate_statement"):
        out.insert(rng.randrange(len(out) + 1), out[k])
    elif ctx.bad("shuffle"):  # statements may come in any order: still valid
        rng.shuffle(out)
    elif ctx.bad("truncate"):
        text = join(out)
        return [text[:rng.randrange(len(text) + 1)]]
    elif ctx.bad("inject_line"):
        out.insert(k, ctx.pick(["}", "{", "param", "player p {", "(", "end", "payoff x =",
                                "chance", "edge a -> b cost", "]", "#", '"']))
    return out
