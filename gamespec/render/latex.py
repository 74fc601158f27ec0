"""LaTeX of a derivation (`gamespec derive --format latex`).

The body is a `\\subsection*` and a `description` list per section, valid inside any
LaTeX document; `standalone=True` wraps it in a whole document that needs only amsmath and
amssymb. Multi-letter names are set upright (`\\mathrm{Qmax}`, `T_{\\mathrm{hi}}`),
indicators as Iverson brackets (`\\left[x > 0\\right]`), a case split as `cases`, a payoff
table as one array per player, and prose escaped inside `\\text{...}`.
"""
from __future__ import annotations

import re

import sympy
from sympy.printing.latex import LatexPrinter, greek_letters_set, translate
from sympy.printing.precedence import PRECEDENCE

from gamespec.derivation_items import Formula, PayoffTable
from gamespec.math_text import MathText

PREAMBLE = (
    "\\documentclass{article}\n"
    "\\usepackage{amsmath}\n"
    "\\usepackage{amssymb}\n"
    "\\allowdisplaybreaks\n"
    "\\begin{document}\n"
    "\\sloppy\n"  # long conditions break at their operators, not past the margin
)
END = "\\end{document}\n"

_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "^": r"\^{}",
                "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "~": r"\~{}"}
_TEXT_ONLY = {"<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}
_UNICODE = {"\u2013": "--", "\u2014": "---", "\u2018": "`", "\u2019": "'", "\u201c": "``",
            "\u201d": "''", "\u2026": r"\ldots{}", "\u00a0": "~",
            "\u2264": r"\ensuremath{\le}", "\u2265": r"\ensuremath{\ge}",
            "\u2260": r"\ensuremath{\ne}", "\u00d7": r"\ensuremath{\times}",
            "\u00b7": r"\ensuremath{\cdot}", "\u221e": r"\ensuremath{\infty}",
            "\u2192": r"\ensuremath{\to}", "\u2248": r"\ensuremath{\approx}",
            "\u00b1": r"\ensuremath{\pm}", "\u2212": "-"}
_NAME = re.compile(r"([A-Za-z]+?)(\d*)")
_LONG = 240  # characters of LaTeX: a longer chain of \wedge / \vee is stacked


def tex_text(text, *, document: bool = True) -> str:
    """Plain text safe in text mode (and inside `\\text{...}`): every special character
    escaped; in a document (pdflatex) also `<`, `>`, `|` and characters outside ASCII,
    not for MathJax/KaTeX (`document=False`), which read `\\text{...}` literally."""
    out = []
    for ch in str(text):
        if ch in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[ch])
        elif not document:
            out.append(ch)
        elif ch in _TEXT_ONLY:
            out.append(_TEXT_ONLY[ch])
        elif ch in _UNICODE:
            out.append(_UNICODE[ch])
        elif ord(ch) < 128:
            out.append(ch if ch.isprintable() or ch == "\n" else " ")
        else:
            out.append(f"\\texttt{{U+{ord(ch):04X}}}")
    return "".join(out)


def _word(word: str) -> str:
    """A name part: a Greek letter as its command, one letter italic, else upright."""
    if word.lower() in greek_letters_set or word == "lambda":
        return translate(word)
    if len(word) == 1:
        return word
    return rf"\mathrm{{{tex_text(word)}}}"


def name_latex(name: str) -> str:
    """A spec name in mathematics: `Qmax` -> `\\mathrm{Qmax}`, `T_hi` -> `T_{\\mathrm{hi}}`,
    `sigma_L` -> `\\sigma_{L}`, `s2` -> `s_{2}`, `tau_hat_x` -> `\\tau_{\\mathrm{hat\\_x}}`."""
    lower, hat, sup = name.partition("^")
    if hat:  # `sigma^*` (a placeholder the solvers make): a superscript
        if sup in ("*", "'") or sup.isdigit():
            return f"{{{name_latex(lower)}}}^{{{sup}}}"
        mark, _, sub = sup.partition("_")  # `x^*_0`: the first of several roots
        if mark in ("*", "'") and re.fullmatch(r"[A-Za-z0-9]+", sub):
            return f"{{{name_latex(lower)}}}^{{{mark}}}_{{{sub if sub.isdigit() else _word(sub)}}}"
        if _NAME.fullmatch(sup):
            return f"{{{name_latex(lower)}}}^{{{_word(sup)}}}"
        return rf"\text{{{tex_text(name)}}}"
    head, _, tail = name.partition("_")
    match = _NAME.fullmatch(head)
    if match is None or not re.fullmatch(r"[A-Za-z0-9_]*", tail):
        return rf"\text{{{tex_text(name)}}}"
    letters, digits = match.groups()
    subs = [digits] if digits else []
    if tail:
        subs.append(tail if tail.isdigit() else _word(tail))
    base = _word(letters)
    return f"{base}_{{{','.join(subs)}}}" if subs else base


