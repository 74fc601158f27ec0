"""Bulk numeric evaluation of Model expressions with NumPy (no per-element `subs`).

An expression with free index variables evaluates to a *labelled array*: a NumPy array
whose axes are named after index variables (or after players, when a strategy variable
is bound to all of its pure choices). Binary operations align axes by name and broadcast,
aggregates reduce named axes, and indexing gathers along positional axes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy

from gamespec.errors import GamespecError, Span, SpecError
from gamespec.language.symbols import SetAggregate
from gamespec.model import FiniteSet
from gamespec.payoff_table import TableLookup

MAX_ELEMENTS = 400_000_000


@dataclass(frozen=True)
class LArray:
    """An array with named axes; a scalar has no axes."""

    data: np.ndarray
    axes: tuple[str, ...] = ()

    @staticmethod
    def scalar(value) -> LArray:
        return LArray(np.asarray(value), ())

    def aligned(self, axes: tuple[str, ...]) -> np.ndarray:
        """This array transposed/expanded so that its axes follow `axes` (broadcastable)."""
        if self.axes == axes:
            return self.data
        order = [self.axes.index(a) for a in axes if a in self.axes]
        data = np.transpose(self.data, order) if order != list(range(len(order))) else self.data
        shape = []
        present = iter(data.shape)
        for a in axes:
            shape.append(next(present) if a in self.axes else 1)
        return data.reshape(shape) if data.ndim or shape else data


@dataclass(frozen=True)
class Table:
    """A numeric table bound to a name: positional axes indexed by sets, then extra axes."""

    array: np.ndarray
    index_sets: tuple[FiniteSet, ...]
    extra_axes: tuple[str, ...] = ()


@dataclass
class Context:
    """What names mean during one evaluation."""

    scalars: dict[sympy.Symbol, LArray] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    index_sets: dict[sympy.Symbol, FiniteSet] = field(default_factory=dict)
    sets: dict[str, FiniteSet] = field(default_factory=dict)
    elements: dict[str, str] = field(default_factory=dict)  # symbolic element names
    functions: dict[str, object] = field(default_factory=dict)
    lets: dict = field(default_factory=dict)  # name -> LetDef, expanded lazily
    let_cache: dict = field(default_factory=dict)
    span: Span | None = None
    # set name -> multiplicity of each element (axis 0), optionally with named batch axes;
    # aggregates over a weighted set become weighted (see `_weighted_aggregate`)
    weights: dict[str, Table] = field(default_factory=dict)

    def child(self, **updates) -> Context:
        new = Context(**{**self.__dict__})
        for key, value in updates.items():
            setattr(new, key, value)
        return new


def union_axes(*arrays: LArray) -> tuple[str, ...]:
    axes: list[str] = []
    for arr in arrays:
        for a in arr.axes:
            if a not in axes:
                axes.append(a)
    return tuple(axes)


def combine(fn, *arrays: LArray) -> LArray:
    axes = union_axes(*arrays)
    _guard_size(arrays, axes)
    result = fn(*[a.aligned(axes) for a in arrays])
    return LArray(np.asarray(result), axes)


def _guard_size(arrays, axes) -> None:
    sizes: dict[str, int] = {}
    for arr in arrays:
        for name, n in zip(arr.axes, arr.data.shape):
            sizes[name] = max(n, sizes.get(name, 1))
    total = 1
    for a in axes:
        total *= sizes.get(a, 1)
    if total > MAX_ELEMENTS:
        raise SpecError(
            f"evaluating this expression needs {total:,} array elements "
            f"(limit {MAX_ELEMENTS:,}: array_elements)",
            hint="reduce the index sets or split the expression with `let`",
        )
    from gamespec.memory import check_array

    check_array(total, what="evaluating this expression")


def evaluate(expr: sympy.Basic, ctx: Context) -> LArray:
    """Evaluate a Model expression to a labelled array."""
    try:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return _eval(expr, ctx)
    except (TypeError, ValueError, FloatingPointError, OverflowError, ZeroDivisionError) as exc:
        raise SpecError(f"cannot evaluate {sympy.sstr(expr)[:80]}: {exc}", span=ctx.span) from None
    except GamespecError as exc:  # a size refusal: at the expression being evaluated
        exc.located(ctx.span)
        raise


def _eval(expr, ctx: Context) -> LArray:  # noqa: C901 - one dispatch over node types
    if isinstance(expr, sympy.Symbol):  # the commonest nodes first
        return _eval_symbol(expr, ctx)
    if isinstance(expr, sympy.Indexed):
        return _eval_indexed(expr, ctx)
    if isinstance(expr, (sympy.Integer, sympy.Float, sympy.Rational)):
        return LArray.scalar(float(expr))
    if expr is sympy.true or expr is sympy.false:
        return LArray.scalar(bool(expr))
    if expr is sympy.pi or expr is sympy.E:
        return LArray.scalar(float(expr))
    if isinstance(expr, sympy.Add):
        parts = [_eval(a, ctx) for a in expr.args]
        return combine(lambda *xs: _sum_all(xs), *parts)
    if isinstance(expr, sympy.Mul):
        parts = [_eval(a, ctx) for a in expr.args]
        return combine(lambda *xs: _prod_all(xs), *parts)
    if isinstance(expr, sympy.Pow):
        if ctx.weights and expr.exp == -1:  # weighted evaluations: 1/x, 4x faster than pow
            base = _eval(expr.base, ctx)
            return LArray(np.reciprocal(np.asarray(base.data, float)), base.axes)
        base, exponent = _eval(expr.base, ctx), _eval(expr.exp, ctx)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return combine(lambda b, e: np.power(np.asarray(b, float), e), base, exponent)
    if isinstance(expr, SetAggregate):
        return _eval_aggregate(expr, ctx)
    if isinstance(expr, sympy.Piecewise):
        return _eval_piecewise(expr, ctx)
    if isinstance(expr, sympy.ITE):
        return _eval_ite(expr, ctx)
    if isinstance(expr, sympy.Rel):
        return _eval_relational(expr, ctx)
    if isinstance(expr, (sympy.And, sympy.Or, sympy.Not)):
        parts = [_eval(a, ctx) for a in expr.args]
        op = {sympy.And: np.logical_and, sympy.Or: np.logical_or}
        if isinstance(expr, sympy.Not):
            return LArray(np.logical_not(parts[0].data), parts[0].axes)
        fn = op[type(expr)]
        return combine(lambda *xs: _reduce(fn, xs), *parts)
    if isinstance(expr, (sympy.Max, sympy.Min)):
        parts = [_eval(a, ctx) for a in expr.args]
        fn = np.maximum if isinstance(expr, sympy.Max) else np.minimum
        return combine(lambda *xs: _reduce(fn, xs), *parts)
    if isinstance(expr, TableLookup):
        return _eval_table_lookup(expr, ctx)
    if isinstance(expr, sympy.Function):
        return _eval_function(expr, ctx)
    raise SpecError(f"cannot evaluate {type(expr).__name__} numerically", span=ctx.span)


def _sum_all(xs):
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    return total


def _prod_all(xs):
    total = xs[0]
    for x in xs[1:]:
        total = total * x
    return total


def _reduce(fn, xs):
    total = xs[0]
    for x in xs[1:]:
        total = fn(total, x)
    return total


def _eval_symbol(sym: sympy.Symbol, ctx: Context) -> LArray:
    if sym in ctx.scalars:
        return ctx.scalars[sym]
    if sym in ctx.index_sets:
        return LArray(ctx.index_sets[sym].values(), (sym.name,))
    if sym.name in ctx.elements:
        return LArray.scalar(np.array(sym.name, dtype=object))
    if sym.name in ctx.lets:
        return _eval_let(sym.name, (), ctx)
    raise SpecError(f"`{sym.name}` has no numeric value", span=ctx.span,
                    hint="give it a default in the spec or pass --set NAME=VALUE")


def _eval_located(let, ctx: Context) -> LArray:
    """A let's body; a refusal without a place (a size limit) is placed at the let."""
    try:
        return _eval(let.expr, ctx)
    except GamespecError as exc:
        exc.located(getattr(let, "span", None))
        raise


