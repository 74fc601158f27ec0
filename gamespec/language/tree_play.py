"""Playing a resolved `tree` block out into a GameTree.

Every play is followed item by item: a move or chance item makes a node with one child per
move (the rest of the program is played on in each child), a payoff adds to the play, an
`if` picks the items that follow, `end` or the end of the block makes a leaf.

Information sets. A mover at a move item knows which item it is at; with `sees` it knows
the values of the variables listed there, and everything it saw and chose before (perfect
recall); without `sees` it knows the whole play so far (a node of its own). `at "label"`
puts every node of that player with that label into one set.

Values: payoffs and chance probabilities keep the scalar parameters as symbols (so that
`derive` can reason about them); conditions of `if` are decided with the parameters'
values. Expressions are evaluated once per distinct assignment of the tree variables
they mention.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
import sympy

from gamespec.errors import GamespecError, Span, SpecError
from gamespec.evaluate import LArray, evaluate
from gamespec.game_tree import CHANCE, DECISION, TERMINAL, GameTree, InformationSet, Node
from gamespec.language.symbols import element_expr
from gamespec.language.tree_items import (
    RChance,
    RFor,
    RIf,
    RLoopStep,
    RMove,
    RPayoff,
    RTrack,
    TreeEndItem,
)
from gamespec.lowering import INF, NAN, NEG_INF, as_sympy, bind, fold, model_context
from gamespec.model import Model

MAX_TREE_NODES = 200_000  # nodes of a game tree (limit "tree_nodes")


@dataclass(frozen=True)
class _State:
    bindings: tuple[tuple[sympy.Symbol, object], ...]  # tree variable -> element, in order
    history: tuple[tuple[str, str], ...]  # (variable or mover, move label)
    knowledge: tuple[tuple[str, tuple], ...]  # player -> what it knows, in order
    payoff: tuple[sympy.Expr, ...]
    paid: bool = False
    rounds: tuple[tuple[sympy.Symbol, object], ...] = ()  # enclosing loops' elements

    def name(self, var: str) -> str:
        """How a variable is named in histories: v, or v[2] inside a loop's round 2."""
        if not self.rounds:
            return var
        return f"{var}[{', '.join(move_label(e) for _, e in self.rounds)}]"

    def known(self, player: str) -> tuple:
        return dict(self.knowledge).get(player, ())

    def learn(self, player: str, facts: tuple) -> _State:
        knowledge = dict(self.knowledge)
        knowledge[player] = facts
        return replace(self, knowledge=tuple(knowledge.items()))


def play_tree(model: Model, items: tuple, players: tuple[str, ...], span: Span) -> GameTree:
    """The GameTree of a resolved `tree` block."""
    player = _TreePlayer(model, players, span)
    player.tree_symbols = set(_symbols(items))
    return player.build(items)


def _symbols(items):
    """The symbols of every variable a move or chance item of `items` binds."""
    for item in items:
        if isinstance(item, RIf):
            yield from _symbols(item.then)
            yield from _symbols(item.otherwise)
        elif isinstance(item, (RMove, RChance)):
            if item.symbol is not None:
                yield item.symbol
            for branch in item.branches:
                yield from _symbols(branch[2])
        elif isinstance(item, RFor):
            yield item.symbol
            yield from _symbols(item.items)
        elif isinstance(item, RTrack):
            yield item.symbol


