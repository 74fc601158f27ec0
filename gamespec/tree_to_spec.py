"""A GameTree as .game spec text: `player` statements and a nested `tree` block.

    entrant at "start" chooses { Out: payoff (0, 2)  In: incumbent chooses { ... } }
    chance { Strong (9/10): ...  Weak (1/10): ... }

Player names become identifiers; moves stay bare names when they are identifiers (not
keywords) and are quoted otherwise. Spec strings cannot hold `"` or line breaks: these
become `'` and spaces. Values must be numbers (Fractions print as `a/b`).
"""
from __future__ import annotations

import re

from gamespec.errors import SpecError
from gamespec.game_tree import CHANCE, DECISION, TERMINAL, GameTree, as_number

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
KEYWORDS = frozenset("""
and at best chance check choose chooses claim common condition coordinates data discount
dynamics else end experiment field first game if in initial label lagrangian let max mean
min mixed not nothing of or order over param payoff player players population profile
repeated report response sees select set solve subject table then to tree types update
using value with zero_sum sum prod count
""".split())


def spec_string(text: str) -> str:
    """A quoted spec string (the language has no escapes)."""
    return '"' + " ".join(text.replace('"', "'").split("\n")) + '"'


def identifier(text: str, taken: set[str], prefix: str, reserved=KEYWORDS,
               joiner: str = "_") -> str:
    """`text` as a fresh identifier (added to `taken`): other characters -> `_`, a leading
    digit gets `prefix`, a reserved word a `_` suffix, a name taken a number."""
    name = re.sub(r"\W+", "_", text.strip(), flags=re.ASCII).strip("_") or prefix
    if name[0].isdigit():
        name = f"{prefix}{joiner}{name}"
    if name in reserved:
        name = f"{name}_"
    base, k = name, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def _move(label: str) -> str:
    if _IDENT.fullmatch(label) and label not in KEYWORDS:
        return label
    return spec_string(label)


def _moves(labels: tuple[str, ...]) -> list[str]:
    """Move labels as written, distinct even after quoting changed some."""
    out: list[str] = []
    for label in labels:
        text = _move(label)
        while text in out:
            text = spec_string(text.strip('"') + "'")
        out.append(text)
    return out


def _value(value) -> str:
    try:
        number = as_number(value)
    except TypeError:
        raise SpecError(f"a tree value is not a number: {value}") from None
    if isinstance(number, float):
        return repr(number)
    if number.denominator == 1:
        return str(number.numerator)
    return f"{number.numerator}/{number.denominator}"


def _infoset_labels(tree: GameTree) -> dict[int, str]:
    """Each information set's `at` string, distinct per player after sanitising."""
    out: dict[int, str] = {}
    for player in tree.players:
        seen: set[str] = set()
        for h in tree.player_infosets(player):
            text = spec_string(tree.infosets[h].label)
            while text in seen:
                text = text[:-1] + "'\""
            seen.add(text)
            out[h] = text
    return out


def tree_spec_text(tree: GameTree, title: str, source: str, *, always_at: bool = True) -> str:
    """Spec text for `tree`. Every decision node gets `at "label"` (keeps the information
    sets' names); with always_at=False only sets of more than one node do."""
    taken: set[str] = set()
    names = {p: identifier(p, taken, "player") for p in tree.players}
    at = _infoset_labels(tree)
    lines = [f"# imported from {' '.join(source.splitlines())} by gamespec import",
             f"game {spec_string(title)}", ""]
    lines += [f"player {names[p]} {{}}" for p in tree.players]
    lines += ["", "tree {"]
    stack: list[tuple[int | None, int, str]] = [(0, 1, "")]  # (node or None = `}`, depth, head)
    while stack:
        index, depth, head = stack.pop()
        pad = "  " * depth
        if index is None:
            lines.append(pad + "}")
            continue
        node = tree.nodes[index]
        if node.kind == TERMINAL:
            lines.append(f"{pad}{head}payoff ({', '.join(_value(u) for u in node.payoffs)})")
            continue
        moves = _moves(node.moves)
        if node.kind == CHANCE:
            lines.append(f"{pad}{head}chance {{")
            heads = [f"{m} ({_value(p)}): " for m, p in zip(moves, node.probabilities)]
        else:
            assert node.kind == DECISION
            h = tree.infosets[node.infoset]
            where = f" at {at[node.infoset]}" if always_at or len(h.nodes) > 1 else ""
            lines.append(f"{pad}{head}{names[node.player]}{where} chooses {{")
            heads = [f"{m}: " for m in moves]
        stack.append((None, depth, ""))
        stack.extend(reversed([(c, depth + 1, hd) for c, hd in zip(node.children, heads)]))
    lines.append("}")
    return "\n".join(lines) + "\n"