def _eval_let(name: str, index_args, ctx: Context) -> LArray:
    let = ctx.lets[name]
    if not let.variables:
        key = name
        if key not in ctx.let_cache:
            ctx.let_cache[key] = _eval_located(let, ctx)
        return ctx.let_cache[key]
    # an indexed let: evaluate its body over its own index sets once, then gather
    key = name
    if key not in ctx.let_cache:
        inner = ctx.child(index_sets={**ctx.index_sets, **dict(zip(let.variables, let.index_sets))})
        value = _eval_located(let, inner)
        own = tuple(v.name for v in let.variables)
        extra = tuple(a for a in value.axes if a not in own)
        full = LArray(_expand_to(value, own + extra, let.index_sets), own + extra)
        ctx.let_cache[key] = Table(full.aligned(own + extra), tuple(let.index_sets), extra)
    return _gather(ctx.let_cache[key], index_args, ctx)


def _expand_to(value: LArray, axes: tuple[str, ...], sets) -> np.ndarray:
    """Broadcast `value` to carry every axis in `axes` explicitly (own axes from sets)."""
    data = value.aligned(axes)
    shape = list(data.shape)
    for k, s in enumerate(sets):
        shape[k] = len(s)
    return np.broadcast_to(data, shape).copy() if data.shape != tuple(shape) else data


