"""When a method for finite games in normal form applies: the checks they all share."""
from __future__ import annotations

from gamespec import normal_form
from gamespec.analysis import Classification
from gamespec.model import Model

TREE_METHODS = ("a game tree: its methods are backward_induction, sequence_form, "
                "subgame_perfect and tree_nash")


def finite_normal_form(model: Model, cls: Classification) -> tuple[bool, str]:
    """(True, "") if the game is a simultaneous finite game whose normal form can be built."""
    if cls.tree is not None and not model.strategies():
        return False, TREE_METHODS
    if not cls.finite:
        return False, "needs finite strategy sets"
    if cls.dynamic:
        return False, "the game is dynamic"
    if cls.sequential:
        return False, "the order of play is sequential (a leader commits first)"
    if model.free_params():
        return False, "parameters without values: " + ", ".join(model.free_params())
    if cls.pure_profiles is None or cls.pure_profiles > normal_form.MAX_PROFILES:
        count = cls.pure_profiles
        shown = f"{count:,}" if count is not None and count < 10**18 else "more than 10^18"
        return False, f"too many pure profiles ({shown})"
    agents = normal_form.agent_count(model)
    if agents > normal_form.MAX_AGENTS:
        return False, f"{agents:,} agents (a normal form holds at most {normal_form.MAX_AGENTS})"
    return True, ""


MULTILINEAR = ("constant", "linear", "bilinear", "multilinear")


def mixed_extension(model: Model, cls: Classification) -> tuple[bool, str]:
    """As finite_normal_form, and the mixed profiles' payoffs are the expectations over pure
    profiles: every strategy is a `choose`, or the payoffs are multilinear in the `mixed` ones
    (a payoff like f[r]^2 is not an expectation, so its mixed equilibria are not those of
    the normal form)."""
    ok, reason = finite_normal_form(model, cls)
    if not ok:
        return ok, reason
    mixed = [s for s in model.strategies() if s.kind == "mixed"]
    if mixed and cls.linearity not in MULTILINEAR:
        return False, (f"the payoff is {cls.linearity} in the mixed strategy `{mixed[0].name}`, "
                       "not an expectation over pure profiles")
    return True, ""


def two_player_normal_form(model: Model, cls: Classification) -> tuple[bool, str]:
    """As mixed_extension, for exactly two agents (a bimatrix game)."""
    ok, reason = mixed_extension(model, cls)
    if not ok:
        return ok, reason
    agents = normal_form.agent_count(model)
    if agents != 2:
        return False, f"needs two players (the game has {agents} agents)"
    return True, ""


def strategy_counts(model: Model) -> list[int]:
    """Each agent's number of pure strategies (for a game finite_normal_form accepts)."""
    counts: list[int] = []
    for player in model.players.values():
        counts += normal_form.player_counts(model, player) or []
    return counts
