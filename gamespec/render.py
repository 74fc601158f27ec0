"""Terminal rendering of a Result: per-player values and strategies, certificate, timing."""
from __future__ import annotations

from gamespec.result import Result

TOP_ENTRIES = 8


def render_result(result: Result) -> str:
    lines = [f"game: {result.game}", f"method: {result.method}   status: {result.status}"]
    equilibria = result.extra.get("equilibria")
    if equilibria is not None:
        lines.append(f"pure equilibria: {len(equilibria)}")
        for k, eq in enumerate(equilibria, 1):
            profile = ", ".join(f"{p}={v}" for p, v in eq["profile"].items())
            pay = ", ".join(f"{p}: {_num(v)}" for p, v in eq["payoffs"].items())
            lines.append(f"  {k}. ({profile})   payoffs {pay}")
    else:
        if result.values:
            lines.append("values:")
            for player, value in result.values.items():
                lines.append(f"  {player}: {_num(value)}")
        if result.strategies:
            lines.append("strategies:")
            for player, strategy in result.strategies.items():
                lines.append(f"  {player}: {_summarise(strategy)}")
    for name, info in result.extra.get("data", {}).items():
        for note in info.get("notes", []):
            lines.append(f"data {name}: {note}")
    for name, entry in result.compare.items():
        lines.append(f"compare {name}: {_summarise(entry)}")
    c = result.certificate
    lines.append(f"certificate: {c.kind}: {_num(c.residual)} "
                 f"(tolerance {c.tolerance:g}) {'ok' if c.ok else 'NOT OK'}")
    if result.timing:
        lines.append("timing: " + ", ".join(f"{k} {v:.3f}s" for k, v in result.timing.items()))
    return "\n".join(lines)


def _num(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _summarise(value) -> str:
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        rows = list(value.items())
        shown = [f"\n    {k}: {_summarise(v)}" for k, v in rows[:TOP_ENTRIES]]
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
