"""Non-atomic populations over finite choices (mean-field / Wardrop / evolutionary rest
points): the share of each population on each choice, where every used choice pays the
most given the shares. Exact support enumeration when the payoffs are rational functions
of the fields; a numeric support search otherwise (thresholds included)."""
from __future__ import annotations

import itertools

import numpy as np
import sympy

from gamespec.analysis import Classification
from gamespec.errors import SolverError, SpecError
from gamespec.model import Model
from gamespec.result import Result, Status
from gamespec.solvers.options import SolverOption
from gamespec.solvers.populations import share_records
from gamespec.solvers.populations.finite_shares import ShareGame, refusal, share_game
from gamespec.solvers.populations.share_certificate import certify, edge_stability
from gamespec.solvers.populations.share_equilibria import (
    choice_payoffs_in_shares,
    exact_equilibria,
    share_symbols,
)
from gamespec.solvers.populations.share_numeric import numeric_equilibria
from gamespec.solvers.registry import Refusal, SolverEntry

OPTIONS = (
    SolverOption("tolerance", "float", 1e-9, "switching gain allowed (relative to the largest "
                 "payoff, at least 1)", low=0.0, low_open=True, high=1.0),
    SolverOption("exact", "bool", True, "solve each support exactly when the payoffs are "
                 "rational functions of the fields (false: the numeric search)"),
)


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    why = refusal(model)
    if why is not None:
        return False, Refusal(why[0], why[1])
    try:
        share_game(model)
    except (SpecError, SolverError) as exc:
        return False, Refusal(exc.message, exc.span)
    return True, ""


def _tolerance(game: ShareGame, base: float) -> float:
    """`base` scaled by the largest payoff magnitude at the vertices (at least 1)."""
    scale = 1.0
    for combo in itertools.product(*(range(len(p.labels)) for p in game.populations)):
        shares = [np.eye(len(p.labels))[c][None, :] for p, c in zip(game.populations, combo)]
        for u in game.choice_payoffs(shares):
            finite = u[np.isfinite(u)]
            if finite.size:
                scale = max(scale, float(np.max(np.abs(finite))))
    return base * scale


def solve(model: Model, cls: Classification, options: dict) -> Result:
    game = share_game(model)
    tol = _tolerance(game, float(options.get("tolerance", 1e-9)))
    exact = game.exact and bool(options.get("exact", True))
    notes: list[str] = []
    if exact:
        points, notes = exact_equilibria(game)
        searched: dict = {}
    else:
        points, searched = numeric_equilibria(game, tol, int(options.get("seed", 0)))
    oks = [certify(game, p, tol) for p in points]
    for point in points:
        if point.stable is None:
            point.stable = edge_stability(game, point)
    if not exact:  # a numeric candidate that fails its check is no equilibrium
        points = [p for p, ok in zip(points, oks) if ok]
        oks = [True] * len(points)
    if not points:
        raise SolverError("no population equilibrium found; "
                          + share_records.covers(exact, searched, game),
                          hint="a continuum of equilibria is not listed: " + "; ".join(notes)
                          if notes else "check the payoffs of each choice with `derive`")
    records = [share_records.record(game, p) for p in points]
    chosen = share_records.selected_index(model, game, records)
    facts = [("population", "a continuum of members: a field is the share-weighted mean of its "
                        "body over the choices; values are each population's mean payoff")]
    if any(p.kind == "threshold" for p in points):
        facts.append(("threshold", "the payoffs jump at a listed share: no share is an exact "
                      "equilibrium there; it is where the payoff difference changes sign, the "
                      "equilibrium of the continuum limit (checked on either side)"))
    facts += [("continuum", note) for note in notes]
    if game.fields:
        facts.append(("fields", ", ".join(f"{k} = {v:.6g}" for k, v in
                                          records[chosen]["fields"].items())))
    if len(records) > 1:
        facts.append(("selected", f"equilibrium {chosen + 1} of {len(records)}"
                      + (" (select rule)" if model.selection is not None else " (the first)")))
    certificate = share_records.certificate(points, oks, tol)
    figures = {}
    if options.get("figures"):  # what the plots draw (gamespec/plots/shares.py)
        from gamespec.solvers.populations.share_figure import shares_figure

        figures = {"figures": shares_figure(game, records, chosen)}
    return Result(
        game=model.title, spec=model.path, spec_sha256=model.sha256, method=ENTRY.name,
        status=(Status.EQUILIBRIA if len(records) > 1 else Status.EQUILIBRIUM)
        if certificate.ok else Status.NOT_CERTIFIED,
        values=dict(records[chosen]["payoffs"]), strategies=dict(records[chosen]["profile"]),
        certificate=certificate, derived=_derived(game) if exact else {},
        extra={"equilibria": records, "selected": chosen, "facts": facts,
               "search": "exact" if exact else "numeric", **(
                   {"searched": searched} if searched else {}), **figures},
        covers=share_records.covers(exact, searched, game),
        parameters={p.name: p.value for p in model.params.values()
                    if not p.index_sets and p.value is not None},
    )


def _derived(game: ShareGame) -> dict:
    xs = share_symbols(game)
    payoffs = choice_payoffs_in_shares(game, xs)
    return {f"payoff {pop.name} {label}": sympy.sstr(u)
            for pop, row in zip(game.populations, payoffs) for label, u in zip(pop.labels, row)}


def derive(model: Model, cls: Classification, derivation) -> None:
    """Each choice's payoff in the fields and in the shares, the equilibrium conditions,
    and (rational payoffs) every support's solution and the equilibria, exactly."""
    from gamespec.solvers.populations.share_derive import derive_items

    derivation.add("population over finite choices: payoffs and equilibrium conditions",
                   derive_items(model))


ENTRY = SolverEntry(
    name="population_shares",
    covers="all equilibria over every support (exactly, or by a numeric search that says "
           "what it scanned)",
    summary="non-atomic populations over finite choices: equilibrium shares (Wardrop, "
            "mean-field Nash, evolutionary rest points), thresholds included",
    can_solve=can_solve,
    solve=solve,
    derive=derive,
    options=OPTIONS,
)
