"""Typed options: each method (and each experiment plug-in) declares the options it reads,
with type, range, default and a one-line doc. `validate_options` checks a merged option dict
against them and returns the values every solver then reads (defaults filled in), so a typo
or a value out of range is a located error before anything runs, and `gamespec info` can
list them.
"""
from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gamespec.errors import Span, SpecError

KINDS = {"int": "a whole number", "float": "a number", "str": "a string", "bool": "true or false",
         "data": "the name of a data table (data NAME = ...)"}


@dataclass(frozen=True)
class TableRef:
    """The value of a "data" option: a data table named by its bare name."""

    name: str


@dataclass(frozen=True)
class SolverOption:
    """One option: `kind` is "int", "float", "str", "bool" or "data" (a TableRef); `low`/`high`
    bound numbers (`low_open`: the bound itself is excluded); `choices` lists the strings
    allowed; a `required` option has no default."""

    name: str
    kind: str
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[str, ...] = ()
    required: bool = False

    def describe(self) -> str:
        """`name (type, range, default): doc` in one line, as `gamespec info` prints it."""
        shape = KINDS[self.kind] if not self.choices else " | ".join(f'"{c}"' for c in self.choices)
        if self.low is not None or self.high is not None:
            low = "" if self.low is None else f"{'>' if self.low_open else '>='} {_num(self.low)}"
            high = "" if self.high is None else f"<= {_num(self.high)}"
            shape += ", " + ", ".join(p for p in (low, high) if p)
        default = "required" if self.required else \
            "none" if self.default is None else _show(self.default)
        return f"{self.name} ({shape}; default {default}): {self.doc}"

    def as_dict(self) -> dict:
        return {"name": self.name, "type": self.kind, "default": self.default, "doc": self.doc,
                "low": self.low, "high": self.high, "low_open": self.low_open,
                "choices": list(self.choices), "required": self.required}

    def check(self, value: Any, span: Span | None, where: str) -> Any:
        """The value converted to this option's type, or a located SpecError."""
        if value is None:
            return None
        wanted = KINDS[self.kind] if not self.choices else \
            "one of " + ", ".join(f'"{c}"' for c in self.choices)
        problem = f"{where} `{self.name}` must be {wanted}, not {_show(value)}"
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, (int, float)) and value in (0, 1):
                return bool(value)
            raise SpecError(problem, span=span)
        if self.kind == "data":
            if not isinstance(value, TableRef):
                raise SpecError(problem, span=span, hint=f"write {self.name} = TABLE, with "
                                "TABLE declared by a `data` statement")
            return value.name
        if self.kind == "str":
            if not isinstance(value, str) or not value:
                raise SpecError(problem, span=span, hint=None if self.choices else
                                f'write {self.name} = "..."')
            if self.choices and value not in self.choices:
                close = difflib.get_close_matches(value, self.choices, n=1)
                raise SpecError(problem, span=span,
                                hint=f'did you mean "{close[0]}"?' if close else None)
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(problem, span=span)
        if not math.isfinite(float(value)):
            raise SpecError(f"{where} `{self.name}` must be a finite number, not {value}",
                            span=span)
        if self.kind == "int":
            if float(value) != int(value):
                raise SpecError(problem, span=span)
            value = int(value)
        else:
            value = float(value)
        below = self.low is not None and (value < self.low or (self.low_open and value == self.low))
        above = self.high is not None and value > self.high
        if (below or above) and self.low is not None and self.high is not None:
            interval = f"{'(' if self.low_open else '['}{_num(self.low)}, {_num(self.high)}]"
            raise SpecError(f"{where} `{self.name}` must lie in {interval}, not {_show(value)}",
                            span=span)
        if below:
            bound = f"> {_num(self.low)}" if self.low_open else f">= {_num(self.low)}"
            raise SpecError(f"{where} `{self.name}` must be {bound}, not {_show(value)}",
                            span=span)
        if above:
            raise SpecError(f"{where} `{self.name}` must be <= {_num(self.high)}, "
                            f"not {_show(value)}", span=span)
        return value


def validate_options(declared: tuple[SolverOption, ...], given: Mapping[str, Any],
                     method: str, spans: Mapping[str, Span] | None = None,
                     where: str = "solve option", owner: str = "method",
                     span_key: str = "solve option {}", span: Span | None = None,
                     ) -> dict[str, Any]:
    """Every declared option with its checked value (the default where not given; options
    whose value is None are left out, so a solver's `options.get(name)` is None); an option
    the `owner` (a method, an experiment plug-in) does not declare, or a required one left
    out, is a located error with a hint. `spans[span_key.format(name)]` locates an option's
    value; `span` (the statement) is the fallback."""
    spans = spans or {}
    by_name = {o.name: o for o in declared}

    def located(name: str) -> Span | None:
        return spans.get(span_key.format(name), span)

    for name in given:
        if name not in by_name:
            close = difflib.get_close_matches(name, list(by_name), n=1)
            known = ", ".join(by_name) or "none"
            hint = (f"did you mean `{close[0]}`? " if close else "") + \
                f"options of `{method}`: {known} (`gamespec info FILE` describes them)"
            raise SpecError(f"{where} `{name}` is not an option of {owner} `{method}`",
                            span=located(name), hint=hint)
    for option in declared:
        if option.required and option.name not in given:
            raise SpecError(f"{owner} `{method}` needs the option `{option.name}`", span=span,
                            hint=option.describe())
    checked = {o.name: o.check(given[o.name], located(o.name), where)
               if o.name in given else o.default for o in declared}
    return {name: value for name, value in checked.items() if value is not None}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _num(value)
    return repr(value)


# Run settings every method takes (the Plan sets them from --seed, --time-limit, a terminal).
SEED = SolverOption("seed", "int", 0, "the seed of every random choice (random starts, "
                    "Monte Carlo checks)", low=0)
TIME_LIMIT = SolverOption("time_limit", "float", None, "stop after this many seconds "
                          "(exit 3, nothing certified)", low=0, low_open=True)
PROGRESS = SolverOption("progress", "bool", False, "progress lines on stderr (set by the "
                        "command line on a terminal)")
FIGURES = SolverOption("figures", "bool", False, "also return the samples the plots draw "
                       "(Result extra `figures`; set by `gamespec plot` and `solve --plot`)")
RUN_SETTINGS = (SEED, TIME_LIMIT, PROGRESS, FIGURES)
