"""What `gamespec info` and `Game.info()` report: how a game is classified, which methods
apply (and why not), the spec's experiments and named update profiles."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - annotations only (keep import cheap)
    from gamespec.analysis import Classification
    from gamespec.model import Model

__all__ = ["ExperimentInfo", "GameInfo", "MethodInfo", "UpdateProfileInfo", "game_info"]


@dataclass(frozen=True)
class MethodInfo:
    """One registered method: whether it applies to the game, and why not."""

    name: str
    applies: bool
    reason: str
    summary: str = ""
    options: tuple = ()  # the SolverOptions `solve using NAME { ... }` may set

    def as_dict(self) -> dict:
        return {"name": self.name, "applies": self.applies, "reason": self.reason,
                "options": [o.as_dict() for o in self.options]}


@dataclass(frozen=True)
class ExperimentInfo:
    """One `experiment NAME using PLUGIN { ... }` statement: its options as written (a data
    table by name) and the typed options the plug-in declares (none if it is unknown)."""

    name: str
    plugin: str
    given: dict  # option -> number, string, or a data table's name (listed in `tables`)
    tables: tuple[str, ...] = ()
    options: tuple = ()  # the plug-in's SolverOptions
    known: bool = True

    def written(self) -> str:
        """The given options as the statement writes them: `data = points, rounds = 20`."""
        def show(name, value):
            if name in self.tables:
                return str(value)
            return f'"{value}"' if isinstance(value, str) else f"{value:g}"
        return ", ".join(f"{k} = {show(k, v)}" for k, v in self.given.items())

    def as_dict(self) -> dict:
        return {"name": self.name, "plugin": self.plugin, "known": self.known,
                "given": dict(self.given), "tables": list(self.tables),
                "options": [o.as_dict() for o in self.options]}


@dataclass(frozen=True)
class UpdateProfileInfo:
    """One named update-rule profile `update "NAME" over i in ROUNDS { ... }`."""

    name: str
    index: str
    rounds: str
    series: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"name": self.name, "index": self.index, "rounds": self.rounds,
                "series": list(self.series)}


@dataclass(frozen=True)
class GameInfo:
    """How gamespec classifies a game, which methods apply, and the spec's experiments and
    named update profiles (`gamespec info`)."""

    game: str
    spec: str
    classification: Classification = field(repr=False)
    class_summary: str
    methods: tuple[MethodInfo, ...]
    experiments: tuple[ExperimentInfo, ...] = ()
    update_profiles: tuple[UpdateProfileInfo, ...] = ()

    @property
    def applicable(self) -> tuple[str, ...]:
        """The names of the methods that apply, in registry order (the first is the default
        unless the spec says `solve using`)."""
        return tuple(m.name for m in self.methods if m.applies)

    def as_dict(self) -> dict:
        """The object `gamespec info --json` prints."""
        return {"game": self.game, "spec": self.spec,
                "classification": self.classification.as_dict(),
                "class": self.class_summary,
                "methods": [m.as_dict() for m in self.methods],
                "experiments": [e.as_dict() for e in self.experiments],
                "update_profiles": [u.as_dict() for u in self.update_profiles]}

    def _repr_markdown_(self) -> str:
        cls = self.classification
        lines = [f"**{_md(self.game)}** — {_md(self.class_summary)}", "",
                 "| strategy | space |", "|---|---|"]
        lines += [f"| {_md(k)} | {_md(v)} |" for k, v in cls.strategy_spaces.items()]
        lines += ["", "| method | applies |", "|---|---|"]
        lines += [f"| {m.name} | {'yes' if m.applies else 'no: ' + _md(m.reason)} |"
                  for m in self.methods]
        return "\n".join(lines)


def game_info(model: Model) -> GameInfo:
    """Classify the model and ask every registered method whether it applies."""
    from gamespec.analysis import classify
    from gamespec.solvers.options import RUN_SETTINGS
    from gamespec.solvers.registry import applicable, describe_class

    cls = classify(model)
    settings = tuple(o for o in RUN_SETTINGS if o.name != "progress")
    methods = tuple(MethodInfo(e.name, bool(ok), reason, e.summary, (*settings, *e.options))
                    for e, ok, reason in applicable(model, cls))
    net = model.network
    summary = describe_class(cls) if net is None else (
        f"congestion network ({len(net.edges)} edges, {len(net.demands)} non-atomic "
        f"demand{'s' if len(net.demands) > 1 else ''})")
    return GameInfo(model.title, model.path, cls, summary, methods,
                    _experiment_infos(model), _update_profile_infos(model))


def _experiment_infos(model: Model) -> tuple[ExperimentInfo, ...]:
    from gamespec.experiments.registry import PLUGINS, get_plugin
    from gamespec.model import DataRef

    out = []
    for exp in model.experiments.values():
        given = {k: v.name if isinstance(v, DataRef) else v for k, v in exp.options.items()}
        tables = tuple(k for k, v in exp.options.items() if isinstance(v, DataRef))
        known = exp.plugin in PLUGINS
        options = get_plugin(exp.plugin).options if known else ()
        out.append(ExperimentInfo(exp.name, exp.plugin, given, tables, options, known))
    return tuple(out)


def _update_profile_infos(model: Model) -> tuple[UpdateProfileInfo, ...]:
    return tuple(UpdateProfileInfo(name, str(u.index), u.rounds.describe(),
                                   tuple(dict.fromkeys(t for t, _, _ in u.rules)))
                 for name, u in model.update_profiles.items())


def _md(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")
