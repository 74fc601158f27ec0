"""The `gamespec` command group: its commands in order, help, and `--version`."""
from __future__ import annotations

import click

from gamespec import __version__
from gamespec.cli import describe, drawing, files, solving

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Commands(click.Group):
    """The commands listed in the order they are added (the order of work), not sorted."""

    def list_commands(self, ctx):
        return list(self.commands)


@click.group("gamespec", cls=Commands, invoke_without_command=True, context_settings=CONTEXT,
             epilog="""\b
Examples:
  gamespec solve specs/prisoners_dilemma.game
  gamespec info specs/congestion.game --format json
  cat mine.game | gamespec check -

`gamespec COMMAND --help` describes a command; docs/cli.md describes them all.""")
@click.version_option(__version__, "--version", prog_name="gamespec",
                      message="%(prog)s %(version)s", help="print the version and exit")
@click.option("--debug", is_flag=True, help="show Python tracebacks (also after the command)")
@click.pass_context
def gamespec_group(ctx, debug):
    """Declare, check and solve games: a .game spec in, a certified answer out.

    FILE is a .game spec; `-` reads it from standard input."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(0)


for command in (describe.check_command, describe.info_command, solving.solve_command,
                solving.derive_command, drawing.sweep_command, drawing.plot_command,
                solving.experiment_command, files.import_command, files.export_command,
                files.completion_command, files.lsp_command):
    gamespec_group.add_command(command)

COMMANDS = {"check": describe.cmd_check, "info": describe.cmd_info, "solve": solving.cmd_solve,
            "derive": solving.cmd_derive, "import": files.cmd_import,
            "export": files.cmd_export, "experiment": solving.cmd_experiment,
            "sweep": drawing.cmd_sweep, "plot": drawing.cmd_plot, "lsp": files.cmd_lsp,
            "completion": files.cmd_completion}
