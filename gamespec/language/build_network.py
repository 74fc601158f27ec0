"""ModelBuilder part: the `network` statement -> gamespec.network_model.Network.

Costs are SymPy expressions built by the one expression builder, with the flow name bound
as a variable; `if` conditions and demands are evaluated at the spec's parameters now.
"""
from __future__ import annotations

import difflib
from fractions import Fraction

import sympy

from gamespec.errors import SpecError
from gamespec.language.expressions import Scope
from gamespec.language.network_syntax import DEFAULT_FLOW_NAME, NetworkStmt
from gamespec.network_model import Demand, Network, NetworkEdge


def build_network(builder) -> Network | None:
    """The spec's network (at most one), or None; every mistake is a located SpecError."""
    stmts = builder._stmts(NetworkStmt)
    if not stmts:
        return None
    if len(stmts) > 1:
        raise SpecError("a spec declares at most one network", span=stmts[1].span,
                        hint="put every edge and demand in one `network` block")
    stmt = stmts[0]
    if builder.players:
        first = next(iter(builder.players.values()))
        raise SpecError("a spec with a network declares no players: the travellers are the "
                        "network's `demand`s", span=first.span,
                        hint="write `demand NAME of AMOUNT from ORIGIN to DESTINATION` "
                             "inside the network")
    if stmt.flow in builder.kinds:
        hint = (f"name the flow otherwise: network {stmt.name} with flow x {{ ... }}"
                if stmt.flow == DEFAULT_FLOW_NAME else "choose another name for the flow")
        raise SpecError(f"the flow name `{stmt.flow}` is already declared as a "
                        f"{builder.kinds[stmt.flow]}", span=stmt.flow_span or stmt.span,
                        hint=hint)
    if not stmt.edges:
        raise SpecError(f"network `{stmt.name}` has no edges", span=stmt.span)
    if not stmt.demands:
        raise SpecError(f"network `{stmt.name}` has no demand", span=stmt.span,
                        hint="add `demand NAME of AMOUNT from ORIGIN to DESTINATION`")
    flow = sympy.Symbol(stmt.flow, nonnegative=True)
    scope = Scope().with_binders([(flow, None)])
    names = _edge_names(stmt)
    edges, dropped = [], []
    for item, name in zip(stmt.edges, names):
        cost = builder.builder.build(item.cost, scope)
        if not isinstance(cost, sympy.Expr):
            raise SpecError("an edge's cost is a number, not a condition", span=item.cost.span)
        if item.condition is not None and not _holds(builder, item.condition):
            dropped.append(name)
            continue
        edges.append(NetworkEdge(name, item.tail.name, item.head.name, cost, item.span,
                                 item.cost.span))
    nodes = tuple(dict.fromkeys(n for i in stmt.edges for n in (i.tail.name, i.head.name)))
    demands = []
    for item in stmt.demands:
        if item.name in {d.name for d in demands}:
            raise SpecError(f"two demands are called `{item.name}`", span=item.span)
        for ref in (item.origin, item.destination):
            if ref.name not in nodes:
                close = difflib.get_close_matches(ref.name, nodes, n=1)
                raise SpecError(f"unknown node `{ref.name}`: no edge of network "
                                f"`{stmt.name}` starts or ends there", span=ref.span,
                                hint=f"did you mean `{close[0]}`?" if close else
                                "nodes: " + ", ".join(nodes[:20]))
        if item.origin.name == item.destination.name:
            raise SpecError("a demand's origin and destination are the same node",
                            span=item.destination.span)
        demands.append(_demand(builder, item))
    return Network(stmt.name, flow, nodes, tuple(edges), tuple(demands), tuple(dropped),
                   stmt.span)


def _edge_names(stmt: NetworkStmt) -> list[str]:
    """Labels as written; unlabelled edges tail->head, numbered when parallel."""
    pairs = [(e.tail.name, e.head.name) for e in stmt.edges if e.label is None]
    names, seen = [], {}
    for item in stmt.edges:
        if item.label is not None:
            name = item.label
        else:
            pair = (item.tail.name, item.head.name)
            name = f"{pair[0]}->{pair[1]}"
            if pairs.count(pair) > 1:
                seen[pair] = seen.get(pair, 0) + 1
                name += f"#{seen[pair]}"
        if name in names:
            raise SpecError(f"two edges are called `{name}`", span=item.span,
                            hint="give each edge its own label: edge NAME: a -> b cost ...")
        names.append(name)
    return names


def _holds(builder, condition) -> bool:
    relation = builder.builder.build(condition)
    if isinstance(relation, sympy.Expr) or not isinstance(relation, sympy.logic.boolalg.Boolean):
        raise SpecError("an edge's `if` takes a condition, e.g. `if bridge == 1`",
                        span=condition.span)
    value = builder.numeric_scalar(sympy.Piecewise((1, relation), (0, True)), condition.span)
    return value == 1


def _demand(builder, item) -> Demand:
    expr = builder.builder.build(item.amount)
    amount = builder.numeric_scalar(expr, item.amount.span)
    if not amount > 0:
        raise SpecError(f"a demand is a positive amount, not {amount:g}", span=item.amount.span)
    exact = expr if isinstance(expr, sympy.Rational) else sympy.Rational(
        *Fraction(repr(amount)).as_integer_ratio())
    return Demand(item.name, amount, exact, item.origin.name, item.destination.name,
                  item.span)
