"""The Result's `compare` entries as tables: one column per compared entry (`name[1]`,
`name[2]` ... share a table headed `compare name:`), one row per metric; a nested mapping
gives one row per key (`constraint_lhs.quality`)."""
from __future__ import annotations

import re

from gamespec.render.console import indented, table, text
from gamespec.render.strategies import cut, hidden_note, inline

COLUMNS = 6  # entries per table; more entries continue in another table
_INDEXED = re.compile(r"(.+)\[([^\[\]]+)\]")


def compare_blocks(compare: dict, full: bool) -> list:
    groups: dict[str, dict[str, object]] = {}
    for name, entry in compare.items():
        match = _INDEXED.fullmatch(str(name))
        base, label = (match.group(1), match.group(2)) if match else ("", str(name))
        groups.setdefault(base, {})[label] = entry
    out = []
    for base, entries in groups.items():
        labels = list(entries)
        flat = {label: dict(_flatten(entries[label])) for label in labels}
        metrics = list(dict.fromkeys(m for label in labels for m in flat[label]))
        for start in range(0, len(labels), COLUMNS):
            chunk = labels[start:start + COLUMNS]
            title = f"compare {base}" if base else "compare"
            if len(labels) > COLUMNS:
                title += f" ({chunk[0]} to {chunk[-1]} of {len(labels)})"
            rows = [[metric, *(flat[label].get(metric, "") for label in chunk)]
                    for metric in metrics]
            shown, hidden = cut(rows, full)
            headers = ["metric", *((f"[{c}]" for c in chunk) if base else chunk)]
            out += [text(title + ":"),
                    indented(table(headers, shown, right=set(range(1, len(chunk) + 1))))]
            if hidden:
                out.append(hidden_note(hidden, len(rows), "metrics"))
    return out


def _flatten(entry, prefix: str = ""):
    """(metric, shown value) pairs; nested mappings of numbers give dotted metric names."""
    if not isinstance(entry, dict):
        yield prefix or "value", inline(entry)
        return
    for key, value in entry.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            yield from _flatten(value, name)
        else:
            yield name, inline(value)
