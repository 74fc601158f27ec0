"""Gambit interop for game trees: read an .efg file (EFG 2) into a GameTree.

The file lists nodes in prefix order: `p "node" PLAYER INFOSET ["label" { moves }] OUTCOME`,
`c "node" INFOSET ["label" { move prob ... }] OUTCOME`, `t "node" OUTCOME`, where OUTCOME is
`0` (none) or `K ["label" { payoffs }]`; an information set or outcome is written out the
first time its number appears and may be repeated (identically) or left out afterwards.
An outcome at an inner node adds to every leaf below it. Values stay exact (Fractions);
numbers written with an exponent become floats. Writing: gamespec.gambit_efg_write.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from gamespec.errors import Span
from gamespec.gambit_efg_lexer import EOF, LBRACE, NUMBER, RBRACE, SYMBOL, TEXT, Lexer, Token
from gamespec.gambit_efg_write import write_efg
from gamespec.game_tree import CHANCE, DECISION, TERMINAL, GameTree, InformationSet, Node, as_number
from gamespec.tree_to_spec import tree_spec_text

__all__ = ["EfgGame", "efg_to_spec", "parse_efg", "read_efg", "tree_spec_text", "write_efg"]


@dataclass(frozen=True)
class EfgGame:
    title: str
    comment: str
    tree: GameTree


def read_efg(text: str, path: str = "<efg>") -> GameTree:
    """The game tree of an EFG 2 file; malformed files raise located SpecErrors."""
    return parse_efg(text, path).tree


def efg_to_spec(text: str, path: str, source: str | None = None) -> str:
    """An .efg file as .game spec text with a `tree` block (for `gamespec import`)."""
    game = parse_efg(text, path)
    return tree_spec_text(game.tree, game.title, source or path)


def parse_efg(text: str, path: str = "<efg>") -> EfgGame:
    """Title, comment and tree of an EFG 2 file."""
    lex = Lexer(text, path)
    head = lex.next()
    if head.kind != SYMBOL or head.text != "EFG":
        raise lex.error("not a Gambit .efg file (it must start with `EFG 2 R`)", head)
    version = lex.next()
    if version.text != "2":
        raise lex.error(f"only EFG version 2 files can be read, not version {version.text}",
                        version, hint="open the file in Gambit and save it again (EFG 2)")
    kind = lex.next()
    if kind.kind != SYMBOL or kind.text not in ("R", "D"):
        raise lex.expected("the number type R or D after `EFG 2`", kind)
    title = lex.expect(TEXT, "the game title in quotes").text
    lex.expect(LBRACE, "`{` and the list of players")
    players: list[str] = []
    token = lex.next()
    while token.kind == TEXT:
        players.append(token.text)
        token = lex.next()
    if token.kind != RBRACE:
        raise lex.expected("a player name in quotes or `}`", token)
    if not players:
        raise lex.error("the game has no players", token)
    token = lex.next()
    comment = ""
    if token.kind == TEXT:
        comment, token = token.text, lex.next()
    tree = _TreeReader(lex, _unique(players, "Player {}")).read(token)
    extra = lex.next()
    if extra.kind != EOF:
        raise lex.error(f"unexpected {extra.text!r} after the last node of the tree", extra)
    return EfgGame(title, comment, tree)


def _unique(labels: list[str], empty: str, numbers: list[int] | None = None) -> list[str]:
    """Labels made nonempty (`empty` formatted with the number, default the 1-based
    position) and distinct (`label_number`)."""
    counts, used, out = Counter(labels), set(labels), []
    for k, label in zip(numbers or range(1, len(labels) + 1), labels):
        if label and counts[label] == 1:
            out.append(label)
            continue
        candidate = f"{label}_{k}" if label else empty.format(k)
        while candidate in used:
            candidate += "_"
        used.add(candidate)
        out.append(candidate)
    return out


@dataclass
class _Set:
    """An information set as read: Gambit's number, label and moves; our index."""

    number: int
    label: str
    raw_moves: tuple[str, ...]
    moves: tuple[str, ...]
    probs: tuple = ()
    index: int = -1
    nodes: list[int] | None = None


