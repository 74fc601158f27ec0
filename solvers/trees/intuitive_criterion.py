"""The intuitive criterion for an equilibrium of a signalling game.

For each message m no type sends, a type is equilibrium-dominated for m when its
equilibrium payoff exceeds the most m can give it against any receiver best response to
any belief over types (the most over mixed best responses is the most over the pure
responses optimal for some belief). The equilibrium fails when some type that is not
dominated gets strictly more than its equilibrium payoff from m against every best response
to beliefs on the types that are not dominated (all of them dominated: no restriction).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gamespec.solvers.trees.behaviour import Behaviour
from gamespec.solvers.trees.belief_polytope import FLOAT_TOLERANCE, is_exact, witness_belief
from gamespec.solvers.trees.beliefs import PBECheck, weak_pbe
from gamespec.solvers.trees.signalling import SignallingGame


@dataclass(frozen=True)
class MessageTest:
    """One off-path message: the receiver's best responses to some belief over all types,
    the most each type can get from it, the dominated types, the best responses to
    beliefs on the others, and the types that gain against every one of those."""

    message: str
    responses: tuple[str, ...]
    most: dict[str, Any]
    dominated: tuple[str, ...]
    remaining_responses: tuple[str, ...]
    deviators: tuple[str, ...]


@dataclass(frozen=True)
class IntuitiveVerdict:
    passes: bool
    reason: str
    equilibrium_payoffs: dict[str, Any]
    tests: tuple[MessageTest, ...]
    pbe: PBECheck


def best_responses(game: SignallingGame, message: str, types: Sequence[str]) -> tuple:
    """The receiver's pure responses to `message` that are optimal for some belief over
    `types` (exact for exact payoffs and few types, else by LP)."""
    out = []
    moves = game.responses[message]
    for r in moves:
        rows = [tuple(game.payoffs(t, message, r)[1] - game.payoffs(t, message, s)[1]
                      for t in types) for s in moves if s != r]
        if witness_belief(rows, len(types)) is not None:
            out.append(r)
    return tuple(out)


def equilibrium_payoffs(game: SignallingGame, behaviour: Behaviour) -> dict[str, Any]:
    """Each type's expected payoff in the profile."""
    out = {}
    for t in game.types:
        sends = behaviour[game.sender_sets[t]]
        out[t] = sum(p * q * game.payoffs(t, m, r)[0]
                     for m, p in zip(game.messages, sends) if p
                     for r, q in zip(game.responses[m], behaviour[game.receiver_sets[m]]) if q)
    return out


def off_path_messages(game: SignallingGame, behaviour: Behaviour) -> list[str]:
    """The messages no type (of positive prior) sends."""
    out = []
    for k, m in enumerate(game.messages):
        mass = sum(prior * behaviour[game.sender_sets[t]][k]
                   for t, prior in zip(game.types, game.priors))
        if mass == 0 or (not isinstance(mass, Fraction) and abs(mass) < FLOAT_TOLERANCE):
            out.append(m)
    return out


def message_test(game: SignallingGame, message: str, value: dict[str, Any]) -> MessageTest:
    responses = best_responses(game, message, game.types)
    most = {t: max(game.payoffs(t, message, r)[0] for r in responses) for t in game.types}
    dominated = tuple(t for t in game.types if _more(value[t], most[t]))
    rest = [t for t in game.types if t not in dominated]
    remaining = best_responses(game, message, rest) if rest else ()
    deviators = tuple(t for t in rest
                      if _more(min(game.payoffs(t, message, r)[0] for r in remaining),
                               value[t]))
    return MessageTest(message, responses, most, dominated, remaining, deviators)


def intuitive_criterion(game: SignallingGame, behaviour: Behaviour) -> IntuitiveVerdict:
    """The intuitive criterion verdict for `behaviour`, with its weak PBE check."""
    value = equilibrium_payoffs(game, behaviour)
    tests = tuple(message_test(game, m, value) for m in off_path_messages(game, behaviour))
    pbe = weak_pbe(game.tree, behaviour)
    failed = [x for x in tests if x.deviators]
    if failed:
        x = failed[0]
        t = x.deviators[0]
        gain = min(game.payoffs(t, x.message, r)[0] for r in x.remaining_responses)
        reason = (f"after the off-path message {x.message}, {_names(x.dominated)} "
                  f"equilibrium-dominated; {t} would deviate to {x.message}: it gets at "
                  f"least {_text(gain)} > {_text(value[t])} against every best response to "
                  f"beliefs on {', '.join(r for r in game.types if r not in x.dominated)}")
    elif not tests:
        reason = "every message is sent on the path of play: nothing to test"
    else:
        reason = "; ".join(
            f"after the off-path message {x.message}, {_names(x.dominated)} "
            f"equilibrium-dominated and no remaining type gains from it against every best "
            f"response to beliefs on the remaining types" for x in tests)
    return IntuitiveVerdict(not failed, reason, value, tests, pbe)


def _more(a, b) -> bool:
    """a > b, exactly for exact numbers, else beyond a relative float tolerance."""
    if is_exact((a, b)):
        return a > b
    return float(a) > float(b) + FLOAT_TOLERANCE * max(1.0, abs(float(b)))


def _names(types: Sequence[str]) -> str:
    if not types:
        return "no type is"
    return f"{', '.join(types)} {'is' if len(types) == 1 else 'are'}"


def _text(value) -> str:
    if isinstance(value, Fraction):
        return str(value)
    return f"{float(value):.6g}"
