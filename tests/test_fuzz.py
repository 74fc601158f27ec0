"""Fuzzing the front end (parser + model builder): whatever the text, the only exception
that may escape `gamespec.language.loader.model_from_string` is a `GamespecError`, and no spec may
hang.

(a) specs generated from the grammar itself: Hypothesis `from_lark` over the packaged
    grammar, and a random top-down derivation of the same grammar;
(b) byte- and token-level mutations of valid specs (the constants below, plus the repo's
    `specs/*.game` when that folder has any).

The generators and mutators here are shared with `fuzz/run_fuzz.py` (the long run).
"""
from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark

from gamespec.errors import GamespecError
from gamespec.language.expressions import MATH_FUNCTIONS
from gamespec.language.loader import model_from_string
from gamespec.language.parser import parse
from gamespec.stdlib.functions import SYMBOLIC_FUNCTIONS

REPO = Path(__file__).resolve().parents[1]
# Specs are checked as if they lived in tests/bad_specs/, whose data/ folder holds small
# CSV files (ok.csv, nan.csv, text.csv): generated `csv("data/ok.csv")` calls really load.
SPEC_PATH = str(REPO / "tests" / "bad_specs" / "fuzz.game")
TIMEOUT_S = 10.0
# Registered data sets come from the local mirror (CI and tests use ../shared/data);
# downloads are refused while fuzzing (see no_network).
_SHARED_DATA = REPO.parent / "shared" / "data"
MIRROR = os.environ.get("GAMESPEC_DATA_MIRROR") or (
    str(_SHARED_DATA) if _SHARED_DATA.is_dir() else None)

# ---------------------------------------------------------------- seeds (valid specs)
SEEDS: dict[str, str] = {
    "pd": """\
game "Prisoner's dilemma"
player row { choose a in {Cooperate, Defect} }
player col { choose b in {Cooperate, Defect} }
table {
  (Cooperate, Cooperate): (-1, -1)
  (Cooperate, Defect):    (-3,  0)
  (Defect,    Cooperate): ( 0, -3)
  (Defect,    Defect):    (-2, -2)
}
""",
    "pricing": """\
game "Pricing"
param c = 1 in [0, 5]
param a = 10
set P = {1, 2, 3}
player firm1 { choose p1 in P }
player firm2 { choose p2 in [0, a] subject to cap: p2 <= a }
payoff firm1 = (p1 - c) * (a - p1 + p2)
payoff firm2 = (p2 - c) * (a - p2 + p1)
order firm1 -> firm2
""",
    "family": """\
game "Public goods"
param n = 4
param r = 1.6 in [1, 4]
set I = 1..n
set V = {0, 1, 2}
players i in I { choose c in V }
payoff i = r * sum(j in I) c[j] / n - c[i]
""",
    "mixed": """\
game "Matching pennies"
set S = {Heads, Tails}
player row { mixed p over S }
player col { mixed q over S }
payoff row = sum(s in S, t in S) p[s] * q[t] * (if s == t then 1 else -1)
zero_sum
""",
    "data": """\
game "Weighted targets"
data d = csv("data/ok.csv", key = id)
set R = d.id
param w[r in R] = d.p[r]
let total = sum(r in R) w[r]
player defender { mixed f over R subject to budget: sum(r in R) f[r] <= 1 }
player attacker { choose a in R }
payoff attacker = w[a] * (1 - f[a]) / total
payoff defender = -w[a] * (1 - f[a])
order defender -> attacker
""",
    "population": """\
game "Congestion"
param N = 100
param M = 2
population users of N { choose sigma in [0, M] field s2 = mean sigma^2 }
payoff users = sigma - s2 / 2
""",
    "repeated": """\
game "Repeated"
param g = 3
param d = 0.9 in [0, 1]
player a { choose x in {C, D} }
player b { choose y in {C, D} }
table {
  (C, C): (2, 2)
  (C, D): (0, 3)
  (D, C): (3, 0)
  (D, D): (1, 1)
}
repeated { discount d value W = g + d * W condition comply: W > 0 }
""",
    "dynamics": """\
game "Oscillator"
param m = 1
param k = 2
dynamics over t in [0, 10] {
  coordinates u
  lagrangian = m * u'^2 / 2 - k * u^2 / 2
  initial u = 1, u' = 0
}
""",
    "update": """\
game "Thermostat"
param Tth = 20
param k = 0.5
set Rounds = 1..20
update over i in Rounds { T[i + 1] = T[i] + k * (Tth - T[i]) initial T[1] = Tth - 3% }
""",
    "stackelberg": """\
game "Stackelberg with profile"
param a = 10
param c = 1
set Q = 0..5
let price[q1 in Q, q2 in Q] = max(a - q1 - q2, 0)
player leader { choose q1 in Q }
player follower { choose q2 in Q }
payoff leader = price[q1, q2] * q1 - c * q1
payoff follower = price[q1, q2] * q2 - c * q2
order leader -> follower
profile monopoly { q1 = 3 q2 = 0 }
select max payoff leader
solve using lp { tolerance = 1e-9 }
""",
    "bayes": """\
game "Types"
set Types = {Weak, Strong}
param prior[t in Types] = if t == Weak then 0.3 else 0.7
player sender { types t in Types with prior[t] choose m[t in Types] in {0, 1} }
player receiver { choose r in {0, 1} }
payoff sender = count(u in Types : u == Weak) + m[Weak] * r
payoff receiver = [r == 1] * 2 - 1
""",
    # Every construct of the grammar at once: it parses, but does not build (names clash).
    "showcase": """\
game "Optimal location privacy"
param Qmax = 0.869 in [0, 1]
param p = 90%
param P_hi
data regions = csv("regions.csv", columns = {id, x, y})
set R = regions.id
set V = {3, 2, 1, 0.33, 0.2} * dq / eps
set I = 1..n-1
param psi[r in R] = regions.p[r]
param dq[a in R, b in R] = if a == b then 0 else 1
let Q[x in X] = mean(j in I) m[j, x] + 1
player user { mixed f[r in R] over R
  subject to quality: sum(r in R, s in R) psi[r] * f[r, s] * dq[s, r] <= Qmax }
player adversary { mixed h[s in R] over R }
payoff user = sum(r in R, s in R, a in R) psi[r] * f[r, s] * h[s, a] * dp[a, r]
zero_sum
order user -> adversary
order {a,b} -> c
table { (Soft, Hard): (-P_hi - T_lo, P_hi) }
profile laplace { b[i in I] = dq/eps }
select max payoff users
select first
repeated { discount d value V = g + d*V condition comply: V > 0 }
dynamics over r in [0, 10] { coordinates u_a, u_c lagrangian = m*u_a'^2/2 - k*(u_a-u_c)^2/2 initial u_a = 1, u_a' = 0 }
update over i in 1..20 { T[i+1] = Tth + k*(A[i] - Tth - 1%) initial T[1] = Tth - 3% }
solve using lp { tolerance = 1e-9 }
population users of N { choose sigma in [0, M] field s2 = mean sigma^2 }
players i in 1..n { choose b in V }
let c = count(i in I : b[i] == 1) + max(a, b) + [x > 0]
""",
}
PARSE_ONLY = {"showcase"}


