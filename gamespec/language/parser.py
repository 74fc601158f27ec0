"""Spec text -> Lark parse tree -> AST (frozen dataclasses with source spans)."""
from __future__ import annotations

from functools import lru_cache

from lark import Lark, Token, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from gamespec.errors import GamespecError, Span, SpecError
from gamespec.language import ast
from gamespec.language.network_syntax import NetworkRules
from gamespec.language.table_rows import split_plain_table, with_rows

MAX_SPEC_BYTES = 2_000_000
MAX_NESTING = 64
MAX_TREE_DEPTH = 200  # operator chains (a + b + ..., - - x, not not c) also nest

_TOKEN_NAMES = {
    "NAME": "a name", "NUMBER": "a number", "PERCENT": "a percentage", "STRING": "a string",
    "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'", "LBRACE": "'{'",
    "RBRACE": "'}'", "COMMA": "','", "COLON": "':'", "EQUAL": "'='", "COMP_OP": "a comparison",
    "PLUS": "'+'", "MINUS": "'-'", "STAR": "'*'", "SLASH": "'/'", "POW": "'^'",
    "$END": "the end of the file", "AGGREGATE": "an aggregate (sum, max, ...)",
}
_STATEMENT_KEYWORDS = (
    "game param set data let player players population payoff common zero_sum table order "
    "profile report check claim select repeated dynamics update solve experiment network"
).split()


@lru_cache(maxsize=1)
def grammar_parser() -> Lark:
    """The one LALR parser of the packaged grammar, from the tables shipped beside it
    (gamespec.language.parser_tables: JSON, never a pickle or a temp-folder cache)."""
    from gamespec.language.parser_tables import grammar_text, load_parser

    return load_parser(grammar_text())


def parse(source: str, path: str = "<spec>") -> ast.Spec:
    """Parse spec text into an AST; every failure is a located SpecError."""
    _check_size(source, path)
    plain = split_plain_table(source)  # a large table's rows, read without Lark
    try:
        tree = grammar_parser().parse(plain.source if plain else source)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, source, path) from None
    _check_depth(tree, path)
    try:
        statements = _ToAst(path).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, GamespecError):
            raise exc.orig_exc from None
        if isinstance(exc.orig_exc, RecursionError):
            raise SpecError("the spec is nested too deeply", span=Span(path, 1, 1)) from None
        raise
    except RecursionError:
        raise SpecError("the spec is nested too deeply", span=Span(path, 1, 1)) from None
    spec = ast.Spec(Span(path, 1, 1), path, source, tuple(statements))
    return with_rows(spec, plain, path, _Key) if plain else spec


def _check_size(source: str, path: str) -> None:
    if len(source.encode("utf-8", "replace")) > MAX_SPEC_BYTES:
        raise SpecError(f"spec is larger than {MAX_SPEC_BYTES:,} bytes", span=Span(path, 1, 1))
    depth, line, col = 0, 1, 0
    for ch in source:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
        elif ch in "([{":
            depth += 1
            if depth > MAX_NESTING:
                raise SpecError(
                    f"brackets nested more than {MAX_NESTING} deep",
                    span=Span(path, line, col),
                    hint="split the expression with `let` definitions",
                )
        elif ch in ")]}":
            depth = max(0, depth - 1)


def _check_depth(tree: Tree, path: str) -> None:
    """Refuse parse trees deeper than MAX_TREE_DEPTH (found without recursion); the error
    points at the start of the outermost part of the statement holding the deep nesting."""
    stack = [(tree, 1, None)]
    while stack:
        node, depth, anchor = stack.pop()
        anchor = node if depth == 3 else anchor
        if depth > MAX_TREE_DEPTH:
            raise SpecError(
                f"expression nested more than {MAX_TREE_DEPTH} levels deep",
                span=_span(path, (anchor or node).meta),
                hint="split the expression with `let` definitions",
            )
        stack.extend((child, depth + 1, anchor) for child in node.children
                     if isinstance(child, Tree))


