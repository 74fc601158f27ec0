"""The `gamespec` command: check, info, solve, derive, sweep, plot, experiment, import,
export."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path

from gamespec import __version__
from gamespec.errors import GamespecError, SpecError
from gamespec.plots.kinds import KINDS as PLOT_KINDS  # no matplotlib imported

EXIT_OK, EXIT_BAD_INPUT, EXIT_SOLVER = 0, 2, 3


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message):  # exit code 2 with a gamespec-style line
        self.print_usage(sys.stderr)
        print(f"gamespec: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(prog="gamespec", description=__doc__)
    parser.add_argument("--version", action="version", version=f"gamespec {__version__}")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_ArgumentParser)

    def common(p, many=False):
        p.add_argument("files" if many else "file", nargs="+" if many else None,
                       metavar="FILE", help="a .game spec")
        p.add_argument("--set", dest="overrides", action="append", default=[],
                       metavar="NAME=VALUE", help="override a parameter")
        p.add_argument("--allow-data", action="append", default=[], metavar="PATH",
                       help="also allow data files under PATH")
        p.add_argument("--limit", dest="limits", action="append", default=[],
                       metavar="NAME=N", help="raise or lower a resource limit "
                       "(set_size, table_entries, array_elements, pure_profiles, "
                       "lp_coefficients, sweep_points, tree_nodes, grid_cells, file_bytes, "
                       "network_paths)")
        p.add_argument("--data-mirror", metavar="DIR",
                       help="local folder of registered data sets (else $GAMESPEC_DATA_MIRROR)")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show Python tracebacks")

    check = sub.add_parser("check", help="parse and check specs: ok or a located error")
    common(check, many=True)
    info = sub.add_parser("info", help="how gamespec classifies the game, and which solvers apply")
    common(info)
    info.add_argument("--json", action="store_true")
    info.add_argument("--time-limit", type=float, metavar="SECONDS",
                      help="stop after this long, wall clock, load included (exit 3)")
    info.add_argument("--options", action="store_true",
                      help="describe every option of the methods that apply")
    solve = sub.add_parser("solve", help="solve the game and certify the answer")
    common(solve)
    solve.add_argument("--method", help="force a solver (see `gamespec info`)")
    solve.add_argument("--seed", type=int, default=None,
                       help="the seed of random starts (default: the spec's `seed`, else 0)")
    solve.add_argument("--time-limit", type=float, metavar="SECONDS",
                       help="stop the solver after this long (exit 3, nothing certified)")
    solve.add_argument("--option", dest="options", action="append", default=[],
                       metavar="NAME=VALUE", help="set an option of the method (over the "
                       "spec's `solve using` block; `gamespec info FILE --options` lists them)")
    formats = solve.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help="print the result as JSON")
    formats.add_argument("--csv", action="store_true",
                         help="print the per-player table (values, strategies) as CSV")
    solve.add_argument("--out", metavar="PATH", help="write the JSON result to PATH (atomically)")
    solve.add_argument("--plot", metavar="FILE", help="also draw the answer, as .png, .pdf or .svg "
                       "(the default picture "
                       "for the method, or --plot-kind)")
    solve.add_argument("--plot-kind", choices=PLOT_KINDS, metavar="KIND",
                       help="the picture --plot draws: " + ", ".join(PLOT_KINDS))
    derive = sub.add_parser("derive", help="equilibrium conditions, symbolically")
    common(derive)
    derive_formats = derive.add_mutually_exclusive_group()
    derive_formats.add_argument("--latex", action="store_true", help="print LaTeX")
    derive_formats.add_argument("--json", action="store_true",
                                help="print JSON (plain text and LaTeX of every item)")
    derive.add_argument("--out", metavar="PATH")
    derive.add_argument("--time-limit", type=float, metavar="SECONDS",
                        help="stop after this long, wall clock, load included (exit 3)")
    sweep = sub.add_parser("sweep", help="solve on every point of a parameter grid")
    common(sweep)
    sweep.add_argument("--grid", action="append", default=[], metavar="NAME=START:STOP:COUNT",
                       help="a grid axis (repeat for more axes)")
    sweep.add_argument("--method", help="force a solver (see `gamespec info`)")
    sweep.add_argument("--option", dest="options", action="append", default=[],
                       metavar="NAME=VALUE", help="set an option of the method at every point")
    sweep.add_argument("--seed", type=int, default=None, help="as `gamespec solve --seed`")
    sweep.add_argument("--time-limit", type=float, metavar="SECONDS",
                       help="per point, as `gamespec solve --time-limit`")
    sweep.add_argument("--workers", type=int, default=None,
                       help="local processes (default: the number of cores)")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler to run on")
    sweep.add_argument("--out", metavar="PATH", help="write the table (.csv or .json)")
    sweep.add_argument("--full", action="store_true", help="JSON: every point's whole result "
                       "(as `gamespec solve --json`) instead of a table row")
    sweep.add_argument("--plot", metavar="FILE", help="draw the table (.png, .pdf or .svg)")
    sweep.add_argument("--color", metavar="COLUMN", help="the column a 2-D plot shows")
    plot = sub.add_parser("plot", help="draw a game, its answer, or a sweep table (PNG, PDF, SVG)")
    common(plot)
    plot.add_argument("--kind", choices=PLOT_KINDS, metavar="KIND",
                      help="what to draw: " + ", ".join(PLOT_KINDS) + " (default: by method; "
                      "regime for a .csv or .json table)")
    plot.add_argument("--out", metavar="FILE", required=True,
                      help="the picture to write, atomically: .png, .pdf or .svg")
    plot.add_argument("--method", help="solve with this method first (see `gamespec info`)")
    plot.add_argument("--seed", type=int, default=None, help="as `gamespec solve --seed`")
    plot.add_argument("--time-limit", type=float, metavar="SECONDS",
                      help="as `gamespec solve --time-limit`")
    plot.add_argument("--option", dest="options", action="append", default=[],
                      metavar="NAME=VALUE", help="an option of the method, as for solve")
    plot.add_argument("--profile", metavar="NAME", help="distribution: the named profile shown "
                      "beside the equilibrium (default: the spec's first)")
    plot.add_argument("--series", metavar="NAMES", help="distribution: the quantities to draw, "
                      "comma-separated lets or params indexed by one set (default: those over "
                      "the first set where one depends on the choices)")
    plot.add_argument("--x", metavar="COLUMN", help="regime: the column on the x axis")
    plot.add_argument("--y", metavar="COLUMN", help="regime: the column on the y axis")
    plot.add_argument("--color", metavar="COLUMN", help="regime: the column shown in colour")
    experiment = sub.add_parser("experiment", help="run the spec's `experiment` (a plug-in "
                                "study on data, e.g. the trimming schemes' table)")
    common(experiment)
    experiment.add_argument("--name", help="which experiment, when the spec has several")
    experiment.add_argument("--seed", type=int, default=0, help="the seed of every random "
                            "draw (default 0)")
    experiment.add_argument("--json", action="store_true", help="print the record as JSON")
    experiment.add_argument("--out", metavar="PATH",
                            help="write the JSON record to PATH (atomically)")
    imp = sub.add_parser("import", help="convert a Gambit .nfg or .efg file into a .game spec")
    imp.add_argument("file", metavar="FILE.nfg|FILE.efg")
    imp.add_argument("--out", metavar="PATH", help="write the spec to PATH (atomically)")
    imp.add_argument("--limit", dest="limits", action="append", default=[], metavar="NAME=N",
                     help="a resource limit, as for check (file_bytes: the file's size)")
    imp.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
    sub.add_parser("lsp", help="serve the language server protocol on stdin/stdout "
                   "(for editors; see docs/editing.md)")
    exp = sub.add_parser("export", help="write a finite game or a game tree in Gambit's "
                         "formats")
    common(exp)
    exp.add_argument("--format", choices=["nfg", "efg"], default="nfg",
                     help="nfg: the strategic form (of a tree: its reduced normal form); "
                     "efg: the game tree")
    exp.add_argument("--out", metavar="PATH")
    return parser


def parse_overrides(items: list[str], what: str = "--set") -> dict[str, float]:
    from gamespec.api import parse_value

    overrides = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise SpecError(f"{what} expects NAME=VALUE, got {item!r}")
        overrides[name] = parse_value(name, value, what)
        if what == "--limit" and not float(overrides[name]).is_integer():
            raise SpecError(f"--limit {name}: {value!r} is not a whole number")
    return overrides


def parse_options(items: list[str]) -> dict[str, object]:
    """`--option NAME=VALUE` items: a number where VALUE reads as one, true/false as a
    bool, else the text (the method's declared type checks it)."""
    options: dict[str, object] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.isidentifier():
            raise SpecError(f"--option expects NAME=VALUE, got {item!r}")
        if value.lower() in ("true", "false"):
            options[name] = value.lower() == "true"
            continue
        try:
            number = float(value)
        except ValueError:
            options[name] = value.strip('"')
            continue
        options[name] = int(number) if number.is_integer() and "." not in value \
            and "e" not in value.lower() else number
    return options


def _load(args, path):
    from gamespec.language.loader import load_model
    from gamespec.limits import apply

    apply(parse_overrides(getattr(args, "limits", []), what="--limit"))
    return load_model(path, parse_overrides(args.overrides), tuple(args.allow_data),
                      args.data_mirror)


def cmd_check(args) -> int:
    status = EXIT_OK
    for path in args.files:
        try:
            _load(args, path)
            print(f"{path}: ok")
        except GamespecError as exc:
            _report(exc, path)
            status = max(status, exc.exit_code)
    return status


def cmd_info(args) -> int:
    from gamespec.wall_clock import wall_clock_limit

    _check_time_limit(args.time_limit)
    with wall_clock_limit(args.time_limit, _STARTED[0]) as clock:
        return _info(args, clock)


def _check_time_limit(seconds) -> None:
    if seconds is not None and not 0 < seconds < float("inf"):
        raise SpecError(f"--time-limit must be a positive, finite number of seconds, "
                        f"not {seconds:g}")


def _info(args, clock) -> int:
    from gamespec.api import game_info

    model = _load(args, args.file)
    clock.stage = "analysis"
    info = game_info(model)
    cls = info.classification
    if args.json:
        print(json.dumps(info.as_dict(), indent=2))
        return EXIT_OK
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
                  if args.options else "    options: " + ", ".join(o.name for o in m.options))
    _print_experiments(info, args.options)
    if not args.options:
        print("(`gamespec info FILE --options` describes each option)")
    return EXIT_OK


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


