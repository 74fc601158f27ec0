"""`gamespec derive`: the model's payoffs and, for finite games, the best-response and
equilibrium conditions, derived symbolically (plain text and LaTeX)."""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import sympy

from gamespec.derivation_items import Formula, PayoffTable  # noqa: F401 - re-exported
from gamespec.language.spec_printer import spec_str
from gamespec.language.symbols import safe_simplify
from gamespec.math_text import MathText
from gamespec.model import FiniteSet, Model
from gamespec.payoff_table import expanded_form, table_form
from gamespec.profile_values import (
    SIMPLIFY_PROFILES,
    profile_payoffs,
)

MAX_SYMBOLIC_PROFILES = 512
MAX_CONDITION_ITEMS = 60  # best-response / equilibrium items shown for larger games
SHOWN_TABLE_PROFILES = 64  # a larger payoff table is shown as its lookup, not written out


def _plain(obj) -> str:
    if isinstance(obj, PayoffTable):
        return spec_str(obj.expr)
    return obj.plain if isinstance(obj, Formula) else spec_str(obj)


def _latex(obj) -> str | None:
    """LaTeX (math mode) of an item, or None for prose (shown as text)."""
    from gamespec.render.latex import math_latex

    return math_latex(obj)


def _tex_text(text) -> str:
    from gamespec.render.latex import tex_text

    return tex_text(text, document=False)


@dataclass
class Derivation:
    """Sections of (title, [(label, sympy object or str)])."""

    sections: list[tuple[str, list[tuple[str, object]]]] = field(default_factory=list)

    def add(self, title: str, items: list[tuple[str, object]]) -> None:
        if items:
            self.sections.append((title, items))

    def plain(self) -> str:
        out = []
        for title, items in self.sections:
            out.append(f"== {title}")
            for label, obj in items:
                text = _plain(obj)
                out.append(f"  {label}: {text}" if label else f"  {text}")
        return "\n".join(out)

    def latex(self, *, standalone: bool = False) -> str:
        """The LaTeX of `gamespec.render.latex.render_latex`."""
        from gamespec.render.latex import render_latex

        return render_latex(self, standalone=standalone)

    def _repr_markdown_(self) -> str:
        """Notebook display: a heading per section, each item as a label and inline maths
        (prose items stay text)."""
        out = []
        for title, items in self.sections:
            out += [f"**{title}**", ""]
            for label, obj in items:
                body = _md_escape(obj) if _latex(obj) is None else f"${_latex(obj)}$"
                out.append(f"- {_md_escape(label)}: {body}" if label else f"- {body}")
            out.append("")
        return "\n".join(out).rstrip() + "\n"

    def _repr_latex_(self) -> str:
        """Notebook display as one aligned block: `\\text{label}: & formula` per row."""
        rows = []
        for title, items in self.sections:
            rows.append(f"&\\textbf{{{_tex_text(title)}}}")
            for label, obj in items:
                body = f"\\text{{{_tex_text(obj)}}}" if _latex(obj) is None else _latex(obj)
                rows.append(f"\\text{{{_tex_text(label)}}}: &\\quad {body}" if label
                            else f"&\\quad {body}")
        return "$$\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}$$"

    def as_dict(self) -> dict:
        return {
            title: [
                {"label": label, "plain": _plain(obj), "latex": _latex(obj) or obj}
                for label, obj in items
            ]
            for title, items in self.sections
        }


def _md_escape(text: str) -> str:
    """Plain text safe in Markdown (no accidental emphasis or maths)."""
    return "".join("\\" + ch if ch in "\\`*_[]$<>|" else ch for ch in str(text))


