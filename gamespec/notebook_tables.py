"""The Markdown and HTML tables a notebook shows for a Result (`Result._repr_markdown_`,
`_repr_html_`), the long table of `to_dataframe`/`to_csv` (`tidy_rows`, from
gamespec.tidy_table), and the pieces of text every renderer shares (numbers, the
certificate line). Reads only a Result's generic fields; imports neither gamespec.result nor the
renderers, so that the Result can call it and gamespec/render/ depends on the Result
one way."""
from __future__ import annotations

import html
from typing import Any

from gamespec.tidy_table import tidy_columns, tidy_rows  # noqa: F401  (the long table)

CELL_CHARS = 70  # a strategy summary in a notebook table is cut here


def format_number(value: Any) -> str:
    """A float to 6 significant digits; anything else as str."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def certificate_line(result) -> str:
    c = result.certificate
    return (f"certificate: {c.kind}: {format_number(c.residual)} "
            f"(tolerance {c.tolerance:g}) {'ok' if c.ok else 'NOT OK'}")


def result_rows(result) -> list[tuple[str, str, str, str]]:
    """(equilibrium, player, value, strategy summary) per row, for the notebook tables:
    one row per player, or per player and equilibrium when the result lists several."""
    equilibria = result.extra.get("equilibria")
    if equilibria is not None:
        return [(str(k), player, format_number(eq["payoffs"].get(player, "")), str(label))
                for k, eq in enumerate(equilibria, 1)
                for player, label in eq["profile"].items()]
    players = list(dict.fromkeys([*result.values, *result.strategies]))
    return [("", p, format_number(result.values[p]) if p in result.values else "",
             _short(result.strategies[p]) if p in result.strategies else "") for p in players]


def render_markdown(result) -> str:
    rows = result_rows(result)
    many = result.extra.get("equilibria") is not None
    head = f"**{_md(result.game)}** — method `{result.method}`, status `{result.status}`"
    lines = [head, ""]
    if rows:
        lines.append("| equilibrium | player | value | strategy |" if many
                     else "| player | value | strategy |")
        lines.append("|---|---|---|---|" if many else "|---|---|---|")
        for eq, player, value, strategy in rows:
            cells = ([eq] if many else []) + [player, value, strategy]
            lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    elif many:
        lines.append("no pure equilibrium")
    lines += ["", ("✅ " if result.certificate.ok else "❌ ") + _md(certificate_line(result))]
    return "\n".join(lines)


def render_html(result) -> str:
    rows = result_rows(result)
    many = result.extra.get("equilibria") is not None
    e = html.escape
    parts = [f"<div><p><b>{e(result.game)}</b> &mdash; method <code>{e(result.method)}</code>, "
             f"status <code>{e(result.status)}</code></p>"]
    if rows:
        head = (["equilibrium"] if many else []) + ["player", "value", "strategy"]
        parts.append("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head)
                     + "</tr></thead><tbody>")
        for eq, player, value, strategy in rows:
            cells = ([eq] if many else []) + [player, value, strategy]
            parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table>")
    elif many:
        parts.append("<p>no pure equilibrium</p>")
    colour = "green" if result.certificate.ok else "red"
    parts.append(f'<p style="color:{colour}">{e(certificate_line(result))}</p></div>')
    return "".join(parts)


def _md(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _short(value) -> str:
    """A one-line summary of a strategy, cut to CELL_CHARS."""
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        rows = list(value.items())
        text = "; ".join(f"{k} → {_inline(v)}" for k, v in rows[:3])
        text = f"{len(rows)} rows: {text}" + ("; ..." if len(rows) > 3 else "")
    elif isinstance(value, list):
        head = ", ".join(format_number(v) for v in value[:4])
        text = f"[{head}{', ...' if len(value) > 4 else ''}] ({len(value)} values)"
    else:
        text = _inline(value)
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS - 3] + "..."


def _inline(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {format_number(v)}" for k, v in value.items())
    return format_number(value)