def cmd_solve(args) -> int:
    from gamespec.wall_clock import wall_clock_limit

    if args.plot_kind and not args.plot:
        raise SpecError("--plot-kind chooses the picture --plot draws: give --plot FILE too")
    # over load, analysis, solve and output, counted from the start of the command
    with wall_clock_limit(args.time_limit, _STARTED[0]) as clock:
        return _solve_and_write(args, clock)


def _solve_and_write(args, clock) -> int:
    from gamespec.api import solve_model
    from gamespec.atomic_files import write_atomic
    from gamespec.render.terminal import render_result, use_color

    start = time.perf_counter()
    model = _load(args, args.file)
    options = parse_options(args.options)
    if args.plot:  # the solver samples what the picture draws
        options["figures"] = True
    clock.stage = "analysis and solve"
    limit = round(clock.remaining(), 3) if args.time_limit is not None \
        and 0 < args.time_limit < float("inf") else args.time_limit  # what load left
    result = solve_model(model, args.method, args.seed, limit,
                         options, load_seconds=time.perf_counter() - start,
                         progress=sys.stderr.isatty())
    clock.begin_output()
    text = result.to_json()
    if args.out:
        write_atomic(args.out, text + "\n")
    if args.json:
        print(text)
    elif args.csv:
        print(result.to_csv(), end="")
    else:
        print(render_result(result, color=use_color(sys.stdout)))
    if args.plot:
        from gamespec.plots import plot_result

        plot_result(result, args.plot_kind, args.plot)
    return EXIT_OK if result.certificate.ok else EXIT_SOLVER


