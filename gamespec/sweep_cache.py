"""A sweep worker parses a spec once: each grid point builds its model from the cached
syntax tree with the point's parameter values (what `load_model` would build from the text).

Only the parse is shared. The model is built again for every point, because parameter
values reach it in many places (set ranges such as `1..n`, indexed tables, domains, stage
games); the classification is also redone per point, because it reads payoff values
(zero-sum, potential and common-interest tests on the normal form).
Set GAMESPEC_SWEEP_CACHE=0 (or pass `cache=False` to `run_sweep`) to parse every point.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict

from gamespec.language import ast

CACHE_ENV = "GAMESPEC_SWEEP_CACHE"
MAX_SPECS = 8  # parsed specs kept per process (a sweep uses one)

_parsed: OrderedDict[tuple, ast.Spec] = OrderedDict()
_lock = threading.Lock()  # a Dask worker runs points on several threads
stats = {"parsed": 0, "reused": 0}  # this process's counts (tests read them)


def cache_default() -> bool:
    """On unless GAMESPEC_SWEEP_CACHE is 0/false/off/no."""
    return os.environ.get(CACHE_ENV, "1").strip().lower() not in ("0", "false", "off", "no")


def clear() -> None:
    with _lock:
        _parsed.clear()
        stats.update(parsed=0, reused=0)


def parsed_spec(source: str, path: str, limits: dict) -> ast.Spec:
    """The syntax tree of `source` (named `path`), parsed on first use in this process.
    The key holds the text itself, so an edited file is parsed again; parse errors are not
    kept (each point raises its own, as without the cache)."""
    from gamespec.language.parser import parse

    key = (path, source, tuple(sorted((k, repr(v)) for k, v in limits.items())))
    with _lock:
        spec = _parsed.get(key)
        if spec is not None:
            _parsed.move_to_end(key)
            stats["reused"] += 1
            return spec
    spec = parse(source, path)  # outside the lock: two threads may both parse, harmlessly
    with _lock:
        stats["parsed"] += 1
        _parsed[key] = spec
        while len(_parsed) > MAX_SPECS:
            _parsed.popitem(last=False)
    return spec


def point_model(task):
    """The Model of one sweep point (a gamespec.sweep.PointTask): the same Model as
    `load_model`/`model_from_string` build, from a syntax tree parsed once per process."""
    from gamespec.language.efg_model import is_efg
    from gamespec.language.loader import load_model, model_from_string, read_spec
    from gamespec.language.model_builder import build_model

    if not task.cache:
        if task.source is not None:
            return model_from_string(task.source, task.path, task.overrides,
                                     task.allow_data, task.data_mirror)
        return load_model(task.path, task.overrides, task.allow_data, task.data_mirror)
    source = task.source if task.source is not None else read_spec(task.path)
    source = source.removeprefix("\ufeff")  # as model_from_string does
    if is_efg(source):  # a Gambit game tree: read as it is, nothing to share
        return model_from_string(source, task.path, task.overrides)
    spec = parsed_spec(source, task.path, task.limits)
    return build_model(spec, task.overrides, task.allow_data, task.data_mirror)


def warm(task) -> None:
    """Before a local pool forks its workers: parse the spec and import the run path in
    this process, so that every forked worker starts with both (a worker started another
    way parses on its first point). Errors are left to the points, which report them."""
    from gamespec import limits
    from gamespec.errors import GamespecError
    from gamespec.language.efg_model import is_efg
    from gamespec.language.loader import read_spec

    if not task.cache:
        return
    before = limits.current() if task.limits else {}
    limits.apply(task.limits)
    try:
        source = task.source if task.source is not None else read_spec(task.path)
        source = source.removeprefix("\ufeff")
        if not is_efg(source):
            parsed_spec(source, task.path, task.limits)
    except GamespecError:
        pass
    finally:
        limits.apply(before)
    import gamespec.analysis  # noqa: F401  (the run path each point takes)
    import gamespec.plan  # noqa: F401
