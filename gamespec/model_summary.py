"""A compact, stable summary of a Model and its classification (golden tests, `info --json`)."""
from __future__ import annotations

from gamespec.analysis import Classification
from gamespec.model import Model


def model_summary(model: Model, cls: Classification) -> dict:
    players = {}
    for name, player in model.players.items():
        players[name] = {
            "kind": player.kind,
            "members": len(player.member_set) if player.member_set is not None else None,
            "strategies": {
                s.name: {
                    "kind": s.kind,
                    "domain": s.domain.describe(),
                    "conditioned_on": [c.name for c in s.condition_sets],
                }
                for s in player.strategies
            },
            "constraints": [c.name for c in player.constraints],
            "types": player.types[1].name if player.types else None,
            "fields": [f.name for f in player.fields],
        }
    return {
        "title": model.title,
        "params": sorted(model.params),
        "sets": {n: len(s) for n, s in sorted(model.sets.items()) if not n.startswith("_")},
        "lets": sorted(model.lets),
        "players": players,
        "payoffs": sorted(model.payoffs),
        "common_payoff": model.common_payoff is not None,
        "profiles": sorted(model.profiles),
        "selection": model.selection.kind if model.selection else None,
        "repeated": model.repeated is not None,
        "dynamics": model.dynamics is not None,
        "updates": model.updates is not None,
        "solve_method": model.solve_method,
        "classification": {k: v for k, v in cls.as_dict().items()
                            if k not in ("strategy_spaces", "notes")},
        **({"network": model.network.describe()} if model.network is not None else {}),
    }