def cmd_derive(args) -> int:
    from gamespec.api import derive_model
    from gamespec.atomic_files import write_atomic
    from gamespec.wall_clock import wall_clock_limit

    _check_time_limit(args.time_limit)
    with wall_clock_limit(args.time_limit, _STARTED[0]) as clock:
        model = _load(args, args.file)
        clock.stage = "derive"
        derivation = derive_model(model)
        clock.begin_output()
        return _write_derivation(args, derivation, write_atomic)


def _write_derivation(args, derivation, write_atomic) -> int:
    if args.json:
        text = json.dumps(derivation.as_dict(), indent=2)
    elif args.latex:
        text = derivation.latex()
    else:
        text = derivation.plain()
    if args.out:
        write_atomic(args.out, text + "\n")
    print(text)
    return EXIT_OK


def cmd_plot(args) -> int:
    from gamespec import plots

    kind = args.kind
    if kind is None and plots.is_table_path(args.file):
        kind = "regime"
    if kind == "regime":
        if args.overrides:
            raise SpecError("--set does not apply to a table; it is for .game specs")
        plots.plot_regime_file(args.file, args.out, x=args.x, y=args.y, color=args.color)
        return EXIT_OK
    if plots.is_table_path(args.file):
        raise SpecError(f"{args.file} is a table: only --kind regime draws tables",
                        hint="gamespec plot TABLE.csv --kind regime --x COL --y COL --color COL")
    from gamespec.api import solve_model

    model = _load(args, args.file)
    result = solve_model(model, args.method, args.seed, args.time_limit,
                         {**parse_options(args.options), "figures": True})
    plots.plot_game(model, kind, args.out, result=result, profile=args.profile,
                    series=args.series)
    if not result.certificate.ok:
        print(f"gamespec: the {result.method} answer drawn is not certified "
              f"(status {result.status}, {result.certificate.kind}: "
              f"{result.certificate.residual:.3g})", file=sys.stderr)
        return EXIT_SOLVER
    return EXIT_OK


