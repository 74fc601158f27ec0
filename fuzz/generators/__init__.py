"""Construct-aware spec generators (issue 21 item 10): one module per construct family,
each producing valid-shaped specs with random sizes, names and values, then (for about
half of them) one construct-aware mutation. `GENERATORS` is the table the fuzz runner and
the tests use; `make_case` gives the index-th spec of a generator, deterministically."""
from __future__ import annotations

import random
from dataclasses import dataclass

from fuzz.generators import (
    claims,
    continuous,
    data,
    dynamics,
    families,
    networks,
    normal_form,
    params,
    populations,
    repeated,
    solve_options,
    trees,
    updates,
)
from fuzz.generators.common import GENERIC, SPEC_PATH, Ctx, join, mutate_statements

MODULES = {
    "params": params, "normal_form": normal_form, "families": families,
    "continuous": continuous, "populations": populations, "repeated": repeated,
    "dynamics": dynamics, "updates": updates, "data": data, "solve_options": solve_options,
    "trees": trees, "claims": claims, "networks": networks,
}


@dataclass(frozen=True)
class Case:
    generator: str
    index: int
    mutation: str | None
    text: str
    path: str = SPEC_PATH


def _generator(module):
    def generate(rng: random.Random) -> tuple[str | None, str]:
        mutation = None
        if rng.random() < 0.5:
            own = list(module.MUTATIONS)
            mutation = rng.choice(own * 3 + list(GENERIC))
        ctx = Ctx(rng, mutation)
        statements = mutate_statements(ctx, module.generate(ctx))
        return mutation, join(statements)
    return generate


GENERATORS = {name: _generator(module) for name, module in MODULES.items()}


def make_case(generator: str, seed: int, index: int) -> Case:
    """The index-th spec of `generator` for `seed` (the same every time)."""
    rng = random.Random(f"{seed}:{generator}:{index}")
    mutation, text = GENERATORS[generator](rng)
    return Case(generator, index, mutation, text)