def seed_specs() -> list[tuple[str, str, str]]:
    """(name, text, path) of every seed: the constants, then the repo's specs/*.game
    (those using registered data sets only when a local mirror is there)."""
    seeds = [(name, text, SPEC_PATH) for name, text in SEEDS.items()]
    for path in sorted((REPO / "specs").glob("*.game")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if MIRROR is None and "dataset(" in text:
            continue
        seeds.append((f"specs/{path.name}", text, str(path)))
    return seeds


# ---------------------------------------------------------------- terminals
KEYWORDS = (
    "game param set data let player players population payoff common zero_sum table order "
    "profile select repeated dynamics update solve in over of with to choose mixed subject "
    "types field mean first discount value condition coordinates lagrangian initial using "
    "if then else and or not sum prod max min count csv dataset"
).split()
NAMES = (
    "x y a b c d f h i j k m n p q r s t u w N M R S I V T P Q "
    "row col users sigma Heads Tails Up Down id total cap lp tolerance columns key"
).split() + sorted({*MATH_FUNCTIONS, *SYMBOLIC_FUNCTIONS, "csv", "dataset"})
# Every terminal is padded with spaces so adjacent tokens never fuse ("param" "x").
TERMINAL_POOLS: dict[str, list[str]] = {
    "NAME": [f" {n} " for n in NAMES],
    "PRIMED": [" u' ", " x' ", " u'' ", " m' "],
    "NUMBER": [f" {n} " for n in (
        "0 1 2 3 5 10 100 0.5 0.25 1e-9 1e3 2.5e2 007 99999999999 1e300 1e-300 20000001"
    ).split()],
    "PERCENT": [" 5% ", " 100% ", " 0.5% ", " 250% "],
    "STRING": [f" {s} " for s in (
        '"G"', '""', '"data/ok.csv"', '"data/nan.csv"', '"data/text.csv"', '"missing.csv"',
        '"../x.csv"', '"/etc/hostname"', '"data"', '"lp"', '"a b"', '","',
    )],
    "COMMENT": [" # note\n", "#\n"],
    "WS": [" ", "\n", "\t", "\r\n"],
    "AGGREGATE": [" sum", " prod", " max", " min", " mean"],  # the lookahead needs "(" next
    "COUNT": [" count"],
    "COMP_OP": [f" {op} " for op in ("<=", ">=", "==", "!=", "<", ">")],
    "POW": [" ^ ", " ** "],
    "SELECT_KIND": [" max ", " min "],
}


@lru_cache(maxsize=1)
def grammar() -> Lark:
    """A Lark object built from the packaged grammar file."""
    text = resources.files("gamespec.grammar").joinpath("gamespec.lark").read_text("utf-8")
    return Lark(text, parser="lalr")


def terminal_pools(lark: Lark) -> dict[str, list[str]]:
    """Pools for every terminal: the regex ones above, and each literal padded by spaces."""
    pools = {}
    for term in lark.terminals:
        if term.pattern.type == "str":
            pools[term.name] = [f" {term.pattern.value} "]
        else:
            pools[term.name] = TERMINAL_POOLS[term.name]
    return pools


def _random_name(rng: random.Random) -> str:
    while True:
        first = rng.choice("abcxyzRSTQ_")
        name = first + "".join(rng.choice("abcdefgh0123456789_") for _ in range(rng.randint(0, 6)))
        if name not in KEYWORDS:
            return f" {name} "


def explicit_strategies(lark: Lark) -> dict[str, st.SearchStrategy[str]]:
    """`explicit=` for from_lark: every terminal drawn from its pool (names sometimes new)."""
    out = {}
    for name, pool in terminal_pools(lark).items():
        strategy = st.sampled_from(pool)
        if name == "NAME":
            fresh = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True).filter(
                lambda s: s not in KEYWORDS).map(lambda s: f" {s} ")
            strategy = st.one_of(strategy, fresh)
        out[name] = strategy
    return out