def tex_set(label: str) -> str:
    """A set in mathematics: its name, or its elements (`{a, b}`) as text."""
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", label):
        return name_latex(label)
    return rf"\text{{{tex_text(label)}}}"


def _iverson(expr):
    """(value, condition) when a Piecewise is `value * [condition]`, else None."""
    pairs = expr.args
    if len(pairs) == 2 and pairs[1].cond is sympy.true and pairs[1].expr == 0:
        return pairs[0].expr, pairs[0].cond
    return None


def _flat_pairs(expr) -> list:
    """Piecewise pairs with a Piecewise in the `otherwise` branch read as more branches."""
    pairs = list(expr.args)
    while pairs[-1].cond is sympy.true and isinstance(pairs[-1].expr, sympy.Piecewise):
        pairs = pairs[:-1] + list(pairs[-1].expr.args)
    return pairs


def _is_bracket(expr) -> bool:
    """Whether `expr` prints as a bare Iverson bracket `[c]`."""
    if not isinstance(expr, sympy.Piecewise):
        return False
    iverson = _iverson(expr)
    return iverson is not None and iverson[0] == 1


def _element_like(expr) -> bool:
    """A capitalised name (`Hawk`, `Soft`): how sets' elements are usually spelled."""
    return isinstance(expr, sympy.Symbol) and expr.name[:1].isupper()


class SpecLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the names, indicators and case splits of a spec;
    `allow_breaks`: `\\allowbreak` after a tuple's or dict's commas (pdflatex)."""

    _default_settings = {**LatexPrinter._default_settings, "allow_breaks": False,
                         "stack": True}

    def _deal_with_super_sub(self, string: str, style="plain") -> str:
        return name_latex(string)

    def _print_Str(self, s) -> str:
        return tex_set(s.name)

    def _print_BooleanTrue(self, expr) -> str:
        return r"\mathrm{true}"

    def _print_BooleanFalse(self, expr) -> str:
        return r"\mathrm{false}"

    def parenthesize(self, item, level, is_neg=False, strict=False) -> str:
        if _is_bracket(item):
            return self._print(item)  # a bracket needs no parentheses
        return super().parenthesize(item, level, is_neg=is_neg, strict=strict)

    def _needs_mul_brackets(self, expr, first=False, last=False) -> bool:
        return not _is_bracket(expr) and super()._needs_mul_brackets(expr, first, last)

    def _print_Equality(self, expr) -> str:
        lhs, rhs = expr.args  # SymPy sorts `r == Hawk` to `Hawk = r`: the variable first
        if _element_like(lhs) and not _element_like(rhs) and isinstance(rhs, sympy.Symbol):
            lhs, rhs = rhs, lhs
        return f"{self._print(lhs)} = {self._print(rhs)}"

    # tuples and dicts (a closed form's solution) with breaks allowed after each comma;
    # a one-element tuple without Python's `(0,)`
    def _print_LogOp(self, args, char) -> str:
        """`a \\wedge b`; in a document, a long chain one operand a line (a case split's
        conditions can run to pages' widths)."""
        tex = super()._print_LogOp(args, char)
        if not (self._settings["allow_breaks"] and self._settings["stack"]) \
                or len(tex) < _LONG:
            return tex
        parts = [self._print(a) if not a.is_Boolean or a.is_Not
                 else rf"\left({self._print(a)}\right)" for a in args]
        rows = [parts[0]] + [f"{char} {p}" for p in parts[1:]]
        return r"\begin{array}[t]{@{}l@{}} " + r" \\ ".join(rows) + r" \end{array}"

    def _comma(self) -> str:
        return r",\allowbreak\ " if self._settings["allow_breaks"] else r",\ "

    def _print_tuple(self, expr) -> str:
        return "(" + self._comma().join(self._print(item) for item in expr) + ")"

    def _print_dict(self, d) -> str:
        keys = sorted(d, key=sympy.default_sort_key)
        items = [f"{self._print(k)} : {self._print(d[k])}" for k in keys]
        return r"\{" + self._comma().join(items) + r"\}"

    def _print_Dict(self, expr) -> str:
        return self._print_dict(dict(expr))

    def _print_Piecewise(self, expr) -> str:
        iverson = _iverson(expr)
        if iverson is not None:
            value, cond = iverson
            bracket = rf"\left[{self._print(cond)}\right]"
            if value == 1:
                return bracket
            return rf"{self.parenthesize(value, PRECEDENCE['Mul'])} {bracket}"
        rows = []
        for k, (value, cond) in enumerate(_flat_pairs(expr)):
            if cond is sympy.true:
                rows.append(rf"{self._print(value)} & \text{{otherwise}}")
            else:
                word = "if" if k == 0 else "else if"
                rows.append(rf"{self._print(value)} & \text{{{word} }} {self._print(cond)}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"

    def _print_ITE(self, expr) -> str:
        cond, then, other = expr.args
        return (rf"\begin{{cases}} {self._print(then)} & \text{{if }} {self._print(cond)}"
                rf" \\ {self._print(other)} & \text{{otherwise}} \end{{cases}}")

    def _print_Heaviside(self, expr, exp=None) -> str:
        arg, *rest = expr.args
        at_zero = rest[0] if rest else None
        if at_zero in (0, 1):
            rel = ">" if at_zero == 0 else r"\geq"
            return rf"\left[{self._print(arg)} {rel} 0\right]"
        return super()._print_Heaviside(expr, exp)


def expr_latex(expr, *, document: bool = False) -> str:
    """A SymPy expression in LaTeX with the spec's names, indicators and case splits
    (`document`: for pdflatex, not MathJax)."""
    return SpecLatexPrinter({"allow_breaks": document}).doprint(expr)


def math_latex(obj, *, document: bool = False) -> str | None:
    """LaTeX (math mode) of a derivation item, or None for prose."""
    if isinstance(obj, Formula):
        return obj.latex
    if isinstance(obj, PayoffTable):
        return table_latex(obj)
    if isinstance(obj, MathText):
        return " ".join(rf"\text{{{tex_text(p, document=False)}}}" if isinstance(p, str) else
                        expr_latex(p) for p in obj.parts if p != "")
    if isinstance(obj, str):
        return None
    return expr_latex(obj, document=document)


def _text_latex(obj) -> str:
    """A label or prose item in text mode, its formulas as inline mathematics."""
    if isinstance(obj, MathText):
        return "".join(tex_text(p) if isinstance(p, str) else
                       rf"\(\displaystyle {expr_latex(p, document=True)}\)" for p in obj.parts)
    return tex_text(obj)


_LONG_LABEL = 40  # characters: a longer label is a line of its own (it can break there)


def _item_latex(label, obj) -> str:
    flat = isinstance(obj, (sympy.And, sympy.Or))  # inline: TeX breaks after each operator
    tex = None if isinstance(obj, MathText) else (
        SpecLatexPrinter({"allow_breaks": True, "stack": False}).doprint(obj) if flat
        else math_latex(obj, document=True))
    body = _text_latex(obj) if tex is None else rf"\(\displaystyle {tex}\)"
    if label and len(str(label)) > _LONG_LABEL:
        return rf"\item[] {_text_latex(label)}:\\ {body}"
    return rf"\item[{{{_text_latex(label)}}}] {body}" if label else rf"\item[] {body}"


def render_latex(derivation, *, standalone: bool = False) -> str:
    """The derivation as LaTeX: a heading and a description list per section; with
    `standalone`, a whole document (article, amsmath, amssymb)."""
    out = []
    for title, items in derivation.sections:
        out.append(rf"\subsection*{{{tex_text(title)}}}")
        out.append(r"\begin{description}")
        out += [_item_latex(label, obj) for label, obj in items]
        out.append(r"\end{description}")
    body = "\n".join(out) + "\n"
    return PREAMBLE + body + END if standalone else body


# ---------------------------------------------------------------------------- tables
def _element(element) -> str:
    return rf"\text{{{tex_text(element)}}}"


def _array(table: PayoffTable, rows, cols, fixed: tuple) -> str:
    """One two-dimensional slice: the row strategy's elements down, the column's across."""
    printer = SpecLatexPrinter()
    head = rf"{printer._print(rows.symbol)} \backslash {printer._print(cols.symbol)}"
    header = " & ".join([head] + [_element(e) for e in cols.domain.elements])
    lines = []
    for r in rows.domain.elements:
        cells = [printer._print(table.value((r, c) + fixed)) for c in cols.domain.elements]
        lines.append(" & ".join([_element(r)] + cells))
    spec = "r|" + "c" * len(cols.domain.elements)
    return (rf"\begin{{array}}{{{spec}}} {header} \\ \hline "
            + r" \\ ".join(lines) + r" \end{array}")


def table_latex(table: PayoffTable) -> str:
    """A payoff table as a matrix (two players), one matrix per element of the third
    player's strategy (three), a row (one); more players: the written-out sum."""
    strategies = table.strategies
    printer = SpecLatexPrinter()
    if len(strategies) == 1:
        s = strategies[0]
        cells = [rf"{_element(e)}: {printer._print(table.value((e,)))}"
                 for e in s.domain.elements]
        body = r"\left(" + r",\ ".join(cells) + r"\right)"
    elif len(strategies) == 2:
        body = r"\left(" + _array(table, *strategies, ()) + r"\right)"
    elif len(strategies) == 3:
        third = strategies[2]
        body = r"\quad ".join(
            rf"\underset{{{printer._print(third.symbol)} = {_element(e)}}}"
            rf"{{\left({_array(table, strategies[0], strategies[1], (e,))}\right)}}"
            for e in third.domain.elements)
    else:
        return printer.doprint(table.expr)
    if any(s.kind == "mixed" for s in strategies):
        names = ", ".join(printer._print(s.symbol) for s in strategies)
        return rf"\mathbb{{E}}_{{{names}}}\left[T\right],\quad T = {body}"
    return body
