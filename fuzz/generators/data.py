"""Data statements: `data T = csv("file", columns = {...}, key = ..., delimiter = ...,
header = ...)` over the small files in fuzz/data/, used as sets, indexed parameters and
columns in payoffs."""
from __future__ import annotations

from fuzz.generators.common import Ctx

# file -> its columns (every file lives in fuzz/data/)
FILES = {
    "ok.csv": ["id", "p"], "regions.csv": ["id", "name", "p", "x"],
    "semicolon.csv": ["id", "p"], "regions.csv.gz": ["id", "name", "p", "x"],
    "noheader.csv": ["column_1", "column_2"], "nan.csv": ["id", "p"],
    "text.csv": ["id", "p"], "empty.csv": [], "ragged.csv": ["id", "p"],
    "latin1.csv": ["id", "p"], "bom.csv": ["id", "p"], "dupkey.csv": ["id", "p"],
}
MUTATIONS = ("unknown_option", "missing_column", "leaves_folder", "missing_file",
             "long_delimiter", "header_negative", "duplicate_columns", "unknown_dataset",
             "key_not_in_columns", "column_no_index", "positional_number", "unknown_source",
             "directory_as_file", "row_key_out_of_set")


def generate(ctx: Ctx) -> list[str]:
    out = []
    f = ctx.pick(FILES)
    cols = FILES[f] or ["id"]
    path = f
    if ctx.bad("leaves_folder"):
        path = ctx.pick(["../run_fuzz.py", "/etc/hostname", "../../README.md", "/dev/zero"])
    if ctx.bad("missing_file"):
        path = "nowhere.csv"
    if ctx.bad("directory_as_file"):
        path = ctx.pick([".", "../generators"])
    args = [f'"{path}"']
    key = cols[0]
    keep = list(cols)
    if ctx.chance(0.4) or ctx.bad("duplicate_columns") or ctx.bad("key_not_in_columns"):
        keep = [c for c in cols if ctx.chance(0.7)] or cols[:1]
        if key not in keep and not ctx.bad("key_not_in_columns"):
            keep.insert(0, key)
        if ctx.bad("duplicate_columns"):
            keep.append(keep[0])
        if ctx.bad("missing_column"):
            keep.append("ghost")
        if ctx.bad("key_not_in_columns"):
            keep = [c for c in keep if c != key] or ["ghost"]
        args.append("columns = {" + ", ".join(keep) + "}")
    if ctx.chance(0.6) or ctx.bad("key_not_in_columns"):
        args.append(ctx.pick([f"key = {key}", f'key = "{key}"']))
    else:
        key = None
    if ctx.chance(0.3) or ctx.bad("long_delimiter"):
        delim = ctx.pick(['","', '";"', '"whitespace"', '" "', '"\t"'])
        if ctx.bad("long_delimiter"):
            delim = '";;"'
        args.append(f"delimiter = {delim}")
    if ctx.chance(0.3) or ctx.bad("header_negative"):
        header = "0" if f == "noheader.csv" else "1"
        if ctx.bad("header_negative"):
            header = ctx.pick(["-1", "1e300", "sqrt(-1)"])
        args.append(f"header = {header}")
    if ctx.bad("unknown_option"):
        args.append(ctx.pick(["sep = \",\"", "keys = id", "header = 1, header = 0"]))
    if ctx.bad("positional_number"):
        args.append(ctx.pick(["3", "x", "1/0"]))
    source = "csv"
    if ctx.bad("unknown_dataset"):
        source, args = "dataset", [ctx.pick(['"nope"', '"nba"', '""', "1"])]
    if ctx.bad("unknown_source"):
        source = ctx.pick(["json", "numeric_features", "checkin_regions"])
    t = ctx.name("t")
    out.append(f"data {t} = {source}({', '.join(args)})")
    rows = ctx.name("R")
    out.append(f"set {rows} = {t}.{'rows' if key else ctx.pick(keep)}")
    numeric = [c for c in keep if c in ("p", "x", "column_2")] or [keep[-1]]
    col = ctx.pick(numeric)
    w, r = ctx.name("w"), ctx.name("r")
    out.append(f"param {w}[{r} in {rows}] = {t}.{col}[{r}]")
    x = ctx.name("x")
    out.append(f"player {ctx.name('u')} {{ choose {x} in {rows} }}")
    use = f"{t}.{col}[{x}]" if not ctx.bad("column_no_index") else f"{t}.{col}"
    if ctx.bad("row_key_out_of_set"):
        use = f"{t}.{col}[99999]"
    out.append(f"payoff {out[-1].split()[1]} = {w}[{x}] * {use} + {ctx.expr([], 1)}")
    if ctx.chance(0.2):
        out.append(f"param n{ctx.counter} = card({rows})")
    return out
