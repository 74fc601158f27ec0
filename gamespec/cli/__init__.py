"""The `gamespec` command: check, info, solve, derive, sweep, plot, experiment, import,
export, completion, lsp (click; the commands live in the modules beside this one)."""
from __future__ import annotations

import os
import sys
import time
import traceback

import click

from gamespec.cli.app import COMMANDS, gamespec_group
from gamespec.cli.common import (  # noqa: F401 - the command line's API, used by tests
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SOLVER,
    STARTED,
    parse_options,
    parse_overrides,
    report,
)
from gamespec.cli.files import COMPLETE_VAR
from gamespec.errors import GamespecError

DOWNLOADING_COMMANDS = ("solve", "sweep", "plot", "experiment")


def __getattr__(name: str):
    if name == "PLOT_KINDS":  # the kinds of picture, read on use (gamespec.plots: NumPy)
        from gamespec.plots.kinds import KINDS

        return KINDS
    raise AttributeError(f"module 'gamespec.cli' has no attribute {name!r}")


def main(argv: list[str] | None = None) -> int:
    """Run one command. Its standard output is held and written at once when it ends, so
    that an interrupt (SIGINT, SIGTERM: exit 130) never leaves part of it."""
    from gamespec import interrupts

    STARTED[0] = time.monotonic()
    with interrupts.command():
        held = sys.stdout = interrupts.HeldOutput(sys.stdout)
        try:
            code = _main(sys.argv[1:] if argv is None else list(argv))
            try:
                held.deliver()  # from here on, signals are ignored: the command is over
            except BrokenPipeError:  # the reader (e.g. `head`) stopped early: not an error
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, held.real.fileno())
                code = EXIT_OK
        except KeyboardInterrupt:
            sys.stdout = held.real
            print(interrupts.message(), file=sys.stderr)
            return EXIT_INTERRUPTED
        finally:
            sys.stdout = held.real
    return code


def parse(argv: list[str]):
    """The command line as the command functions read it, or an exit code (help, version,
    a usage error). Every option is checked here, before any spec is read."""
    try:
        with gamespec_group.make_context("gamespec", argv) as ctx:
            return gamespec_group.invoke(ctx)
    except click.exceptions.Exit as exc:  # --help, --version, bare `gamespec`
        return exc.exit_code
    except click.UsageError as exc:
        if exc.ctx is not None:
            print(exc.ctx.get_usage(), file=sys.stderr)
        print(f"gamespec: error: {exc.format_message()}", file=sys.stderr)
        if exc.ctx is not None:
            what = "lists the commands" if exc.ctx.parent is None else "describes the options"
            print(f"hint: `{exc.ctx.command_path} --help` {what}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except click.ClickException as exc:
        print(f"gamespec: error: {exc.format_message()}", file=sys.stderr)
        return exc.exit_code


def _main(argv: list[str]) -> int:
    from gamespec.cli import common

    common.forget_stdin()
    try:
        args = parse(argv)
    except GamespecError as exc:  # an option's value (--set, --option, --grid, --method ...)
        if "--debug" in argv:
            traceback.print_exc()
        report(exc)
        return exc.exit_code
    if isinstance(args, int):
        return args
    return _run(args)


def _run(args) -> int:
    from gamespec import limits, network_policy

    # --limit holds for this command only (main may be called again): remember the limits
    # it names (reading all of them would import every module that enforces one)
    before = limits.current(args.limits)
    downloads = network_policy.DOWNLOADS  # only an explicit solve may download
    network_policy.DOWNLOADS = downloads and args.command in DOWNLOADING_COMMANDS
    try:
        out = getattr(args, "out", None)
        if out == "":
            raise GamespecError("--out needs a file path, not an empty string")
        if out:  # refused before any work, not after a long solve
            from gamespec.atomic_files import check_target

            check_target(out)
        return COMMANDS[args.command](args)
    except GamespecError as exc:
        if args.debug:
            traceback.print_exc()
        report(exc, getattr(args, "file", None))
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
        from gamespec import interrupts

        if interrupts.interrupted():  # the signal's KeyboardInterrupt, wrapped by C code
            raise KeyboardInterrupt from None
        if args.debug:
            traceback.print_exc()
        print(f"gamespec: internal error: {type(exc).__name__}: {exc}\n"
              "hint: rerun with --debug and report it", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        limits.apply(before)
        network_policy.DOWNLOADS = downloads


def run() -> None:
    """The console entry point: exit with main's code. After an interrupt the process ends
    at once with 130: CPython re-raises SIGINT at exit (status -2) when a KeyboardInterrupt
    passed through code run by an extension module's initialisation, even if caught."""
    from gamespec import interrupts

    if os.environ.get(COMPLETE_VAR):  # the shell asks for completions (click's protocol)
        from click.shell_completion import shell_complete

        sys.exit(shell_complete(gamespec_group, {}, "gamespec", COMPLETE_VAR,
                                os.environ[COMPLETE_VAR]))
    try:
        code = main()
    except KeyboardInterrupt:  # not caught in main (cannot happen; never a traceback)
        code = EXIT_INTERRUPTED
    interrupts.finished(exiting=True)  # the output is delivered: a late signal is ignored
    clock = sys.modules.get("gamespec.wall_clock")
    if code == EXIT_INTERRUPTED or (clock is not None and clock.EXPIRED):
        try:  # a time limit: no slow teardown
            interrupts.end_workers()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    sys.exit(code)