def derive(model: Model) -> Derivation:
    d = Derivation()
    payoffs = [(_name_label(f"u_{name}"), _shown_payoff(model, p.expr))
               for name, p in model.payoffs.items()]
    if model.common_payoff is not None:
        payoffs.append(("common payoff", model.common_payoff))
    d.add("payoffs", payoffs)
    d.add("definitions", [(_name_label(let.name), let.expr) for let in model.lets.values()])
    d.add("definitions evaluated at the spec's data and parameters", data_values(model))
    constraints = [(c.name, c.relation) for p in model.players.values() for c in p.constraints]
    d.add("constraints", constraints)
    if _small_finite(model) and model.tree is None:  # a tree's conditions: its methods
        br, ne = finite_conditions(model)
        d.add("best-response conditions", br)
        d.add("pure equilibrium conditions", ne)
        if _mixed_extension(model):
            from gamespec.solvers.finite.support_derivation import support_conditions

            d.add("mixed equilibrium conditions", support_conditions(model))
    if model.reports or model.checks or model.claims:
        from gamespec.statements.claims import claim_items

        d.add("reports, checks and claims (claims checked)", claim_items(model))
    return d


def _name_label(name: str) -> MathText:
    """A label that is a name: the name as text, as mathematics in LaTeX."""
    return MathText(sympy.Symbol(name), plain=name)


def data_values(model: Model) -> list[tuple[str, str]]:
    """The scalar lets that do not depend on any strategy, as numbers (e.g. a bound that a
    theorem states in terms of the data)."""
    from gamespec.errors import GamespecError
    from gamespec.evaluate import evaluate
    from gamespec.evaluation_context import base_context

    strategy_names = {s.name for s in model.strategies()}
    strategy_names |= {f.name for p in model.players.values() for f in p.fields}
    items = []
    for let in model.lets.values():
        if let.variables:
            continue
        expanded = model.expand_lets(let.expr)
        used = {getattr(x, "name", None) for x in expanded.free_symbols}
        used |= {i.base.label.name for i in expanded.atoms(sympy.Indexed)}
        if used & strategy_names:
            continue
        try:
            value = evaluate(let.symbol, base_context(model))
        except GamespecError:
            continue
        if not value.axes:
            items.append((_name_label(let.name), f"{float(value.data):.6g}"))
    return items


def _mixed_extension(model: Model) -> bool:
    """Whether mixed profiles' payoffs are expectations over pure ones: every strategy is a
    `choose` (a `mixed` strategy's payoff need not be multilinear)."""
    return all(s.kind != "mixed" for s in model.strategies())


def _small_finite(model: Model) -> bool:
    total = 1
    for player in model.players.values():
        if player.kind != "single" or len(player.strategies) != 1:
            return False
        s = player.strategies[0]
        if not isinstance(s.domain, FiniteSet) or s.condition_sets:
            return False
        total *= len(s.domain)
    return total <= MAX_SYMBOLIC_PROFILES and bool(model.payoffs or model.common_payoff)


def _shown_payoff(model: Model, expr):
    """A small payoff table written out as entry x indicator terms (as it reads in the
    spec); a larger one as its lookup node."""
    if not _single_finite(model):
        return expr
    strategies = [p.strategies[0] for p in model.players.values()]
    form = table_form(expr, strategies)
    if form is None or form[1].entries.size > SHOWN_TABLE_PROFILES:
        return expr
    return PayoffTable(form[0], form[1], tuple(strategies),
                       form[0] * expanded_form(form[1], strategies))


def _single_finite(model: Model) -> bool:
    return all(p.kind == "single" and len(p.strategies) == 1
               and isinstance(p.strategies[0].domain, FiniteSet)
               and not p.strategies[0].condition_sets for p in model.players.values())


