"""ModelBuilder part: stage games (`stage NAME = "file.game"`, read as NAME.PLAYER[...]) and
the trigger-strategy items of a repeated block (sustain, punish, strategy).

A stage file is untrusted input too: a relative path inside the spec's own folder (no
absolute path, no `..`, no link out of the folder), a regular file of bounded size, which
may not import stages itself. Its parameters that this spec also declares stay symbolic
(this spec's values apply); the others take the stage file's values.
"""
from __future__ import annotations

import difflib
from fractions import Fraction
from pathlib import Path, PurePosixPath, PureWindowsPath

import sympy

from gamespec.errors import GamespecError, Span, SpecError
from gamespec.language import ast
from gamespec.model import StageGame, TriggerStrategy

MAX_STAGE_BYTES = 256_000
STRATEGY_KINDS = ("grim", "tit_for_tat")


def _stage_file(spec_path: str, relative: str, span: Span) -> Path:
    """The stage file's path, confined to the spec's folder, or a located SpecError."""
    if not relative or PurePosixPath(relative).is_absolute() or \
            PureWindowsPath(relative).is_absolute() or PureWindowsPath(relative).drive:
        raise SpecError(f"stage path {relative!r} must be relative to the spec's folder",
                        span=span, hint='e.g. stage one_round = "one_round.game"')
    parts = PurePosixPath(relative.replace("\\", "/")).parts
    if ".." in parts:
        raise SpecError(f"stage path {relative!r} leaves the spec's folder (`..`)", span=span)
    base = Path(spec_path).parent if spec_path not in ("<spec>", "<string>") else Path.cwd()
    base = base.resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base):
        raise SpecError(f"stage path {relative!r} leads out of the spec's folder", span=span)
    if not target.exists():
        raise SpecError(f"stage file not found: {relative} (looked in {base})", span=span)
    if not target.is_file():
        raise SpecError(f"stage path {relative!r} is not a regular file", span=span)
    if target.stat().st_size > MAX_STAGE_BYTES:
        raise SpecError(f"stage file {relative!r} is larger than {MAX_STAGE_BYTES:,} bytes",
                        span=span)
    return target


def _exact(value: float) -> sympy.Rational:
    return sympy.Rational(*Fraction(repr(float(value))).as_integer_ratio())


def exact_numbers(expr: sympy.Expr) -> sympy.Expr:
    """Floats (a decimal choice such as 4.5 put into a payoff) as the rationals they spell."""
    return expr.xreplace({f: _exact(f) for f in expr.atoms(sympy.Float)})


