"""Rendering a Result as the terminal table (coloured only on a terminal): generic
structures only (values, strategies, equilibria, the solver's `facts`, data notes,
compare, the spec's statements, the certificate), never one method's keys. The notebook
tables are gamespec.notebook_tables."""
from __future__ import annotations

import os

from gamespec.notebook_tables import certificate_line
from gamespec.result import Result

TOP_ENTRIES = 8
MANY_EQUILIBRIA = 20  # equilibria listed one per line; --json has them all
MANY_AGENTS = 40  # more agents than this: strategies are counted, not listed

_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


def use_color(stream) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def paint(text: str, style: str, color: bool) -> str:
    """`text` in an ANSI style when `color`, else unchanged."""
    if not color:
        return text
    codes = ";".join(_CODES[s] for s in style.split())
    return f"\033[{codes}m{text}\033[0m"


def render_result(result: Result, color: bool = False) -> str:
    lines = [f"game: {paint(result.game, 'bold', color)}",
             f"method: {result.method}   status: {result.status}"]
    if result.covers:
        lines.append(f"covers: {result.covers}")
    equilibria = result.extra.get("equilibria")
    if result.extra.get("tree_equilibria") is not None:
        from gamespec.render.tree_lines import tree_equilibrium_lines

        lines += tree_equilibrium_lines(result)
    elif equilibria is not None:
        lines += equilibrium_lines(result, equilibria)
    elif result.extra.get("distribution") is not None:
        lines += distribution_lines(result)
    else:
        if result.values:
            lines.append("values:")
            for player, value in result.values.items():
                lines.append(f"  {player}: {_num(value)}")
        if result.strategies:
            lines += _strategy_lines(result.strategies)
    lines += fact_lines(result)
    for name, info in result.extra.get("data", {}).items():
        for note in info.get("notes", []):
            lines.append(paint(f"data {name}: {note}", "yellow", color))
    for name, entry in result.compare.items():
        lines.append(f"compare {name}:{_spaced(_summarise(entry))}")
    lines += statement_lines(result, color)
    lines.append(paint(certificate_line(result), "green" if result.certificate.ok else "red bold",
                       color))
    if result.timing:
        lines.append(paint("timing: " + ", ".join(f"{k} {v:.3f}s"
                                                  for k, v in result.timing.items()), "dim", color))
    return "\n".join(lines)


def equilibrium_lines(result: Result, equilibria: list[dict]) -> list[str]:
    """`pure equilibria: N` (pure enumeration) or `equilibria: N (P pure, M mixed)`, then one
    line per equilibrium; mixed strategies show their support, exactly when known."""
    if result.method == "enumerate":
        lines = [f"pure equilibria: {len(equilibria)}"]
    else:
        pure = sum(1 for eq in equilibria if eq.get("pure"))
        lines = [f"equilibria: {len(equilibria)} ({pure} pure, {len(equilibria) - pure} mixed)"]
    for k, eq in enumerate(equilibria[:MANY_EQUILIBRIA], 1):
        exact = eq.get("exact", {})
        profile = ", ".join(f"{p}={_mixed(v, exact.get(p))}" for p, v in eq["profile"].items())
        pay = ", ".join(f"{p}: {_num(v)}" for p, v in eq["payoffs"].items())
        note = f"   labels {', '.join(map(str, eq['labels']))}" if eq.get("labels") else ""
        note += f"   ({eq['role']})" if eq.get("role") and eq["role"] != "optimal" else ""
        lines.append(f"  {k}. ({profile})   payoffs {pay}{note}")
    if len(equilibria) > MANY_EQUILIBRIA:
        lines.append(f"  ... ({len(equilibria) - MANY_EQUILIBRIA} more; --json lists each)")
    return lines


def _mixed(strategy, exact: dict | None) -> str:
    if not isinstance(strategy, dict):  # a number; its exact text beside it when they differ
        return str(strategy) if not isinstance(exact, str) or exact in (
            str(strategy), _num(strategy)) else f"{exact} ({_num(strategy)})"
    shown = [f"{label} {exact[label] if exact and label in exact else _num(p)}"
             for label, p in strategy.items()]
    return "(" + ", ".join(shown) + ")"


