"""What every command shares: exit codes, parsing of NAME=VALUE items, loading a spec (a
path, or `-` for standard input) and reporting an error in the one format."""
from __future__ import annotations

import sys

from gamespec.errors import GamespecError, Span, SpecError

EXIT_OK, EXIT_BAD_INPUT, EXIT_SOLVER, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 2, 3, 70, 130
STDIN, STDIN_NAME = "-", "<stdin>"
STARTED = [None]  # time.monotonic() when main() began: the start of --time-limit
_STDIN_TEXT: dict[str, str] = {}  # standard input, read once (errors quote its lines)


def parse_overrides(items, what: str = "--set") -> dict[str, float]:
    """`--set NAME=VALUE` (or `--limit NAME=N`) items as numbers, else a SpecError."""
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


def parse_options(items) -> dict[str, object]:
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


def check_time_limit(seconds) -> None:
    if seconds is not None and not 0 < seconds < float("inf"):
        raise SpecError(f"--time-limit must be a positive, finite number of seconds, "
                        f"not {seconds:g}")


def read_stdin(what: str = "spec") -> str:
    """Standard input as text, read once and at most `file_bytes` long."""
    if STDIN_NAME in _STDIN_TEXT:
        return _STDIN_TEXT[STDIN_NAME]
    from gamespec import file_limits

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise SpecError(f"cannot read the {what} from standard input: there is none")
    data = stream.read(file_limits.MAX_FILE_BYTES + 1)
    if len(data) > file_limits.MAX_FILE_BYTES:
        raise file_limits._too_large(what, STDIN_NAME, "is over", None)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{what} is not UTF-8 text ({exc.reason} at byte {exc.start})",
                        span=Span(STDIN_NAME, 1, 1)) from None
    _STDIN_TEXT[STDIN_NAME] = text
    return text


def load(args, path: str):
    """The model of the spec at `path` (`-`: standard input, shown as <stdin>; its data
    paths are read relative to the current folder) with the command's settings."""
    from gamespec.language.loader import load_model, model_from_string
    from gamespec.limits import apply

    apply(args.limits)
    settings = (args.overrides, tuple(args.allow_data), args.data_mirror)
    if path == STDIN:
        return model_from_string(read_stdin(), STDIN_NAME, *settings)
    return load_model(path, *settings)


def report(exc: GamespecError, path: str | None = None) -> None:
    """Print the error on stderr: location, source line and caret, hint (coloured on a
    terminal)."""
    source = None
    span_path = exc.span.path if exc.span else path
    if span_path in (STDIN, STDIN_NAME):
        source = _STDIN_TEXT.get(STDIN_NAME)
    elif span_path:
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


def forget_stdin() -> None:
    """A new command reads standard input afresh (main may be called again)."""
    _STDIN_TEXT.clear()