def _eval_indexed(item: sympy.Indexed, ctx: Context) -> LArray:
    name = item.base.label.name
    if name in ctx.tables:
        return _gather(ctx.tables[name], item.indices, ctx)
    if name in ctx.lets:
        return _eval_let(name, item.indices, ctx)
    raise SpecError(f"`{name}` has no numeric value", span=ctx.span)


def _eval_table_lookup(expr: TableLookup, ctx: Context) -> LArray:
    """A payoff table read at the positions of its arguments (one gather)."""

    def scalar(entry) -> float:
        value = _eval(entry, ctx)
        if value.axes:
            raise SpecError(f"a table entry depends on {value.axes[0]}", span=ctx.span)
        return float(value.data)

    table = Table(expr.numeric_array(scalar), expr.sets)
    return _gather(table, expr.args, ctx)


def _gather(table: Table, index_args, ctx: Context) -> LArray:
    """table[i1, i2, ...] where each index is an expression over named axes."""
    if len(index_args) != len(table.index_sets):
        raise SpecError(
            f"expected {len(table.index_sets)} indices, got {len(index_args)}", span=ctx.span
        )
    positions = []
    for arg, target in zip(index_args, table.index_sets):
        positions.append(_positions(arg, target, ctx))
    axes = union_axes(*positions)
    if ctx.weights and _whole_table(index_args, table, ctx):
        # every index runs over its whole set once: a read-only view in the table's own
        # memory layout (batch axes of weighted evaluations stay outermost: long loops)
        view = np.asarray(table.array).view()
        view.flags.writeable = False
        return LArray(view, axes + table.extra_axes)
    shared = [a for a in table.extra_axes if a in axes]
    if shared:
        return _gather_shared(table, positions, shared)
    idx = tuple(p.aligned(axes) for p in positions)
    data = table.array[idx] if idx else table.array
    return LArray(np.asarray(data), axes + table.extra_axes)


def _gather_shared(table: Table, positions: list[LArray], shared: list[str]) -> LArray:
    """A gather whose indices carry a batch axis the table has too (e.g. ``M[b[i], y]``
    with the deviating strategy along ``@deviation`` in both): that axis is one, so the
    table is read along its diagonal rather than crossed with itself."""
    n_pos = len(table.index_sets)
    extra = list(table.extra_axes)
    array = np.asarray(table.array)
    for k, name in enumerate(shared):  # the shared extra axes right after the positions
        array = np.moveaxis(array, n_pos + extra.index(name), n_pos + k)
        extra.remove(name)
        extra.insert(k, name)
    ranges = [LArray(np.arange(array.shape[n_pos + k]), (name,))
              for k, name in enumerate(shared)]
    axes = union_axes(*positions, *ranges)
    idx = tuple(p.aligned(axes) for p in positions + ranges)
    return LArray(np.asarray(array[idx]), axes + tuple(extra[len(shared):]))