def move_label(value) -> str:
    """A move's label: a set element as written (2.0 as 2)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _TreePlayer:
    def __init__(self, model: Model, players: tuple[str, ...], span: Span) -> None:
        self.model = model
        self.players = players
        self.span = span
        self.param_symbols = [p.symbol for p in model.params.values() if not p.index_sets]
        self.param_values = {s: sympy.Float(v) for s, v in model.scalar_values().items()}
        self.nodes: list[dict] = []
        self.infosets: list[dict] = []
        self.infoset_keys: dict[tuple, int] = {}
        self.cache: dict[tuple, sympy.Basic] = {}
        self.expanded: dict[int, tuple] = {}  # id(expr) -> (expr, *_facts(expr))
        self.param_set = set(self.param_symbols)
        self.context = model_context(model)
        self.tree_symbols: set = set()
        self.seen_used: dict[int, tuple] = {}  # id(move) -> (move, the `sees` names bound)

    def build(self, items: tuple) -> GameTree:
        zero = tuple(sympy.Integer(0) for _ in self.players)
        self._run(((items, 0),), _State((), (), (), zero), None)
        for item, used in self.seen_used.values():
            never = [name for name in item.sees if name not in used]
            if never:
                raise SpecError(f"`{never[0]}` after `sees` is never chosen before this move",
                                span=item.span, hint="a mover can only see moves made before")
        nodes = tuple(Node(**n) for n in self.nodes)
        infosets = tuple(InformationSet(h["player"], h["label"], h["moves"], tuple(h["nodes"]),
                                        h["span"]) for h in self.infosets)
        tree = GameTree(self.players, nodes, infosets, self.span)
        _check_recall(tree)
        return tree

    # ------------------------------------------------------------ evaluation
    def value(self, expr, state: _State, span: Span) -> sympy.Basic:
        """`expr` at this play: tree variables replaced, parameters kept as symbols."""
        bound = dict(state.bindings)
        mentioned, _, _ = self._facts(expr)
        missing = [s.name for s in mentioned if s not in bound]
        if missing:
            raise SpecError(f"`{missing[0]}` has no value on this play "
                            f"({_describe(state.history)})", span=span,
                            hint="a move's variable can be used only after the move, on "
                            "plays that make it")
        return self._cached(expr, bound, span)

    def _cached(self, expr, bound: dict, span: Span) -> sympy.Basic:
        """`expr` at `bound`, once per distinct value of the variables it mentions; a sum or
        product is taken term by term (each term depends on fewer variables)."""
        mentioned, _, _ = self._facts(expr)
        key = (id(expr), tuple(bound[s] for s in mentioned))
        if key not in self.cache:
            if isinstance(expr, (sympy.Add, sympy.Mul)) and len(mentioned) > 1:
                parts = [self._cached(arg, bound, span) for arg in expr.args]
                self.cache[key] = expr.func(*parts)
            else:
                self.cache[key] = self._evaluate(expr, {s: bound[s] for s in mentioned}, span)
        return self.cache[key]

    def _facts(self, expr) -> tuple:
        """(the tree variables `expr` mentions, `expr` with lets expanded, whether a scalar
        parameter is left in it), worked out once per expression."""
        facts = self.expanded.get(id(expr))
        if facts is None or facts[0] is not expr:
            mentioned = sorted((s for s in expr.free_symbols if s in self.tree_symbols),
                               key=lambda s: s.name)
            expanded = self.model.expand_lets(expr)
            facts = self.expanded[id(expr)] = (expr, tuple(mentioned), expanded,
                                                bool(expanded.free_symbols & self.param_set))
        return facts[1:]

    def _evaluate(self, expr, bound: dict, span: Span) -> sympy.Basic:
        """`expr` with the tree variables at `bound`: by the array evaluator when no scalar
        parameter is left to keep symbolic (fast), else folded with SymPy."""
        _, expanded, symbolic = self._facts(expr)
        if not symbolic:
            ctx = self.context.child(scalars={**self.context.scalars, **{
                s: LArray.scalar(_array_value(v)) for s, v in bound.items()}})
            try:
                with np.errstate(all="ignore"):
                    return _exact(as_sympy(evaluate(expanded, ctx).data))
            except GamespecError as exc:
                raise exc.located(span) from None
        mapping = {s: v if isinstance(v, sympy.Basic) else element_expr(v)
                   for s, v in bound.items()}
        return fold(self.model, bind(expr, mapping), (), self.param_symbols, span=span)

    def _payoff(self, expr, state: _State, span: Span) -> sympy.Expr:
        """A payoff value: a finite number, or an expression in the parameters."""
        value = self.value(expr, state, span)
        if isinstance(value, sympy.Basic):
            if value.has(NAN, INF, NEG_INF, sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
                raise SpecError(f"this payoff is not a finite number on the play "
                                f"({_describe(state.history)}): a division by zero?", span=span)
            stray = value.free_symbols - self.param_set
            if stray:
                name = sorted(s.name for s in stray)[0]
                raise SpecError(f"this payoff is `{name}` on the play ({_describe(state.history)}),"
                                " not a number", span=span,
                                hint="a move is a name; write a number for it, e.g. "
                                "`if x == L then 1 else 0`")
        return value

    def number(self, expr, state: _State, span: Span) -> sympy.Expr:
        """`expr` at this play with the parameters' values: a tracked number."""
        value = self.value(expr, state, span)
        value = value.xreplace(self.param_values) if isinstance(value, sympy.Basic) else value
        if not getattr(value, "is_number", False):
            raise SpecError(f"a tracked value must be a number on every play; here "
                            f"({_describe(state.history)}) it is {value}", span=span,
                            hint="give its parameters values")
        as_float = float(value)
        if as_float.is_integer():
            return sympy.Integer(int(as_float))
        return value

    def decide(self, condition, state: _State, span: Span) -> bool:
        value = self.value(condition, state, span)
        if isinstance(value, sympy.Basic):
            value = value.xreplace(self.param_values)
        if value in (True, sympy.true):
            return True
        if value in (False, sympy.false):
            return False
        raise SpecError(f"this condition is not decided on the play "
                        f"({_describe(state.history)}): {value}", span=span,
                        hint="give its parameters values")

    # ------------------------------------------------------------ the play
    def _run(self, frames: tuple, state: _State, parent: int | None) -> int:
        while True:
            item, frames = _next_item(frames)
            if item is None or isinstance(item, TreeEndItem):
                return self._leaf(state, parent, item)
            if isinstance(item, RPayoff):
                added = tuple(self._payoff(v, state, item.span) for v in item.values)
                state = replace(state, payoff=tuple(a + b for a, b in zip(state.payoff, added)),
                                paid=True)
            elif isinstance(item, RIf):
                body = item.then if self.decide(item.condition, state, item.span) \
                    else item.otherwise
                frames = frames + ((body, 0),)
            elif isinstance(item, RFor):
                frames = frames + (((RLoopStep(item.symbol, None, item.span),), 0),)
                for element in reversed(item.domain.elements):
                    frames = frames + (((RLoopStep(item.symbol, element, item.span),)
                                        + item.items, 0),)
            elif isinstance(item, RLoopStep):
                state = self._step(state, item)
            elif isinstance(item, RTrack):
                value = self.number(item.value, state, item.span)
                state = replace(state, bindings=_rebind(state.bindings, item.symbol, value))
            elif isinstance(item, RChance):
                return self._chance(item, frames, state, parent)
            else:
                return self._move(item, frames, state, parent)

    def _new_node(self, parent: int | None, state: _State, span: Span, **fields) -> int:
        if len(self.nodes) >= MAX_TREE_NODES:
            raise SpecError(f"the game tree has more than {MAX_TREE_NODES:,} nodes",
                            span=self.span, hint="use --limit tree_nodes=N to allow more")
        self.nodes.append(dict(parent=parent, history=state.history, span=span, **fields))
        return len(self.nodes) - 1

    def _leaf(self, state: _State, parent: int | None, item) -> int:
        if not state.paid:
            span = item.span if item is not None else self.span
            raise SpecError(f"the play ({_describe(state.history)}) ends without a payoff",
                            span=span, hint="add `payoff (...)` on the way to its end")
        return self._new_node(parent, state, getattr(item, "span", self.span), kind=TERMINAL,
                              payoffs=state.payoff)

    def _outcomes(self, item, state: _State) -> list[tuple[str, object, tuple]]:
        """(label, bound value or None, body) per move of a move or chance item."""
        if item.branches:
            return [(move, move, body) for move, _, body, _ in item.branches]
        return [(move_label(e), e, ()) for e in item.domain.elements]

    def _chance(self, item: RChance, frames, state: _State, parent) -> int:
        index = self._new_node(parent, state, item.span, kind=CHANCE)
        moves, probs, children = [], [], []
        outcomes = self._outcomes(item, state)
        for k, (label, value, body) in enumerate(outcomes):
            child_state = self._bound(state, item.symbol, value, item.var or "chance", label)
            if item.branches:
                prob = self.value(item.branches[k][1], state, item.branches[k][3])
            else:
                prob = self.value(item.probability, child_state, item.span)
            if item.var is not None and prob == 0:
                continue
            moves.append(label)
            probs.append(prob)
            children.append(self._run(frames + ((body, 0),), child_state, index))
        _check_probabilities(probs, self.param_values, item.span, state.history)
        self.nodes[index].update(moves=tuple(moves), probabilities=tuple(probs),
                                 children=tuple(children))
        return index

    def _move(self, item: RMove, frames, state: _State, parent) -> int:
        index = self._new_node(parent, state, item.span, kind=DECISION, player=item.player)
        outcomes = self._outcomes(item, state)
        moves = tuple(label for label, _, _ in outcomes)
        if item.sees is None:
            facts = state.history
            key = ("node", index)
        else:
            seen = {symbol.name: value for symbol, value in state.bindings}
            new = tuple((state.name(name), move_label(seen[name]))
                        for name in item.sees if name in seen)
            self.seen_used.setdefault(id(item), (item, set()))[1].update(
                name for name in item.sees if name in seen)
            facts = _merge(state.known(item.player), new)
            key = ("seen", item.player, id(item), state.rounds, facts)
        if item.label is not None:
            key = ("at", item.player, item.label)
        what = state.name(item.var) if item.var else f"{item.player}'s move"
        label = item.label or (what + (" | " + _describe(facts) if facts else ""))
        h = self._infoset(key, item, moves, label)
        self.infosets[h]["nodes"].append(index)
        own = state.name(item.var or f"#{item.span.line}:{item.span.column}")
        children = []
        for move, value, body in outcomes:
            child_state = self._bound(state, item.symbol, value, item.var or item.player, move)
            child_state = child_state.learn(item.player, _merge(facts, ((own, move),)))
            children.append(self._run(frames + ((body, 0),), child_state, index))
        self.nodes[index].update(moves=moves, infoset=h, children=tuple(children))
        return index

    def _infoset(self, key: tuple, item: RMove, moves: tuple, label: str) -> int:
        h = self.infoset_keys.get(key)
        if h is None:
            h = self.infoset_keys[key] = len(self.infosets)
            self.infosets.append(dict(player=item.player, label=label, moves=moves, nodes=[],
                                      span=item.span))
        elif self.infosets[h]["moves"] != moves:
            raise SpecError(f"information set \"{label}\" of {item.player}: this node has "
                            f"moves {', '.join(moves)}, another has "
                            f"{', '.join(self.infosets[h]['moves'])}", span=item.span,
                            hint="nodes a player cannot tell apart must offer the same moves")
        return h

    def _bound(self, state: _State, symbol, value, who: str, label: str) -> _State:
        bindings = state.bindings
        if symbol is not None:
            bindings = _rebind(bindings, symbol, value)
        return replace(state, bindings=bindings,
                       history=state.history + ((state.name(who), label),))

    def _step(self, state: _State, step: RLoopStep) -> _State:
        """Enter a round of a loop (bind its variable) or leave the loop."""
        rounds = tuple(r for r in state.rounds if r[0] != step.symbol)
        if step.element is None:
            bindings = tuple(b for b in state.bindings if b[0] != step.symbol)
            return replace(state, rounds=rounds, bindings=bindings)
        return replace(state, rounds=rounds + ((step.symbol, step.element),),
                       bindings=_rebind(state.bindings, step.symbol, step.element))


