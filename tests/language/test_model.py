"""Model building: names, indices, data, SymPy payoffs, overrides."""
from __future__ import annotations

import numpy as np
import pytest
import sympy

from gamespec.errors import SpecError
from gamespec.language.loader import model_from_string
from gamespec.language.symbols import SetAggregate


def build(text, **overrides):
    return model_from_string(text, "t.game", overrides or None)


def test_params_percent_scientific_and_dependencies():
    m = build("param b = a * 2\nparam a = 1.5e-1\nparam p = 90%")
    assert m.params["a"].value == pytest.approx(0.15)
    assert m.params["b"].value == pytest.approx(0.3)
    assert m.params["p"].value == pytest.approx(0.9)


def test_override_changes_dependents_and_unknown_override_is_located():
    m = build("param a = 1\nparam b = a + 1", a=5)
    assert m.params["b"].value == 6
    with pytest.raises(SpecError, match="no parameter `aa`") as info:
        build("param a = 1", aa=2)
    assert info.value.hint == "did you mean `a`?"


def test_indexed_param_tabulated_in_bulk():
    m = build("set R = 1..4\nparam d[a in R, b in R] = if a == b then 0 else abs(a - b)")
    arr = m.params["d"].array
    assert arr.shape == (4, 4)
    assert arr[0, 3] == 3 and arr[2, 2] == 0


def test_scaled_set_and_symbolic_set():
    m = build("param eps = 2\nset V = {3, 2, 1} * 4 / eps\nset S = {Soft, Hard}")
    assert m.sets["V"].elements == (6, 4, 2)
    assert m.sets["S"].elements == ("Soft", "Hard")


def test_payoff_is_a_sympy_aggregate_built_without_eval():
    m = build("""
set R = 1..3
param psi[r in R] = 1 / 3
player u { mixed f[r in R] over R }
player v { mixed h[s in R] over R }
payoff u = sum(r in R, s in R) psi[r] * f[r, s] * h[s, r]
zero_sum
""")
    expr = m.payoffs["u"].expr
    assert isinstance(expr, SetAggregate) and expr.kind == "sum"
    assert m.payoffs["v"].implied and m.payoffs["v"].expr == -expr
    f = m.players["u"].strategies[0]
    assert f.kind == "mixed" and [c.name for c in f.condition_sets] == ["R"]


def test_wrong_index_set_is_located():
    with pytest.raises(SpecError) as info:
        build("set R = 1..3\nset S = {a, b}\nparam p[r in R] = r\nlet x = sum(s in S) p[s]")
    assert (info.value.span.line, info.value.span.column) == (4, 23)
    assert "ranges over S" in info.value.message


def test_constraint_on_another_players_variable():
    with pytest.raises(SpecError, match="strategy of `b`"):
        build("player a { choose x in {1, 2} subject to c: y <= 1 }\n"
              "player b { choose y in {1, 2} }\npayoff a = x\npayoff b = y")


def test_circular_definition():
    with pytest.raises(SpecError, match="circular definition: a -> b -> a"):
        build("param a = b\nparam b = a")


def test_misspelled_name_gets_a_hint():
    with pytest.raises(SpecError) as info:
        build("set R = 1..2\nparam psi[r in R] = 1\nlet t = sum(r in R) pssi[r]")
    assert info.value.hint == "did you mean `psi`?"


def test_admissible_range():
    with pytest.raises(SpecError, match="outside its range"):
        build("param p = 2 in [0, 1]")


def test_csv_data_relative_to_spec_and_escape_refused(tmp_path):
    (tmp_path / "d.csv").write_text("id,p\n1,0.25\n2,0.75\n")
    spec = tmp_path / "g.game"
    spec.write_text('data t = csv("d.csv")\nset R = t.id\nparam p[r in R] = t.p[r]\n')
    from gamespec.language.loader import load_model

    m = load_model(spec)
    assert np.allclose(m.params["p"].array, [0.25, 0.75])
    spec.write_text('data t = csv("../d.csv")\n')
    with pytest.raises(SpecError, match="leaves the spec's folder"):
        load_model(spec)


def test_family_and_population_players():
    m = build("set I = 1..3\nplayers i in I { choose b in {0, 1} }\n"
              "common payoff = sum(i in I) b[i]\n"
              "population users of 10 { choose s in [0, 1]\nfield s2 = mean s^2 }")
    assert m.players["i"].kind == "family" and len(m.players["i"].member_set) == 3
    assert m.players["users"].population_size == 10
    assert m.players["users"].fields[0].body == sympy.Symbol("s", real=True) ** 2


def test_derive_takes_a_mixed_player_at_point_masses_inside_sums() -> None:
    from gamespec.api import loads

    text = loads("""
set S = {A, B, C}
player a { mixed f over S }
player b { choose y in S }
payoff a = sum(s in S) f[s] * ([s == y] * 2 + [s == C])
payoff b = sum(s in S) f[s] * ([s == y] + [y == A] * 0.5)
""").derive().plain()
    holds = {line.split(")")[0].strip(" (") for line in text.splitlines()
             if "is an equilibrium iff: True" in line}
    assert holds == {"A, A", "B, B", "C, C"}  # as enumeration finds
    assert "is an equilibrium iff: False" in text