class StageMixin:
    """Methods of ModelBuilder (gamespec.language.model_builder); state lives there."""

    def _register_stages(self) -> None:
        self.stages: dict[str, StageGame] = {}
        for stmt in self._stmts(ast.StageStmt):
            self._declare(stmt.name, "stage", stmt)

    def resolve_stage(self, name: str) -> StageGame:
        if name in self.stages:
            return self.stages[name]
        stmt: ast.StageStmt = self.decls[name]
        target = _stage_file(self.path, stmt.path, stmt.span)
        with target.open("rb") as handle:  # at most the bound, even if the file grew
            data = handle.read(MAX_STAGE_BYTES + 1)
        if len(data) > MAX_STAGE_BYTES:
            raise SpecError(f"stage file {stmt.path!r} is larger than {MAX_STAGE_BYTES:,} "
                            "bytes", span=stmt.span)
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError:
            raise SpecError(f"stage file {stmt.path!r} is not UTF-8 text", span=stmt.span) from None
        from gamespec.language.parser import parse

        shown = str(Path(self.path).parent / stmt.path) if self.path not in (
            "<spec>", "<string>") else stmt.path
        spec = parse(source, shown)
        if any(isinstance(s, ast.StageStmt) for s in spec.statements):
            raise SpecError(f"stage file {stmt.path!r} imports stages itself", span=stmt.span,
                            hint="a stage game is one finite game in one file")
        try:
            stage_model = type(self)(spec, None, (), self.data_mirror).build()
        except RecursionError:
            raise SpecError(f"stage file {stmt.path!r} is nested too deeply",
                            span=stmt.span) from None
        except GamespecError as exc:
            raise SpecError(f"in stage file {stmt.path!r}: {exc.message}", span=stmt.span,
                            hint=f"at {exc.span}" if exc.span else None) from None
        self.stages[name] = self._stage_game(name, stage_model, stmt)
        return self.stages[name]

    def _stage_game(self, name: str, model, stmt) -> StageGame:
        from gamespec.profile_values import profile_payoffs

        players = list(model.players.values())
        bad = [p for p in players if p.kind != "single" or len(p.strategies) != 1
               or p.strategies[0].kind != "choice" or not hasattr(p.strategies[0].domain,
                                                                  "elements")]
        if not players or bad or model.tree is not None or len(model.order) > 1:
            raise SpecError(f"stage file {stmt.path!r} is not a finite simultaneous game of "
                            "players who each `choose` from a finite set", span=stmt.span)
        payoffs = profile_payoffs(model)
        subs = {}
        for param in model.params.values():
            if param.index_sets or self.kinds.get(param.name) == "param":
                continue
            if param.value is None:
                raise SpecError(f"the stage game's parameter `{param.name}` has no value",
                                span=stmt.span, hint=f"declare `param {param.name}` here")
            subs[param.symbol] = _exact(param.value)
        choices = tuple(tuple(p.strategies[0].domain.elements) for p in players)
        table = {}
        for (k, profile), value in payoffs.items():
            table.setdefault(profile, [None] * len(players))[k] = sympy.simplify(
                exact_numbers(model.expand_lets(value).xreplace(subs)))
        return StageGame(name, tuple(p.name for p in players), choices,
                         {prof: tuple(v) for prof, v in table.items()}, stmt.path, stmt.span)

    def _stage_payoff(self, node: ast.Column):
        """NAME.PLAYER[choice, ...] of a stage game, or None if NAME is not a stage."""
        if self.kinds.get(node.table) != "stage":
            return None
        stage = self.resolve_stage(node.table)
        if node.column not in stage.players:
            close = difflib.get_close_matches(node.column, list(stage.players), n=1)
            raise SpecError(f"`{node.column}` is not a player of stage `{node.table}` "
                            f"({', '.join(stage.players)})", span=node.span,
                            hint=f"did you mean `{close[0]}`?" if close else None)
        if len(node.indices) != len(stage.players):
            raise SpecError(f"`{node.table}.{node.column}[...]` takes one choice per player "
                            f"({len(stage.players)}), got {len(node.indices)}", span=node.span)
        keys = [i.name if isinstance(i, ast.Name) else i for i in node.indices]
        profile = self._stage_profile(stage.players, stage.choices, keys, node.span)
        return stage.payoffs[profile][stage.players.index(node.column)]

    def _stage_profile(self, players, choices, keys, span: Span) -> tuple:
        """Table keys (names or numbers) -> a profile of elements, checked."""
        if len(keys) != len(players):
            named = f"{len(keys)} choice" + ("" if len(keys) == 1 else "s")
            raise SpecError(f"a profile names {named}, but the stage game has "
                            f"{len(players)} players ({', '.join(players)})", span=span,
                            hint="one choice per player, in declaration order: "
                            f"({', '.join(str(c[0]) for c in choices)})")
        profile = []
        for player, options, key in zip(players, choices, keys):
            if isinstance(key, ast.Node):
                number = float(self.builder.build(key))
                match = [e for e in options if not isinstance(e, str) and float(e) == number]
            else:
                match = [e for e in options if e == str(key)]
            if not match:
                shown = key if isinstance(key, str) else sympy.sstr(self.builder.build(key))
                close = difflib.get_close_matches(str(shown), [str(e) for e in options], n=1)
                raise SpecError(f"`{shown}` is not a choice of `{player}` "
                                f"({', '.join(str(e) for e in options)})", span=span,
                                hint=f"did you mean `{close[0]}`?" if close else None)
            profile.append(match[0])
        return tuple(profile)

    # ------------------------------------------------------------------ repeated block
    def _trigger_parts(self, stmt: ast.RepeatedStmt) -> dict:
        """stage, sustain, punish and strategies of a repeated block, checked."""
        if not (stmt.strategies or stmt.sustain or stmt.punish or stmt.stage):
            return {}
        span = stmt.span
        stage_name = None
        if stmt.stage is not None:
            stage_name, stage_span = stmt.stage
            if self.kinds.get(stage_name) != "stage":
                raise SpecError(f"`{stage_name}` is not a stage game", span=stage_span,
                                hint=f'declare it: stage {stage_name} = "file.game"')
            stage = self.resolve_stage(stage_name)
            players, choices = stage.players, stage.choices
        else:
            players, choices = self._own_stage_choices(span)
        if not stmt.strategies:
            raise SpecError("the repeated block names a stage game but no strategy",
                            span=span, hint="add e.g. `strategy grim` or `strategy tit_for_tat`")
        if stmt.sustain is None:
            raise SpecError("name the profile the strategies sustain", span=span,
                            hint=f"sustain ({', '.join(str(c[0]) for c in choices)})")
        if stmt.discount is None:
            raise SpecError("trigger strategies need a discount factor", span=span,
                            hint="discount d, with `param d = 0.9 in [0, 1]`")
        sustain = self._stage_profile(players, choices, list(stmt.sustain[0]), stmt.sustain[1])
        punish = None if stmt.punish is None else self._stage_profile(
            players, choices, list(stmt.punish[0]), stmt.punish[1])
        strategies, seen = [], {}
        for item in stmt.strategies:
            if item.kind not in STRATEGY_KINDS:
                close = difflib.get_close_matches(item.kind, STRATEGY_KINDS, n=1)
                raise SpecError(f"unknown strategy `{item.kind}` (known: "
                                f"{', '.join(STRATEGY_KINDS)})", span=item.span,
                                hint=f"did you mean `{close[0]}`?" if close else None)
            if item.name in seen:
                raise SpecError(f"a second strategy called `{item.name}`", span=item.span,
                                hint="label it: strategy other: grim detect q")
            seen[item.name] = item
            detect = None if item.detect is None else self.builder.build(item.detect)
            self._check_probability(detect, item.span)
            strategies.append(TriggerStrategy(item.name, item.kind, detect, item.span))
        spans = {"sustain": stmt.sustain[1], "repeated": span}
        if stmt.punish is not None:
            spans["punish"] = stmt.punish[1]
        return {"stage": stage_name, "sustain": sustain, "punish": punish,
                "strategies": tuple(strategies), "spans": spans}

    def _own_stage_choices(self, span: Span):
        players = list(self.players.values())
        bad = [p for p in players if p.kind != "single" or len(p.strategies) != 1
               or p.strategies[0].kind != "choice"
               or not hasattr(p.strategies[0].domain, "elements")]
        if not players or bad:
            where = bad[0].span if bad else span
            raise SpecError("trigger strategies need a finite stage game: players who each "
                            "`choose` from a finite set", span=where or span,
                            hint='or name one: stage g = "stage.game" and `stage g` here')
        return (tuple(p.name for p in players),
                tuple(tuple(p.strategies[0].domain.elements) for p in players))

    def _check_probability(self, expr, span: Span) -> None:
        if expr is None:
            return
        value = expr.xreplace(self._scalar_values())
        if value.is_number and not 0 <= float(value) <= 1:
            raise SpecError(f"a detection probability must be in [0, 1], got {float(value):g}",
                            span=span)

    def _scalar_values(self) -> dict:
        return {p.symbol: _exact(p.value) for p in self.params.values()
                if not p.index_sets and p.value is not None}
