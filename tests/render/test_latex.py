"""The LaTeX of a derivation: names, indicators, case splits, payoff tables, escaping."""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import sympy

from gamespec.api import derive_model
from gamespec.derive import Derivation
from gamespec.language.loader import load_model, model_from_string
from gamespec.language.symbols import indicator
from gamespec.math_text import MathText
from gamespec.render.latex import expr_latex, name_latex, render_latex, tex_text

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
SPECS = ROOT / "specs"
x, y, c = sympy.symbols("x y c")


def test_multi_letter_names_are_upright():
    assert name_latex("Qmax") == r"\mathrm{Qmax}"
    assert name_latex("T_hi") == r"T_{\mathrm{hi}}"
    assert name_latex("sigma_L") == r"\sigma_{L}"
    assert name_latex("s2") == r"s_{2}"
    assert name_latex("tau_hat_paper") == r"\tau_{\mathrm{hat\_paper}}"
    assert name_latex("x") == "x"
    qmax, t_hi = sympy.symbols("Qmax T_hi")
    assert expr_latex(qmax * t_hi) in (r"\mathrm{Qmax} T_{\mathrm{hi}}",
                                      r"T_{\mathrm{hi}} \mathrm{Qmax}")


def test_an_indicator_is_an_iverson_bracket():
    assert expr_latex(indicator(x > 0)) == r"\left[x > 0\right]"
    assert expr_latex(c * indicator(x > 0)) == r"c \left[x > 0\right]"
    scaled = sympy.Piecewise((x + y, x > 0), (0, True))
    assert expr_latex(scaled) == r"\left(x + y\right) \left[x > 0\right]"
    assert expr_latex(sympy.Heaviside(x, 0)) == r"\left[x > 0\right]"


def test_a_case_split_is_one_cases_block():
    nested = sympy.Piecewise((1, x > 0), (sympy.Piecewise((2, y > 0), (3, True)), True))
    tex = expr_latex(nested)
    assert tex.count(r"\begin{cases}") == 1
    assert tex == (r"\begin{cases} 1 & \text{if } x > 0 \\ 2 & \text{else if } y > 0 \\ "
                   r"3 & \text{otherwise} \end{cases}")
    ite = expr_latex(sympy.ITE(x > 0, y > 0, y < 0))
    assert "ITE" not in ite and r"\text{if } x > 0" in ite
    assert expr_latex(sympy.true) == r"\mathrm{true}"


def test_text_is_escaped():
    assert tex_text("a_b^c%d&e#f$g{h}i\\j~") == (
        r"a\_b\^{}c\%d\&e\#f\$g\{h\}i\textbackslash{}j\~{}")
    assert tex_text("x <= 1") == r"x \textless{}= 1"
    assert tex_text("a \u2264 b") == r"a \ensuremath{\le} b"


def test_prose_with_formulas_keeps_its_plain_text():
    note = MathText("the best response when ", sympy.Lt(-2 * c, 0, evaluate=False), " holds")
    assert note == "the best response when -2*c < 0 holds"
    d = Derivation()
    d.add("notes", [(MathText("omega", plain="omega^2"), note)])
    tex = render_latex(d)
    assert r"\(\displaystyle - 2 c < 0\)" in tex and "-2*c" not in tex


def _array_cells(tex: str) -> list[list[str]]:
    body = re.search(r"\\begin\{array\}\{r\|c+\}(.*?)\\end\{array\}", tex).group(1)
    rows = [row.split("&") for row in body.replace(r"\hline", "").split(r"\\")]
    return [[cell.strip() for cell in row] for row in rows]


def test_a_table_games_payoff_is_one_matrix():
    tex = render_latex(derive_model(load_model(SPECS / "prisoners_dilemma.game")))
    label = r"\\item\[\{\\\(\\displaystyle (u_\{\\mathrm\{\w+\}\})\\\)\}\] (.*)"
    items = {m.group(1): m.group(2) for m in re.finditer(label, tex)}
    assert set(items) == {r"u_{\mathrm{row}}", r"u_{\mathrm{col}}"}
    for tex_item in items.values():
        assert tex_item.count(r"\begin{array}") == 1 and "cases" not in tex_item
    # the textbook prisoner's dilemma in years (Osborne & Rubinstein): row's, col's
    head = [r"a \backslash b", r"\text{Cooperate}", r"\text{Defect}"]
    assert _array_cells(items[r"u_{\mathrm{row}}"]) == [
        head, [r"\text{Cooperate}", "-1", "-3"], [r"\text{Defect}", "0", "-2"]]
    assert _array_cells(items[r"u_{\mathrm{col}}"]) == [
        head, [r"\text{Cooperate}", "-1", "0"], [r"\text{Defect}", "-3", "-2"]]


def test_a_zero_sum_mixed_table_is_an_expectation_of_one_matrix():
    tex = render_latex(derive_model(load_model(SPECS / "rock_paper_scissors.game")))
    item = next(line for line in tex.splitlines()
                if line.startswith(r"\item[{\(\displaystyle u_{\mathrm{one}}\)}]"))
    assert item.count(r"\begin{array}") == 1 and r"\mathbb{E}_{x, y}" in item
    cells = _array_cells(item)
    assert [row[1:] for row in cells[1:]] == [  # win beats: Paper > Rock > Scissors > Paper
        ["0", r"- \mathrm{win}", r"\mathrm{win}"],
        [r"\mathrm{win}", "0", r"- \mathrm{win}"],
        [r"- \mathrm{win}", r"\mathrm{win}", "0"]]


def test_a_three_player_table_is_one_matrix_per_choice_of_the_third():
    elements = [("Up", "Down"), ("Left", "Right"), ("East", "West")]
    profiles = list(itertools.product(*elements))
    lines = [f"  ({', '.join(p)}): ({', '.join(str(3 * k + j) for j in range(3))})"
             for k, p in enumerate(profiles)]
    players = "".join(f"player p{j} {{ choose {v} in {{{', '.join(e)}}} }}\n"
                      for j, (v, e) in enumerate(zip("xyz", elements)))
    spec = f'game "three"\n{players}table {{\n' + "\n".join(lines) + "\n}\n"
    tex = render_latex(derive_model(model_from_string(spec)))
    item = next(line for line in tex.splitlines() if r"u_{\mathrm{p2}}" in line)
    slices = re.findall(r"\\underset\{z = \\text\{(\w+)\}\}\{(.*?)\\end\{array\}", item)
    assert [name for name, _ in slices] == ["East", "West"]
    for name, body in slices:
        cells = _array_cells(body + r"\end{array}")
        for r, row in enumerate(elements[0]):
            want = [str(3 * profiles.index((row, col, name)) + 2) for col in elements[1]]
            assert cells[r + 1] == [rf"\text{{{row}}}"] + want


SPEC = """
game "names"
param Qmax = 3 in [0, 10]
param T_hi = 2 in [0, 10]
player p { choose q in [0, Qmax] }
payoff p = T_hi * q - q^2 - [q > 1]
"""


def test_a_spec_s_names_in_the_derivation():
    tex = render_latex(derive_model(model_from_string(SPEC)))
    assert r"T_{\mathrm{hi}}" in tex and r"\left[q > 1\right]" in tex
    assert "T_{hi}" not in tex and "Piecewise" not in tex and "ITE(" not in tex
    assert render_latex(Derivation(), standalone=True).startswith(r"\documentclass{article}")
