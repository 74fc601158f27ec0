"""Text of an experiment record (`gamespec experiment`): statement, data, table, check."""
from __future__ import annotations

import textwrap

from gamespec.experiments.outcome import ExperimentRecord


def _cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return f"{value:.6g}"
    return str(value)


def render_experiment(record: ExperimentRecord) -> str:
    """The record as a terminal table: one row per table entry, the scalar metrics every
    row has as columns (standard errors and row-specific entries are in the JSON only)."""
    out = record.outcome
    lines = [f"game: {record.game}",
             f"experiment: {record.experiment} (plug-in {record.plugin})   status: "
             f"{record.status}"]
    lines += textwrap.wrap("computed: " + out.statement, 92, subsequent_indent="  ")
    data = out.data
    lines.append(f"data: {data.get('table', '?')} = {data.get('source', '?')}"
                 + ("   ** STAND-IN **" if data.get("stand_in") else ""))
    lines += ["  " + note for note in data.get("notes", [])]
    rows = list(out.table.values())
    columns = [key for key, value in (rows[0].items() if rows else ())
               if isinstance(value, (int, float)) and all(key in r for r in rows)]
    names = list(out.table)
    width = max([len("row"), *map(len, names)])
    cells = [[_cell(out.table[n].get(c, "")) for c in columns] for n in names]
    widths = [max(len(c), *(len(r[k]) for r in cells)) for k, c in enumerate(columns)]
    lines.append("  ".join([f"{'row':<{width}}", *(f"{c:>{w}}" for c, w in zip(columns, widths))]))
    for name, row in zip(names, cells):
        lines.append("  ".join([f"{name:<{width}}", *(f"{v:>{w}}" for v, w in zip(row, widths))]))
    cert = out.certificate
    lines.append(f"certificate: {cert.kind}: {cert.residual:.6g} (tolerance {cert.tolerance:g}) "
                 + ("ok" if cert.ok else "NOT ok"))
    lines.append("timing: " + ", ".join(f"{k} {v:.3f}s" for k, v in record.timing.items()))
    return "\n".join(lines)