class GrammarWalker:
    """Random top-down derivations of the grammar, cut off at a depth budget (past it,
    only the expansions that finish soonest are taken)."""

    def __init__(self, lark: Lark) -> None:
        self.rules: dict[str, list[tuple[str, ...]]] = {}
        for rule in lark.rules:
            self.rules.setdefault(rule.origin.name, []).append(
                tuple(s.name for s in rule.expansion))
        self.pools = terminal_pools(lark)
        self.ignored = [n for n in lark.ignore_tokens if n in self.pools]
        cost = {name: 0 for name in self.pools}
        changed = True
        while changed:
            changed = False
            for name, expansions in self.rules.items():
                options = [1 + max((cost[s] for s in e), default=0) for e in expansions
                           if all(s in cost for s in e)]
                if options and min(options) < cost.get(name, 10**9):
                    cost[name] = min(options)
                    changed = True
        self.cost = cost
        self.shortest = {
            name: [e for e in exps if all(s in cost for s in e)
                   and 1 + max((cost[s] for s in e), default=0) == cost[name]]
            for name, exps in self.rules.items()
        }

    def generate(self, rng: random.Random, max_depth: int | None = None) -> str:
        out: list[str] = []
        budget = max_depth if max_depth is not None else rng.randint(3, 16)
        stack: list[tuple[str, int]] = [("start", 0)]
        while stack:  # iterative, so deep derivations cannot overflow the stack here
            symbol, depth = stack.pop()
            if symbol in self.pools:
                out.append(rng.choice(self.pools[symbol]) if symbol != "NAME" or rng.random()
                           > 0.05 else _random_name(rng))
                if self.ignored and rng.random() < 0.05:
                    out.append(rng.choice(self.pools[rng.choice(self.ignored)]))
                continue
            options = self.rules[symbol] if depth < budget else self.shortest[symbol]
            expansion = rng.choice(options)
            for s in reversed(expansion):
                stack.append((s, depth + 1))
        return "".join(out)


@lru_cache(maxsize=1)
def walker() -> GrammarWalker:
    return GrammarWalker(grammar())


# ---------------------------------------------------------------- mutations
PUNCTUATION = list("{}[](),:=.*/+-^<>'\"#%;$@!?\\|&~`") + [
    "..", "->", "<=", ">=", "==", "!=", "**", "\n", "\t", "\x00", "\u00e9", "\u200b", "\U0001d465",
]
# Not 19999999 or 20000000: a range that size is allowed (build_sets.MAX_SET_SIZE) but
# takes ~10 s and ~1.5 GB to build (reported; the limit is documented in docs/language.md).
EXTREME_NUMBERS = ["0", "-1", "1e308", "1e-320", "99999999999", "100000000000", "0.000001",
                   "1" * 70, "1e999", "NaN", "inf", "20000001", "1999999", "-0", "1e3000"]