def _whole_table(index_args, table: Table, ctx: Context) -> bool:
    """Whether table[index_args] is the whole table: distinct index variables, each
    running over the set of its position."""
    if len(set(index_args)) != len(index_args):
        return False
    for arg, target in zip(index_args, table.index_sets):
        source = ctx.index_sets.get(arg) if isinstance(arg, sympy.Symbol) else None
        if source is None or source.elements != target.elements:
            return False
    return True


def _positions(arg, target: FiniteSet, ctx: Context) -> LArray:
    """Positions in `target` of the values an index expression takes."""
    if isinstance(arg, sympy.Symbol) and arg in ctx.index_sets:
        source = ctx.index_sets[arg]
        if source.elements == target.elements:
            return LArray(np.arange(len(target)), (arg.name,))
    values = _eval(arg, ctx)
    lookup = {e: k for k, e in enumerate(target.elements)}
    flat = values.data.ravel()
    out = np.empty(flat.shape, dtype=np.int64)
    for k, v in enumerate(flat):
        key = v.item() if hasattr(v, "item") else v
        if isinstance(key, float) and key.is_integer() and key not in lookup:
            key = int(key)
        pos = lookup.get(key)
        if pos is None:
            raise SpecError(f"index value {key!r} is not an element of {target.label}",
                            span=ctx.span)
        out[k] = pos
    return LArray(out.reshape(values.data.shape), values.axes)


def _eval_aggregate(agg: SetAggregate, ctx: Context) -> LArray:
    sets = []
    for name in agg.set_names:
        if name not in ctx.sets:
            raise SpecError(f"unknown set `{name}`", span=ctx.span)
        sets.append(ctx.sets[name])
    inner = ctx.child(index_sets={**ctx.index_sets, **dict(zip(agg.variables, sets))})
    own = tuple(v.name for v in agg.variables)
    mask = None
    if agg.condition is not sympy.true:
        mask = _eval(agg.condition, inner)
    if agg.kind == "count":
        body = LArray.scalar(1.0)
    else:
        body = _eval(agg.body, inner)
    weight = _aggregate_weight(agg, ctx)
    if weight is not None:
        sizes = tuple(len(s) for s in sets)
        return _weighted_aggregate(agg.kind, body, mask, weight, own, sizes)
    parts = [body] + ([mask] if mask is not None else [])
    axes = union_axes(*parts)
    axes = own + tuple(a for a in axes if a not in own)
    shape_sets = {v.name: len(s) for v, s in zip(agg.variables, sets)}
    data = np.asarray(body.aligned(axes), dtype=float)
    target = list(np.broadcast_shapes(data.shape, *(p.aligned(axes).shape for p in parts)))
    for k, name in enumerate(own):
        target[k] = shape_sets[name]
    data = np.broadcast_to(data, target)
    keep = None
    if mask is not None:
        keep = np.broadcast_to(np.asarray(mask.aligned(axes), dtype=bool), target)
    red = tuple(range(len(own)))
    kind = agg.kind
    if kind == "count" and keep is not None:  # the mask's own sum: no float copy of it
        result = np.sum(keep, axis=red, dtype=float)
    elif kind in ("sum", "count"):
        result = np.sum(np.where(keep, data, 0.0) if keep is not None else data, axis=red)
    elif kind == "prod":
        result = np.prod(np.where(keep, data, 1.0) if keep is not None else data, axis=red)
    elif kind == "mean":
        total = np.sum(np.where(keep, data, 0.0) if keep is not None else data, axis=red)
        count = np.sum(keep, axis=red) if keep is not None else np.prod([target[k] for k in red])
        with np.errstate(invalid="ignore", divide="ignore"):
            result = total / count
    elif kind in ("max", "min"):
        fill = -np.inf if kind == "max" else np.inf
        values = np.where(keep, data, fill) if keep is not None else data
        result = np.max(values, axis=red) if kind == "max" else np.min(values, axis=red)
    else:  # pragma: no cover - the grammar admits no other kind
        raise SpecError(f"unknown aggregate {kind}", span=ctx.span)
    return LArray(np.asarray(result), axes[len(own):])


