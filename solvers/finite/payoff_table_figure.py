"""The payoff-table picture's data (`Result.extra["figures"]["payoff-table"]`): every
agent's payoffs over the first two agents' strategies (the others fixed at the solved
answer or the first pure equilibrium), every pure equilibrium among them, where the solved
answer sits, and with three or more agents one panel per profile of the others (at most
MAX_PANELS). Shared by the finite methods; the plot draws it and computes nothing."""
from __future__ import annotations

from collections.abc import Callable

from gamespec.model import Model
from gamespec.normal_form import NormalForm, build_normal_form, pure_strategy_count

MAX_CELLS = 1_000_000
MAX_PANELS = 12  # profiles of the third and later agents drawn as panels


def payoff_table_figure(model: Model, strategies: dict, pure_equilibria: Callable[
        [NormalForm], list], outline_answer: bool = True) -> tuple[str, dict | str]:
    """("payoff-table", data), or ("unavailable", why) when there is no table to draw.
    `pure_equilibria` is pure_enumeration's; `outline_answer`: mark the solved strategies
    (an enumeration outlines every pure equilibrium instead)."""
    count = pure_strategy_count(model)
    if count is None:
        return "unavailable", "a payoff table needs choices from finite sets"
    if count > MAX_CELLS:
        shown = f"{count:,}" if count < 10**18 else "more than 10^18"
        return "unavailable", f"{shown} pure profiles: too many cells to draw"
    nf = build_normal_form(model, limit=MAX_CELLS)
    if len(nf.agents) < 2:
        return "unavailable", "a payoff table needs at least two agents"
    equilibria = pure_equilibria(nf)
    mixed = _mixed_marginals(nf, strategies)
    solved = _solved_positions(model, nf, strategies, mixed) if outline_answer else None
    if solved is not None and len(nf.agents) > 2 and None not in solved[2:]:
        fixed = tuple(solved[2:])  # the others where the solver's answer has them
    else:
        fixed = tuple(equilibria[0][2:]) if equilibria else (0,) * (len(nf.agents) - 2)
    shown = [[int(e[0]), int(e[1])] for e in equilibria if tuple(e[2:]) == fixed]
    answer = None
    if solved is not None and solved[:2] != [None, None] and tuple(solved[2:]) == fixed:
        answer = solved[:2]
    others = ", ".join(f"{nf.agents[k + 2]}={nf.labels[k + 2][i]}" for k, i in enumerate(fixed))
    data = {
        "agents": list(nf.agents),
        "rows": [str(r) for r in nf.labels[0]], "columns": [str(c) for c in nf.labels[1]],
        "axis_labels": [_strategy_axis(model, nf.agents[0]), _strategy_axis(model, nf.agents[1])],
        "payoffs": _slice(nf, fixed),
        "equilibria": shown, "total_equilibria": len(equilibria),
        "sequential": len(model.order) > 1, "others": others,
        "mixed": {str(k): v for k, v in mixed.items()}, "answer": answer}
    if len(nf.agents) > 2:
        data["panels"], data["total_panels"] = _panels(nf, equilibria, solved, fixed)
    return "payoff-table", data


def _slice(nf: NormalForm, fixed: tuple) -> list:
    """Every agent's payoffs over the first two agents' strategies, the others at `fixed`."""
    return [nf.payoffs[(k, slice(None), slice(None), *fixed)] for k in range(len(nf.agents))]


def _panels(nf: NormalForm, equilibria: list, solved, fixed: tuple) -> tuple[list, int]:
    """One panel per profile of the third and later agents (the first MAX_PANELS, the
    fixed one always among them): its label, every agent's payoffs, its pure equilibria
    and the solved answer when it lies in it."""
    import itertools

    profiles = list(itertools.product(*(range(len(lab)) for lab in nf.labels[2:])))
    chosen = profiles[:MAX_PANELS]
    if fixed not in chosen:
        chosen[-1] = fixed
    panels = []
    for profile in chosen:
        answer = None
        if solved is not None and solved[:2] != [None, None] and tuple(solved[2:]) == profile:
            answer = solved[:2]
        panels.append({
            "others": [[nf.agents[k + 2], str(nf.labels[k + 2][i])] for k, i in enumerate(profile)],
            "payoffs": _slice(nf, profile),
            "equilibria": [[int(e[0]), int(e[1])] for e in equilibria if tuple(e[2:]) == profile],
            "answer": answer})
    return panels, len(profiles)


def _plain(element):
    return int(element) if isinstance(element, float) and element.is_integer() else element


def _strategy_axis(model: Model, agent: str) -> str:
    """`alice's strategy`, or for a choice per element `attacker's (a[Thief], a[Saboteur])`."""
    player = model.players.get(agent.partition("[")[0])
    if player is not None and len(player.strategies) == 1 and player.strategies[0].condition_sets:
        strategy = player.strategies[0]
        sets = strategy.condition_sets
        if len(sets) == 1 and len(sets[0]) <= 4:
            parts = ", ".join(f"{strategy.name}[{_plain(e)}]" for e in sets[0].elements)
            return f"{agent}'s ({parts})"
        return f"{agent}'s {strategy.name}[" + ", ".join(c.name for c in sets) + "]"
    return f"{agent}'s strategy"


def _solved_positions(model: Model, nf, strategies: dict, mixed) -> list | None:
    """The index of each agent's solved pure strategy among its labels (None for a mixed
    or unknown one); None when no agent has one."""
    position: list[int | None] = []
    for k, agent in enumerate(nf.agents):
        strategy = strategies.get(agent)
        label = strategy if isinstance(strategy, (str, int, float)) and \
            not isinstance(strategy, bool) else None
        player = model.players.get(agent)
        if isinstance(strategy, dict) and player is not None and k not in mixed and \
                player.strategies[0].condition_sets:
            elements = player.strategies[0].condition_sets[0].elements
            parts = [strategy.get(str(_plain(e))) for e in elements]
            label = "(" + ", ".join(str(v) for v in parts) + ")" if None not in parts else None
        labels = [str(_plain(x)) for x in nf.labels[k]]
        text = None if label is None else str(_plain(label))
        position.append(labels.index(text) if text in labels else None)
    return None if all(p is None for p in position) else position


def _mixed_marginals(nf, strategies: dict) -> dict[int, dict[str, float]]:
    """Agent position -> {label: probability} for unconditioned mixed strategies."""
    out: dict[int, dict[str, float]] = {}
    for k, agent in enumerate(nf.agents[:2]):
        strategy = strategies.get(agent)
        if isinstance(strategy, dict) and strategy and all(
                isinstance(v, (int, float)) for v in strategy.values()) and set(strategy) <= set(
                nf.labels[k]):
            out[k] = {str(label): float(p) for label, p in strategy.items()}
    return out


def figures_of_finite_game(model: Model, strategies: dict, pure_equilibria: Callable[
        [NormalForm], list], outline_answer: bool = True, first: dict | None = None) -> dict:
    """The figures dict of a finite method: `first` (its own pictures) then the table."""
    out = dict(first or {})
    key, data = payoff_table_figure(model, strategies, pure_equilibria, outline_answer)
    if key == "unavailable":
        out.setdefault("unavailable", {})["payoff-table"] = data
    else:
        out["payoff-table"] = data
    return out