# Expressions that are valid syntax but troublesome values: complex, infinite, NaN, huge.
FRAGMENTS = ["sqrt(-1)", "0^-1", "(0^-1 - 0^-1)", "10^999", "(10^999)^999", "log(0)",
             "exp(1000)", "1/(1-1)", "max(x, sqrt(-1))", "min(0^-1, 1)", "[x > 0]", "(x > 0)",
             "sum(i in S) i", "count(i in S : i > 1)", "Heads", "mod(1, 0)", "floor(1e300)",
             "if x > 0 then sqrt(-1) else 0", "x'", "d.p[1]", "w[sqrt(-1)]", "-(-(-x))"]
_TOKEN = re.compile(r"\s+|[A-Za-z_][A-Za-z0-9_]*'*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?%?|\.\.|->|"
                    r"[<>=!]=|\*\*|.", re.S)


def _slice(rng: random.Random, n: int, longest: int = 40) -> tuple[int, int]:
    start = rng.randrange(n + 1)
    return start, min(n, start + rng.randint(0, longest))


def mutate_bytes(text: str, rng: random.Random) -> str:
    """Delete, duplicate or swap a random slice of bytes, or insert or flip a byte."""
    data = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 3)):
        n = len(data)
        op = rng.randrange(6)
        a, b = _slice(rng, n)
        if op == 0:
            del data[a:b]
        elif op == 1:
            data[a:a] = data[a:b]
        elif op == 2:
            c, d = _slice(rng, n)
            if b <= c:
                data[a:d] = data[c:d] + data[b:c] + data[a:b]
        elif op == 3:
            data[a:a] = rng.choice(PUNCTUATION).encode("utf-8")
        elif op == 4 and n:
            data[rng.randrange(n)] = rng.randrange(256)
        else:
            data[a:a] = bytes([rng.randrange(256)])
    return data.decode("utf-8", "replace")


def mutate_tokens(text: str, rng: random.Random) -> str:
    """Delete, duplicate, swap or replace tokens; insert punctuation, keywords, numbers."""
    tokens = _TOKEN.findall(text)
    words = [t for t in tokens if t.strip()]
    for _ in range(rng.randint(1, 4)):
        n = len(tokens)
        op = rng.randrange(10)
        a, b = _slice(rng, n, 8)
        if op == 0:
            del tokens[a:b]
        elif op == 1:
            tokens[a:a] = tokens[a:b] * rng.randint(1, 3)
        elif op == 2:
            c, d = _slice(rng, n, 8)
            if b <= c:
                tokens[a:d] = tokens[c:d] + tokens[b:c] + tokens[a:b]
        elif op == 3:
            tokens.insert(a, rng.choice(PUNCTUATION))
        elif op == 4:
            tokens.insert(a, f" {rng.choice(KEYWORDS)} ")
        elif op == 5 and n and words:
            tokens[rng.randrange(n)] = rng.choice(words)
        elif op == 6:
            numbers = [k for k, t in enumerate(tokens) if t[:1].isdigit()]
            if numbers:
                tokens[rng.choice(numbers)] = rng.choice(
                    EXTREME_NUMBERS if rng.random() < 0.6 else FRAGMENTS)
        elif op == 7:
            names = [k for k, t in enumerate(tokens) if t[:1].isalpha()]
            if names:
                k = rng.choice(names)
                tokens[k] = tokens[k] + rng.choice(["", "_", "x", "'", "s"])
        elif op == 8:
            tokens.insert(a, f" {rng.choice(NAMES)} ")
        else:  # repeat a short run of tokens many times: long chains, deep nesting
            b = min(n, a + rng.randint(1, 3))
            tokens[a:a] = tokens[a:b] * rng.choice([10, 70, 300, 1500])
    return "".join(tokens)


def mutate(text: str, rng: random.Random) -> str:
    return mutate_bytes(text, rng) if rng.random() < 0.35 else mutate_tokens(text, rng)


