"""`gamespec sweep` and `gamespec plot`: many solves over a grid, and pictures."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from gamespec.cli import common, options
from gamespec.errors import SpecError


def _grid(items):
    from gamespec.sweep_grid import parse_grid

    return [parse_grid(item) for item in items]


def _workers(ctx, param, value):
    if value is not None and not ctx.resilient_parsing:
        from gamespec.sweep_grid import default_workers

        default_workers(value)  # at least 1, else the same error as Game.sweep's
    return value


@click.command("sweep", short_help="solve on every point of a parameter grid",
               epilog="""\b
Examples:
  gamespec sweep specs/trimming_one_round.game --grid T_hi=1:20:20
  gamespec sweep specs/trimming_one_round.game --grid T_hi=1:20:20 --grid P_hi=0,1,2 \\
      --out table.csv --plot regime.pdf
  gamespec sweep specs/trimming_one_round.game --grid T_hi=5,10 --format json""")
@options.spec_options()
@click.option("--grid", multiple=True, metavar="NAME=START:STOP:COUNT",
              callback=options.parsed(_grid),
              help="a grid axis: COUNT values from START to STOP, or NAME=v1,v2,... "
              "(repeat for more axes)")
@options.method_option
@options.options_option
@click.option("--seed", type=int, default=None, metavar="N", help="as `gamespec solve --seed`")
@options.time_limit_option("per point, as `gamespec solve --time-limit`")
@click.option("--workers", type=int, default=None, callback=_workers,
              help="local processes (default: the number of cores)")
@click.option("--scheduler", metavar="ADDRESS", help="a Dask scheduler to run on")
@options.output_format("sweep", ("csv", "json"), aliases=("json", "csv"))
@options.out_option("write the table to PATH (.csv or .json, by the suffix) instead of "
                    "printing it")
@click.option("--full", is_flag=True, help="JSON: every point's whole result (as `gamespec "
              "solve --format json`) instead of a table row")
@click.option("--plot", metavar="FILE", help="draw the table (.png, .pdf or .svg)")
@click.option("--color", metavar="COLUMN", help="the column a 2-D plot shows")
@options.dpi_option
def sweep_command(**kw):
    """Solve the spec at every point of a parameter grid (as `gamespec solve` would, in
    parallel) and print or write one table row per point."""
    csv_asked = kw.get("format") == "csv" or kw.get("alias_csv")
    args = options.invocation("sweep", kw, default_format="csv")
    if not args.grid:
        raise SpecError("sweep needs at least one --grid NAME=START:STOP:COUNT")
    if args.file == common.STDIN:
        raise SpecError("sweep reads the spec in every worker: give it as a file, not `-`")
    if args.full and (args.plot or csv_asked or (args.out and not args.out.endswith(".json"))):
        raise SpecError("--full writes JSON results: give --out FILE.json, and no --plot")
    if args.dpi is not None and not args.plot:
        raise SpecError("--dpi sets the resolution of the --plot picture: give --plot FILE")
    if args.color is not None and not args.plot:
        raise SpecError("--color chooses the column the --plot picture shows: give --plot FILE")
    if args.out and Path(args.out).suffix.lower() not in options.TABLE_SUFFIXES:
        raise SpecError(f"--out {args.out}: the table is written as .csv or .json, by the "
                        "suffix", hint="name the file .csv or .json")
    options.check_picture(args.plot)  # refused before any point is solved or written
    return args


def cmd_sweep(args) -> int:
    from gamespec.atomic_files import write_atomic
    from gamespec.plan import build_plan
    from gamespec.sweep import plot_sweep, run_sweep, to_csv, to_json
    from gamespec.sweep_grid import check_grid_names, default_workers

    model = common.load(args, args.file)  # a bad spec fails once, here, with its located error
    check_grid_names(args.grid, model)
    build_plan(model, args.method, seed=args.seed, time_limit=args.time_limit,
               options=args.options)  # bad options fail once, located
    workers = default_workers(args.workers)
    rows = run_sweep(str(Path(args.file).resolve()), args.grid, args.overrides,
                     args.method, args.options, workers=workers,
                     scheduler=args.scheduler, progress=sys.stderr.isatty(), seed=args.seed,
                     time_limit=args.time_limit, allow_data=tuple(args.allow_data),
                     data_mirror=args.data_mirror, limits=args.limits, full=args.full)
    if args.full:
        text = json.dumps(rows, indent=2, allow_nan=False) + "\n"
        if args.out:
            write_atomic(args.out, text)
        else:
            print(text, end="")
        return common.EXIT_OK
    if args.out:
        text = to_json(rows) if args.out.endswith(".json") else to_csv(rows)
        write_atomic(args.out, text)
    else:
        print(to_json(rows) if args.format == "json" else to_csv(rows), end="")
    if args.plot:
        if args.color is not None and all(args.color not in r for r in rows):
            raise SpecError(f"the table has no column `{args.color}`",
                            hint="columns: " + ", ".join(sorted({k for r in rows for k in r})))
        plot_sweep(rows, args.grid, args.plot, args.color, dpi=args.dpi,
                   title=Path(args.out or args.file).name)
    failed = sum(1 for r in rows if r["status"] == "error" or not r["certified"])
    if failed:
        print(f"sweep: {failed} of {len(rows)} points not certified", file=sys.stderr)
    return common.EXIT_OK


@click.command("plot", short_help="draw a game's answer or a sweep table (PNG, PDF, SVG)",
               epilog="""\b