def _aggregate_weight(agg: SetAggregate, ctx: Context) -> LArray | None:
    """The product of the weights of the aggregate's weighted sets (None if it has none).

    A weight table's first axis runs over its set's elements and is named here after the
    aggregate's variable; its extra axes (e.g. a batch of scenarios) are kept.
    """
    if not ctx.weights:
        return None
    parts = []
    for var, name in zip(agg.variables, agg.set_names):
        table = ctx.weights.get(name)
        if table is not None:
            parts.append(LArray(np.asarray(table.array, dtype=float),
                                (var.name,) + table.extra_axes))
    if not parts:
        return None
    return combine(lambda *xs: _prod_all(xs), *parts)


def _weighted_aggregate(kind: str, body: LArray, mask: LArray | None, weight: LArray,
                        own: tuple[str, ...], sizes: tuple[int, ...]) -> LArray:
    """An aggregate over sets whose elements carry multiplicities `weight` (>= 0).

    Equals the plain aggregate over the multiset in which each element appears `weight`
    times: sum and count are weighted sums, mean the weighted mean, prod a product of
    powers, and max/min run over the elements with positive weight only (so elements of
    weight 0 may hold any value, even inf or nan). The result's axes put the weights'
    batch axes first.
    """
    batch = tuple(a for a in weight.axes if a not in own)
    parts = [body, weight] + ([mask] if mask is not None else [])
    rest = batch + tuple(a for a in union_axes(*parts) if a not in own and a not in batch)
    axes = own + rest
    _guard_size(parts, axes)
    if kind in ("sum", "count", "mean") and mask is None and _finite(body) and _finite(weight):
        return _weighted_sum_fast(kind, body, weight, own, sizes, rest)
    shape = list(np.broadcast_shapes(*(p.aligned(axes).shape for p in parts)))
    shape[:len(own)] = sizes
    w = np.broadcast_to(weight.aligned(axes), shape)
    live = w > 0
    if mask is not None:
        live = live & np.broadcast_to(np.asarray(mask.aligned(axes), dtype=bool), shape)
    data = np.broadcast_to(np.asarray(body.aligned(axes), dtype=float), shape)
    red = tuple(range(len(own)))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if kind in ("sum", "count"):
            result = np.sum(np.where(live, data, 0.0) * w, axis=red)
        elif kind == "mean":
            result = (np.sum(np.where(live, data, 0.0) * w, axis=red)
                      / np.sum(np.where(live, w, 0.0), axis=red))
        elif kind == "prod":
            result = np.prod(np.power(np.where(live, data, 1.0), np.where(live, w, 0.0)),
                             axis=red)
        elif kind in ("max", "min"):
            fill = -np.inf if kind == "max" else np.inf
            values = np.where(live, data, fill)
            result = np.max(values, axis=red) if kind == "max" else np.min(values, axis=red)
        else:  # pragma: no cover - the grammar admits no other kind
            raise SpecError(f"unknown aggregate {kind}")
    return LArray(np.asarray(result), rest)


def _finite(arr: LArray) -> bool:
    return bool(np.isfinite(np.asarray(arr.data, dtype=float)).all())