def _syntax_error(exc: UnexpectedInput, source: str, path: str) -> SpecError:
    line, column = getattr(exc, "line", 1) or 1, getattr(exc, "column", 1) or 1
    at_end = getattr(getattr(exc, "token", None), "type", None) == "$END"
    if isinstance(exc, UnexpectedEOF) or at_end or line < 1:
        lines = source.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    span = Span(path, line, column, line, column + 1)
    if isinstance(exc, UnexpectedCharacters):
        char = source[exc.pos_in_stream] if exc.pos_in_stream < len(source) else "?"
        hint = "strings use double quotes" if char == "'" else None
        return SpecError(f"unexpected character {char!r}", span=span, hint=hint)
    token = getattr(exc, "token", None)
    expected = sorted(getattr(exc, "expected", None) or getattr(exc, "accepts", None) or [])
    found = "the end of the file" if token is None or token.type == "$END" else repr(str(token))
    if token is not None and token.type != "$END":
        span = Span(path, token.line, token.column, token.end_line, token.end_column)
    wanted = [_TOKEN_NAMES.get(t, t.lower().strip('"')) for t in expected]
    keywords = [w for w in wanted if w in _STATEMENT_KEYWORDS]
    if len(keywords) > 5:
        summary = "a statement (game, param, set, player, payoff, order, ...)"
        others = [w for w in wanted if w not in _STATEMENT_KEYWORDS]
        wanted = [summary, *others]
    hint = None
    if token is not None and str(token) in ("=",) and "':'" in wanted:
        hint = "a named constraint is written `subject to NAME: lhs <= rhs`"
    elif token is not None and token.type == "NAME" and "over" in wanted:
        hint = "a mixed strategy is written `mixed f over SET`"
    return SpecError(
        f"unexpected {found}; expected {', '.join(wanted[:8])}", span=span, hint=hint
    )


def _span(path: str, meta_or_token) -> Span:
    line = getattr(meta_or_token, "line", 1)
    column = getattr(meta_or_token, "column", 1)
    return Span(
        path,
        line,
        column,
        getattr(meta_or_token, "end_line", None),
        getattr(meta_or_token, "end_column", None),
    )


def _number_node(path: str, token: Token) -> ast.Num:
    text = str(token)
    if token.type == "PERCENT":
        return ast.Num(_span(path, token), text[:-1], percent=True)
    return ast.Num(_span(path, token), text)