def distribution_lines(result: Result) -> list[str]:
    """A correlated equilibrium: the distribution over pure profiles, then the payoffs."""
    rows = result.extra["distribution"]
    lines = [f"{result.extra.get('kind', 'correlated')} equilibrium over {len(rows)} "
             "profiles:"]
    for row in rows[:TOP_ENTRIES]:
        profile = ", ".join(f"{p}={v}" for p, v in row["profile"].items())
        lines.append(f"  {_num(row['probability'])}  ({profile})")
    if len(rows) > TOP_ENTRIES:
        lines.append(f"  ... ({len(rows) - TOP_ENTRIES} more profiles; --json lists each)")
    pay = ", ".join(f"{p}: {_num(v)}" for p, v in result.values.items())
    lines.append(f"expected payoffs: {pay}   welfare {_num(result.extra.get('welfare', 0))}")
    return lines


def _strategy_lines(strategies: dict) -> list[str]:
    """One line per player; for many agents with scalar strategies (a large family), the
    number of agents per strategy instead of thousands of lines."""
    scalar = all(isinstance(v, (str, int, float)) for v in strategies.values())
    if len(strategies) <= MANY_AGENTS or not scalar:
        return ["strategies:"] + [f"  {p}:{_spaced(_summarise(s))}" for p, s in strategies.items()]
    counts: dict[str, int] = {}
    for value in strategies.values():
        counts[_num(value)] = counts.get(_num(value), 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    lines = [f"strategies: {len(strategies):,} agents, by strategy (--json lists each):"]
    lines += [f"  {label}: {n:,} agents" for label, n in ranked[:TOP_ENTRIES]]
    if len(ranked) > TOP_ENTRIES:
        lines.append(f"  ... ({len(ranked) - TOP_ENTRIES} more strategies)")
    return lines


def statement_lines(result: Result, color: bool = False) -> list[str]:
    """The spec's reports, checks (a failing one in red) and claims with their verdicts."""
    lines = []
    if result.reports:
        lines.append("reports: " + _report_values(result.reports))
        for point, values in result.profile_reports.items():
            lines.append(f"  at {point}: " + _report_values(values))
    for name, check in result.checks.items():
        if check["holds"]:
            lines.append(paint(f"check {name}: holds ({_check_points(check)})", "green", color))
        else:
            lines.append(paint(f"check {name}: FAILS ({_check_points(check)})", "red bold",
                               color))
    for name, claim in result.claims.items():
        verdict = claim["verdict"]
        shown = {"does not hold": "does NOT hold",
                 "holds where": f"holds only {claim.get('region', 'in part')}"}.get(verdict,
                                                                                  verdict)
        style = "green" if verdict == "holds" else "yellow"
        lines.append(paint(f"claim {name}: {shown}", style, color) + f": {claim['reason']}")
    return lines


def _report_values(values: dict) -> str:
    return ", ".join(f"{k}: {_inline(v) if not isinstance(v, dict) else v.get('error', v)}"
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


def fact_lines(result: Result) -> list[str]:
    """The solver's facts beside the answer (`Result.extra["facts"]`: label, text)."""
    return [f"{label}: {text}" for label, text in result.extra.get("facts", [])]


def _inline(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_num(v)}" for k, v in value.items())
    return _num(value)


def _num(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _spaced(text: str) -> str:
    """A space before an inline value, none before a value that starts on the next line."""
    return text if text.startswith("\n") else " " + text


def _summarise(value) -> str:
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        rows = list(value.items())  # one distribution per row: `row: {column: p, ...}`
        shown = [f"\n    {k}: {{{_summarise(v)}}}" for k, v in rows[:TOP_ENTRIES]]
        more = f"\n    ... ({len(rows) - TOP_ENTRIES} more rows)" if len(rows) > TOP_ENTRIES else ""
        return "".join(shown) + more
    if isinstance(value, dict):
        items = list(value.items())
        numeric = all(isinstance(v, (int, float)) for _, v in items)
        if numeric and len(items) > TOP_ENTRIES:
            top = sorted(items, key=lambda kv: -abs(kv[1]))[:TOP_ENTRIES]
            rest = len(items) - TOP_ENTRIES
            return ", ".join(f"{k}: {_num(v)}" for k, v in top) + f", ... ({rest} more)"
        return ", ".join(f"{k}: {_num(v)}" for k, v in items)
    return _num(value)
