"""Trigger strategies of a repeated finite stage game, and the deviations they must deter.

The path profile `sustain` is played while nobody has deviated. A deviation by player i to
a' pays T = u_i(a', sustain_-i) once; R = u_i(sustain) on the path, P = u_i(punish).

- grim: after a detected deviation every player plays `punish` for ever. A deviation is
  detected with probability q (`detect q`, default 1); an undetected one leaves play on
  the path, so deviating every round is worth V = (T + d q W/(1-d)) / (1 - d (1-q)), W the
  deviator's payoff per punished round (P, or a better reply b to punish_-i, each checked).
- tit_for_tat (two players): each plays its path choice if the other did so last round,
  else its punishment choice. A deviation to a' is followed either by the path choice
  (alternating: (T + d S)/(1 - d^2), S = u_i(sustain_i, punish_j)) or by b != sustain_i for
  ever (T + d u_i(b, punish_j)/(1 - d)). With the path these are every stationary policy
  against the other's two states, so the conditions are also sufficient.

Each check is `path value >= deviation value` (a tie deters: the player does not gain).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from gamespec.errors import SpecError
from gamespec.model import StageGame, TriggerStrategy

__all__ = ["DeviationCheck", "deviation_checks", "pure_equilibria"]


@dataclass(frozen=True)
class DeviationCheck:
    player: str
    deviation: str  # what the deviator does, in words
    path_value: sp.Expr
    deviation_value: sp.Expr

    @property
    def relation(self) -> sp.Rel:
        return sp.GreaterThan(self.path_value, self.deviation_value, evaluate=False)


def _with(profile: tuple, k: int, choice) -> tuple:
    return profile[:k] + (choice,) + profile[k + 1:]


def pure_equilibria(stage: StageGame, values: dict) -> list[tuple]:
    """Pure Nash equilibria of the stage game at the given parameter values (exact)."""
    numeric = {prof: [float(u.xreplace(values)) for u in pay]
               for prof, pay in stage.payoffs.items()}
    found = []
    for prof in itertools.product(*stage.choices):
        if all(numeric[prof][k] >= max(numeric[_with(prof, k, b)][k] for b in stage.choices[k])
               - 1e-12 * max(1.0, abs(numeric[prof][k])) for k in range(len(stage.players))):
            found.append(prof)
    return found


def _better_replies(stage: StageGame, k: int, punish: tuple, values: dict) -> list:
    """The punishment choice, and any choice that pays the deviator more against punish_-k
    at the given values (none when punish is a stage equilibrium; none checked when the
    payoffs have parameters without values)."""
    numbers = {b: stage.payoffs[_with(punish, k, b)][k].xreplace(values)
               for b in stage.choices[k]}
    if not all(n.is_number for n in numbers.values()):  # no values: the punishment as named
        return [punish[k]]
    return [punish[k], *(b for b in stage.choices[k] if b != punish[k]
                         and numbers[b] > numbers[punish[k]])]


def deviation_checks(stage: StageGame, strategy: TriggerStrategy, sustain: tuple,
                     punish: tuple, d: sp.Symbol, values: dict) -> list[DeviationCheck]:
    """Every deviation the strategy must deter, as `path value >= deviation value`."""
    if strategy.kind == "tit_for_tat":
        if len(stage.players) != 2:
            raise SpecError(f"tit_for_tat is defined for two players; the stage game has "
                            f"{len(stage.players)}", span=strategy.span,
                            hint="use `strategy grim` for more players")
        if strategy.detect is not None:
            raise SpecError("`detect` applies to grim trigger strategies", span=strategy.span)
        return _tit_for_tat(stage, sustain, punish, d)
    return _grim(stage, strategy.detect, sustain, punish, d, values)


def _grim(stage, q, sustain, punish, d, values) -> list[DeviationCheck]:
    checks = []
    for k, player in enumerate(stage.players):
        path = stage.payoffs[sustain][k] / (1 - d)
        for dev in stage.choices[k]:
            if dev == sustain[k]:
                continue
            gain = stage.payoffs[_with(sustain, k, dev)][k]
            for b in _better_replies(stage, k, punish, values):
                w = stage.payoffs[_with(punish, k, b)][k]
                if q is None:
                    value = gain + d * w / (1 - d)
                else:
                    value = (gain + d * q * w / (1 - d)) / (1 - d * (1 - q))
                then = "" if b == punish[k] else f", then {b} while punished"
                checks.append(DeviationCheck(player, f"{dev}{then}", path, value))
    return checks


def _tit_for_tat(stage, sustain, punish, d) -> list[DeviationCheck]:
    checks = []
    for k, player in enumerate(stage.players):
        j = 1 - k
        path = stage.payoffs[sustain][k] / (1 - d)
        for dev in stage.choices[k]:
            if dev == sustain[k]:
                continue
            gain = stage.payoffs[_with(sustain, k, dev)][k]
            punished = _with(punish, k, sustain[k])  # k back on the path, j punishing
            sucker = stage.payoffs[punished][k]
            checks.append(DeviationCheck(player, f"{dev}, then {sustain[k]} (alternating)",
                                         path, (gain + d * sucker) / (1 - d**2)))
            for b in stage.choices[k]:
                if b == sustain[k]:
                    continue
                after = stage.payoffs[_with(punish, k, b)][k]
                assert punish[j] == _with(punish, k, b)[j]
                words = f"{dev} for ever" if b == dev else f"{dev}, then {b} for ever"
                checks.append(DeviationCheck(player, words, path, gain + d * after / (1 - d)))
    return checks
