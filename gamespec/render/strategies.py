"""Values and strategies as tables: one row per player; a series (numbers keyed by time or
position) as a table in time order; a conditional distribution (a channel) as one row per
condition. Long tables are cut to their first and last rows unless `full`."""
from __future__ import annotations

from gamespec.render.console import indented, table, text
from gamespec.render.numbers import is_number, number, numeric_key

MANY_ROWS = 12  # longer tables show HEAD first rows and TAIL last rows
HEAD, TAIL = 8, 2
MANY_ENTRIES = 8  # a distribution shown inline keeps its largest entries
MANY_AGENTS = 40  # more agents than this: strategies are counted, not listed
MORE = "--full shows all"


def cut(rows: list[list[str]], full: bool) -> tuple[list[list[str]], int]:
    """The rows shown (a `...` row where rows are left out) and how many were left out."""
    if full or len(rows) <= MANY_ROWS:
        return rows, 0
    gap = ["..."] * len(rows[0])
    return rows[:HEAD] + [gap] + rows[-TAIL:], len(rows) - HEAD - TAIL


def hidden_note(hidden: int, total: int, noun: str = "rows"):
    return indented(text(f"({hidden} of {total} {noun} not shown; {MORE})", "dim"))


def inline(value, exact=None, full: bool = False) -> str:
    """A value on one line: a number, a label, `label p, ...` for a distribution (its
    largest MANY_ENTRIES entries unless `full`; `10 (p), ...` when a label is a number, so
    that it does not read as a mixed number), `key: value` for labels."""
    if isinstance(value, dict):
        items = list(value.items())
        exact = exact if isinstance(exact, dict) else {}
        if all(is_number(v) for _, v in items):
            more = ""
            if not full and len(items) > MANY_ENTRIES:
                more = f", ... ({len(items) - MANY_ENTRIES} more; {MORE})"
                items = sorted(items, key=lambda kv: -abs(kv[1]))[:MANY_ENTRIES]
            if any(numeric_key(k) is not None for k, _ in items):  # `10 (7/16)`, not `10 7/16`
                return ", ".join(f"{k} ({number(v, exact.get(k))})" for k, v in items) + more
            return ", ".join(f"{k} {number(v, exact.get(k))}" for k, v in items) + more
        return ", ".join(f"{k}: {inline(v, exact.get(k), full)}" for k, v in items)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(inline(v, None, full) for v in value) + "]"
    return number(value, exact if isinstance(exact, str) else None)


def series_of(value) -> list[tuple[float, str, object]] | None:
    """A series: (sort key, shown key, value) in order, or None when `value` is not one
    (numbers keyed by numbers, or a list of numbers; lists are numbered from 1)."""
    if isinstance(value, (list, tuple)) and len(value) > 1 and all(map(is_number, value)):
        return [(k, str(k), v) for k, v in enumerate(value, 1)]
    if isinstance(value, dict) and len(value) > 1 and all(map(is_number, value.values())):
        keys = [numeric_key(k) for k in value]
        if all(k is not None for k in keys):
            return sorted(zip(keys, map(str, value), value.values()), key=lambda t: t[0])
    return None


def is_channel(value) -> bool:
    """One distribution (or mapping) per condition: `{condition: {outcome: p}}`."""
    return isinstance(value, dict) and bool(value) and all(
        isinstance(v, dict) for v in value.values())


def strategy_blocks(values: dict, strategies: dict, full: bool) -> list:
    """The `values:` / `strategies:` sections."""
    out = []
    if len(strategies) > MANY_AGENTS and all(isinstance(v, (str, int, float))
                                             for v in strategies.values()):
        if values:
            out += _value_table(values, {}, full)
        return out + _agent_counts(strategies, full)
    plain = {p: s for p, s in strategies.items()
             if series_of(s) is None and not is_channel(s)}
    if values or plain:
        out += _value_table(values, plain, full)
    series = {p: s for p, s in strategies.items() if series_of(s) is not None}
    if series:
        out += series_blocks(series, full)
    for player, channel in strategies.items():
        if is_channel(channel):
            out += channel_block(player, channel, full)
    return out


def _value_table(values: dict, plain: dict, full: bool) -> list:
    """`values:` then one row per player: value and (when simple) strategy."""
    names = list(dict.fromkeys([*values, *plain]))
    if not plain:
        rows = [[str(p), number(values[p])] for p in names]
        shown, hidden = cut(rows, full)
        block = [text("values:"), indented(table(["player", "value"], shown, right={1}))]
        return block + ([hidden_note(hidden, len(rows))] if hidden else [])
    rows = [[str(p), number(values[p]) if p in values else "",
             inline(plain[p], None, full) if p in plain else ""] for p in names]
    shown, hidden = cut(rows, full)
    title = "values and strategies:" if values else "strategies:"
    block = [text(title), indented(table(["player", "value", "strategy"], shown, right={1}))]
    return block + ([hidden_note(hidden, len(rows))] if hidden else [])


def series_blocks(series: dict, full: bool) -> list:
    """Series with the same keys share one table, in key (time) order."""
    groups: dict[tuple, list[str]] = {}
    for name, value in series.items():
        groups.setdefault(tuple(k for _, k, _ in series_of(value)), []).append(name)
    out = []
    for keys, names in groups.items():
        columns = {n: [number(v) for _, _, v in series_of(series[n])] for n in names}
        listed = isinstance(series[names[0]], (list, tuple))
        rows = [[key, *(columns[n][i] for n in names)] for i, key in enumerate(keys)]
        shown, hidden = cut(rows, full)
        out.append(text(f"series {', '.join(names)} ({len(keys)} points"
                        + (", numbered from 1):" if listed else ", in order of t):")))
        out.append(indented(table(["#" if listed else "t", *names], shown,
                                  right=set(range(len(names) + 1)))))
        if hidden:
            out.append(hidden_note(hidden, len(rows)))
    return out


def channel_block(player: str, channel: dict, full: bool) -> list:
    """`player` (conditional): one row per condition (numeric conditions in order), its
    distribution inline."""
    items = list(channel.items())
    if all(numeric_key(k) is not None for k, _ in items):
        items.sort(key=lambda kv: numeric_key(kv[0]))
    rows = [[str(k), inline(v, None, full)] for k, v in items]
    shown, hidden = cut(rows, full)
    out = [text(f"strategy of {player} ({len(rows)} rows, one distribution per row):"),
           indented(table(["given", "distribution"], shown, no_wrap={0}))]
    return out + ([hidden_note(hidden, len(rows))] if hidden else [])


def _agent_counts(strategies: dict, full: bool) -> list:
    counts: dict[str, int] = {}
    for value in strategies.values():
        counts[number(value)] = counts.get(number(value), 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    rows = [[label, f"{n:,}"] for label, n in ranked]
    shown, hidden = cut(rows, full)
    out = [text(f"strategies: {len(strategies):,} agents, by strategy (--json lists each):"),
           indented(table(["strategy", "agents"], shown, right={1}))]
    return out + ([hidden_note(hidden, len(rows), "strategies")] if hidden else [])
