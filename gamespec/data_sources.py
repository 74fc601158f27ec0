"""`data NAME = source(...)` statements: CSV files beside the spec, registered data sets,
and standard-library transforms. Paths may not leave the spec's folder unless allowed."""
from __future__ import annotations

from pathlib import Path

from gamespec import ast
from gamespec.data_tables import Table, load_dataset, load_table
from gamespec.errors import SpecError

SOURCES = ("csv", "dataset")


def load_data_statement(builder, stmt: ast.DataStmt) -> Table:
    """Load the table a data statement names (builder: the ModelBuilder asking)."""
    positional = [a for a in stmt.args if a.key is None]
    keywords = {a.key: a for a in stmt.args if a.key is not None}
    allowed = {"columns", "delimiter", "header", "key"}
    for key, arg in keywords.items():
        if key not in allowed:
            raise SpecError(f"unknown option `{key}` for {stmt.source}()", span=arg.span,
                            hint="options: " + ", ".join(sorted(allowed)))
    columns = _names(keywords.get("columns"))
    if stmt.source == "csv":
        path = _safe_path(builder, _string(positional, stmt, "a file name"), stmt)
        delimiter = _string_kw(keywords.get("delimiter"))
        header = keywords.get("header")
        header_flag = None
        if header is not None:
            header_flag = bool(builder.numeric_scalar(builder.builder.build(header.value),
                                                      header.span))
        return load_table(path, delimiter=delimiter, header=header_flag, columns=columns,
                          label=stmt.name, span=stmt.span)
    if stmt.source == "dataset":
        name = _string(positional, stmt, "a data set name")
        return load_dataset(name, mirror=builder.data_mirror, columns=columns, span=stmt.span)
    raise SpecError(f"unknown data source `{stmt.source}`", span=stmt.span,
                    hint='use csv("file.csv") or dataset("name")')


def _string(positional, stmt: ast.DataStmt, what: str) -> str:
    if not positional or not isinstance(positional[0].value, str):
        raise SpecError(f"{stmt.source}() needs {what} as a string", span=stmt.span)
    return positional[0].value


def _string_kw(arg) -> str | None:
    if arg is None:
        return None
    if not isinstance(arg.value, str):
        raise SpecError("expected a string", span=arg.span)
    return arg.value


def _names(arg) -> list[str] | None:
    if arg is None:
        return None
    if not isinstance(arg.value, tuple):
        raise SpecError("columns are given as {name, name, ...}", span=arg.span)
    return list(arg.value)


def _safe_path(builder, relative: str, stmt: ast.DataStmt) -> Path:
    """Resolve a data path against the spec's folder; refuse escapes unless allowed."""
    spec_path = Path(builder.path)
    base = spec_path.parent.resolve() if builder.path not in ("<spec>", "<string>") else Path.cwd()
    candidate = Path(relative)
    target = (candidate if candidate.is_absolute() else base / candidate).resolve()
    roots = (base, *builder.allow_data)
    if not any(target == root or target.is_relative_to(root) for root in roots):
        raise SpecError(
            f"data path {relative!r} leaves the spec's folder", span=stmt.span,
            hint="keep data beside the spec, or pass --allow-data FOLDER",
        )
    if not target.exists():
        raise SpecError(f"data file not found: {relative} (looked in {base})", span=stmt.span)
    return target