def cmd_sweep(args) -> int:
    import os

    from gamespec.atomic_files import write_atomic
    from gamespec.sweep import parse_grid, plot_sweep, run_sweep, to_csv, to_json

    if not args.grid:
        raise SpecError("sweep needs at least one --grid NAME=START:STOP:COUNT")
    if args.workers is not None and args.workers < 1:
        raise SpecError(f"--workers must be at least 1, not {args.workers}")
    if args.full and (args.plot or (args.out and not args.out.endswith(".json"))):
        raise SpecError("--full writes JSON results: give --out FILE.json, and no --plot")
    axes = [parse_grid(g) for g in args.grid]
    model = _load(args, args.file)  # a bad spec fails once, here, with its located error
    _check_grid_names(axes, model)
    from gamespec.plan import build_plan

    build_plan(model, args.method, seed=args.seed, time_limit=args.time_limit,
               options=parse_options(args.options))  # bad options fail once, located
    workers = args.workers or os.cpu_count() or 1
    rows = run_sweep(str(Path(args.file).resolve()), axes, parse_overrides(args.overrides),
                     args.method, parse_options(args.options), workers=workers,
                     scheduler=args.scheduler, progress=sys.stderr.isatty(), seed=args.seed,
                     time_limit=args.time_limit, allow_data=tuple(args.allow_data),
                     data_mirror=args.data_mirror,
                     limits=parse_overrides(args.limits, what="--limit"), full=args.full)
    if args.full:
        text = json.dumps(rows, indent=2, allow_nan=False) + "\n"
        if args.out:
            write_atomic(args.out, text)
        else:
            print(text, end="")
        return EXIT_OK
    if args.out:
        text = to_json(rows) if args.out.endswith(".json") else to_csv(rows)
        write_atomic(args.out, text)
    else:
        print(to_csv(rows), end="")
    if args.plot:
        if args.color is not None and all(args.color not in r for r in rows):
            raise SpecError(f"the table has no column `{args.color}`",
                            hint="columns: " + ", ".join(sorted({k for r in rows for k in r})))
        plot_sweep(rows, axes, args.plot, args.color, title=Path(args.out or args.file).name)
    failed = sum(1 for r in rows if r["status"] == "error" or not r["certified"])
    if failed:
        print(f"sweep: {failed} of {len(rows)} points not certified", file=sys.stderr)
    return EXIT_OK


