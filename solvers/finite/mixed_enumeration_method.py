"""The `enumerate_mixed` method: every equilibrium of a small finite game, mixed ones included.

Two players: all extreme equilibria by vertex enumeration of the best-response polytopes
(solvers/finite/vertex_enumeration.py), exact where the payoffs are rational. More players:
every isolated equilibrium by support enumeration over the polynomial indifference systems
(solvers/finite/support_enumeration.py), exact (algebraic) where the payoffs are rational.
It is the default for finite games while the search is cheap; past that it refuses, and the
next method (pure enumeration) says what it searched.
"""
from __future__ import annotations

from gamespec.analysis import Classification
from gamespec.model import Model
from gamespec.normal_form import build_normal_form
from gamespec.result import Result
from gamespec.solvers.finite.applicability import mixed_extension, strategy_counts
from gamespec.solvers.finite.equilibrium_records import equilibria_result
from gamespec.solvers.finite.mixed_equilibrium import rational_payoffs
from gamespec.solvers.registry import SolverEntry

# The most bases (two players) or support profiles (more) searched by default.
MAX_BASES = 250_000
MAX_SUPPORTS = 2_000

COVERS_TWO = "all extreme Nash equilibria, pure and mixed (vertex enumeration); every " \
             "equilibrium is a convex combination of extreme ones within a clique"
COVERS_MANY = "all isolated Nash equilibria, pure and mixed (support enumeration)"


def search_size(counts: list[int]) -> tuple[int, int]:
    """(size, limit): the bases or supports the enumeration would examine, and the cap."""
    if len(counts) == 2:
        from gamespec.solvers.finite.vertex_enumeration import enumeration_cost

        return enumeration_cost(*counts), MAX_BASES
    from gamespec.solvers.finite.support_enumeration import support_count

    return support_count(tuple(counts)), MAX_SUPPORTS


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    ok, reason = mixed_extension(model, cls)
    if not ok:
        return ok, reason
    counts = strategy_counts(model)
    if len(counts) < 2:
        return False, "needs at least two agents"
    size, limit = search_size(counts)
    if size > limit:
        what = "vertex bases" if len(counts) == 2 else "support profiles"
        alternatives = "lemke_howson, milp or logit" if len(counts) == 2 else "logit"
        # an int of hundreds of digits does not convert to float: its power of ten instead
        power = int(size.bit_length() * 0.30103)
        shown = f"{size:,}" if size < 10**12 else f"about 10^{power}"
        return False, (f"the enumeration would examine {shown} {what} (limit {limit:,}); "
                       f"for one equilibrium use --method {alternatives}")
    return True, ""


def solve(model: Model, cls: Classification, options: dict) -> Result:
    nf = build_normal_form(model)
    exact = rational_payoffs(nf.payoffs)
    if len(nf.agents) == 2:
        from gamespec.solvers.finite.vertex_enumeration import extreme_equilibria

        a, b = nf.payoffs
        pair = None if exact is None else (exact[0], exact[1])
        equilibria = extreme_equilibria(a, b, exact=pair, max_bases=MAX_BASES * 4)
        return equilibria_result(model, nf, equilibria, method=ENTRY.name,
                                 figures=bool(options.get("figures")),
                                 kind="vertex enumeration", exact_payoffs=exact,
                                 covers=COVERS_TWO)
    from gamespec.solvers.finite.support_enumeration import support_equilibria

    found = support_equilibria(nf.payoffs, exact=exact, max_supports=MAX_SUPPORTS * 10,
                               time_limit=options.get("time_limit"))
    covers = COVERS_MANY
    extra = {"supports_checked": found.supports_checked}
    if found.continua:
        covers += ("; these supports hold a continuum of equilibria (one point of each is "
                   "listed): " + "; ".join(_support_text(nf, s) for s in found.continua))
        extra["continua"] = [_support_text(nf, s) for s in found.continua]
    return equilibria_result(model, nf, found.equilibria, method=ENTRY.name,
                             figures=bool(options.get("figures")),
                             kind="support enumeration", exact_payoffs=exact, covers=covers,
                             extra=extra)


def _support_text(nf, support) -> str:
    return ", ".join(f"{a} on {{{', '.join(nf.labels[k][i] for i in support[k])}}}"
                     for k, a in enumerate(nf.agents))


ENTRY = SolverEntry(
    name="enumerate_mixed",
    summary="every Nash equilibrium of a small finite game, mixed ones included (exact "
            "where the payoffs are rational)",
    covers=COVERS_TWO + " (two players); " + COVERS_MANY + " (more players)",
    can_solve=can_solve,
    solve=solve,
)
