"""Closed forms that papers state, put beside what gamespec derives and solves.

A spec opts in with a solve option naming the paper, e.g.
`solve using continuous { compare_paper = "obfuscation" }`; the continuous method then
adds the paper's claims to `derive` and its Table I prediction to `solve`'s `compare`,
each marked as holding or not at the spec's parameters. The engine never uses them to
find the answer.
"""
from __future__ import annotations

import math

from gamespec.errors import SpecError
from gamespec.model import Model

PAPERS = ("obfuscation",)


def _obfuscation_params(model: Model) -> dict[str, float]:
    from gamespec.stdlib.obfuscation import PARAMETERS

    values = {p.name: p.value for p in model.params.values()
              if not p.index_sets and p.value is not None}
    missing = [name for name in PARAMETERS if name not in values]
    if missing:
        raise SpecError(f"compare_paper = \"obfuscation\" needs parameters named "
                        f"{', '.join(PARAMETERS)}; missing {', '.join(missing)}")
    return {name: float(values[name]) for name in PARAMETERS}


def derive_items(model: Model, paper: str, engine_best_response=None) -> list[tuple[str, object]]:
    """The paper's claims (symbolic where the paper gives a formula) and whether they hold."""
    if paper != "obfuscation":
        raise SpecError(f"unknown paper `{paper}`", hint="known: " + ", ".join(PAPERS))
    from gamespec.stdlib import obfuscation as ob

    params = _obfuscation_params(model)
    sym = ob.SYMBOLS
    items: list[tuple[str, object]] = [
        ("Lemma 3 (paper): AC(sigma_L, s)", ob.accuracy_and_cost(sym.sigma_L, sym.sbar2, sym)),
        ("Lemma 3 (paper): P(sigma_L)", ob.privacy_loss(sym.sigma_L, sym)),
        ("Lemma 3 (paper): best response", "0 if P < AC, M if P > AC, [0, M] if equal "
         "(bang-bang)"),
        ("Theorem 1 (paper)", "Gamma(sigma_L) = M [P(sigma_L) > AC(sigma_L, 0)]"),
        ("Theorem 2 (paper): tau_hat^2", "1 / ln(P_S / (P_S - C_S))  (mis-squared)"),
        ("Theorem 2 (corrected): tau_hat", "1 / ln(P_S / (P_S - C_S)), regime 3 iff "
         "kappa < ln(A_L / C_L) ln(P_S / (P_S - C_S))^2"),
        ("exact threshold tau", ob.tau_equation(sym)),
    ]
    lemma = ob.lemma3_best_response(params, 0.0, 0.0)
    items.append(("at these parameters, sigma_L = 0, others at 0: Lemma 3 predicts",
                  lemma.describe()))
    if engine_best_response is not None:
        holds = engine_best_response.distance(lemma.choice) <= 1e-6 * max(1.0, params["M"])
        items.append(("  the stated utilities give (gamespec)",
                      f"{engine_best_response.describe()} with payoff "
                      f"{engine_best_response.value:.6g} -> Lemma 3 "
                      f"{'holds' if holds else 'does NOT hold'} here"))
    for variant in ob.VARIANTS:
        prediction = ob.closed_form_regime(params, variant)
        threshold = prediction.kappa_threshold
        items.append((f"Table I ({variant})",
                      f"regime {prediction.regime}: sigma_L = {prediction.sigma_L:.6g}, users "
                      f"{prediction.users:.6g}"
                      + (f", kappa threshold {threshold:.6g}" if threshold is not None
                         and math.isfinite(threshold) else "")))
    return items


def solve_compare(model: Model, paper: str, sigma_L: float, users: float) -> dict:
    """Table I's predictions beside the exact answer (regime labels 1, 2, 3; 0 = none)."""
    if paper != "obfuscation":
        raise SpecError(f"unknown paper `{paper}`", hint="known: " + ", ".join(PAPERS))
    from gamespec.stdlib import obfuscation as ob

    params = _obfuscation_params(model)
    exact = ob.exact_regime(sigma_L, users, params["M"])
    out: dict = {"regime_exact": exact}
    for variant in ob.VARIANTS:
        prediction = ob.closed_form_regime(params, variant)
        out[f"regime_{variant}"] = prediction.regime
        out[f"sigma_L_{variant}"] = prediction.sigma_L
        out[f"agrees_{variant}"] = prediction.regime == exact
    return out
