"""Every cross-check against Gambit goes through here: computed by pygambit where it is
installed, replayed from stored reference values where it is not.

Inputs are plain (payoff tables, .nfg/.efg text, a GameTree), outputs too: exact numbers
as Fractions, floats rounded to 12 significant digits, in both modes alike.

- pygambit importable: computed (tests/oracles/gambit_compute.py). With
  GAMESPEC_RECORD_GAMBIT=1 the answers are also written to gambit_reference.json, keyed by
  the sha256 of the canonical JSON of (function, inputs, options), with pygambit's version.
- pygambit not importable, or GAMESPEC_HIDE_PYGAMBIT=1: replayed from that file. A missing
  key fails the test (the store is stale): regenerate it, with pygambit installed, by
  `python tests/oracles/regenerate_gambit_reference.py`. Where pygambit computes, an
  answer missing from the store or different from it is a warning (the same command).
"""
from __future__ import annotations

import atexit
import fcntl
import hashlib
import json
import os
import tempfile
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

STORE = Path(__file__).with_name("gambit_reference.json")
REGENERATE = "python tests/oracles/regenerate_gambit_reference.py"
RECORD = os.environ.get("GAMESPEC_RECORD_GAMBIT") == "1"

if os.environ.get("GAMESPEC_HIDE_PYGAMBIT") == "1":
    compute = None
else:
    try:
        from . import gambit_compute as compute  # type: ignore[no-redef]
    except ImportError:  # no pygambit
        compute = None
if RECORD and compute is None:
    raise RuntimeError("GAMESPEC_RECORD_GAMBIT=1 needs pygambit (and no GAMESPEC_HIDE_PYGAMBIT)")

LIVE = compute is not None
_recorded: dict[str, dict] = {}
_stored: dict[str, dict] | None = None


# ---- game descriptions --------------------------------------------------------------------

def _plain(v):
    """An input number as canonical JSON: integral -> int, Fraction -> "p/q", else float."""
    if isinstance(v, (int, np.integer)) or (isinstance(v, (float, np.floating)) and
                                           float(v).is_integer()):
        return int(v)
    if isinstance(v, Fraction):
        return int(v) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    if isinstance(v, str):
        return _plain(Fraction(v))
    return float(v)


def arrays(*tables) -> dict:
    """A strategic game from one payoff table per player (Game.from_arrays)."""
    return {"arrays": [np.vectorize(_plain, otypes=[object])(np.asarray(t, dtype=object))
                       .tolist() for t in tables]}


def nfg(text: str) -> dict:
    return {"nfg": text}


def efg(text: str) -> dict:
    return {"efg": text}


def tree(t) -> dict:
    """A gamespec GameTree, built in Gambit through its API (not through .efg text)."""
    nodes = [[n.kind, list(n.children), list(n.moves), n.player, n.infoset,
              [_plain(p) for p in n.probabilities], [_plain(u) for u in n.payoffs]]
             for n in t.nodes]
    return {"tree": {"players": list(t.players), "nodes": nodes}}


# ---- answers ------------------------------------------------------------------------------

def _number(v):
    return Fraction(v) if isinstance(v, str) else v


@dataclass(frozen=True)
class Equilibrium:
    payoffs: tuple
    profile: tuple | None  # strategic: per player, per strategy
    behaviour: dict | None  # on a tree: {information set label: move probabilities}

    @classmethod
    def of(cls, raw: dict) -> Equilibrium:
        profile = raw.get("profile")
        behaviour = raw.get("behaviour")
        return cls(tuple(map(_number, raw["payoffs"])),
                   None if profile is None else
                   tuple(tuple(map(_number, row)) for row in profile),
                   None if behaviour is None else
                   {label: tuple(map(_number, probs)) for player in behaviour
                    for label, probs in player})


@dataclass(frozen=True)
class Solution:
    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    equilibria: tuple[Equilibrium, ...]

    def by_label(self, eq: Equilibrium) -> dict[str, dict[str, object]]:
        """{player label: {strategy label: probability}} of a strategic equilibrium."""
        return {p: dict(zip(names, row))
                for p, names, row in zip(self.players, self.strategies, eq.profile)}