def _exact(value):
    """A float from the array evaluator as the rational it is the nearest double to, when
    that has a small denominator (1/6 stays 1/6), as finite games read their payoffs."""
    if isinstance(value, sympy.Float):
        fraction = Fraction(float(value)).limit_denominator(10**6)
        if float(fraction) == float(value):
            return sympy.Rational(fraction.numerator, fraction.denominator)
    return value


def _array_value(value):
    """A bound value as the array evaluator holds it: a name as an object, a number as a
    float."""
    if isinstance(value, str):
        return np.asarray(value, dtype=object)
    return float(value)


def _rebind(bindings: tuple, symbol, value) -> tuple:
    """The bindings with `symbol` holding `value` (its latest value replaces any other)."""
    name = symbol.name
    return tuple(b for b in bindings if b[0].name != name) + ((symbol, value),)


def _next_item(frames: tuple):
    """The next item to play and the frames after it (finished blocks popped)."""
    while frames:
        items, position = frames[-1]
        if position < len(items):
            return items[position], frames[:-1] + ((items, position + 1),)
        frames = frames[:-1]
    return None, ()


def _merge(facts: tuple, new: tuple) -> tuple:
    """What a player knows, plus new facts (a value seen again unchanged adds nothing)."""
    for name, value in new:
        if dict(facts).get(name) != value:
            facts = facts + ((name, value),)
    return facts


