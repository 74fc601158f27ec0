"""Rendering a Result as the terminal text (coloured only on a terminal), with rich: generic
structures only (values, strategies, equilibria, the solver's `facts`, data notes,
compare, the spec's statements, the certificate), never one method's keys. Tables fit the
width; long ones are cut unless `full`. The notebook tables are gamespec.notebook_tables."""
from __future__ import annotations

import os

from gamespec.render.numbers import number
from gamespec.result import Result


def use_color(stream) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def paint(text: str, style: str, color: bool) -> str:
    """`text` in a rich style (`"red bold"`) when `color`, else unchanged."""
    if not color:
        return text
    from gamespec.render.console import render
    from gamespec.render.console import text as line

    return render([line(text, style)], True, width=max(len(text), 1) + 1)


def render_result(result: Result, color: bool = False, *, full: bool = False,
                  width: int | None = None) -> str:
    """The Result as terminal text at `width` columns (default: the terminal's, else 100);
    `full`: every row of every table (else long tables are cut, saying how to see all)."""
    from gamespec.notebook_tables import certificate_line
    from gamespec.render.compare import compare_blocks
    from gamespec.render.console import labelled, render, text
    from gamespec.render.equilibria import distribution_block, equilibrium_block
    from gamespec.render.strategies import strategy_blocks

    out = [labelled("game", result.game, "bold"),
           text(f"method: {result.method}   status: {result.status}")]
    if result.covers:
        out.append(labelled("covers", result.covers))
    if result.extra.get("tree_equilibria") is not None:
        from gamespec.render.tree_lines import tree_equilibrium_block

        out += tree_equilibrium_block(result, full)
    elif result.extra.get("equilibria") is not None:
        out += equilibrium_block(result, result.extra["equilibria"], full)
    elif result.extra.get("distribution") is not None:
        out += distribution_block(result, full)
    else:
        out += strategy_blocks(result.values, result.strategies, full)
    out += [labelled(label, str(fact)) for label, fact in result.extra.get("facts", [])]
    for name, info in result.extra.get("data", {}).items():
        out += [labelled(f"data {name}", note, "yellow") for note in info.get("notes", [])]
    out += compare_blocks(result.compare, full)
    out += statement_blocks(result)
    ok = result.certificate.ok
    label, _, rest = certificate_line(result).partition(": ")
    out.append(labelled(label, rest, "green" if ok else "red bold"))
    if result.timing:
        out.append(labelled("timing", ", ".join(f"{k} {v:.3f}s"
                                                for k, v in result.timing.items()), "dim"))
    return render(out, color, width)


def statement_blocks(result: Result) -> list:
    """The spec's reports, checks (a failing one in red) and claims with their verdicts."""
    from gamespec.render.console import indented, labelled

    out = []
    if result.reports:
        out.append(labelled("reports", _report_values(result.reports)))
        for point, values in result.profile_reports.items():
            out.append(indented(labelled(f"at {point}", _report_values(values))))
    for name, check in result.checks.items():
        verdict = "holds" if check["holds"] else "FAILS"
        out.append(labelled(f"check {name}", f"{verdict} ({_check_points(check)})",
                            "green" if check["holds"] else "red bold"))
    for name, claim in result.claims.items():
        verdict = claim["verdict"]
        shown = {"does not hold": "does NOT hold",
                 "holds where": f"holds only {claim.get('region', 'in part')}"}.get(verdict,
                                                                                  verdict)
        out.append(labelled(f"claim {name}", f"{shown}: {claim['reason']}",
                            "green" if verdict == "holds" else "yellow"))
    return out


def _report_values(values: dict) -> str:
    return ", ".join(f"{k}: {v['error'] if isinstance(v, dict) and 'error' in v else _inline(v)}"
                     for k, v in values.items())


def _check_points(check: dict) -> str:
    """Each point's verdict with its numbers: `solution: 3 >= 0`."""
    parts = []
    for point, entry in check["at"].items():
        if "error" in entry:
            parts.append(f"{point}: {entry['error']}")
        elif "rhs" in entry:
            op = check.get("relation") or "vs"
            parts.append(f"{point}: {_inline(entry['lhs'])} {op} {_inline(entry['rhs'])}"
                         + ("" if entry["holds"] else " fails"))
        else:
            parts.append(f"{point}: {'holds' if entry['holds'] else 'fails'}")
    return "; ".join(parts) or "no solution or profile to check it at"


def _inline(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {number(v)}" for k, v in value.items())
    return number(value)
