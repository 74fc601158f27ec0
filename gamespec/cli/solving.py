"""`gamespec solve`, `derive` and `experiment`: answers, conditions and studies."""
from __future__ import annotations

import json
import sys
import time

import click

from gamespec.cli import common, options
from gamespec.errors import SpecError


@click.command("solve", short_help="solve the game and certify the answer",
               epilog="""\b
Examples:
  gamespec solve specs/prisoners_dilemma.game
  gamespec solve specs/trimming_one_round.game --set T_hi=20 --format json --out r.json
  gamespec solve specs/battle_of_the_sexes.game --method enumerate_mixed --plot bos.pdf""")
@options.spec_options()
@options.method_option
@options.seed_option
@options.time_limit_option("stop the solver after this long, wall clock, load included "
                           "(exit 3, nothing certified)")
@options.options_option
@options.output_format("solve", ("text", "json", "csv"), aliases=("json", "csv"))
@click.option("--full", is_flag=True,
              help="text: every strategy and row, none cut for length")
@options.out_option("also write the JSON result to PATH (atomically)")
@click.option("--plot", metavar="FILE", help="also draw the answer, as .png, .pdf or .svg "
              "(the method's first picture, or --kind)")
@options.kind_option
@options.dpi_option
def solve_command(**kw):
    """Choose a method (or --method), solve, check the answer independently (its
    certificate) and print the result. Exit 0 when the certificate passed, 3 when not."""
    args = options.invocation("solve", kw, default_format="text")
    if args.kind and not args.plot:
        raise SpecError("--kind (--plot-kind) chooses the picture --plot draws: "
                        "give --plot FILE too")
    if args.dpi is not None and not args.plot:
        raise SpecError("--dpi sets the resolution of the --plot picture: give --plot FILE")
    options.check_picture(args.plot)  # a bad suffix is refused before anything is solved
    if args.full and args.format != "text":
        raise SpecError(f"--full is for the text output; --format {args.format} prints "
                        "everything already")
    return args


def cmd_solve(args) -> int:
    from gamespec.wall_clock import wall_clock_limit

    # over load, analysis, solve and output, counted from the start of the command
    with wall_clock_limit(args.time_limit, common.STARTED[0]) as clock:
        return _solve_and_write(args, clock)


def _solve_and_write(args, clock) -> int:
    from gamespec.api import solve_model
    from gamespec.atomic_files import write_atomic
    from gamespec.render.terminal import render_result, use_color

    start = time.perf_counter()
    model = common.load(args, args.file)
    run_options = dict(args.options)
    if args.plot:  # the solver samples what the picture draws
        run_options["figures"] = True
    clock.stage = "analysis and solve"
    limit = round(clock.remaining(), 3) if args.time_limit is not None \
        and 0 < args.time_limit < float("inf") else args.time_limit  # what load left
    result = solve_model(model, args.method, args.seed, limit,
                         run_options, load_seconds=time.perf_counter() - start,
                         progress=sys.stderr.isatty())
    clock.begin_output()
    text = result.to_json()
    if args.out:
        write_atomic(args.out, text + "\n")
    if args.format == "json":
        print(text)
    elif args.format == "csv":
        print(result.to_csv(), end="")
    elif args.full:
        print(render_result(result, color=use_color(sys.stdout), full=True))
    else:
        print(render_result(result, color=use_color(sys.stdout)))
    if args.plot:
        from gamespec.plots import plot_result

        plot_result(result, args.kind, args.plot, dpi=args.dpi)
    return common.EXIT_OK if result.certificate.ok else common.EXIT_SOLVER


@click.command("derive", short_help="equilibrium conditions, symbolically",
               epilog="""\b
Examples:
  gamespec derive specs/trimming_one_round.game
  gamespec derive specs/trimming_one_round.game --format latex --standalone --out d.tex
  gamespec derive specs/cournot.game --format json""")
@options.spec_options()
@options.output_format("derive", ("text", "json", "latex"), aliases=("latex", "json"))
@click.option("--standalone", is_flag=True,
              help="latex: a whole document that compiles on its own")
@options.out_option("also write the printed text to PATH (atomically)")
@options.time_limit_option("stop after this long, wall clock, load included (exit 3)")
def derive_command(**kw):
    """Print, symbolically, the payoffs, definitions, constraints and the conditions for
    each profile to be an equilibrium, and what the applicable method derives."""
    args = options.invocation("derive", kw, default_format="text")
    if args.standalone and args.format != "latex":
        raise SpecError("--standalone makes a whole LaTeX document: give --format latex")
    return args


def cmd_derive(args) -> int:
    from gamespec.api import derive_model
    from gamespec.atomic_files import write_atomic
    from gamespec.wall_clock import wall_clock_limit

    with wall_clock_limit(args.time_limit, common.STARTED[0]) as clock:
        model = common.load(args, args.file)
        clock.stage = "derive"
        derivation = derive_model(model)
        clock.begin_output()
        if args.format == "json":
            text = json.dumps(derivation.as_dict(), indent=2)
        elif args.format == "latex":
            text = _latex(derivation, args.standalone)
        else:
            text = derivation.plain()
        if args.out:
            write_atomic(args.out, text + "\n")
        print(text)
        return common.EXIT_OK


def _latex(derivation, standalone: bool) -> str:
    from gamespec.render.latex import render_latex

    return render_latex(derivation, standalone=standalone)


@click.command("experiment", short_help="run the spec's `experiment` (a plug-in study on "
               "data)", epilog="""\b
Examples:
  gamespec experiment specs/trimming.game
  gamespec experiment specs/trimming.game --set rounds=20 --out vi.json
  gamespec experiment specs/trimming.game --format json --seed 3""")
@options.spec_options()
@click.option("--name", help="which experiment, when the spec has several")
@click.option("--seed", type=int, default=0, metavar="N",
              help="the seed of every random draw (default 0)")
@options.output_format("experiment", ("text", "json"), aliases=("json",))
@options.out_option("also write the JSON record to PATH (atomically)")
def experiment_command(**kw):
    """Run the spec's `experiment NAME using PLUGIN { ... }` statement (e.g. the trimming
    schemes' table) and print what it computed, from which data, and its check."""
    return options.invocation("experiment", kw, default_format="text")


def cmd_experiment(args) -> int:
    from gamespec.atomic_files import write_atomic
    from gamespec.experiments.runner import run_experiment
    from gamespec.render.experiment_table import render_experiment

    start = time.perf_counter()
    model = common.load(args, args.file)
    record = run_experiment(model, args.name, args.seed, time.perf_counter() - start)
    text = record.to_json()
    if args.out:
        write_atomic(args.out, text + "\n")
    print(text if args.format == "json" else render_experiment(record))
    return common.EXIT_OK if record.outcome.certificate.ok else common.EXIT_SOLVER
