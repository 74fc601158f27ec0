"""Brute-force check of a trigger strategy at given numbers: each player's best response to
the others' strategy, by value iteration over the states of that strategy (every deviation
plan, not only the ones the symbolic conditions list), against the path value.

grim: states {path, punished}; a choice off the path is detected with probability q and
then punished for ever. tit_for_tat: the state is what the other player plays this round
(its path or its punishment choice), set by the deviator's previous choice.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gamespec.model import StageGame

MAX_ROUNDS = 200_000


@dataclass(frozen=True)
class BestResponse:
    player: str
    path_value: float
    best_value: float  # the value of the best response (value iteration)
    rounds: int

    @property
    def gain(self) -> float:
        return self.best_value - self.path_value


def _payoff(stage: StageGame, profile: tuple, k: int, values: dict) -> float:
    return float(stage.payoffs[profile][k].xreplace(values))


def _iterate(step, start: np.ndarray, scale: float, discount: float) -> tuple[np.ndarray, int]:
    v = start
    tol = 1e-13 * max(1.0, scale) / (1 - discount)
    for rounds in range(1, MAX_ROUNDS + 1):
        new = step(v)
        if np.max(np.abs(new - v)) <= tol * (1 - discount):
            return new, rounds
        v = new
    return v, MAX_ROUNDS


def best_responses(stage: StageGame, kind: str, sustain: tuple, punish: tuple,
                   discount: float, detect: float | None, values: dict) -> list[BestResponse]:
    """Each player's best-response value to the others' trigger strategy, and the path value."""
    q = 1.0 if detect is None else detect
    out = []
    for k, player in enumerate(stage.players):
        def swap(profile, choice, k=k):
            return profile[:k] + (choice,) + profile[k + 1:]

        choices = stage.choices[k]
        on_path = [_payoff(stage, swap(sustain, b), k, values) for b in choices]
        punished = [_payoff(stage, swap(punish, b), k, values) for b in choices]
        stay = [1.0 if b == sustain[k] else 0.0 for b in choices]
        scale = max(abs(x) for x in on_path + punished)
        if kind == "grim":
            def step(v, on_path=on_path, punished=punished, stay=stay):
                path = max(g + discount * (v[0] if s else (1 - q) * v[0] + q * v[1])
                           for g, s in zip(on_path, stay))
                return np.array([path, max(punished) + discount * v[1]])
        else:  # tit_for_tat: state 0: the other plays its path choice, 1: its punishment
            def step(v, on_path=on_path, punished=punished, stay=stay):
                return np.array([max(g + discount * v[0 if s else 1]
                                     for g, s in zip(row, stay))
                                 for row in (on_path, punished)])
        v, rounds = _iterate(step, np.zeros(2), scale, discount)
        path_value = on_path[choices.index(sustain[k])] / (1 - discount)
        out.append(BestResponse(player, path_value, float(v[0]), rounds))
    return out