def _solution(raw: dict) -> Solution:
    return Solution(tuple(raw["players"]), tuple(map(tuple, raw["strategies"])),
                    tuple(Equilibrium.of(e) for e in raw["equilibria"]))


def solve(game: dict, algorithm: str, **options) -> Solution:
    """Gambit's `gbt.nash.<algorithm>_solve(game, **options)` (enummixed, enumpure, enumpoly,
    lcp, lp, logit)."""
    return _solution(_call("solve", (game, algorithm, options),
                           lambda: compute.solve(game, algorithm, options)))


def logit_lambda(game: dict, lams) -> Solution:
    """Gambit's `gbt.qre.logit_solve_lambda`: the principal branch's QRE at each lambda."""
    lams = [float(x) for x in lams]
    return _solution(_call("logit_lambda", (game, lams), lambda: compute.logit_lambda(game, lams)))


def strategic(game: dict) -> dict:
    """Players, strategy labels and payoff tables (Fractions) of the game as Gambit reads it
    (the reduced strategic form of a tree)."""
    raw = _call("strategic", (game,), lambda: compute.strategic(game))
    return {**raw, "payoffs": [np.vectorize(_number, otypes=[object])(np.array(t, dtype=object))
                               for t in raw["payoffs"]]}


def tree_info(game: dict) -> dict:
    """A tree game as Gambit holds it: players, nodes, information sets per player, perfect
    recall and each leaf's payoffs (prefix order, Fractions)."""
    raw = _call("tree_info", (game,), lambda: compute.tree_info(game))
    return {**raw, "leaf_payoffs": [tuple(map(_number, p)) for p in raw["leaf_payoffs"]]}


def to_efg(game: dict) -> str:
    """The .efg text Gambit writes for the game."""
    return _call("to_efg", (game,), lambda: compute.build(game).to_efg())


def catalog() -> dict[str, str]:
    """The .efg text of each game of pygambit's catalog, by its path in the catalog."""
    return _call("catalog", (), compute.catalog if LIVE else None)


# ---- store --------------------------------------------------------------------------------

def key(name: str, inputs) -> str:
    text = json.dumps([name, inputs], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _call(name: str, inputs, run):
    k = key(name, inputs)
    if LIVE:
        answer = json.loads(json.dumps(run()))  # the same plain values as a replay
        if RECORD:
            _recorded[k] = {"function": name, "pygambit": compute.VERSION,
                            "test": os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0],
                            "answer": answer}
        elif k not in _load() or _load()[k]["answer"] != answer:
            # the store would fail (missing) or mislead (different) where pygambit is absent
            what = "differs from" if k in _load() else "is missing from"
            warnings.warn(f"pygambit {compute.VERSION}'s answer to {name} (key {k[:12]}) "
                          f"{what} {STORE.name}: regenerate it ({REGENERATE})", stacklevel=3)
        return answer
    entry = _load().get(k)
    if entry is None:
        pytest.fail(f"no stored Gambit reference for {name} (key {k[:12]}) in {STORE.name}: "
                    f"the store is stale. Regenerate it with pygambit installed: {REGENERATE}",
                    pytrace=False)
    return entry["answer"]


def _load() -> dict:
    global _stored
    if _stored is None:
        _stored = json.loads(STORE.read_text())["entries"] if STORE.exists() else {}
    return _stored


def write(entries: dict, path: Path = STORE) -> None:
    """Merge `entries` into the store (one entry a line; locked: xdist workers share it)."""
    with open(Path(tempfile.gettempdir()) / "gamespec_gambit_reference.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        merged = json.loads(path.read_text())["entries"] if path.exists() else {}
        merged.update(entries)
        lines = [f"{json.dumps(k)}:{json.dumps(v, sort_keys=True, separators=(',', ':'))}"
                 for k, v in sorted(merged.items())]
        path.write_text('{"entries":{\n' + ",\n".join(lines) + "\n}}\n")


@atexit.register
def _flush() -> None:
    if _recorded:  # GAMESPEC_GAMBIT_RECORD_FILE: another file (the regenerate script's)
        write(_recorded, Path(os.environ.get("GAMESPEC_GAMBIT_RECORD_FILE", STORE)))