def _check_grid_names(axes, model) -> None:
    """Each grid axis names a scalar parameter of the spec, once."""
    import difflib

    seen: set[str] = set()
    for axis in axes:
        if axis.name in seen:
            raise SpecError(f"--grid {axis.name} is given twice",
                            hint="give one axis per parameter (NAME=v1,v2,... lists values)")
        seen.add(axis.name)
        param = model.params.get(axis.name)
        if param is None or param.index_sets:
            close = difflib.get_close_matches(axis.name, [n for n, p in model.params.items()
                                                          if not p.index_sets], n=1)
            raise SpecError(f"--grid {axis.name}: not a scalar parameter of the spec",
                            hint=f"did you mean `{close[0]}`?" if close else
                            "grid over a `param` of the spec")


def cmd_import(args) -> int:
    from gamespec.atomic_files import write_atomic
    from gamespec.errors import Span
    from gamespec.file_limits import read_bytes
    from gamespec.gambit import check_imported_spec, nfg_to_spec, parse_nfg
    from gamespec.limits import apply

    apply(parse_overrides(args.limits, what="--limit"))
    path = Path(args.file)
    try:
        data = read_bytes(path, "Gambit file", Span(str(path), 1, 1))
    except FileNotFoundError:
        raise SpecError(f"file not found: {args.file}") from None
    except IsADirectoryError:
        raise SpecError(f"{args.file} is a folder, not a .nfg or .efg file") from None
    source = data.decode("utf-8", errors="replace")
    if source.lstrip().startswith("EFG"):
        return _import_efg(args, path, source)
    game = parse_nfg(source, str(path))
    text = nfg_to_spec(game, path.name)
    check_imported_spec(text, game, args.out or "<imported>")  # parses, states the game
    if args.out:
        write_atomic(args.out, text)
    else:
        print(text, end="")
    return EXIT_OK


def _import_efg(args, path: Path, source: str) -> int:
    from gamespec.atomic_files import write_atomic
    from gamespec.gambit_efg import efg_to_spec
    from gamespec.language.loader import model_from_string

    text = efg_to_spec(source, str(path), path.name)
    model_from_string(text, args.out or "<imported>")  # the spec we write must load
    if args.out:
        write_atomic(args.out, text)
    else:
        print(text, end="")
    return EXIT_OK


def cmd_export(args) -> int:
    from gamespec.atomic_files import write_atomic

    model = _load(args, args.file)
    if args.format == "efg":
        from gamespec.tree_exports import export_efg

        text = export_efg(model)
    elif model.tree is not None:
        from gamespec.tree_exports import export_tree_nfg

        text = export_tree_nfg(model)
    else:
        from gamespec.gambit import export_nfg

        text = export_nfg(model)
    if args.out:
        write_atomic(args.out, text)
    else:
        print(text, end="")
    return EXIT_OK


def cmd_experiment(args) -> int:
    from gamespec.atomic_files import write_atomic
    from gamespec.experiments.runner import run_experiment
    from gamespec.render.experiment_table import render_experiment

    start = time.perf_counter()
    model = _load(args, args.file)
    record = run_experiment(model, args.name, args.seed, time.perf_counter() - start)
    text = record.to_json()
    if args.out:
        write_atomic(args.out, text + "\n")
    print(text if args.json else render_experiment(record))
    return EXIT_OK if record.outcome.certificate.ok else EXIT_SOLVER


def cmd_lsp(args) -> int:
    sys.stdout = getattr(sys.stdout, "real", sys.stdout)  # the protocol streams: not held
    try:
        from gamespec.lsp.server import main as serve
    except ImportError as exc:
        raise SpecError(f"the language server needs pygls ({exc})",
                        hint="pip install 'pygls>=2'") from None
    return serve()


DOWNLOADING_COMMANDS = ("solve", "sweep", "plot", "experiment")
COMMANDS = {"check": cmd_check, "info": cmd_info, "solve": cmd_solve, "derive": cmd_derive,
            "import": cmd_import, "export": cmd_export, "experiment": cmd_experiment,
            "sweep": cmd_sweep, "plot": cmd_plot, "lsp": cmd_lsp}


