"""Highlighting rules read from grammar/gamespec.lark (so editors and the grammar cannot
drift): one ordered list of regexes, each with the class of every group. The Pygments lexer
(gamespec.highlight) and the TextMate grammar (gamespec.textmate) are both made from it.

A keyword the grammar also accepts as a name where a name is expected (`player first`,
`chooses response`, `data = points`, `solve using dynamics`) is classed as a name there,
as Lark's contextual lexer does: after a keyword the grammar writes before a NAME, before
`=` or `:`, before a tree move's `at`/`sees`/`chooses`, and right after an operator, `(`,
`[` or `,` (`x * cost`). Not yet: right after `)` (`sum(i in I) end[i]` shows `end` as a
keyword), where a tree's `payoff (1, 2) end` needs the keyword."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from gamespec.language import vocabulary


@dataclass(frozen=True)
class Rule:
    name: str
    regex: str
    groups: tuple[str, ...]  # the class of group 1, 2, ... (or of the whole match)


@dataclass(frozen=True)
class Adjacency:
    """What the grammar writes right after a keyword."""

    intro: tuple[str, ...]  # "kw" NAME: the word after is a name
    before_symbol: tuple[str, ...]  # "kw" "=" or "kw" ":": still a keyword there
    pairs: dict  # "kw" "kw2": kw2 stays a keyword after kw
    move_words: tuple[str, ...]  # at, sees, chooses: what follows a tree move's player
    before_move: tuple[str, ...]  # "kw" tree_at / "kw" "sees" ...: still a keyword there
    after_symbol: tuple[str, ...] = ()  # "=" "kw", ":" "kw": a keyword after a symbol
    reserved: tuple[str, ...] = ()  # words NAME refuses (if, then, in, ...): never names


def _grammar() -> str:
    from gamespec.language.parser_tables import grammar_text

    return re.sub(r"//[^\n]*", "", grammar_text())


@lru_cache(maxsize=1)
def adjacency() -> Adjacency:
    text, words = _grammar(), set(vocabulary.keywords())
    intro = sorted({k for k in re.findall(r'"(\w+)"\s+NAME\b', text) if k in words})
    before = sorted({k for k in re.findall(r'"(\w+)"\s+"[=:]"', text) if k in words})
    pairs: dict[str, set] = {}
    for a, b in re.findall(r'"(\w+)"\s+(?="(\w+)")', text):
        pairs.setdefault(a, set()).add(b)
    move_rules = ("tree_at", "tree_sees")
    move = [w for r in move_rules for w in re.findall(rf'^{r}\s*:\s*"(\w+)"', text, re.M)]
    move += re.findall(r'^tree_move\s*:[^\n]*"(chooses)"', text, re.M)
    after = "|".join([*move_rules, *(f'"{w}"' for w in move)])
    before_move = sorted({k for k in re.findall(rf'"(\w+)"\s+(?:{after})', text)
                          if k in words})
    after_symbol = sorted({k for k in re.findall(r'"[^\w\s"]+"\s+"(\w+)"', text)
                           if k in words})
    refused = re.match(r"\(\?!\(([\w|]+)\)\\b\)", vocabulary.shape("NAME"))
    reserved = tuple(refused.group(1).split("|")) if refused else ()
    return Adjacency(tuple(intro), tuple(before), {k: tuple(sorted(v)) for k, v in
                                                   pairs.items()},
                     tuple(dict.fromkeys(move)), tuple(before_move), tuple(after_symbol),
                     reserved)


def _plain(regex: str) -> str:
    """`regex` with its capturing groups made non-capturing (rules number their own)."""
    out, i, in_class = [], 0, False
    while i < len(regex):
        ch = regex[i]
        if ch == "\\":
            out.append(regex[i:i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        elif ch == "(" and not in_class and not regex.startswith("(?", i):
            ch = "(?:"
        out.append(ch)
        i += 1
    return "".join(out).replace("\n", "\\n")


def _alt(words) -> str:
    return "|".join(sorted(words, key=lambda w: (-len(w), w)))


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """The rules in priority order; at a given position the first that matches wins."""
    adj = adjacency()

    def shape(terminal: str) -> str:
        return _plain(vocabulary.shape(terminal))

    name = r"[A-Za-z_][A-Za-z0-9_]*"
    out = [Rule("comment", shape("COMMENT"), ("comment",)),
           Rule("string", shape("STRING"), ("string",))]
    plain = [k for k in adj.intro if k not in adj.pairs]
    if plain:
        out.append(Rule("definition", rf"\b({_alt(plain)})([ \t]+)({shape('NAME')})",
                        ("keyword", "space", "name")))
    for k in adj.intro:
        if k in adj.pairs:
            out.append(Rule(f"definition_{k}",
                            rf"\b({k})([ \t]+)(?!(?:{_alt(adj.pairs[k])})\b)({shape('NAME')})",
                            ("keyword", "space", "name")))
    if adj.move_words:
        keep = rf"(?!(?:{_alt(adj.before_move)})\b)" if adj.before_move else ""
        out.append(Rule("mover", rf"\b{keep}({name})(?=[ \t]+(?:{_alt(adj.move_words)})\b)",
                        ("name",)))
    keep = rf"(?!(?:{_alt(adj.before_symbol)})\b)" if adj.before_symbol else ""
    out.append(Rule("key", rf"\b{keep}({name})(?=[ \t]*(?:=(?!=)|:))", ("name",)))
    # an operand: a keyword right after an operator, a bracket or a comma is a name there
    # (`x * cost`), unless NAME refuses it (if, not) or the grammar writes it after a symbol
    # (`= mean`); not after `{` or `:`, where items and tree branches start with keywords
    operands = [k for k in vocabulary.keywords()
                if k not in adj.reserved and k not in adj.after_symbol]
    if operands:
        behind = "|".join(rf"(?<=[-+*/^(\[,<>=!]{' ' * n})" for n in range(3))
        out.append(Rule("operand", rf"(?:{behind})\b({_alt(operands)})\b", ("name",)))
    out += [
            Rule("function", rf"\b(?:{shape('AGGREGATE')}|{shape('COUNT')})", ("function",)),
            Rule("keyword", rf"\b(?:{_alt(vocabulary.keywords())})\b", ("keyword",)),
            Rule("number", rf"(?:{shape('PERCENT')}|{shape('NUMBER')})", ("number",)),
            Rule("name", rf"{name}'*", ("name",))]
    return tuple(out)
