"""gamespec: game-theoretic models of privacy and security, declared and solved.

    >>> import gamespec
    >>> game = gamespec.load("specs/prisoners_dilemma.game")   # doctest: +SKIP
    >>> game.solve().strategies                                  # doctest: +SKIP

The API (gamespec/api.py) is imported on first use, so `import gamespec` stays fast.
"""
__version__ = "0.1.0"

from gamespec import interrupts as _interrupts  # noqa: E402 - signal, os, io: light

if _interrupts.is_entry():  # the `gamespec` command: a signal during imports exits 130
    _interrupts.install()

_API = ("Game", "GameInfo", "MethodInfo", "load", "loads")
__all__ = ["__version__", *_API, "sweep_dataframe"]


def __getattr__(name: str):
    if name in _API:
        from gamespec import api

        return getattr(api, name)
    if name == "sweep_dataframe":
        from gamespec.sweep import rows_to_dataframe

        return rows_to_dataframe
    raise AttributeError(f"module 'gamespec' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_API, "sweep_dataframe"])
