"""`data NAME = source(...)` statements: CSV files beside the spec, registered data sets,
and standard-library transforms. Paths may not leave the spec's folder unless allowed."""
from __future__ import annotations

from pathlib import Path

from gamespec.data.tables import Table, load_dataset, load_table
from gamespec.errors import SpecError
from gamespec.language import ast

SOURCES = ("csv", "dataset")
MAX_GRID_CELLS = 1_000_000


def load_data_statement(builder, stmt: ast.DataStmt) -> Table:
    """Load the table a data statement names (builder: the ModelBuilder asking)."""
    positional = [a for a in stmt.args if a.key is None]
    keywords = {a.key: a for a in stmt.args if a.key is not None}
    if stmt.source in TRANSFORMS:
        options = {}
        for key, arg in keywords.items():
            if isinstance(arg.value, (str, tuple)):
                raise SpecError(f"option `{key}` of {stmt.source}() takes a number",
                                span=arg.span)
            options[key] = builder.numeric_scalar(builder.builder.build(arg.value), arg.span)
        if positional and stmt.source not in NAMED_TRANSFORMS:
            raise SpecError(f"{stmt.source}() takes only named options", span=stmt.span)
        return TRANSFORMS[stmt.source](builder, stmt, options)
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
                    hint='use csv("file.csv"), dataset("name") or '
                    + ", ".join(f"{name}(...)" for name in TRANSFORMS))


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


# ------------------------------------------------------------------ stdlib data transforms
_SPLIT_COLUMNS: dict[tuple, tuple] = {}  # (file, stat, entry, names, numeric) -> columns


def _columns(name: str, mirror, span, numeric: tuple[str, ...]) -> tuple:
    """A registered data set's columns in file order: those in `numeric` as float arrays,
    the others as lists of str. A headerless whitespace file without repairs (the check-in
    files) is verified by its hash and read in one split (98,258 rows in ~0.1 s against ~0.5 s
    through the generic reader); any other layout, or a file that does not split into the
    registry's row count of finite numbers, goes through `load_dataset` and its located
    errors. A file read by the split is kept for the process's next reads (arrays read-only;
    callers only read), keyed by its path, size, mtime and registry entry (a sweep reads it
    once per worker)."""
    import numpy as np

    from gamespec.data import registry as data_registry
    from gamespec.data.file_format import WHITESPACE

    entry = data_registry.get(name, span=span)
    names = entry.column_names or ()
    if entry.delimiter == WHITESPACE and not entry.header and not entry.row_fixes and names \
            and not entry.path.endswith(".gz"):
        path = data_registry.fetch(name, mirror=mirror, span=span)  # hash-verified
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, entry.sha256, entry.rows,
               tuple(names), numeric)
        kept = _SPLIT_COLUMNS.get(key)
        if kept is not None:  # read before in this process (a sweep's earlier point)
            return kept
        tokens = path.read_text("utf-8").split()
        width = len(names)
        if len(tokens) == width * (entry.rows or -1):
            columns = [tokens[j::width] for j in range(width)]
            try:
                out = tuple(np.array(c, dtype=np.float64) if n in numeric else c
                            for n, c in zip(names, columns))
            except ValueError:
                out = None
            if out is not None and all(np.isfinite(out[names.index(n)]).all()
                                       for n in numeric):
                for column in out:
                    if isinstance(column, np.ndarray):
                        column.flags.writeable = False  # shared by later reads
                if len(_SPLIT_COLUMNS) >= 4:  # a few files' columns kept at a time
                    _SPLIT_COLUMNS.clear()
                _SPLIT_COLUMNS[key] = out
                return out
    table = load_dataset(name, mirror=mirror, span=span)
    return tuple(table.numeric(c) if c in numeric else [str(v) for v in table.column(c)]
                 for c in names)