# ---------------------------------------------------------------- the property
class Hang(BaseException):  # noqa: N818 - not an Exception, so `except Exception` can't eat it
    """A spec took longer than its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise Hang after `seconds` of CPU time in user mode (main thread, Unix; CPU time, so a
    loaded machine does not turn a slow answer into a hang); a no-op elsewhere."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise Hang(f"no answer within {seconds:g} s")

    previous = signal.signal(signal.SIGVTALRM, on_alarm)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


@contextlib.contextmanager
def no_network():
    """Refuse data-set downloads (pooch.retrieve) for the duration."""
    try:
        import pooch
    except ImportError:  # pragma: no cover
        yield
        return

    def refuse(*args, **kwargs):
        raise RuntimeError("downloads are disabled while fuzzing")

    original = pooch.retrieve
    pooch.retrieve = refuse
    try:
        yield
    finally:
        pooch.retrieve = original


def check_spec(text: str, path: str = SPEC_PATH, timeout: float = TIMEOUT_S) -> str:
    """Load one spec: 'ok' or 'error' (a GamespecError); anything else propagates."""
    with no_network(), time_limit(timeout):
        try:
            model_from_string(text, path, data_mirror=MIRROR)
        except GamespecError:
            return "error"
    return "ok"


FUZZ = settings(
    deadline=None,  # the hard per-example limit is time_limit(TIMEOUT_S) in check_spec
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
    database=None,
)


@pytest.mark.parametrize("name, text, path", seed_specs(), ids=[s[0] for s in seed_specs()])
def test_seeds_are_valid(name, text, path):
    """The mutation seeds are valid specs (the showcase only parses)."""
    if name in PARSE_ONLY:
        parse(text, path)
    else:
        assert check_spec(text, path) == "ok"


@settings(FUZZ, max_examples=250)  # from_lark is slow to draw (~40 ms a spec)
@given(from_lark(grammar(), explicit=explicit_strategies(grammar())))
def test_grammar_generated_specs(text):
    check_spec(text)


@settings(FUZZ, max_examples=800)
@given(st.randoms(use_true_random=False))
def test_grammar_walk_specs(rng):
    check_spec(walker().generate(rng))


# Specs reading registered data sets (dataset(...), stdlib transforms) take 0.2-0.6 s each
# to load: those are mutated in fuzz/run_fuzz.py only; specs with csv(...) data stay.
_SLOW_DATA = re.compile(r"^\s*data\s+\w+\s*=\s*(?!\s|csv\s*\()", re.M)
# likewise the Leduc poker spec: its 9,457-node tree takes about a second to build
_SLOW_SPECS = ("leduc_poker.game",)
QUICK_SEEDS = [s for s in seed_specs() if not _SLOW_DATA.search(s[1])
               and not s[0].endswith(_SLOW_SPECS)]


@settings(FUZZ, max_examples=2000)
@given(st.sampled_from(QUICK_SEEDS), st.randoms(use_true_random=False))
def test_mutated_specs(seed, rng):
    _, text, path = seed
    check_spec(mutate(text, rng), path)


# ---------------------------------------------------------------- regressions found by fuzzing
_ONE_PLAYER = "param k = 2\nplayer a { choose x in [0, 1] }\npayoff a = {}\n"
_CHAINS = {
    "plus": " + ".join(["x"] * 600),
    "times": " * ".join(["x"] * 600),
    "minus": "-" * 600 + "x",
    "power": " ^ ".join(["x"] * 600),
    "not": "[" + "not " * 600 + "x > 0]",
    "and": "[" + " and ".join(["x > 0"] * 600) + "]",
    "if": "if k > 0 then " * 400 + "x" + " else 0" * 400,
}


@pytest.mark.parametrize("kind", sorted(_CHAINS))
def test_long_operator_chains_are_spec_errors(kind):
    """Chains of operators nest the parse tree without brackets (was a RecursionError)."""
    with pytest.raises(GamespecError, match="nested more than"):
        model_from_string(_ONE_PLAYER.replace("{}", _CHAINS[kind]), SPEC_PATH)


@pytest.mark.parametrize("keyword", ["param", "let"])
@pytest.mark.parametrize("direction", ["backward", "forward"])
def test_long_definition_chains_are_spec_errors(keyword, direction):
    """300 definitions each using the next (or the previous) was a RecursionError."""
    n = 300
    if direction == "backward":
        lines = [f"{keyword} p{i} = p{i + 1} + 1" for i in range(n)] + [f"{keyword} p{n} = 1"]
        top = "p0"
    else:
        lines = [f"{keyword} p0 = 1"] + [f"{keyword} p{i + 1} = p{i} + 1" for i in range(n)]
        top = f"p{n}"
    text = "\n".join(lines) + f"\nset R = 1..{top}\nplayer a {{ choose x in R }}\npayoff a = x\n"
    assert check_spec(text) in ("ok", "error")  # forward params resolve in order: ok
