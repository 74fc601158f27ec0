"""The options commands share, their checks (run while the command line is parsed, before
any spec is read) and their shell completion."""
from __future__ import annotations

import os
from types import SimpleNamespace

import click

from gamespec.cli import common
from gamespec.errors import SpecError

FORMATS = ("text", "json", "csv", "latex")
SPEC_SUFFIXES = (".game", ".efg")
TABLE_SUFFIXES = (".csv", ".json")


def complete_files(suffixes):
    """Complete a FILE argument: the matching files with these suffixes (else the shell's
    own file completion)."""
    def complete(ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        folder, _, stem = incomplete.rpartition(os.sep)
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            names = []
        found = [CompletionItem(os.path.join(folder, n) if folder else n) for n in names
                 if n.startswith(stem) and n.endswith(suffixes)
                 and os.path.isfile(os.path.join(folder or ".", n))]
        return found or [CompletionItem(incomplete, type="file")]
    return complete


complete_spec = complete_files(SPEC_SUFFIXES)
complete_spec_or_table = complete_files(SPEC_SUFFIXES + TABLE_SUFFIXES)


def parsed(parse):
    """A callback that parses the option's values (skipped while completing)."""
    def callback(ctx, param, value):
        return value if ctx.resilient_parsing else parse(value)
    return callback


def _method(ctx, param, value):
    if value is None or ctx.resilient_parsing:
        return value
    from gamespec.solvers.method_names import METHOD_MODULES, unknown_method

    if value not in METHOD_MODULES:
        raise unknown_method(value)
    return value


def _complete_method(ctx, param, incomplete):
    from gamespec.solvers.method_names import METHOD_MODULES

    return [name for name in METHOD_MODULES if name.startswith(incomplete)]


def _time_limit(ctx, param, value):
    if not ctx.resilient_parsing:
        common.check_time_limit(value)
    return value


class Format(click.ParamType):
    """`--format NAME`: one of the formats the command prints."""

    name = "format"

    def __init__(self, allowed, command: str):
        self.allowed, self.command = tuple(allowed), command

    def get_metavar(self, param, ctx=None):
        return "[" + "|".join(self.allowed) + "]"

    def convert(self, value, param, ctx):
        if value in self.allowed:
            return value
        known = "" if value in FORMATS or not set(self.allowed) <= set(FORMATS) \
            else f" (formats: {', '.join(FORMATS)})"
        raise click.UsageError(f"--format {value}: `gamespec {self.command}` prints "
                               f"{_either(self.allowed)}{known}", ctx)

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        return [CompletionItem(f) for f in self.allowed if f.startswith(incomplete)]


def _either(names) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def output_format(command: str, allowed, aliases=()):
    """`--format` with the formats `command` prints (the first is the default), and the
    flags `--json`, `--csv`, `--latex` kept as its aliases."""
    def decorate(f):
        for alias in reversed(aliases):
            f = click.option(f"--{alias}", f"alias_{alias}", is_flag=True,
                             help=f"the same as --format {alias}")(f)
        return click.option("--format", "format", type=Format(allowed, command),
                            help=f"how to print the result: {', '.join(allowed)} "
                            f"(default {allowed[0]})")(f)
    return decorate


def chosen_format(kw: dict, default: str) -> str:
    """The one format --format and its alias flags ask for; two different: a usage error."""
    given = [(f"--format {kw['format']}", kw["format"])] if kw.get("format") else []
    given += [(f"--{name[6:]}", name[6:]) for name in list(kw)
              if name.startswith("alias_") and kw.pop(name)]
    if len({fmt for _, fmt in given}) > 1:
        raise click.UsageError(f"{given[1][0]}: not allowed with {given[0][0]} "
                               "(give one --format)")
    kw.pop("format", None)
    return given[0][1] if given else default


def spec_options(many: bool = False, complete=complete_spec):
    """FILE (or FILE...) and the options every spec-reading command takes."""
    def decorate(f):
        for option in reversed(_SPEC_OPTIONS):
            f = option(f)
        return click.argument("files" if many else "file", nargs=-1 if many else 1,
                              required=True, metavar="FILE..." if many else "FILE",
                              shell_complete=complete)(f)
    return decorate


def debug_option(f):
    return click.option("--debug", is_flag=True, help="show Python tracebacks")(f)


def _limits(items) -> dict[str, float]:
    """`--limit NAME=N` items, each a known limit and at least 1 (applied when loading)."""
    from gamespec.limits import LIMITS

    parsed = common.parse_overrides(items, what="--limit")
    for name, value in parsed.items():
        if name not in LIMITS:
            raise SpecError(f"--limit {name}: unknown limit", hint="limits: " + ", ".join(LIMITS))
        if not value >= 1:
            raise SpecError(f"--limit {name}: must be at least 1")
    return parsed


limit_option = click.option(
    "--limit", "limits", multiple=True, metavar="NAME=N", callback=parsed(_limits),
    help="raise or lower a resource limit (repeatable): set_size, pure_profiles, file_bytes "
    "... (docs/cli.md lists them)")
_SPEC_OPTIONS = [
    click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
                 callback=parsed(common.parse_overrides),
                 help="override a parameter's value (repeatable)"),
    click.option("--allow-data", multiple=True, metavar="PATH",
                 help="also allow data files under PATH (repeatable)"),
    limit_option,
    click.option("--data-mirror", metavar="DIR",
                 help="local folder of registered data sets (else $GAMESPEC_DATA_MIRROR)"),
    debug_option,
]
method_option = click.option("--method", callback=_method, shell_complete=_complete_method,
                             metavar="METHOD",
                             help="use this method (`gamespec info FILE` lists them)")