def checkin_regions(builder, stmt: ast.DataStmt, options: dict) -> Table:
    """The location-privacy paper's setting built from check-in data.

    The registered Foursquare Singapore check-ins (places with lat/lon; user, place, count
    rows) are cut into an nx x ny grid over their bounding box; the `top` most visited cells
    are the regions; the profile is the normalised visit counts of the user ranked `user`
    by activity in those regions (1 = most active). Columns: region (1..top), x, y (cell
    centre, km), psi, visits. When the data set is not available, a documented seeded
    synthetic city (gamespec.stdlib.location.synthetic_city) stands in, and the table's
    notes say so (every result then reports it).
    """
    import numpy as np

    from gamespec.data import registry as data_registry
    from gamespec.stdlib import location

    whole = {}
    for name, default in (("nx", 20), ("ny", 15), ("top", 30), ("user", 1), ("seed", 0)):
        value = options.get(name, default)
        if not float(value).is_integer():
            raise SpecError(f"checkin_regions: `{name}` must be a whole number, not {value:g}",
                            span=stmt.span)
        whole[name] = int(value)
    nx, ny, top, user = whole["nx"], whole["ny"], whole["top"], whole["user"]
    if nx < 1 or ny < 1 or top < 1 or user < 1 or top > nx * ny:
        raise SpecError("checkin_regions needs nx, ny, top, user >= 1 and top <= nx * ny",
                        span=stmt.span)
    if nx * ny > MAX_GRID_CELLS or top > 2_000:
        raise SpecError(f"checkin_regions: a {nx} x {ny} grid with {top} regions is too large "
                        f"(at most {MAX_GRID_CELLS:,} cells and 2,000 regions)", span=stmt.span)
    mirror = builder.data_mirror
    if data_registry.available("foursquare_sg_checkins", mirror) and \
            data_registry.available("foursquare_sg_locations", mirror):
        place_id, place_lat, place_lon = _columns("foursquare_sg_locations", mirror, stmt.span,
                                                  numeric=("lat", "lon"))
        visit_user, visit_place, visit_count = _columns("foursquare_sg_checkins", mirror,
                                                        stmt.span, numeric=("count",))
        index_of = {pid: k for k, pid in enumerate(place_id)}
        rows_all = np.array([index_of.get(p, -1) for p in visit_place])
        known = rows_all >= 0
        rows = rows_all[known]
        lat, lon = place_lat[rows], place_lon[rows]
        counts = visit_count[known]
        grid = location.grid_regions(lat, lon, counts, nx, ny)
        regions = location.top_regions(grid.counts, top)
        users = np.array(visit_user)[known]
        profiles = location.user_profiles(users, grid.cell, counts,
                                          regions, n_users=user)
        if len(profiles.users) < user:
            raise SpecError(f"only {len(profiles.users)} users visit these regions; "
                            f"user = {user} is out of range", span=stmt.span)
        centres = grid.centres[regions]
        psi = profiles.psi[user - 1]
        visits_row = profiles.visits[user - 1]
        source = "Foursquare Singapore check-ins (data registry)"
        notes = (f"real data: {source}; {nx} x {ny} grid over "
                 f"{grid.width_km:.2f} x {grid.height_km:.2f} km; user rank {user} "
                 f"(id {profiles.users[user - 1]})",)
    else:
        city = location.synthetic_city(top, seed=whole["seed"])
        centres, psi = city.centres, city.psi
        visits_row = np.round(psi * 1000)
        source = "synthetic city"
        notes = ("SYNTHETIC STAND-IN: the Foursquare data set is not available "
                 "(set GAMESPEC_DATA_MIRROR); a seeded synthetic city is used",)
    columns = {
        "region": np.arange(1, len(psi) + 1, dtype=float),
        "x": np.asarray(centres[:, 0], dtype=float),
        "y": np.asarray(centres[:, 1], dtype=float),
        "psi": np.asarray(psi, dtype=float),
        "visits": np.asarray(visits_row, dtype=float),
    }
    return Table(name=stmt.name, columns=columns, source=source, notes=notes,
                 units={"x": "km", "y": "km"})


def numeric_features(builder, stmt: ast.DataStmt, options: dict) -> Table:
    """A registered data set's numeric columns, z-scored, with its classes (see
    gamespec.data.features)."""
    from gamespec.data.features import numeric_features as transform

    return transform(builder, stmt, options)


TRANSFORMS = {"checkin_regions": checkin_regions, "numeric_features": numeric_features}
NAMED_TRANSFORMS = {"numeric_features"}  # transforms whose first argument is a data set name