@v_args(meta=True)
class _ToAst(NetworkRules):
    """Builds AST nodes from the parse tree, keeping positions."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def _s(self, meta) -> Span:
        return _span(self.path, meta)

    # ---------------------------------------------------------------- expressions
    def number(self, meta, children):
        return _number_node(self.path, children[0])

    def percent(self, meta, children):
        return _number_node(self.path, children[0])

    def signed_number(self, meta, children):
        num = children[-1]
        if len(children) == 1:
            return num
        return ast.Num(self._s(meta), "-" + num.text, num.percent)

    def name(self, meta, children):
        return ast.Name(self._s(meta), str(children[0]))

    def primed(self, meta, children):
        text = str(children[0])
        base = text.rstrip("'")
        return ast.Primed(self._s(meta), base, len(text) - len(base))

    def indexed(self, meta, children):
        return ast.Indexed(self._s(meta), str(children[0]), tuple(children[1:]))

    def column(self, meta, children):
        return ast.Column(self._s(meta), str(children[0]), str(children[1]))

    def column_indexed(self, meta, children):
        return ast.Column(self._s(meta), str(children[0]), str(children[1]), tuple(children[2:]))

    def call(self, meta, children):
        return ast.Call(self._s(meta), str(children[0]), tuple(children[1:]))

    def aggregate(self, meta, children):
        kind = str(children[0])
        binders = tuple(c for c in children[1:] if isinstance(c, ast.Binder))
        rest = [c for c in children[1:] if not isinstance(c, ast.Binder)]
        body = rest[-1]
        condition = rest[0] if len(rest) == 2 else None
        return ast.Aggregate(self._s(meta), kind, binders, condition, body)

    def aggregate_call(self, meta, children):
        return ast.Call(self._s(meta), str(children[0]), tuple(children[1:]))

    def count(self, meta, children):
        binders = tuple(c for c in children[1:] if isinstance(c, ast.Binder))
        condition = children[-1]
        return ast.Aggregate(self._s(meta), "count", binders, condition, None)

    def indicator(self, meta, children):
        return ast.Indicator(self._s(meta), children[0])

    def _binop(op):  # noqa: N805 - a small factory used at class creation
        def build(self, meta, children):
            return ast.BinOp(self._s(meta), op, children[0], children[-1])

        return build

    add = _binop("+")
    sub = _binop("-")
    mul = _binop("*")
    div = _binop("/")

    def pow(self, meta, children):
        return ast.BinOp(self._s(meta), "^", children[0], children[-1])

    def neg(self, meta, children):
        return ast.Neg(self._s(meta), children[0])

    def comparison(self, meta, children):
        return ast.Compare(self._s(meta), str(children[1]), children[0], children[2])

    def or_expr(self, meta, children):
        return ast.Logic(self._s(meta), "or", children[0], children[-1])

    def and_expr(self, meta, children):
        return ast.Logic(self._s(meta), "and", children[0], children[-1])

    def not_op(self, meta, children):
        return ast.Not(self._s(meta), children[0])

    def if_expr(self, meta, children):
        return ast.IfElse(self._s(meta), *children)

    # ---------------------------------------------------------------- sets
    def binder(self, meta, children):
        return ast.Binder(self._s(meta), str(children[0]), children[1])

    def index_binders(self, meta, children):
        return tuple(children)

    def set_ref(self, meta, children):
        return ast.SetRef(self._s(meta), str(children[0]))

    def set_column(self, meta, children):
        return ast.SetColumn(self._s(meta), str(children[0]), str(children[1]))

    def set_literal(self, meta, children):
        return ast.SetLiteral(self._s(meta), tuple(children))

    def element_name(self, meta, children):
        return str(children[0])

    def element_number(self, meta, children):
        return children[0]

    def range_expr(self, meta, children):
        return ast.RangeSet(self._s(meta), children[0], children[1])

    def interval(self, meta, children):
        return ast.Interval(self._s(meta), children[0], children[1])

    def scaled_set(self, meta, children):
        return ast.ScaledSet(self._s(meta), children[0], "*", children[1])

    def divided_set(self, meta, children):
        return ast.ScaledSet(self._s(meta), children[0], "/", children[1])

    # ---------------------------------------------------------------- statements
    def start(self, meta, children):
        return children

    def game_stmt(self, meta, children):
        return ast.GameStmt(self._s(meta), str(children[0])[1:-1])

    def param_stmt(self, meta, children):
        name = str(children[0])
        binders, value, guard = (), None, None
        for child in children[1:]:
            if isinstance(child, tuple):
                binders = child
            elif isinstance(child, Tree) and child.data == "range_guard":
                guard = child.children[0]
            else:
                value = child
        return ast.ParamStmt(self._s(meta), name, binders, value, guard)

    def range_guard(self, meta, children):
        return Tree("range_guard", children)

    def set_stmt(self, meta, children):
        return ast.SetStmt(self._s(meta), str(children[0]), children[1])

    def data_stmt(self, meta, children):
        return ast.DataStmt(self._s(meta), str(children[0]), str(children[1]), tuple(children[2:]))

    def data_pos_string(self, meta, children):
        return ast.DataArg(self._s(meta), None, str(children[0])[1:-1])

    def data_pos_expr(self, meta, children):
        return ast.DataArg(self._s(meta), None, children[0])

    def data_kw(self, meta, children):
        return ast.DataArg(self._s(meta), str(children[0]), children[1])

    def data_value_string(self, meta, children):
        return str(children[0])[1:-1]

    def data_value_names(self, meta, children):
        return tuple(str(c) for c in children)

    def data_value_expr(self, meta, children):
        return children[0]

    def let_stmt(self, meta, children):
        binders = children[1] if len(children) == 3 else ()
        return ast.LetStmt(self._s(meta), str(children[0]), binders, children[-1])

    def _items(self, children):
        return tuple(c for c in children if isinstance(c, ast.Node))

    def player_stmt(self, meta, children):
        return ast.PlayerStmt(self._s(meta), str(children[0]), "single", self._items(children[1:]))

    def players_stmt(self, meta, children):
        index = str(children[0])
        binder = ast.Binder(self._s(meta), index, children[1])
        items = self._items(children[2:])
        return ast.PlayerStmt(self._s(meta), index, "family", items, family=binder)

    def named_players_stmt(self, meta, children):
        items = self._items(children[2:])
        return ast.PlayerStmt(self._s(meta), str(children[0]), "family", items, family=children[1])

    def population_stmt(self, meta, children):
        return ast.PlayerStmt(
            self._s(meta), str(children[0]), "population", self._items(children[2:]),
            population_size=children[1],
        )

    def choose_item(self, meta, children):
        binders = children[1] if len(children) == 3 else ()
        return ast.ChooseItem(self._s(meta), str(children[0]), binders, children[-1])

    def mixed_item(self, meta, children):
        binders = children[1] if len(children) == 3 else ()
        return ast.MixedItem(self._s(meta), str(children[0]), binders, children[-1])

    def constraint_item(self, meta, children):
        name, binders = None, ()
        for child in children[:-1]:
            if isinstance(child, Token):
                name = str(child)
            elif isinstance(child, tuple):
                binders = child
        return ast.ConstraintItem(self._s(meta), name, binders, children[-1])

    def types_item(self, meta, children):
        return ast.TypesItem(self._s(meta), str(children[0]), children[1], children[2])

    def field_item(self, meta, children):
        return ast.FieldItem(self._s(meta), str(children[0]), children[1])

    def payoff_stmt(self, meta, children):
        binders = children[1] if len(children) == 3 else ()
        return ast.PayoffStmt(self._s(meta), str(children[0]), binders, children[-1])

    def common_stmt(self, meta, children):
        return ast.CommonPayoffStmt(self._s(meta), children[0])

    def zero_sum_stmt(self, meta, children):
        return ast.ZeroSumStmt(self._s(meta))

    def table_stmt(self, meta, children):
        return ast.TableStmt(self._s(meta), tuple(children))

    def table_row(self, meta, children):
        return ast.TableRow(self._s(meta), children[0], tuple(children[1:]))

    def table_keys(self, meta, children):
        return tuple(children)

    def key_name(self, meta, children):
        return _Key(str(children[0]))

    def key_number(self, meta, children):
        return children[0]

    # ---------------------------------------------------------------- game trees
    def tree_for(self, meta, children):
        return ast.TreeFor(self._s(meta), str(children[0]), children[1], children[2])

    def tree_track(self, meta, children):
        return ast.TreeTrack(self._s(meta), str(children[0]), children[1])

    def tree_stmt(self, meta, children):
        return ast.TreeStmt(self._s(meta), children[0])

    def tree_block(self, meta, children):
        return tuple(children)

    def tree_chance(self, meta, children):
        return ast.TreeChance(self._s(meta), str(children[0]), children[1], children[2])

    def tree_chance_branches(self, meta, children):
        label = next((c for c in children if isinstance(c, _Label)), None)
        branches = tuple(c for c in children if isinstance(c, ast.TreeBranch))
        return ast.TreeChance(self._s(meta), None, None, None, branches, label)

    def chance_branch(self, meta, children):
        return ast.TreeBranch(self._s(meta), children[0], children[1], _body(children[2]))

    def tree_move(self, meta, children):
        player, label, sees, rest = _move_head(children)
        return ast.TreeMove(self._s(meta), player, str(rest[0]), rest[1], label, sees)

    def tree_move_branches(self, meta, children):
        player, label, sees, rest = _move_head(children)
        var = str(rest[0]) if rest and isinstance(rest[0], Token) else None
        branches = tuple(c for c in rest if isinstance(c, ast.TreeBranch))
        return ast.TreeMove(self._s(meta), player, var, None, label, sees, branches)

    def move_branch(self, meta, children):
        return ast.TreeBranch(self._s(meta), children[0], None, _body(children[1]))

    def move_name(self, meta, children):
        return str(children[0])

    def move_number(self, meta, children):
        return children[0].text

    def move_string(self, meta, children):
        return str(children[0])[1:-1]

    def tree_at(self, meta, children):
        return _Label(str(children[0])[1:-1])

    def tree_sees(self, meta, children):
        return _Sees(str(c) for c in children)

    def tree_sees_nothing(self, meta, children):
        return _Sees()

    def tree_payoff(self, meta, children):
        return ast.TreePayoff(self._s(meta), tuple(children))

    def tree_end(self, meta, children):
        return ast.TreeEnd(self._s(meta))

    def tree_if(self, meta, children):
        otherwise = children[2] if len(children) > 2 else ()
        return ast.TreeIf(self._s(meta), children[0], children[1], _body(otherwise))

    def order_stmt(self, meta, children):
        return ast.OrderStmt(self._s(meta), tuple(children))

    def order_single(self, meta, children):
        return ast.OrderGroup(self._s(meta), (str(children[0]),), False)

    def order_simultaneous(self, meta, children):
        return ast.OrderGroup(self._s(meta), tuple(str(c) for c in children), True)

    def profile_stmt(self, meta, children):
        binders = children[1] if len(children) > 1 and isinstance(children[1], tuple) else ()
        assignments = tuple(c for c in children[1:] if isinstance(c, ast.ProfileAssign))
        return ast.ProfileStmt(self._s(meta), str(children[0]), assignments, binders)

    def profile_assign(self, meta, children):
        binders = children[1] if len(children) == 3 else ()
        return ast.ProfileAssign(self._s(meta), str(children[0]), binders, children[-1])

    def report_stmt(self, meta, children):
        return ast.ReportStmt(self._s(meta), str(children[0]), children[1])

    def check_stmt(self, meta, children):
        return ast.CheckStmt(self._s(meta), str(children[0]), children[1])

    def claim_stmt(self, meta, children):
        return ast.ClaimStmt(self._s(meta), str(children[0]), condition=children[1])

    def claim_response_stmt(self, meta, children):
        over = children[3] if len(children) > 3 else ()
        return ast.ClaimStmt(self._s(meta), str(children[0]), player=str(children[1]),
                             response=children[2], over=over)

    def claim_over(self, meta, children):
        return tuple(children)

    def select_stmt(self, meta, children):
        kind, target = str(children[0]), children[1]
        if isinstance(target, _Key):
            return ast.SelectStmt(self._s(meta), kind, payoff_of=str(target))
        return ast.SelectStmt(self._s(meta), kind, target=target)

    def select_first(self, meta, children):
        return ast.SelectStmt(self._s(meta), "first")

    def select_payoff(self, meta, children):
        return _Key(str(children[0]))

    def select_expr(self, meta, children):
        return children[0]

    def repeated_stmt(self, meta, children):
        discount = None
        values, conditions, strategies = [], [], []
        parts: dict = {}
        for kind, payload in children:
            if kind in ("discount", "stage", "sustain", "punish"):
                if kind in parts or (kind == "discount" and discount is not None):
                    span = payload[1] if kind != "discount" else payload.span
                    raise SpecError(f"a second `{kind}` in the repeated block", span=span)
                if kind == "discount":
                    discount = payload
                else:
                    parts[kind] = payload
            elif kind == "value":
                values.append(payload)
            elif kind == "strategy":
                strategies.append(payload)
            else:
                conditions.append(payload)
        return ast.RepeatedStmt(self._s(meta), discount, tuple(values), tuple(conditions),
                                parts.get("stage"), parts.get("sustain"), parts.get("punish"),
                                tuple(strategies))

    def discount_item(self, meta, children):
        return ("discount", children[0])

    def value_item(self, meta, children):
        return ("value", (str(children[0]), children[1], self._s(meta)))

    def condition_item(self, meta, children):
        return ("condition", (str(children[0]), children[1], self._s(meta)))

    def stage_item(self, meta, children):
        return ("stage", (str(children[0]), self._s(meta)))

    def sustain_item(self, meta, children):
        return ("sustain", (children[0], self._s(meta)))

    def punish_item(self, meta, children):
        return ("punish", (children[0], self._s(meta)))

    def strategy_item(self, meta, children):
        names = [str(c) for c in children if isinstance(c, Token)]
        detect = next((c for c in children if not isinstance(c, Token)), None)
        kind = names[-1]
        return ("strategy", ast.StrategyItem(self._s(meta), names[0], kind, detect))

    def stage_stmt(self, meta, children):
        return ast.StageStmt(self._s(meta), str(children[0]), str(children[1])[1:-1])

    def dynamics_stmt(self, meta, children):
        index, domain = str(children[0]), children[1]
        coordinates, lagrangian, initial, claims, claimed = (), None, [], [], None
        for kind, payload in children[2:]:
            if kind == "coordinates":
                coordinates += payload
            elif kind == "lagrangian":
                lagrangian = payload
            elif kind == "claim":
                claims.append(payload)
            elif kind == "claim_lagrangian":
                claimed = payload
            else:
                initial.extend(payload)
        return ast.DynamicsStmt(self._s(meta), index, domain, coordinates, lagrangian,
                                tuple(initial), tuple(claims), claimed)

    def claim_item(self, meta, children):
        return ("claim", children[0])

    def claim_lagrangian_item(self, meta, children):
        return ("claim_lagrangian", children[0])

    def coordinates_item(self, meta, children):
        return ("coordinates", tuple(str(c) for c in children))

    def lagrangian_item(self, meta, children):
        return ("lagrangian", children[0])

    def initial_item(self, meta, children):
        return ("initial", list(children))

    def initial_value(self, meta, children):
        text = str(children[0])
        base = text.rstrip("'")
        return ast.InitialValue(self._s(meta), base, len(text) - len(base), children[1])

    def update_stmt(self, meta, children):
        name = None
        if isinstance(children[0], Token) and children[0].type == "STRING":
            name, children = str(children[0])[1:-1], children[1:]
        index, domain = str(children[0]), children[1]
        rules, initial = [], []
        for item in children[2:]:
            if isinstance(item, list):
                initial.extend(item)
            else:
                rules.append(item)
        return ast.UpdateStmt(self._s(meta), index, domain, tuple(rules), tuple(initial), name)

    def rule_item(self, meta, children):
        return ast.UpdateRule(self._s(meta), str(children[0]), children[1], children[2])

    def update_initial_item(self, meta, children):
        return list(children)

    def update_init(self, meta, children):
        return ast.UpdateRule(self._s(meta), str(children[0]), children[1], children[2])

    def solve_stmt(self, meta, children):
        method = None
        options = []
        for child in children:
            if isinstance(child, Token):
                method = str(child)
            else:
                options.append(child)
        return ast.SolveStmt(self._s(meta), method, tuple(options))

    def solve_option(self, meta, children):
        value = children[1]
        if isinstance(value, Token):
            value = str(value)[1:-1]
        return (str(children[0]), value, self._s(meta))

    def experiment_stmt(self, meta, children):
        name, plugin = str(children[0]), str(children[1])
        return ast.ExperimentStmt(self._s(meta), name, plugin, tuple(children[2:]))

    def experiment_option(self, meta, children):
        return self.solve_option(meta, children)


class _Key(str):
    """A symbolic table key or selection target (distinguished from a Token)."""


class _Label(str):
    """The information-set label of a tree move (`at "label"`)."""


class _Sees(tuple):
    """What a tree mover observes (`sees a, b` or `sees nothing`)."""


def _move_head(children):
    """(player, label, sees, the remaining children) of a tree move."""
    player = str(children[0])
    label = next((str(c) for c in children[1:3] if isinstance(c, _Label)), None)
    sees = next((tuple(c) for c in children[1:3] if isinstance(c, _Sees)), None)
    rest = [c for c in children[1:] if not isinstance(c, (_Label, _Sees))]
    return player, label, sees, rest


def _body(body) -> tuple:
    """A branch body as a tuple of items (one item or a block)."""
    return body if isinstance(body, tuple) else (body,)