def _weighted_sum_fast(kind: str, body: LArray, weight: LArray, own: tuple[str, ...],
                       sizes: tuple[int, ...], rest: tuple[str, ...]) -> LArray:
    """Weighted sum/count/mean as one tensor contraction (finite body and weights, no
    filter: a weight of 0 then contributes exactly 0). Own axes that neither operand
    carries contribute their set's size as a factor."""
    label = {a: k for k, a in enumerate(own + rest)}
    out = [label[a] for a in rest]
    size = dict(zip(own, sizes))

    def spread(present: tuple[str, ...]) -> float:
        return float(np.prod([size[a] for a in own if a not in present]))

    w = np.asarray(weight.data, dtype=float)
    w_labels = [label[a] for a in weight.axes]
    product = any(a not in weight.axes for a in body.axes)  # BLAS pays off only then
    total = np.einsum(np.asarray(body.data, dtype=float), [label[a] for a in body.axes],
                      w, w_labels, out, optimize=product) * spread(body.axes + weight.axes)
    if kind == "mean":
        kept = tuple(a for a in rest if a in weight.axes)
        count = np.einsum(w, w_labels, [label[a] for a in kept])
        count = LArray(count * spread(weight.axes), kept).aligned(rest)
        with np.errstate(invalid="ignore", divide="ignore"):
            total = total / count
    return LArray(np.asarray(total), rest)


def _eval_piecewise(expr: sympy.Piecewise, ctx: Context) -> LArray:
    values = [_eval(e, ctx) for e, _ in expr.args]
    conds = [_eval(c, ctx) for _, c in expr.args]
    return _choose(values, conds)


def _eval_ite(expr: sympy.ITE, ctx: Context) -> LArray:
    """`if c then A else B` over set elements (SymPy writes it as ITE, not Piecewise)."""
    cond, then, otherwise = expr.args
    return _choose([_eval(then, ctx), _eval(otherwise, ctx)],
                   [_eval(cond, ctx), LArray.scalar(True)])


def _choose(values: list[LArray], conds: list[LArray]) -> LArray:
    """The first value whose condition holds, elementwise (the last condition is `True`);
    numbers stay floats, set elements stay labels."""
    everything = values + conds
    axes = union_axes(*everything)
    _guard_size(everything, axes)
    shape = np.broadcast_shapes(*(a.aligned(axes).shape for a in everything))
    kind = object if any(np.asarray(v.data).dtype == object for v in values) else float
    result = np.broadcast_to(np.asarray(values[-1].aligned(axes), dtype=kind), shape).copy()
    for value, cond in reversed(list(zip(values[:-1], conds[:-1]))):
        c = np.broadcast_to(np.asarray(cond.aligned(axes), dtype=bool), shape)
        v = np.broadcast_to(np.asarray(value.aligned(axes), dtype=kind), shape)
        result = np.where(c, v, result)
    return LArray(result, axes)


_REL = {
    sympy.Eq: np.equal, sympy.Ne: np.not_equal, sympy.Lt: np.less, sympy.Le: np.less_equal,
    sympy.Gt: np.greater, sympy.Ge: np.greater_equal,
}


def _eval_relational(expr, ctx: Context) -> LArray:
    left, right = _eval(expr.lhs, ctx), _eval(expr.rhs, ctx)
    fn = _REL[type(expr)]
    return combine(lambda a, b: fn(a, b), left, right)


def _eval_function(expr, ctx: Context) -> LArray:
    name = type(expr).__name__
    args = [_eval(a, ctx) for a in expr.args]
    numpy_fn = {
        "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "Abs": np.abs, "floor": np.floor,
        "ceiling": np.ceil, "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
        "sign": np.sign,
    }.get(name)
    if numpy_fn is not None:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if name == "log" and len(args) == 2:
                return combine(lambda x, b: np.log(x) / np.log(b), *args)
            return LArray(numpy_fn(np.asarray(args[0].data, float)), args[0].axes)
    if name in ctx.functions:
        try:
            return ctx.functions[name](ctx, expr, args)
        except SpecError as exc:  # a library function's complaint, placed where it is known
            raise exc.located(ctx.span) from None
    raise SpecError(f"function `{name}` cannot be evaluated numerically here", span=ctx.span)
