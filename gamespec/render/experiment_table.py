"""Text of an experiment record (`gamespec experiment`): statement, data, table, check."""
from __future__ import annotations

from gamespec.experiments.outcome import ExperimentRecord
from gamespec.render.numbers import number


def render_experiment(record: ExperimentRecord, *, width: int | None = None) -> str:
    """The record as terminal text: one table row per entry, the scalar metrics every row
    has as columns (standard errors and row-specific entries are in the JSON only); the
    table fits the width (metric names wrap at their underscores)."""
    from gamespec.render.console import indented, labelled, render, table, text

    out = record.outcome
    data = out.data
    parts = [labelled("game", record.game),
             text(f"experiment: {record.experiment} (plug-in {record.plugin})   status: "
                  f"{record.status}"),
             labelled("computed", out.statement),
             labelled("data", f"{data.get('table', '?')} = {data.get('source', '?')}"
                      + ("   ** STAND-IN **" if data.get("stand_in") else ""))]
    parts += [indented(text(note)) for note in data.get("notes", [])]
    rows = list(out.table.values())
    columns = [key for key, value in (rows[0].items() if rows else ())
               if isinstance(value, (int, float)) and all(key in r for r in rows)]
    cells = [[name, *(number(out.table[name].get(c, "")) for c in columns)]
             for name in out.table]
    parts.append(table(["row", *(c.replace("_", " ") for c in columns)], cells,
                       right=set(range(1, len(columns) + 1)), no_wrap={0}))
    cert = out.certificate
    parts.append(labelled("certificate", f"{cert.kind}: {number(cert.residual)} (tolerance "
                          f"{cert.tolerance:g}) " + ("ok" if cert.ok else "NOT ok")))
    parts.append(labelled("timing", ", ".join(f"{k} {v:.3f}s"
                                              for k, v in record.timing.items())))
    return render(parts, False, width)