seed_option = click.option("--seed", type=int, default=None, metavar="N",
                           help="the seed of random starts (default: the spec's `seed`, "
                           "else 0)")
options_option = click.option(
    "--option", "options", multiple=True, metavar="NAME=VALUE",
    callback=parsed(common.parse_options),
    help="set an option of the method (repeatable; over the spec's `solve using` block; "
    "`gamespec info FILE --options` lists them)")


def time_limit_option(what: str):
    return click.option("--time-limit", type=float, metavar="SECONDS", callback=_time_limit,
                        help=what)


def out_option(what: str, required: bool = False):
    return click.option("--out", metavar="PATH", required=required, help=what)


def plot_kinds() -> tuple[str, ...]:
    """The kinds of picture (gamespec.plots imports NumPy: read when needed, not at start)."""
    from gamespec.plots.kinds import KINDS

    return KINDS


class PlotKind(click.ParamType):
    """`--kind KIND`: one of the kinds of picture."""

    name = "kind"

    def convert(self, value, param, ctx):
        if value in plot_kinds():
            return value
        self.fail(f"{value!r} is not one of {', '.join(plot_kinds())}", param, ctx)

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        return [CompletionItem(k) for k in plot_kinds() if k.startswith(incomplete)]


class KindOption(click.Option):
    """The help of --kind lists the kinds when it is shown."""

    def get_help_record(self, ctx):
        self.help = ("the picture to draw: " + ", ".join(plot_kinds()) + " (default: the "
                     "first the method returns; regime for a table)")
        return super().get_help_record(ctx)


kind_option = click.option("--kind", "--plot-kind", "kind", cls=KindOption, type=PlotKind(),
                           metavar="KIND", help="the picture to draw")
dpi_option = click.option("--dpi", type=click.IntRange(10, 2400), default=None, metavar="N",
                          help="the resolution of a .png picture, dots per inch")


def check_picture(path: str | None) -> None:
    """A picture FILE's suffix (.png, .pdf, .svg) is checked before anything is solved."""
    if path is not None:
        from gamespec.plots.files import picture_format

        picture_format(path)


def given(name: str) -> bool:
    """Whether the option `name` (its parameter name) is on the command line."""
    from click.core import ParameterSource

    source = click.get_current_context().get_parameter_source(name)
    return source not in (None, ParameterSource.DEFAULT)


def refuse(names: dict[str, str], why: str, hint: str | None = None) -> None:
    """Options that do nothing here are a usage error: `names` maps parameter to option."""
    for name, option in names.items():
        if given(name):
            raise SpecError(f"{option} {why}", hint=hint)


def invocation(name: str, kw: dict, default_format: str | None = None) -> SimpleNamespace:
    """The parsed command line as the command functions read it."""
    ctx = click.get_current_context()
    if default_format is not None:
        kw["format"] = chosen_format(kw, default_format)
    kw["debug"] = bool(kw.get("debug")) or bool(ctx.find_root().params.get("debug"))
    kw.setdefault("limits", {})
    return SimpleNamespace(command=name, **kw)