class _TreeReader:
    def __init__(self, lex: Lexer, players: list[str]) -> None:
        self.lex, self.players = lex, players
        self.nodes: list[dict] = []
        self.sets: dict[tuple[int, int], _Set] = {}  # (player or 0 for chance, number)
        self.decision_sets: list[tuple[int, _Set]] = []
        self.outcomes: dict[int, tuple] = {}

    def read(self, first: Token) -> GameTree:
        stack: list[list[int]] = []  # [node, children read so far]
        token = first
        while True:
            parent = stack[-1][0] if stack else None
            index = self._node(token, parent)
            if self.nodes[index]["kind"] != TERMINAL:
                stack.append([index, 0])
            while stack and stack[-1][1] == len(self.nodes[stack[-1][0]]["moves"]):
                stack.pop()
            if not stack:
                return self._tree()
            top = stack[-1]
            top[1] += 1
            token = self.lex.next()
            if token.kind == EOF:
                node = self.nodes[top[0]]
                raise self.lex.error(f"unexpected end of file: the node at line "
                                     f"{node['span'].line} has {len(node['moves'])} moves "
                                     f"but only {top[1] - 1} node(s) below it", token)

    def _node(self, token: Token, parent: int | None) -> int:
        lex = self.lex
        if token.kind == EOF:
            raise lex.error("unexpected end of file: expected a node (p, c or t)", token)
        if token.kind != SYMBOL or token.text not in ("p", "c", "t"):
            raise lex.error(f"unknown node type {token.text!r} (expected p, c or t)", token)
        lex.expect(TEXT, "the node's name in quotes")
        node = {"kind": TERMINAL, "parent": parent, "moves": (), "children": [],
                "span": Span(lex.path, token.line, token.column), "history": ()}
        inherited = [Fraction(0)] * len(self.players)
        if parent is not None:
            above = self.nodes[parent]
            move = above["moves"][len(above["children"])]
            node["history"] = above["history"] + ((above.get("player") or "chance", move),)
            inherited = above["total"]
        index = len(self.nodes)
        if parent is not None:
            self.nodes[parent]["children"].append(index)
        self.nodes.append(node)
        if token.text == "p":
            self._decision(node, index)
        elif token.text == "c":
            self._chance(node, token)
        node["total"] = [a + b for a, b in zip(inherited, self._outcome(lex.next()))]
        if token.text == "t":
            node["payoffs"] = tuple(as_number(u) for u in node["total"])
        return index

    def _decision(self, node: dict, index: int) -> None:
        lex = self.lex
        number_token = lex.next()
        player = lex.integer(number_token, "the player's number")
        if not 1 <= player <= len(self.players):
            raise lex.error(f"player {player} does not exist: the file lists "
                            f"{len(self.players)} player(s)", number_token)
        h = self._infoset(player, lex.integer(lex.next(), "the information set's number"),
                          chance=False)
        if h.index < 0:
            h.index, h.nodes = len(self.decision_sets), []
            self.decision_sets.append((player, h))
        h.nodes.append(index)
        node.update(kind=DECISION, player=self.players[player - 1], moves=h.moves,
                    infoset=h.index)

    def _chance(self, node: dict, token: Token) -> None:
        h = self._infoset(0, self.lex.integer(self.lex.next(), "the information set's number"),
                          chance=True)
        total = sum(h.probs, Fraction(0))
        if any(p < 0 for p in h.probs) or (
                total != 1 if isinstance(total, Fraction) else abs(total - 1) > 1e-9):
            shown = ", ".join(str(p) for p in h.probs)
            raise self.lex.error(f"chance probabilities {shown} must be nonnegative and add "
                                 f"up to 1 (they add up to {total})", token,
                                 hint="write repeating decimals as fractions (1/3, not "
                                 "0.333); sums are checked exactly")
        node.update(kind=CHANCE, moves=h.moves, probabilities=h.probs)

    def _infoset(self, player: int, number: int, chance: bool) -> _Set:
        lex = self.lex
        key = (player, number)
        token = lex.next()
        if token.kind != TEXT:
            lex.push_back(token)  # not a definition: the outcome number follows
            if key not in self.sets:
                raise lex.error(f"information set {number} of "
                                f"{self._who(player)} is used before it is defined", token)
            return self.sets[key]
        label = token.text
        brace = lex.expect(LBRACE, "`{` and the list of moves")
        moves, probs = [], []
        item = lex.next()
        while item.kind == TEXT:
            moves.append(item.text)
            if chance:
                probs.append(lex.number(lex.expect(NUMBER, "the move's probability")))
            item = lex.next()
        if item.kind != RBRACE:
            raise lex.expected("a move name in quotes or `}`", item)
        if not moves:
            raise lex.error("a node needs at least one move", brace)
        h = _Set(number, label, tuple(moves), tuple(_unique(moves, "{}")), tuple(probs))
        old = self.sets.setdefault(key, h)
        if old is not h and (old.raw_moves, old.probs, old.label) != (h.raw_moves, h.probs,
                                                                       h.label):
            raise lex.error(f"information set {number} of {self._who(player)} was defined "
                            f"with label {old.label!r} and moves {list(old.raw_moves)}"
                            + (f" (probabilities {', '.join(map(str, old.probs))})"
                               if chance else "")
                            + "; here it differs", token)
        return old

    def _outcome(self, token: Token) -> list:
        lex = self.lex
        number = lex.integer(token, "an outcome number (0 for none)")
        label = lex.next()
        if label.kind != TEXT:
            lex.push_back(label)  # the next node follows
            if number == 0:
                return [Fraction(0)] * len(self.players)
            if number not in self.outcomes:
                raise lex.error(f"outcome {number} is used before its payoffs are given", token)
            return list(self.outcomes[number])
        if number == 0:
            raise lex.error("outcome 0 means no outcome; it cannot have payoffs", label)
        brace = lex.expect(LBRACE, "`{` and the payoffs")
        payoffs = []
        item = lex.next()
        while item.kind == NUMBER:
            payoffs.append(lex.number(item))
            item = lex.next()
        if item.kind != RBRACE:
            raise lex.expected("a payoff or `}`", item)
        if len(payoffs) != len(self.players):
            raise lex.error(f"outcome {number} has {len(payoffs)} payoff(s); the game has "
                            f"{len(self.players)} player(s)", brace)
        if self.outcomes.setdefault(number, tuple(payoffs)) != tuple(payoffs):
            raise lex.error(f"outcome {number} was defined with payoffs "
                            f"{', '.join(map(str, self.outcomes[number]))}; here they differ",
                            token)
        return payoffs

    def _who(self, player: int) -> str:
        return f"player {player}" if player else "chance"

    def _tree(self) -> GameTree:
        labels: dict[int, str] = {}
        for player in range(1, len(self.players) + 1):
            mine = [h for p, h in self.decision_sets if p == player]
            unique = _unique([h.label for h in mine], "{}", [h.number for h in mine])
            labels.update((h.index, label) for h, label in zip(mine, unique))
        infosets = tuple(
            InformationSet(player=self.players[p - 1], label=labels[h.index], moves=h.moves,
                           nodes=tuple(h.nodes), span=self.nodes[h.nodes[0]]["span"])
            for p, h in self.decision_sets)
        keep = ("kind", "parent", "moves", "history", "span", "player", "infoset",
                "probabilities", "payoffs")
        nodes = tuple(Node(children=tuple(n["children"]), **{k: n[k] for k in keep if k in n})
                      for n in self.nodes)
        return GameTree(players=tuple(self.players), nodes=nodes, infosets=infosets,
                        span=Span(self.lex.path, 1, 1))
