"""The `network` statement: its AST nodes and the parse-tree rules that build them.

    network roads with flow x {
      edge s -> a cost x / 100
      edge bridge: a -> b cost 0 if bridge == 1
      demand drivers of 4000 from s to t
    }
"""
from __future__ import annotations

from dataclasses import dataclass

from lark import Token, Transformer, v_args

from gamespec.errors import Span
from gamespec.language import ast

DEFAULT_FLOW_NAME = "flow"


@dataclass(frozen=True)
class NodeRef(ast.Node):
    """A node of the network as written (a name or a number)."""

    name: str


@dataclass(frozen=True)
class EdgeItem(ast.Node):
    label: str | None
    tail: NodeRef
    head: NodeRef
    cost: ast.Expr
    condition: ast.Expr | None = None


@dataclass(frozen=True)
class DemandItem(ast.Node):
    name: str
    amount: ast.Expr
    origin: NodeRef
    destination: NodeRef


@dataclass(frozen=True)
class NetworkStmt(ast.Stmt):
    name: str
    flow: str
    flow_span: Span | None
    edges: tuple[EdgeItem, ...]
    demands: tuple[DemandItem, ...]


def _token_span(path: str, token: Token) -> Span:
    return Span(path, token.line, token.column, token.end_line, token.end_column)


@v_args(meta=True)
class NetworkRules(Transformer):
    """Parse-tree rules of the `network` statement (a base of the parser's transformer,
    which supplies `path` and `_s`)."""

    def network_node(self, meta, children):
        return NodeRef(self._s(meta), str(children[0]))

    def network_edge(self, meta, children):
        label = None
        if isinstance(children[0], Token):
            label, children = str(children[0]), children[1:]
        tail, head, cost = children[:3]
        condition = children[3] if len(children) > 3 else None
        return EdgeItem(self._s(meta), label, tail, head, cost, condition)

    def network_demand(self, meta, children):
        name, amount, origin, destination = children
        return DemandItem(self._s(meta), str(name), amount, origin, destination)

    def network_stmt(self, meta, children):
        name = str(children[0])
        flow, flow_span = DEFAULT_FLOW_NAME, None
        if len(children) > 1 and isinstance(children[1], Token):
            flow, flow_span = str(children[1]), _token_span(self.path, children[1])
        items = [c for c in children[1:] if not isinstance(c, Token)]
        return NetworkStmt(self._s(meta), name, flow, flow_span,
                           tuple(i for i in items if isinstance(i, EdgeItem)),
                           tuple(i for i in items if isinstance(i, DemandItem)))
