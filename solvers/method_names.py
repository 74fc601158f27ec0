"""The registered method names and their modules, most specific first: a plain dict,
importable without the analysis or any solver (shell completion and the command line's
`--method` check read it)."""
from __future__ import annotations

# Game trees (a `tree` block, or an order over pure choices) go to the tree methods. The
# finite-game methods after `enumerate` never apply by default (it accepts every game they
# do): `--method` or `solve using` picks them.
METHOD_MODULES = {
    "lp": "lp.method", "backward_induction": "trees.backward_induction_method",
    "sequence_form": "trees.sequence_form_method",
    "subgame_perfect": "trees.subgame_perfect_method", "tree_nash": "trees.tree_nash_method",
    "enumerate_mixed": "finite.mixed_enumeration_method",
    "enumerate": "finite.pure_enumeration", "stackelberg": "stackelberg.method",
    "continuous": "continuous.method", "population_shares": "populations.method",
    "brd": "brd.method", "repeated": "dynamics.repeated_method", "dynamics": "dynamics.method",
    "wardrop": "populations.wardrop_method",  # congestion networks (a `network` block)
    "lemke_howson": "finite.lemke_howson_method", "milp": "finite.milp_method",
    "logit": "finite.logit_method", "correlated": "finite.correlated_method",
}


def unknown_method(wanted: str, span=None):
    """The error for a method name that is not registered, with a did-you-mean hint."""
    import difflib

    from gamespec.errors import SpecError

    names = list(METHOD_MODULES)
    lower = {name.lower(): name for name in names}
    close = [lower[wanted.lower()]] if wanted.lower() in lower else \
        difflib.get_close_matches(wanted, names, n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return SpecError(f"unknown method `{wanted}`", hint=hint + "methods: " + ", ".join(names),
                     span=span)