def _describe(history: tuple) -> str:
    if not history:
        return "at the start"
    return ", ".join(f"{who}={move}" if not who.startswith("#") else move
                     for who, move in history)


def _check_probabilities(probs: list, values: dict, span: Span, history: tuple) -> None:
    where = _describe(history)
    numbers = []
    for p in probs:
        number = p.xreplace(values) if isinstance(p, sympy.Basic) else p
        if not getattr(number, "is_number", False):
            total = sympy.simplify(sum(probs) - 1)
            if total != 0:
                raise SpecError(f"chance probabilities ({where}) must sum to 1 for every "
                                f"parameter value; their sum minus 1 is {total}", span=span)
            return
        if number < 0 or number > 1:
            raise SpecError(f"chance probability {number} ({where}) is not in [0, 1]",
                            span=span)
        numbers.append(number)
    if not numbers:
        raise SpecError(f"chance has no move with positive probability ({where})", span=span)
    total = sum(numbers)
    if abs(float(total) - 1) > 1e-9:
        raise SpecError(f"chance probabilities ({where}) sum to {float(total):g}, not 1",
                        span=span, hint="each chance node's probabilities must add up to 1")


def _check_recall(tree: GameTree) -> None:
    """Nodes that `at "label"` puts in one information set must share the mover's own past
    (perfect recall); other sets have it by construction."""
    for info in tree.infosets:
        if len(info.nodes) < 2:
            continue
        first = tree.own_history(info.nodes[0], info.player)
        for node in info.nodes[1:]:
            if tree.own_history(node, info.player) != first:
                raise SpecError(f"information set \"{info.label}\" of {info.player} joins "
                                "nodes the player reaches by different moves of its own: it "
                                "would forget what it did (no perfect recall)", span=info.span,
                                hint="give those nodes different `at` labels")
