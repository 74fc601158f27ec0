"""`gamespec check` and `gamespec info`: is the spec good, and what game is it."""
from __future__ import annotations

import json

import click

from gamespec.cli import common, options
from gamespec.errors import GamespecError


@click.command("check", short_help="parse and check specs: ok, or a located error",
               epilog="""\b
Examples:
  gamespec check specs/prisoners_dilemma.game specs/cournot.game
  gamespec check mine.game --set budget=20
  cat mine.game | gamespec check -""")
@options.spec_options(many=True)
def check_command(**kw):
    """Parse each spec, resolve its names, load its data and build the model; print
    `FILE: ok` for a good one and a located error for a bad one (`-` reads standard
    input)."""
    return options.invocation("check", kw)


def cmd_check(args) -> int:
    status = common.EXIT_OK
    for path in args.files:
        try:
            common.load(args, path)
            print(f"{common.STDIN_NAME if path == common.STDIN else path}: ok")
        except GamespecError as exc:
            common.report(exc, path)
            status = max(status, exc.exit_code)
    return status


@click.command("info", short_help="how gamespec classifies the game, and which methods apply",
               epilog="""\b
Examples:
  gamespec info specs/congestion.game
  gamespec info specs/congestion.game --options
  gamespec info specs/congestion.game --format json""")
@options.spec_options()
@options.output_format("info", ("text", "json"), aliases=("json",))
@options.time_limit_option("stop after this long, wall clock, load included (exit 3)")
@click.option("--options", "describe", is_flag=True,
              help="describe every option of the methods that apply")
def info_command(**kw):
    """Classify the game (players, strategy spaces, order of play, properties) and say
    which methods apply, with their options."""
    return options.invocation("info", kw, default_format="text")


def cmd_info(args) -> int:
    from gamespec.wall_clock import wall_clock_limit

    with wall_clock_limit(args.time_limit, common.STARTED[0]) as clock:
        return _info(args, clock)


def _info(args, clock) -> int:
    from gamespec.api import game_info

    model = common.load(args, args.file)
    clock.stage = "analysis"
    info = game_info(model)
    cls = info.classification
    if args.format == "json":
        print(json.dumps(info.as_dict(), indent=2))
        return common.EXIT_OK
    print(f"game: {model.title}")
    print(f"class: {info.class_summary}")
    print("players:")
    for name, player in model.players.items():
        extra = ""
        if player.kind == "family":
            extra = f" (family over {player.member_set.label}, {len(player.member_set)} members)"
        elif player.kind == "population":
            extra = f" (population of {player.population_size})"
        print(f"  {name}{extra}")
    print("strategy spaces:")
    for key, space in cls.strategy_spaces.items():
        print(f"  {key}: {space}")
    order = " -> ".join("{" + ", ".join(g) + "}" if len(g) > 1 else g[0] for g in cls.order if g)
    if model.tree is not None and not model.strategies():
        order = "as the game tree says"
    print(f"order of play: {order or '(no players)'}")
    flags = [("finite", cls.finite), ("continuous", cls.continuous), ("dynamic", cls.dynamic),
             ("zero-sum", cls.zero_sum), ("common interest", cls.common_interest),
             ("potential", cls.potential)]
    print("properties: " + ", ".join(f"{n}={_tri(v)}" for n, v in flags))
    if cls.zero_sum and cls.constant_sum:  # zero-sum=yes covers a nonzero constant sum
        print(f"payoffs sum to a constant: {cls.sum_kind}")
    if cls.tree is None:
        print(f"payoffs are {cls.linearity} in the strategy variables")
    if cls.pure_profiles is not None:
        count = cls.pure_profiles
        print(f"pure profiles: {count:,}" if count < 10**18 else "pure profiles: more than 10^18")
    _print_dynamic_parts(model)
    for note in cls.notes:
        print(f"note: {note}")
    print("methods:")
    for m in info.methods:
        print(f"  {m.name}: {'applies' if m.applies else 'no (' + m.reason + ')'}")
        if m.applies:
            print("    options: " + "; ".join(o.describe() for o in m.options)
                  if args.describe else "    options: " + ", ".join(o.name for o in m.options))
    _print_experiments(info, args.describe)
    if not args.describe:
        print("(`gamespec info FILE --options` describes each option)")
    return common.EXIT_OK


def _print_experiments(info, describe: bool) -> None:
    """The spec's experiment statements and named update profiles (played by experiments)."""
    if info.experiments:
        print("experiments (run by `gamespec experiment FILE`):")
    for e in info.experiments:
        print(f"  {e.name} using {e.plugin}: {e.written() or '(no options given)'}")
        if not e.known:
            print("    (unknown plug-in)")
        elif describe:
            print("    plug-in options: " + "; ".join(o.describe() for o in e.options))
        else:
            print("    plug-in options: " + ", ".join(o.name for o in e.options))
    if info.update_profiles:
        print("update profiles:")
    for u in info.update_profiles:
        print(f'  "{u.name}" over {u.index} in {u.rounds}: ' + ", ".join(u.series))


def _print_dynamic_parts(model) -> None:
    if model.repeated:
        rep = model.repeated
        parts = [f"discount {rep.discount}"]
        if rep.values:
            parts.append("values " + ", ".join(str(v) for v, _ in rep.values))
        if rep.conditions:
            parts.append("conditions " + ", ".join(n for n, _ in rep.conditions))
        if rep.strategies:
            parts.append(f"stage {rep.stage or '(this spec)'}, sustain ("
                         + ", ".join(map(str, rep.sustain)) + "), strategies "
                         + ", ".join(f"{t.name} ({t.kind})" for t in rep.strategies))
        print("repeated play: " + "; ".join(parts))
    if model.dynamics:
        dyn = model.dynamics
        coords = ", ".join(str(c.func) for c in dyn.coordinates)
        print(f"dynamics over {dyn.index} in {dyn.domain.describe()}: coordinates {coords}; "
              f"Lagrangian {dyn.lagrangian}")
    if model.updates:
        targets = sorted({t for t, _, _ in model.updates.rules})
        print(f"update rules over {model.updates.index} in {model.updates.rounds.describe()}: "
              + ", ".join(targets))


def _tri(value) -> str:
    return "unknown" if value is None else ("yes" if value else "no")
