"""Parser: the grammar accepts every construct and keeps source positions."""
from __future__ import annotations

import pytest

from gamespec.errors import SpecError
from gamespec.language import ast
from gamespec.language.parser import grammar_parser, parse


def test_grammar_is_lalr_and_cached():
    assert grammar_parser() is grammar_parser()
    assert grammar_parser().options.parser == "lalr"


def test_aggregate_body_is_a_product_not_a_sum():
    spec = parse("let v = sum(i in I) a[i] * b[i] + c", "t.game")
    value = spec.statements[0].value
    assert isinstance(value, ast.BinOp) and value.op == "+"
    assert isinstance(value.left, ast.Aggregate)
    assert isinstance(value.left.body, ast.BinOp) and value.left.body.op == "*"
    assert value.right == ast.Name(None, "c")


def test_percent_scientific_and_spans():
    spec = parse('game "x"\nparam p = 90%\nparam e = 1.5e-3', "t.game")
    p, e = spec.statements[1], spec.statements[2]
    assert p.value.percent and p.value.text == "90"
    assert e.value.text == "1.5e-3"
    assert (p.span.line, p.span.column) == (2, 1)
    assert (e.value.span.line, e.value.span.column) == (3, 11)


def test_primed_coordinates_and_update_rules():
    spec = parse(
        "dynamics over r in [0, 1] { coordinates u  lagrangian = u'^2 / 2  initial u = 1, u' = 0 }\n"
        "update over i in 1..3 { T[i + 1] = T[i] / 2  initial T[1] = 1 }", "t.game")
    dyn, upd = spec.statements
    assert dyn.coordinates == ("u",)
    assert [(iv.name, iv.order) for iv in dyn.initial] == [("u", 0), ("u", 1)]
    assert upd.rules[0].target == "T" and upd.initial[0].target == "T"


def test_order_groups():
    spec = parse("order leader -> {a, b} -> c", "t.game")
    groups = spec.statements[0].groups
    assert [(g.names, g.simultaneous) for g in groups] == [
        (("leader",), False), (("a", "b"), True), (("c",), False)]


@pytest.mark.parametrize("text, line, column, fragment", [
    ("player a { mixed f R }", 1, 20, "unexpected 'R'"),
    ("param x = 'a'", 1, 11, "unexpected character"),
    ("param x = (1 + 2", 1, 17, "end of the file"),
    ("payoff a = 1 +", 1, 15, "end of the file"),
])
def test_syntax_errors_are_located(text, line, column, fragment):
    with pytest.raises(SpecError) as info:
        parse(text, "t.game")
    err = info.value
    assert (err.span.line, err.span.column) == (line, column)
    assert fragment in err.message


def test_nesting_is_limited_before_parsing():
    with pytest.raises(SpecError, match="nested"):
        parse("param x = " + "(" * 100 + "1" + ")" * 100, "t.game")
