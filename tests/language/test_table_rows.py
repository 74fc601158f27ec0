"""The fast reader of large tables' rows builds the AST Lark builds, spans included, and
leaves anything unusual (and every error) to Lark."""
from __future__ import annotations

import numpy as np
import pytest

from gamespec.errors import SpecError
from gamespec.language import ast, parser, table_rows
from gamespec.language.loader import load_model
from gamespec.normal_form import build_normal_form


def big_table(n: int, seed: int, numeric_keys: bool = False) -> str:
    rng = np.random.default_rng(seed)
    keys = [str(k - 3) for k in range(n)] if numeric_keys else [f"s{k}" for k in range(n)]
    lines = ['game "Big"  # a comment',
             f"player a {{ choose x in {{{', '.join(keys)}}} }}",
             f"player b {{ choose y in {{{', '.join(keys)}}} }}",
             "table {   # rows follow"]
    for i in range(n):
        for j in range(n):
            u, v = rng.integers(-9, 10, size=2)
            value = f"{u}.25" if (i + j) % 7 == 0 else f"{u}"
            lines.append(f"  ({keys[i]},  {keys[j]}) : ({value}, {v}e0)   # cell {i} {j}")
        lines.append("")
    lines.append("}")
    lines.append("select max payoff a")
    return "\n".join(lines) + "\n"


def lark_only(text: str, monkeypatch) -> ast.Spec:
    with monkeypatch.context() as m:
        m.setattr(parser, "split_plain_table", lambda source: None)
        return parser.parse(text, "t.game")


def spans(node) -> list:
    """Every span in the AST, in order (dataclass equality ignores them)."""
    out = []
    if isinstance(node, ast.Node):
        out.append((type(node).__name__, node.span.line, node.span.column,
                    node.span.end_line, node.span.end_column))
        for name in node.__dataclass_fields__:
            out += spans(getattr(node, name))
    elif isinstance(node, (tuple, list)):
        for item in node:
            out += spans(item)
    return out


@pytest.mark.parametrize("numeric_keys", [False, True])
def test_fast_rows_equal_lark_rows_with_their_spans(numeric_keys, monkeypatch):
    text = big_table(16, seed=3, numeric_keys=numeric_keys)
    assert table_rows.split_plain_table(text) is not None  # the fast path is taken
    fast, slow = parser.parse(text, "t.game"), lark_only(text, monkeypatch)
    assert fast == slow
    assert spans(fast) == spans(slow)
    assert [type(k) for k in fast.statements[3].rows[5].keys] == \
        [type(k) for k in slow.statements[3].rows[5].keys]


def test_the_model_and_normal_form_are_those_of_the_lark_parse(tmp_path, monkeypatch):
    path = tmp_path / "big.game"
    path.write_text(big_table(15, seed=4))
    fast = build_normal_form(load_model(path))
    with monkeypatch.context() as m:
        m.setattr(parser, "split_plain_table", lambda source: None)
        slow = build_normal_form(load_model(path))
    assert np.array_equal(fast.payoffs, slow.payoffs) and fast.labels == slow.labels


@pytest.mark.parametrize("change", [
    ("(s1,  s2) : (", "(s1,  s2) : (1 + "),  # an expression: Lark reads the whole table
    ("(s1,  s2) : (", "(s1,  s2 : ("),        # a typo: Lark reports it
    ("(s1,  s2) : (", "(s1,\n s2) : ("),      # a row over two lines
])
def test_anything_unusual_is_left_to_lark(change, monkeypatch):
    text = big_table(15, seed=5).replace(*change, 1)
    assert table_rows.split_plain_table(text) is None
    try:
        expected = lark_only(text, monkeypatch)
    except SpecError as exc:
        with pytest.raises(SpecError) as got:
            parser.parse(text, "t.game")
        assert str(got.value) == str(exc) and got.value.span == exc.span
    else:
        assert parser.parse(text, "t.game") == expected


def test_errors_in_fast_rows_are_located_at_the_row(tmp_path):
    text = big_table(15, seed=6).replace("(s3,  s4) :", "(s3,  s44) :", 1)
    path = tmp_path / "typo.game"
    path.write_text(text)
    line = text.splitlines().index(next(r for r in text.splitlines() if "(s3,  s44)" in r)) + 1
    with pytest.raises(SpecError, match="`s44` is not a choice of `b`") as got:
        load_model(path)
    assert got.value.span.line == line
