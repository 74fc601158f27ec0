"""A game tree written out: Gambit .efg, or its reduced normal form as .nfg."""
from __future__ import annotations

from gamespec.errors import SpecError
from gamespec.model import Model


def _numeric(model: Model, what: str):
    if model.tree is None:
        raise SpecError(f"export --format {what}: the spec has no game tree",
                        hint="a `tree` block, or an order over pure choices, makes one; "
                        "--format nfg writes a strategic game")
    from gamespec.solvers.trees.tree_values import numeric_tree

    return numeric_tree(model)


def export_efg(model: Model) -> str:
    """The spec's game tree as a Gambit .efg file."""
    from gamespec.gambit_efg import write_efg

    return write_efg(_numeric(model, "efg"), model.title)


def export_tree_nfg(model: Model) -> str:
    """The reduced normal form of the spec's game tree as a Gambit .nfg file (strategies
    are reduced plans: a move per information set the plan reaches, `*` elsewhere)."""
    from gamespec.gambit import nfg_text
    from gamespec.solvers.trees.reduced_normal_form import reduced_normal_form

    rnf = reduced_normal_form(_numeric(model, "nfg"))
    payoffs = rnf.tensor(exact=True)
    if payoffs is None:
        payoffs = rnf.tensor()
    return nfg_text(model.title, rnf.players, rnf.labels, payoffs)