def _report(exc: GamespecError, path: str | None = None) -> None:
    source = None
    span_path = exc.span.path if exc.span else path
    if span_path:
        from gamespec.file_limits import read_bytes

        try:  # bounded: the file may be huge, a FIFO or a device (that is often the error)
            source = read_bytes(span_path).decode("utf-8").removeprefix("\ufeff")
        except (OSError, UnicodeDecodeError, GamespecError):
            source = None
    text = exc.format(source)
    from gamespec.render.terminal import paint, use_color

    if use_color(sys.stderr):
        lines = text.split("\n")
        lines[0] = lines[0].replace("error:", paint("error:", "red bold", True), 1)
        lines = [paint("hint:", "cyan", True) + line[5:] if line.startswith("hint:") else line
                 for line in lines]
        text = "\n".join(lines)
    print(text, file=sys.stderr)


_STARTED = [None]  # time.monotonic() when main() began: the start of --time-limit


def main(argv: list[str] | None = None) -> int:
    """Run one command. Its standard output is held and written at once when it ends, so
    that an interrupt (SIGINT, SIGTERM: exit 130) never leaves part of it."""
    from gamespec import interrupts

    _STARTED[0] = time.monotonic()
    with interrupts.command():
        held = sys.stdout = interrupts.HeldOutput(sys.stdout)
        try:
            try:
                code = _main(argv)
            except SystemExit as exc:  # argparse: --help, --version, a usage error
                code = exc
            try:
                held.deliver()  # from here on, signals are ignored: the command is over
            except BrokenPipeError:  # the reader (e.g. `head`) stopped early: not an error
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, held.real.fileno())
                code = EXIT_OK
        except KeyboardInterrupt:
            sys.stdout = held.real
            print(interrupts.message(), file=sys.stderr)
            return 130
        finally:
            sys.stdout = held.real
    if isinstance(code, SystemExit):
        raise code
    return code


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from gamespec import limits

    # --limit holds for this command only (main may be called again): remember the limits
    # it names (reading all of them would import every module that enforces one)
    before = limits.current(item.split("=", 1)[0].strip()
                            for item in getattr(args, "limits", []))
    from gamespec import network_policy

    downloads = network_policy.DOWNLOADS  # only an explicit solve may download
    network_policy.DOWNLOADS = downloads and args.command in DOWNLOADING_COMMANDS
    try:
        if getattr(args, "out", None) == "":
            raise SpecError("--out needs a file path, not an empty string")
        if getattr(args, "out", None):  # refused before any work, not after a long solve
            from gamespec.atomic_files import check_target

            check_target(args.out)
        return COMMANDS[args.command](args)
    except GamespecError as exc:
        if args.debug:
            traceback.print_exc()
        _report(exc, getattr(args, "file", None))
        return exc.exit_code
    except RecursionError:
        if args.debug:
            traceback.print_exc()
        print("gamespec: error: the spec is nested too deeply", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        from gamespec.memory import out_of_memory_message

        if args.debug:
            traceback.print_exc()
        print(out_of_memory_message(), file=sys.stderr)
        return EXIT_SOLVER
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback
        if args.debug:
            traceback.print_exc()
        print(f"gamespec: internal error: {type(exc).__name__}: {exc}\n"
              "hint: rerun with --debug and report it", file=sys.stderr)
        return 70
    finally:
        limits.apply(before)
        network_policy.DOWNLOADS = downloads


def run() -> None:
    """The console entry point: exit with main's code. After an interrupt the process ends
    at once with 130: CPython re-raises SIGINT at exit (status -2) when a KeyboardInterrupt
    passed through code run by an extension module's initialisation, even if caught."""
    from gamespec import interrupts

    try:
        code = main()
    except KeyboardInterrupt:  # not caught in main (cannot happen; never a traceback)
        code = 130
    interrupts.finished(exiting=True)  # the output is delivered: a late signal is ignored
    clock = sys.modules.get("gamespec.wall_clock")
    if code == 130 or (clock is not None and clock.EXPIRED):  # a time limit: no slow teardown
        try:
            _end_workers()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    sys.exit(code)


def _end_workers() -> None:
    """An interrupted sweep's worker processes end with it: os._exit skips the pool's
    shutdown, and a worker waiting for its next point would wait for ever."""
    processes = sys.modules.get("multiprocessing")
    if processes is not None:
        for child in processes.active_children():
            child.kill()


if __name__ == "__main__":  # pragma: no cover
    run()
