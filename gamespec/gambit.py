"""Gambit interop: the .nfg strategic-form format (payoff and outcome versions).

`export_nfg` writes a finite normal-form game of the language as an NFG payoff file;
`import_nfg` reads either NFG version and writes an equivalent .game spec (a payoff table).
Format reference: the Gambit manual, "Strategic games (.nfg)": profiles are listed with the
first player's strategy changing fastest.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from gamespec.errors import Span, SpecError

if TYPE_CHECKING:
    from gamespec.model import Model

_TOKEN = re.compile(r'[\s,]*(?:(\{)|(\})|"((?:[^"\\]|\\.)*)"|([-+]?[0-9./eE+-]+))')
_RESERVED = set("if then else and or not in over of with to".split())


@dataclass(frozen=True)
class NfgGame:
    title: str
    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    payoffs: np.ndarray  # (n_players, |S_1|, ..., |S_n|), exact values as Fractions (object)


# ---------------------------------------------------------------------------------- reading
def _tokens(text: str, path: str):
    pos = 0
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    while pos < len(text):
        if text[pos:].strip(" \t\r\n,") == "":
            return
        m = _TOKEN.match(text, pos)
        if not m:
            line = sum(1 for s in line_starts if s <= pos)
            col = pos - line_starts[line - 1] + 1
            raise SpecError(f"unexpected text {text[pos:pos + 10]!r} in NFG file",
                            span=Span(path, line, col))
        pos = m.end()
        if m.group(1):
            yield ("{", None)
        elif m.group(2):
            yield ("}", None)
        elif m.group(3) is not None:
            yield ("str", m.group(3).replace('\\"', '"'))
        else:
            yield ("num", m.group(4))


def _number(text: str, path: str) -> Fraction:
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise SpecError(f"bad number {text!r} in NFG file", span=Span(path, 1, 1)) from None


def _nest(tokens, path: str) -> list:
    """Tokens -> nested lists: `{ ... }` becomes a list; strings and numbers stay atoms."""
    stack: list[list] = [[]]
    for kind, value in tokens:
        if kind == "{":
            stack.append([])
        elif kind == "}":
            if len(stack) == 1:
                raise SpecError("NFG file: unbalanced `}`", span=Span(path, 1, 1))
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append((kind, value))
    if len(stack) != 1:
        raise SpecError("NFG file: unbalanced `{`", span=Span(path, 1, 1))
    return stack[0]


def parse_nfg(text: str, path: str = "<nfg>") -> NfgGame:
    """Read an NFG file (payoff or outcome version) into an NfgGame."""
    header = re.match(r"\s*NFG\s+1\s+[RD]\s*", text)
    if not header:
        raise SpecError("not an NFG file (it must start with `NFG 1 R`)", span=Span(path, 1, 1))
    items = _nest(_tokens(text[header.end():], path), path)

    def fail(what: str) -> SpecError:
        return SpecError(f"NFG file: {what}", span=Span(path, 1, 1))

    if len(items) < 3 or items[0][0] != "str" or not isinstance(items[1], list):
        raise fail("expected a title and a list of players")
    title = items[0][1]
    players = [t[1] for t in items[1]]
    spec = items[2]
    if not isinstance(spec, list) or len(spec) != len(players):
        raise fail(f"expected a strategy list for each of the {len(players)} players")
    if all(isinstance(x, list) for x in spec):
        strategies = [tuple(t[1] for t in group) for group in spec]
    else:
        counts = [t[1] if not isinstance(t, list) else "" for t in spec]
        if not all(c.isascii() and c.isdigit() for c in counts):
            raise fail("a strategy count is not a whole number")
        _check_profiles([int(c) for c in counts], fail)
        strategies = [tuple(str(k + 1) for k in range(int(c))) for c in counts]
    rest = items[3:]
    if rest and not isinstance(rest[0], list) and rest[0][0] == "str":
        rest = rest[1:]  # the comment
    shape = tuple(len(s) for s in strategies)
    if min(shape, default=0) < 1:
        raise fail("every player needs at least one strategy")
    n_profiles = _check_profiles(shape, fail)
    profiles = [tuple(reversed(p)) for p in itertools.product(*[range(k) for k in reversed(shape)])]
    payoffs = np.empty((len(players),) + shape, dtype=object)
    if rest and isinstance(rest[0], list):  # outcome version
        outcomes = []
        for outcome in rest[0]:
            values = [_number(t[1].rstrip(","), path) for t in outcome if t[0] == "num"]
            if len(values) != len(players):
                raise fail(f"an outcome has {len(values)} payoffs, expected {len(players)}")
            outcomes.append(values)
        indices = [int(t[1]) for t in rest[1:] if not isinstance(t, list)]
        if len(indices) != n_profiles:
            raise fail(f"{len(indices)} outcome indices for {n_profiles} profiles")
        for profile, index in zip(profiles, indices):
            if not 0 <= index <= len(outcomes):
                raise fail(f"outcome index {index} out of range")
            values = outcomes[index - 1] if index else [Fraction(0)] * len(players)
            for p in range(len(players)):
                payoffs[(p,) + profile] = values[p]
    else:
        numbers = [_number(t[1], path) for t in rest if not isinstance(t, list)]
        if len(numbers) != n_profiles * len(players):
            raise fail(f"{len(numbers)} payoffs, expected {n_profiles * len(players)}")
        for j, profile in enumerate(profiles):
            for p in range(len(players)):
                payoffs[(p,) + profile] = numbers[j * len(players) + p]
    return NfgGame(title, tuple(players), tuple(strategies), payoffs)


DEFAULT_MAX_PROFILES = 20_000_000  # gamespec.normal_form.MAX_PROFILES (a test checks)


def _check_profiles(shape, fail) -> int:
    """The number of pure profiles, refused over --limit pure_profiles before any array
    (or list of strategy names) of that size is built."""
    import sys

    # the limit as --limit set it (that imported normal_form), without importing SymPy
    module = sys.modules.get("gamespec.normal_form")
    limit = module.MAX_PROFILES if module is not None else DEFAULT_MAX_PROFILES
    total = math.prod(shape)
    if total > limit:
        raise fail(f"{' x '.join(f'{k:,}' for k in shape)} strategies make {total:,} pure "
                   f"profiles, over the limit of {limit:,} (pure_profiles; "
                   "--limit pure_profiles=N raises it)")
    return total


def _identifier(text: str, taken: set[str], prefix: str) -> str:
    from gamespec.tree_to_spec import identifier

    return identifier(text, taken, prefix, _RESERVED, joiner="")


def _fraction_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def nfg_to_spec(game: NfgGame, source: str) -> str:
    """A .game spec with one `choose` per player and a payoff table."""
    choices = {f"x{k + 1}" for k in range(len(game.players))}
    taken = set(choices)  # a player may not be named like a choice (a strategy may)
    players = [_identifier(p, taken, "player") for p in game.players]
    taken -= choices
    lines = [f"# imported from {source} (Gambit .nfg)",
             f'game "{game.title.replace(chr(34), chr(39))}"', ""]
    labels = []
    for k, (player, strategies) in enumerate(zip(players, game.strategies)):
        names = [_identifier(s, set(taken), "s") for s in strategies]
        if len(set(names)) != len(names):
            names = [f"s{j + 1}" for j in range(len(names))]
        labels.append(names)
        lines.append(f"player {player} {{ choose x{k + 1} in {{{', '.join(names)}}} }}")
    lines += ["", "table {"]
    for profile in itertools.product(*[range(len(s)) for s in game.strategies]):
        key = ", ".join(labels[p][i] for p, i in enumerate(profile))
        vals = ", ".join(_fraction_text(game.payoffs[(p,) + profile])
                         for p in range(len(players)))
        lines.append(f"  ({key}): ({vals})")
    lines.append("}")
    return "\n".join(lines) + "\n"


def check_imported_spec(text: str, game: NfgGame, path: str = "<imported>") -> None:
    """Check the spec `nfg_to_spec` wrote, without building its model (no SymPy: an import
    stays a fast command): it must parse (names the grammar refuses, such as non-ASCII
    ones, are caught here), and it must state `game` exactly: one `choose` per player over
    distinct strategy names, and one table row per profile with that profile's payoffs.
    Any failure is a SpecError (a bug of the importer, or a name it failed to clean)."""
    from gamespec.language import ast
    from gamespec.language.parser import parse

    spec = parse(text, path)

    def wrong(what: str) -> SpecError:
        return SpecError(f"the imported spec does not state the .nfg game: {what}",
                         span=Span(path, 1, 1), hint="please report this importer bug")

    players = [s for s in spec.statements if isinstance(s, ast.PlayerStmt)]
    tables = [s for s in spec.statements if isinstance(s, ast.TableStmt)]
    if len(players) != len(game.players) or len(tables) != 1:
        raise wrong("expected a player per .nfg player and one table")
    labels, names = [], set()
    for player, strategies in zip(players, game.strategies):
        items = player.items
        if (player.kind != "single" or len(items) != 1
                or not isinstance(items[0], ast.ChooseItem)
                or not isinstance(items[0].domain, ast.SetLiteral)):
            raise wrong(f"player {player.name} is not one choice from a list of strategies")
        elements = [str(e) for e in items[0].domain.elements]
        if len(elements) != len(strategies) or len(set(elements)) != len(elements):
            raise wrong(f"player {player.name} does not have {len(strategies)} strategies")
        names.update((player.name, items[0].name))
        labels.append({label: k for k, label in enumerate(elements)})
    if len(names) != 2 * len(players):
        raise wrong("player and choice names are not distinct")
    rows = tables[0].rows
    seen = set()
    for row in rows:
        try:
            profile = tuple(labels[p][str(key)] for p, key in enumerate(row.keys))
            values = tuple(_fraction_of(v, ast) for v in row.values)
        except (KeyError, IndexError, ValueError, ZeroDivisionError):
            raise wrong(f"table row at line {row.span.line} is not a profile") from None
        if (len(profile) != len(players) or profile in seen
                or values != tuple(game.payoffs[(p,) + profile] for p in range(len(players)))):
            raise wrong(f"table row at line {row.span.line} differs from the .nfg game")
        seen.add(profile)
    if len(seen) != game.payoffs[0].size:
        raise wrong("the table does not list every profile")


def _fraction_of(node, ast) -> Fraction:
    """The exact number of a payoff as `nfg_to_spec` writes it: n, -n, n/d, -n/d."""
    if isinstance(node, ast.Num) and not node.percent:
        return Fraction(node.text)
    if isinstance(node, ast.Neg):
        return -_fraction_of(node.operand, ast)
    if isinstance(node, ast.BinOp) and node.op == "/":
        return _fraction_of(node.left, ast) / _fraction_of(node.right, ast)
    raise ValueError("not a number")


# ---------------------------------------------------------------------------------- writing
def export_nfg(model: Model) -> str:
    """The model's finite normal form as an NFG payoff file with strategy names."""
    from gamespec.normal_form import build_normal_form

    nf = build_normal_form(model)
    return nfg_text(model.title, nf.agents, nf.labels, nf.payoffs)


def nfg_text(title: str, agents, labels, payoffs) -> str:
    """An NFG payoff file: `payoffs[k][profile]` is agent k's payoff (floats or Fractions)."""
    title = title.replace('"', "'")
    players = " ".join(f'"{a}"' for a in agents)
    strategies = " ".join("{ " + " ".join('"' + str(s).replace('"', "'") + '"' for s in names)
                          + " }" for names in labels)
    out = [f'NFG 1 R "{title}" {{ {players} }}', "", f"{{ {strategies} }}", ""]
    shape = tuple(len(names) for names in labels)
    numbers = []
    for rev in itertools.product(*[range(k) for k in reversed(shape)]):
        profile = tuple(reversed(rev))
        numbers.extend(_format(payoffs[(p,) + profile]) for p in range(len(agents)))
    out.append(" ".join(numbers))
    return "\n".join(out) + "\n"


def _format(value) -> str:
    if isinstance(value, Fraction):
        return _fraction_text(value)
    frac = Fraction(float(value)).limit_denominator(10**6)
    if abs(float(frac) - float(value)) < 1e-12:
        return _fraction_text(frac)
    return repr(float(value))
