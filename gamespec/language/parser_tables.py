"""The LALR tables of the grammar, shipped with the package as JSON (no pickle, nothing
read from or written to a shared folder): building them takes ~0.35 s per process,
loading them ~0.1 s. They are used only when their recorded SHA-256 matches the grammar
file and the Lark version; otherwise the parser is built from the grammar (correct, just
slower), and tests/language/test_parser_tables.py fails until the tables are written again:

    python -m gamespec.language.parser_tables
"""
from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

import lark
from lark import Lark
from lark.grammar import Rule
from lark.lexer import TerminalDef

TABLES_NAME = "gamespec_tables.json"
OPTIONS = {"parser": "lalr", "propagate_positions": True, "maybe_placeholders": False}


def grammar_text() -> str:
    return resources.files("gamespec.grammar").joinpath("gamespec.lark").read_text("utf-8")


def fingerprint(text: str) -> dict:
    """What the tables must have been built from."""
    return {"grammar_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "lark": lark.__version__}


def build_parser(text: str) -> Lark:
    return Lark(text, **OPTIONS)


def load_parser(text: str) -> Lark:
    """The parser from the shipped tables when they fit `text`, else built from it."""
    try:
        raw = resources.files("gamespec.grammar").joinpath(TABLES_NAME).read_text("utf-8")
        shipped = json.loads(raw, object_hook=_decode)
    except (FileNotFoundError, ValueError):
        return build_parser(text)
    if shipped.get("fingerprint") != fingerprint(text):
        return build_parser(text)
    return Lark._load_from_dict(shipped["data"], shipped["memo"])


def tables_json(text: str) -> str:
    """The JSON text of the tables of `text`'s parser."""
    data, memo = build_parser(text).memo_serialize([TerminalDef, Rule])
    return json.dumps({"fingerprint": fingerprint(text), "data": _encode(data),
                       "memo": _encode(memo)}, separators=(",", ":"), sort_keys=True)


def _encode(value):
    """JSON keeps neither tuples nor non-string keys: both are tagged."""
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"__items__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot store {type(value).__name__} in the parser tables")


def _decode(obj: dict):
    if len(obj) == 1 and "__items__" in obj:
        return {(tuple(k) if isinstance(k, list) else k): v for k, v in obj["__items__"]}
    if len(obj) == 1 and "__tuple__" in obj:
        return tuple(obj["__tuple__"])
    return obj


def main() -> None:
    """Write the tables next to the grammar file (in the source tree)."""
    target = Path(__file__).resolve().parents[2] / "grammar" / TABLES_NAME
    target.write_text(tables_json(grammar_text()) + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
