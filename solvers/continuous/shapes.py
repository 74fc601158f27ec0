"""The shapes of a continuous game the `continuous` method solves: simultaneous players
(each one interval, or a box of up to three) and families (Nash), two players
leader -> follower (Stackelberg), a leader above a population with one mean field, or a
population alone.
"""
from __future__ import annotations

from gamespec.model import IntervalDomain, Model, Player
from gamespec.solvers.continuous.box_gain import MAX_BOX


def _box_player(player: Player) -> bool:
    """A named player choosing two or three intervals at once (a box)."""
    return player.kind == "single" and 1 < len(player.strategies) <= MAX_BOX and all(
        isinstance(st.domain, IntervalDomain) and not st.indexed for st in player.strategies)


def _interval_player(player: Player) -> bool:
    if _box_player(player):
        return True
    return len(player.strategies) == 1 and isinstance(player.strategies[0].domain,
                                                      IntervalDomain) \
        and (player.kind == "family" or not player.strategies[0].indexed) \
        and player.kind in ("single", "population", "family")


def shape_of(model: Model) -> str | None:
    """nash, stackelberg, population_leader, population, or None."""
    players = list(model.players.values())
    if not players or not all(_interval_player(p) for p in players):
        return None
    if any(_box_player(p) for p in players):  # boxes: simultaneous Nash only
        simultaneous = not (model.order_declared and len(model.order) > 1)
        return "nash" if simultaneous and all(p.kind != "population" for p in players) \
            else None
    populations = [p for p in players if p.kind == "population"]
    families = [p for p in players if p.kind == "family"]
    if len(players) == 2 and not populations and not families \
            and model.order_declared and len(model.order) == 2:
        return "stackelberg"
    if not populations:  # simultaneous: any number of players and family members
        return None if model.order_declared and len(model.order) > 1 else "nash"
    if families:
        return None
    if len(players) == 2 and len(populations) == 1 and len(populations[0].fields) == 1:
        leader = next(p for p in players if p.kind != "population")
        if model.order_declared and model.order[0] == (leader.name,):
            return "population_leader"
    if len(players) == 1 and populations and len(populations[0].fields) == 1:
        return "population"
    return None


def refusal(model: Model) -> tuple[str, object] | None:
    """Why no shape applies because of one player's choices, with the player's span, or
    None when each player has one interval choice (the reason is then the game's shape)."""
    for p in model.players.values():
        names = ", ".join(st.name for st in p.strategies)
        if len(p.strategies) > MAX_BOX and p.kind == "single":
            return (f"a player chooses at most {MAX_BOX} intervals (a box); `{p.name}` has "
                    f"{len(p.strategies)} ({names})", p.span)
        if len(p.strategies) > 1 and p.kind != "single":
            return (f"a {p.kind} needs exactly one interval choice; `{p.name}` has "
                    f"{len(p.strategies)} ({names}); only named players choose boxes",
                    p.span)
        if _box_player(p):
            if model.order_declared and len(model.order) > 1 or any(
                    q.kind == "population" for q in model.players.values()):
                return (f"`{p.name}` chooses a box: solved as simultaneous Nash only (no "
                        "order, no population)", p.span)
            continue
        if not p.strategies:
            return f"`{p.name}` has no choice", p.span
        st = next((st for st in p.strategies if st.indexed or not isinstance(
            st.domain, IntervalDomain)), p.strategies[0])
        if not isinstance(st.domain, IntervalDomain):
            return f"`{p.name}` chooses `{st.name}` from a set that is not an interval", p.span
        if p.kind not in ("single", "population", "family"):
            return f"`{p.name}` is a {p.kind} player", p.span
        if st.indexed and p.kind != "family":
            return (f"each choice must be one interval; `{p.name}` chooses a vector "
                    f"`{st.name}` (indexed)", p.span)
    return None


def has_family(model: Model) -> bool:
    return any(p.kind == "family" for p in model.players.values())
