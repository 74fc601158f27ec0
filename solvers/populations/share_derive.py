"""`gamespec derive` for populations over finite choices: each field in the shares, each
choice's payoff in the fields, the equilibrium conditions, every support's equal-payoff
solution symbolic in the parameters (where the payoffs are rational functions), and the
equilibria at the parameters' values."""
from __future__ import annotations

import sympy

from gamespec.model import Model
from gamespec.solvers.populations.finite_shares import ShareGame, share_game
from gamespec.solvers.populations.share_equilibria import (
    choice_payoffs_in_shares,
    exact_equilibria,
    share_symbols,
)
from gamespec.solvers.populations.supports import support_combinations

SHOWN_SUPPORTS = 16
TRIED_SUPPORTS = 64  # supports solved symbolically at most


def derive_items(model: Model) -> list[tuple[str, object]]:
    game = share_game(model, keep_parameters=True)
    xs = share_symbols(game)
    in_shares = choice_payoffs_in_shares(game, xs)
    items: list[tuple[str, object]] = []
    fields = game.field_exprs(xs)
    for f in game.fields:
        items.append((f"field {f.name}", sympy.Eq(f.symbol, fields[f.symbol])))
    for p, pop in enumerate(game.populations):
        for c, label in enumerate(pop.labels):
            items.append((f"{pop.name} choosing {label}", game.payoffs[p][c]))
            if in_shares[p][c] != game.payoffs[p][c]:
                items.append((f"{pop.name} choosing {label}, in shares", in_shares[p][c]))
    items.append(("equilibrium", "shares x >= 0 summing to 1 per population; every used "
                  "choice (x > 0) pays the most: u(c) = max over c' of u(c')"))
    if game.exact:
        items += _support_solutions(game, xs, in_shares)
    numeric = share_game(model)
    if numeric.exact:
        points, notes = exact_equilibria(numeric)
        for k, point in enumerate(points, 1):
            shares = [sympy.Eq(x, v) for row_x, row_v in zip(xs, point.exact)
                      for x, v in zip(row_x, row_v)]
            items.append((f"equilibrium {k} at the parameters' values", sympy.Tuple(*shares)))
        items += [("continuum", note) for note in notes]
    else:
        jumps = sorted({sympy.sstr(r) for row in game.payoffs for u in row
                        for r in u.atoms(sympy.core.relational.Relational)})
        if jumps:
            items.append(("payoffs jump where", ", ".join(jumps) + " changes truth (a "
                          "threshold equilibrium sits where a payoff difference changes sign)"))
        items.append(("equilibria", "found numerically (the payoffs are not rational "
                      "functions of the fields): `gamespec solve`"))
    return items


def _support_solutions(game: ShareGame, xs, in_shares) -> list[tuple[str, object]]:
    """Per support with two or more used choices: the equal-payoff shares, symbolic."""
    items: list[tuple[str, object]] = []
    sizes = [len(p.labels) for p in game.populations]
    tried = 0
    for support in support_combinations(sizes):
        if all(len(used) == 1 for used in support):
            continue
        tried += 1
        if len(items) >= SHOWN_SUPPORTS or tried > TRIED_SUPPORTS:
            items.append(("supports", "more supports not shown (`gamespec solve` "
                          "enumerates every one)"))
            break
        zero = {x: 0 for p, row in enumerate(xs) for c, x in enumerate(row)
                if c not in support[p]}
        unknowns = [xs[p][c] for p, used in enumerate(support) for c in used]
        equations = []
        for p, used in enumerate(support):
            equations.append(sympy.Add(*[xs[p][c] for c in used]) - 1)
            base = in_shares[p][used[0]].xreplace(zero)
            equations += [sympy.numer(sympy.together(in_shares[p][c].xreplace(zero) - base))
                          for c in used[1:]]
        label = "; ".join(", ".join(pop.labels[c] for c in used)
                          for pop, used in zip(game.populations, support))
        try:
            solutions = sympy.solve([e for e in equations if e != 0], unknowns, dict=True)
        except (NotImplementedError, ValueError, TypeError):
            continue
        for solution in solutions:
            shown = [sympy.Eq(x, sympy.factor(v)) for x, v in solution.items()]
            items.append((f"support [{label}]: equal payoffs", sympy.Tuple(*shown)))
    if items:
        items.append(("supports", "each solution is an equilibrium where its shares are "
                      "positive and no unused choice pays more"))
    return items
