"""ModelBuilder part: the game tree of a `tree` block (docs/language.md, "tree: game trees").

The block is a program read top to bottom: each item acts on the play so far (a chance or
player move branches it, a payoff adds to it, `if` chooses items, `end` stops it). The
builder first resolves every item (sets, SymPy expressions; gamespec.language.tree_items),
then plays the program out into a GameTree (gamespec.language.tree_play).
"""
from __future__ import annotations

import sympy

from gamespec.errors import SpecError
from gamespec.game_tree import GameTree
from gamespec.language import ast
from gamespec.language.expressions import Scope, index_symbol
from gamespec.language.tree_items import (
    RChance,
    RFor,
    RIf,
    RMove,
    RPayoff,
    RTrack,
    TreeEndItem,
)
from gamespec.language.tree_play import play_tree
from gamespec.model import FiniteSet, Model

_NUMBERS = FiniteSet("numbers tracked along the play", (), None)


class TreeMixin:
    """Builds `model.tree` from the `tree` statement, if there is one."""

    def _tree_statement(self) -> ast.TreeStmt | None:
        stmts = self._stmts(ast.TreeStmt)
        if len(stmts) > 1:
            raise SpecError("a second `tree` statement", span=stmts[1].span)
        return stmts[0] if stmts else None

    def _check_tree_players(self, stmt: ast.TreeStmt) -> None:
        for name, player in self.players.items():
            if player.kind != "single" or player.strategies:
                raise SpecError(f"player `{name}` of a game tree declares strategies: in a "
                                "tree the moves are the strategies", span=player.span,
                                hint=f"write `player {name} {{}}` and give its moves in the "
                                "tree")
        if self._stmts(ast.PayoffStmt) or self._stmts(ast.TableStmt):
            other = (self._stmts(ast.PayoffStmt) + self._stmts(ast.TableStmt))[0]
            raise SpecError("a game tree takes its payoffs from `payoff (...)` items in the "
                            "tree, not from payoff statements or tables", span=other.span)

    def _build_tree(self, model: Model) -> GameTree | None:
        stmt = self._tree_statement()
        if stmt is None:
            return None
        self._check_tree_players(stmt)
        variables: dict[str, tuple[sympy.Symbol, FiniteSet]] = {}
        self._collect_tree_variables(stmt.items, variables)
        scope = Scope(dict(variables))
        items = self._resolve_tree_items(stmt.items, scope)
        return play_tree(model, items, tuple(self.players), stmt.span)

    # ------------------------------------------------------------ variables
    def _collect_tree_variables(self, items, out: dict) -> None:
        for item in items:
            if isinstance(item, ast.TreeIf):
                self._collect_tree_variables(item.then, out)
                self._collect_tree_variables(item.otherwise, out)
                continue
            if isinstance(item, (ast.TreeFor, ast.TreeTrack)):
                name = item.var if isinstance(item, ast.TreeFor) else item.name
                if name in self.decls or name in self.elements:
                    raise SpecError(f"`{name}` is already a name in this spec; choose "
                                    "another name", span=item.span)
                domain = (self._tree_domain(item) if isinstance(item, ast.TreeFor)
                          else _NUMBERS)
                out[name] = (index_symbol(name), domain)
                if isinstance(item, ast.TreeFor):
                    self._collect_tree_variables(item.items, out)
                continue
            if not isinstance(item, (ast.TreeChance, ast.TreeMove)):
                continue
            if isinstance(item, ast.TreeMove) and item.player not in self.players:
                raise SpecError(f"`{item.player}` moves in the tree but is not a player",
                                span=item.span, hint=f"declare it: player {item.player} {{}}")
            if item.var is not None:
                domain = self._tree_domain(item)
                if item.var in self.decls or item.var in self.elements:
                    raise SpecError(f"`{item.var}` is already a name in this spec; choose "
                                    "another name for the move", span=item.span)
                known = out.get(item.var)
                if known is not None and known[1].elements != domain.elements:
                    raise SpecError(f"`{item.var}` is chosen twice over different sets",
                                    span=item.span)
                out[item.var] = (index_symbol(item.var), domain)
            for branch in item.branches:
                self._collect_tree_variables(branch.body, out)

    def _tree_domain(self, item) -> FiniteSet:
        if getattr(item, "domain", None) is not None:
            domain = self.resolve_set(item.domain)
            if not isinstance(domain, FiniteSet):
                raise SpecError("a tree move is over a finite set", span=item.domain.span)
            return domain
        moves = tuple(b.move for b in item.branches)
        domain = FiniteSet(f"moves of {item.var}", moves, item.span)
        for move in moves:
            if move.isidentifier() and move not in self.decls:
                self.elements.setdefault(move, domain)
        return domain

    # ------------------------------------------------------------ items
    def _resolve_tree_items(self, items, scope: Scope) -> tuple:
        for item, after in zip(items, items[1:]):
            if isinstance(item, ast.TreeEnd):
                raise SpecError("this item comes after `end` and is never played",
                                span=after.span, hint="delete it, or move `end` after it")
        return tuple(self._resolve_tree_item(item, scope) for item in items)

    def _resolve_tree_item(self, item, scope: Scope):
        build = self.builder.build
        if isinstance(item, ast.TreePayoff):
            zero_sum = bool(self._stmts(ast.ZeroSumStmt))
            if zero_sum and len(self.players) == 2 and len(item.values) == 1:
                first = build(item.values[0], scope)  # the second player's is minus it
                return RPayoff((first, -first), item.span)
            if len(item.values) != len(self.players):
                raise SpecError(f"a tree payoff gives {len(item.values)} values; there are "
                                f"{len(self.players)} players ({', '.join(self.players)})",
                                span=item.span)
            return RPayoff(tuple(build(v, scope) for v in item.values), item.span)
        if isinstance(item, ast.TreeEnd):
            return TreeEndItem(item.span)
        if isinstance(item, ast.TreeFor):
            symbol, domain = scope.bound[item.var]
            return RFor(item.var, symbol, domain, self._resolve_tree_items(item.items, scope),
                        item.span)
        if isinstance(item, ast.TreeTrack):
            return RTrack(item.name, scope.bound[item.name][0], build(item.value, scope),
                          item.span)
        if isinstance(item, ast.TreeIf):
            return RIf(self.builder.build_condition(item.condition, scope),
                       self._resolve_tree_items(item.then, scope),
                       self._resolve_tree_items(item.otherwise, scope), item.span)
        _check_branches(item)
        symbol, domain = scope.bound[item.var] if item.var is not None else (None, None)
        branches = tuple(
            (b.move, None if b.probability is None else build(b.probability, scope),
             self._resolve_tree_items(b.body, scope), b.span)
            for b in item.branches)
        if isinstance(item, ast.TreeChance):
            probability = None if item.probability is None else build(item.probability, scope)
            return RChance(item.var, symbol, domain, probability, branches, item.label,
                           item.span)
        if item.sees is not None:
            for name in item.sees:
                if name not in scope.bound:
                    raise SpecError(f"`{name}` after `sees` is not a move of the tree",
                                    span=item.span)
        return RMove(item.player, item.var, symbol, domain, item.label, item.sees, branches,
                     item.span)


def _check_branches(item) -> None:
    """An explicit move needs moves, each named once."""
    if item.domain is not None:  # a move over a set
        return
    if not item.branches:
        raise SpecError("this move has no moves to choose from", span=item.span,
                        hint="give at least one `MOVE: ...` inside the braces")
    seen: set[str] = set()
    for branch in item.branches:
        if branch.move in seen:
            raise SpecError(f"the move `{branch.move}` is given twice", span=branch.span,
                            hint="each move of a node needs its own name")
        seen.add(branch.move)