def finite_conditions(model: Model):
    """Best-response conditions per player and opponent profile; equilibrium conditions.
    Games with more than SIMPLIFY_PROFILES profiles get conditions reduced only where
    they are numbers, and at most MAX_CONDITION_ITEMS items per section (then a note)."""
    players = list(model.players.values())
    domains = [p.strategies[0].domain.elements for p in players]
    values = profile_payoffs(model)
    small = math.prod(len(d) for d in domains) <= SIMPLIFY_PROFILES
    if not small:  # shown with the spec's data: indexed parameters at elements as numbers
        values = {key: _data_entries(model, value) for key, value in values.items()}
    limit = None if small else MAX_CONDITION_ITEMS
    br_items = []
    ne_items = []
    br_total = sum(len(domains[k]) * math.prod(len(d) for j, d in enumerate(domains) if j != k)
                   for k in range(len(players)))
    for k, player in enumerate(players):
        others = [d for j, d in enumerate(domains) if j != k]
        for rest in itertools.product(*others):
            if limit is not None and len(br_items) >= limit:
                break
            for x in domains[k]:
                if limit is not None and len(br_items) >= limit:
                    break
                profile = _insert(rest, k, x)
                conds = [(values[(k, profile)], values[(k, _insert(rest, k, y))])
                         for y in domains[k] if y != x]
                label = f"{player.name} plays {x} against " + ", ".join(
                    f"{players[j].name}={v}" for j, v in zip(
                        [j for j in range(len(players)) if j != k], rest))
                br_items.append((label, _all_at_least(conds, small)))
    _note_truncated(br_items, br_total, "best-response conditions")
    ne_total = math.prod(len(d) for d in domains)
    for profile in itertools.product(*domains):
        if limit is not None and len(ne_items) >= limit:
            break
        conds = [(values[(k, profile)], values[(k, _insert(_drop(profile, k), k, y))])
                 for k in range(len(players)) for y in domains[k] if y != profile[k]]
        ne_items.append(("(" + ", ".join(str(v) for v in profile) + ") is an equilibrium iff",
                         _all_at_least(conds, small)))
    _note_truncated(ne_items, ne_total, "profiles")
    return br_items, ne_items


def _all_at_least(pairs, simplify: bool):
    """And(a >= b for each pair), simplified in small games; in larger ones numbers are
    decided and the rest kept as written (no call to simplify)."""
    if simplify:
        conds = [sympy.Ge(a, b) for a, b in pairs]
        return safe_simplify(sympy.And(*conds)) if conds else sympy.true
    kept = []
    for a, b in pairs:
        difference = a - b
        if difference.is_number and difference.is_comparable:
            if difference < 0:
                return sympy.false
            continue
        kept.append(sympy.Ge(a, b, evaluate=False))
    return sympy.And(*kept) if kept else sympy.true


def _data_entries(model: Model, expr):
    """`expr` with each indexed parameter at set elements replaced by its number."""
    def entry(item):
        param = model.params.get(item.base.label.name)
        if param is None or param.array is None or len(item.indices) != len(param.index_sets):
            return None
        positions = []
        for index, fs in zip(item.indices, param.index_sets):
            element = index.name if isinstance(index, sympy.Symbol) else (
                float(index) if isinstance(index, sympy.Number) else None)
            lookup = {(e if isinstance(e, str) else float(e)): k
                      for k, e in enumerate(fs.elements)}
            if element not in lookup:
                return None
            positions.append(lookup[element])
        return sympy.nsimplify(float(param.array[tuple(positions)]), rational=True)

    if not isinstance(expr, sympy.Basic) or not expr.has(sympy.Indexed):
        return expr
    mapping = {}
    for item in expr.atoms(sympy.Indexed):
        value = entry(item)
        if value is not None:
            mapping[item] = value
    return expr.xreplace(mapping) if mapping else expr


def _note_truncated(items: list, total: int, what: str) -> None:
    if len(items) < total:
        items.append(("truncated", f"showing the first {len(items):,} of {total:,} {what} "
                                   f"(the game has more than {SIMPLIFY_PROFILES} profiles)"))


def _insert(rest, k, x):
    rest = list(rest)
    rest.insert(k, x)
    return tuple(rest)


def _drop(profile, k):
    return tuple(v for j, v in enumerate(profile) if j != k)