Examples:
  gamespec plot specs/prisoners_dilemma.game --out pd.pdf
  gamespec plot specs/cournot.game --kind best-response --out br.png --dpi 300
  gamespec plot table.csv --kind regime --x T_hi --y P_hi --color strategy:collector \\
      --out regime.svg""")
@options.spec_options(complete=options.complete_spec_or_table)
@options.kind_option
@options.out_option("the picture to write, atomically: .png, .pdf or .svg", required=True)
@options.dpi_option
@options.method_option
@click.option("--seed", type=int, default=None, metavar="N", help="as `gamespec solve --seed`")
@options.time_limit_option("as `gamespec solve --time-limit`")
@options.options_option
@click.option("--profile", metavar="NAME", help="distribution: the named profile shown "
              "beside the equilibrium (default: the spec's first)")
@click.option("--series", metavar="NAMES", help="distribution: the quantities to draw, "
              "comma-separated lets or params indexed by one set (default: those over "
              "the first set where one depends on the choices)")
@click.option("--x", metavar="COLUMN", help="regime: the column on the x axis")
@click.option("--y", metavar="COLUMN", help="regime: the column on the y axis")
@click.option("--color", metavar="COLUMN", help="regime: the column shown in colour")
def plot_command(**kw):
    """Draw a picture of the spec's answer (solved first, as `gamespec solve` does) or of
    a sweep table (.csv or .json), written as .png, .pdf or .svg by the suffix of --out."""
    args = options.invocation("plot", kw)
    options.check_picture(args.out)
    if Path(args.file).suffix.lower() in options.TABLE_SUFFIXES:
        options.refuse({"overrides": "--set", "method": "--method", "seed": "--seed",
                        "time_limit": "--time-limit", "options": "--option",
                        "profile": "--profile", "series": "--series"},
                       f"does not apply to a table ({args.file} is drawn, not solved)",
                       hint="give the .game spec to solve, or leave the option out")
    elif args.kind != "regime":
        options.refuse({"x": "--x", "y": "--y", "color": "--color"},
                       "is for a sweep table (--kind regime), not a spec",
                       hint="gamespec plot TABLE.csv --x COL --y COL --color COL")
    return args


def cmd_plot(args) -> int:
    from gamespec import plots

    kind = args.kind
    if kind is None and plots.is_table_path(args.file):
        kind = "regime"
    if kind == "regime":
        plots.plot_regime_file(args.file, args.out, x=args.x, y=args.y, color=args.color,
                               dpi=args.dpi)
        return common.EXIT_OK
    if plots.is_table_path(args.file):
        raise SpecError(f"{args.file} is a table: only --kind regime draws tables",
                        hint="gamespec plot TABLE.csv --kind regime --x COL --y COL --color COL")
    from gamespec.api import solve_model

    model = common.load(args, args.file)
    result = solve_model(model, args.method, args.seed, args.time_limit,
                         {**args.options, "figures": True})
    plots.plot_game(model, kind, args.out, result=result, profile=args.profile,
                    series=args.series, dpi=args.dpi)
    if not result.certificate.ok:
        print(f"gamespec: the {result.method} answer drawn is not certified "
              f"(status {result.status}, {result.certificate.kind}: "
              f"{result.certificate.residual:.3g})", file=sys.stderr)
        return common.EXIT_SOLVER
    return common.EXIT_OK
