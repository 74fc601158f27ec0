"""`gamespec import`, `export`, `lsp` and `completion`: other formats, editors, shells."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from gamespec.cli import common, options
from gamespec.errors import SpecError

COMPLETE_VAR = "_GAMESPEC_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


@click.command("import", short_help="convert a Gambit .nfg or .efg file into a .game spec",
               epilog="""\b
Examples:
  gamespec import game.nfg --out game.game
  gamespec import tree.efg
  cat game.nfg | gamespec import - --out game.game""")
@click.argument("file", metavar="FILE.nfg|FILE.efg",
                shell_complete=options.complete_files((".nfg", ".efg")))
@options.out_option("write the spec to PATH (atomically) instead of printing it")
@options.limit_option
@options.debug_option
def import_command(**kw):
    """Convert a Gambit strategic game (.nfg) or game tree (.efg) into a spec, checked to
    load before it is written (`-` reads standard input)."""
    return options.invocation("import", kw)


def cmd_import(args) -> int:
    from gamespec.errors import Span
    from gamespec.file_limits import read_bytes
    from gamespec.gambit import check_imported_spec, nfg_to_spec, parse_nfg
    from gamespec.limits import apply

    apply(args.limits)
    path = Path(common.STDIN_NAME if args.file == common.STDIN else args.file)
    if args.file == common.STDIN:
        source = common.read_stdin("Gambit file")
    else:
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
    _write_or_print(args.out, text)
    return common.EXIT_OK


def _import_efg(args, path: Path, source: str) -> int:
    from gamespec.gambit_efg import efg_to_spec
    from gamespec.language.loader import model_from_string

    text = efg_to_spec(source, str(path), path.name)
    model_from_string(text, args.out or "<imported>")  # the spec we write must load
    _write_or_print(args.out, text)
    return common.EXIT_OK


def _write_or_print(out: str | None, text: str) -> None:
    from gamespec.atomic_files import write_atomic

    if out:
        write_atomic(out, text)
    else:
        print(text, end="")


@click.command("export", short_help="write a finite game or a game tree in Gambit's formats",
               epilog="""\b
Examples:
  gamespec export specs/prisoners_dilemma.game --out pd.nfg
  gamespec export specs/entry_deterrence.game --format efg
  gamespec export specs/trimming_one_round.game --set T_hi=20""")
@options.spec_options()
@click.option("--format", "format", type=options.Format(("nfg", "efg"), "export"), default="nfg",
              help="nfg (default): the strategic form (of a tree: its reduced normal form); "
              "efg: the game tree")
@options.out_option("write the file to PATH (atomically) instead of printing it")
def export_command(**kw):
    """Write the spec's game for Gambit: its strategic form (.nfg) or its game tree
    (.efg). Values must be numbers (give parameters values with --set)."""
    return options.invocation("export", kw)


def cmd_export(args) -> int:
    model = common.load(args, args.file)
    if args.format == "efg":
        from gamespec.tree_exports import export_efg

        text = export_efg(model)
    elif model.tree is not None:
        from gamespec.tree_exports import export_tree_nfg

        text = export_tree_nfg(model)
    else:
        from gamespec.gambit import export_nfg

        text = export_nfg(model)
    _write_or_print(args.out, text)
    return common.EXIT_OK


@click.command("lsp", short_help="serve the language server protocol on stdin/stdout "
               "(for editors)", epilog="""\b
Examples (started by an editor, see docs/editing.md):
  gamespec lsp""")
@options.debug_option
def lsp_command(**kw):
    """Serve the Language Server Protocol on standard input and output: diagnostics,
    hover, definitions, completion (docs/editing.md sets up editors)."""
    return options.invocation("lsp", kw)


def cmd_lsp(args) -> int:
    sys.stdout = getattr(sys.stdout, "real", sys.stdout)  # the protocol streams: not held
    try:
        from gamespec.lsp.server import main as serve
    except ImportError as exc:
        raise SpecError(f"the language server needs pygls ({exc})",
                        hint="pip install 'pygls>=2'") from None
    return serve()


@click.command("completion", short_help="print the shell completion script (bash, zsh, fish)",
               epilog="""\b
Examples:
  eval "$(gamespec completion bash)"        # in ~/.bashrc
  eval "$(gamespec completion zsh)"         # in ~/.zshrc
  gamespec completion fish > ~/.config/fish/completions/gamespec.fish""")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_command(**kw):
    """Print the script that completes gamespec's commands, options, method names, plot
    kinds, formats and .game files in SHELL."""
    return options.invocation("completion", kw)


def cmd_completion(args) -> int:
    from click.shell_completion import get_completion_class

    # the script names only the program and its variable; the shell's requests later reach
    # the real command group (gamespec.cli.run)
    complete = get_completion_class(args.shell)(click.Group("gamespec"), {}, "gamespec",
                                                 COMPLETE_VAR)
    print(complete.source())
    return common.EXIT_OK
