"""The Model's congestion network: edges with a cost in their flow, and demands."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from gamespec.errors import Span


@dataclass(frozen=True)
class NetworkEdge:
    """A directed edge; `cost` is a SymPy expression in the network's flow symbol (and the
    spec's parameters). `name` is its label, or tail->head (numbered when parallel)."""

    name: str
    tail: str
    head: str
    cost: sympy.Expr
    span: Span = field(compare=False, repr=False)
    cost_span: Span = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Demand:
    """A non-atomic population of mass `amount` travelling from origin to destination;
    `exact` is the amount as a SymPy number (exact when the spec's numbers are)."""

    name: str
    amount: float
    exact: sympy.Expr
    origin: str
    destination: str
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True)
class Network:
    """network NAME with flow x { edge ... demand ... }: `dropped` names the edges whose
    `if` condition is false at the spec's parameters (left out of the graph)."""

    name: str
    flow: sympy.Symbol
    nodes: tuple[str, ...]
    edges: tuple[NetworkEdge, ...]
    demands: tuple[Demand, ...]
    dropped: tuple[str, ...] = ()
    span: Span = field(default=None, compare=False, repr=False)

    def describe(self) -> dict:
        """The stable summary (golden tests, `info --json`)."""
        return {"name": self.name, "flow": str(self.flow), "nodes": list(self.nodes),
                "edges": {e.name: f"{e.tail} -> {e.head}: {sympy.sstr(e.cost)}"
                          for e in self.edges},
                "demands": {d.name: f"{d.amount:g} from {d.origin} to {d.destination}"
                            for d in self.demands},
                "dropped": list(self.dropped)}
