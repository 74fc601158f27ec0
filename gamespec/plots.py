"""Pictures of games and their answers (matplotlib, Agg; PNGs written atomically).

Each kind draws what a backend computes, through the backends' public functions: best
responses with `continuous.BestResponseMap`, mean-field fixed points with
`continuous.mean_field_fixed_points`, followers' responses with `PopulationFollower`,
payoff tensors with `normal_form.build_normal_form`, trajectories with
`dynamics_model.integrate_model`. Figures are made with `matplotlib.figure.Figure` (no
pyplot, no global backend switch), so a notebook shows the returned Figure and a script
writes a PNG of a fixed pixel size (figure inches x DPI).
"""
from __future__ import annotations

import difflib
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from gamespec.errors import SpecError

if TYPE_CHECKING:  # pragma: no cover - matplotlib is imported when a picture is drawn
    from matplotlib.figure import Figure

KINDS = ("best-response", "leader", "lppm", "distribution", "trajectory", "regime",
         "payoff-table")
DPI = 100
EQUILIBRIUM = "#d62728"  # the answer is drawn in red everywhere
ACCENT = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")


# ---------------------------------------------------------------------------- entry points
def is_table_path(path: str | Path) -> bool:
    """A sweep table (.csv or .json), as opposed to a .game spec."""
    return Path(str(path)).suffix.lower() in (".csv", ".json")


def plot_game(model, kind: str | None = None, path: str | Path | None = None, *,
              result=None, method: str | None = None, seed: int = 0,
              profile: str | None = None) -> Figure:
    """Draw `kind` for the model (solving it first unless `result` is given); write the
    PNG to `path` when given. Returns the matplotlib Figure."""
    if kind is None:
        kind = default_kind(model, result, method)
    if kind not in KINDS:
        close = difflib.get_close_matches(str(kind), KINDS, n=1)
        raise SpecError(f"unknown plot kind `{kind}`",
                        hint=f"did you mean `{close[0]}`?" if close else "kinds: " + ", ".join(KINDS))
    if kind == "regime":
        raise SpecError("a regime plot draws a sweep table, not a spec",
                        hint="gamespec sweep FILE --grid ... --out table.csv, then "
                             "gamespec plot table.csv --kind regime --x COL --y COL --color COL")
    draw = {"best-response": draw_best_response, "leader": draw_leader, "lppm": draw_lppm,
            "distribution": draw_distribution, "trajectory": draw_trajectory,
            "payoff-table": draw_payoff_table}[kind]
    fig = draw(model, result=result, method=method, seed=seed, profile=profile)
    if path is not None:
        save_png(fig, path)
    return fig


def default_kind(model, result=None, method: str | None = None) -> str:
    """The picture `gamespec solve --plot` draws for the method that solves the game."""
    if result is not None:
        name = result.method
    else:
        from gamespec.analysis import classify
        from gamespec.solvers.registry import plan

        name = plan(model, classify(model), method).name
    if name == "dynamics":
        return "trajectory"
    if name == "continuous":
        from gamespec.solvers.continuous.method import shape_of

        return "leader" if shape_of(model) == "stackelberg" else "best-response"
    if name == "lp" and _channel_strategy(model) is not None:
        return "lppm"
    if name in ("brd", "enumerate") and _distribution_parts(model, quiet=True) is not None:
        return "distribution"
    return "payoff-table"


def save_png(fig: Figure, path: str | Path) -> None:
    """Render the figure with Agg and write the PNG atomically."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from gamespec.atomic_files import write_atomic_bytes

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    write_atomic_bytes(path, buffer.getvalue())


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _solved(model, result, method, seed):
    if result is not None:
        return result
    from gamespec.api import solve_model

    return solve_model(model, method, seed)


def _params(model) -> dict:
    return model.scalar_values()


def _number(expr, model) -> float:
    return float(expr.xreplace(_params(model))) if isinstance(expr, sympy.Basic) else float(expr)


def _line(ax, xs, ys, scale_x: float, scale_y: float, **style) -> None:
    """Plot a curve without drawing across its jumps (steps of more than 5% of the
    scale in x or y; a scale of 0 ignores that axis); points cut off on both sides are
    drawn as dots."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    with np.errstate(invalid="ignore"):
        jump = np.zeros(max(xs.size - 1, 0), dtype=bool)
        for values, scale in ((xs, scale_x), (ys, scale_y)):
            if scale:  # a scale of 0: never a jump along this axis
                jump |= np.abs(np.diff(values)) > 0.05 * scale
    at = np.nonzero(jump)[0] + 1
    (line,) = ax.plot(np.insert(xs, at, np.nan), np.insert(ys, at, np.nan), **style)
    cut = np.zeros(xs.size + 1, dtype=bool)
    cut[at] = True
    cut[0] = cut[-1] = True
    alone = cut[:-1] & cut[1:] & np.isfinite(ys)
    if alone.any():
        ax.plot(xs[alone], ys[alone], "o", ms=4, color=line.get_color())


# ---------------------------------------------------------------------------- payoff table
def draw_payoff_table(model, result=None, **_: Any) -> Figure:
    """Each of two agents' payoff matrix, every cell annotated, pure equilibria outlined.
    With more agents the first two are drawn, the others fixed at the first equilibrium."""
    from matplotlib.patches import Rectangle

    from gamespec.normal_form import build_normal_form, pure_strategy_count
    from gamespec.solvers.finite.pure_enumeration import pure_equilibria

    if pure_strategy_count(model) is None:
        raise SpecError("a payoff table needs a finite game (choices from finite sets)",
                        hint="for interval strategies try --kind best-response or leader")
    nf = build_normal_form(model, limit=1_000_000)
    if len(nf.agents) < 2:
        raise SpecError("a payoff table needs at least two agents")
    equilibria = pure_equilibria(nf)
    fixed = tuple(equilibria[0][2:]) if equilibria else (0,) * (len(nf.agents) - 2)
    shown = [e for e in equilibria if tuple(e[2:]) == fixed]
    rows, cols = nf.labels[0], nf.labels[1]
    mixed = _mixed_marginals(nf, result)
    answer = _solved_cell(model, nf, result, mixed)
    width = min(9.5 + 0.6 * len(cols), 16.0)
    fig = _figure(width, 5.0)
    fig.get_layout_engine().set(wspace=0.12)  # room between a colour bar and the next axis
    axes = fig.subplots(1, 2)
    annotate = len(rows) * len(cols) <= 144
    for k, ax in enumerate(axes):
        table = nf.payoffs[(k, slice(None), slice(None), *fixed)]
        image = ax.imshow(table, cmap="viridis", aspect="auto")
        fig.colorbar(image, ax=ax, label=f"payoff of {nf.agents[k]}", shrink=0.9)
        low, high = float(table.min()), float(table.max())
        if annotate:
            for i in range(len(rows)):
                for j in range(len(cols)):
                    v = float(table[i, j]) + 0.0  # no "-0"
                    light = high > low and (v - low) / (high - low) > 0.6
                    ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=10,
                            color="black" if light else "white")
        for eq in shown:
            ax.add_patch(Rectangle((eq[1] - 0.5, eq[0] - 0.5), 1, 1, fill=False,
                                   edgecolor=EQUILIBRIUM, linewidth=3.5))
        if answer is not None:  # the solved answer (a row, a column or a cell), dashed
            i, j = answer
            ax.add_patch(Rectangle((-0.5 if j is None else j - 0.5, -0.5 if i is None else i - 0.5),
                                   len(cols) if j is None else 1, len(rows) if i is None else 1,
                                   fill=False, edgecolor="white", linewidth=2.5, linestyle="--"))
        ax.set_xticks(range(len(cols)), [_tick(c, mixed.get(1, {})) for c in cols],
                      rotation=30 if max(map(len, cols)) > 6 else 0)
        ax.set_yticks(range(len(rows)), [_tick(r, mixed.get(0, {})) for r in rows])
        ax.set_xlabel(_strategy_axis(model, nf.agents[1]))
        ax.set_ylabel(_strategy_axis(model, nf.agents[0]))
        ax.set_title(f"payoff of {nf.agents[k]}")
    others = ", ".join(f"{nf.agents[k + 2]}={nf.labels[k + 2][i]}" for k, i in enumerate(fixed))
    simultaneous = "" if len(model.order) <= 1 else " (of the simultaneous game)"
    if not equilibria:
        note = "no pure Nash equilibrium" + simultaneous
    elif len(shown) == len(equilibria):
        note = (f"{len(shown)} pure Nash equilibri{'um' if len(shown) == 1 else 'a'}"
                f"{simultaneous} outlined in red")
    else:
        note = (f"{len(shown)} of {len(equilibria)} pure Nash equilibria{simultaneous} outlined "
                f"in red")
    if others:
        note += f"; shown with {others}"
    if mixed:
        note += "; (p) = the solved mixed strategy"
    if answer is not None:
        note += f"; dashed: the {result.method} answer"
    fig.suptitle(f"{model.title}\n{note}")
    return fig


def _strategy_axis(model, agent: str) -> str:
    """`alice's strategy`, or for a choice per element `attacker's (a[Thief], a[Saboteur])`."""
    player = model.players.get(agent.partition("[")[0])
    if player is not None and len(player.strategies) == 1 and player.strategies[0].condition_sets:
        strategy = player.strategies[0]
        sets = strategy.condition_sets
        if len(sets) == 1 and len(sets[0]) <= 4:
            parts = ", ".join(f"{strategy.name}[{_plain(e)}]" for e in sets[0].elements)
            return f"{agent}'s ({parts})"
        return f"{agent}'s {strategy.name}[" + ", ".join(c.name for c in sets) + "]"
    return f"{agent}'s strategy"


def _solved_cell(model, nf, result, mixed) -> tuple[int | None, int | None] | None:
    """(row, column) of the solved pure strategies of the first two agents (None for a
    mixed one), when the result is not an enumeration (whose equilibria are outlined)."""
    if result is None or "equilibria" in result.extra or len(nf.agents) != 2:
        return None
    position: list[int | None] = []
    for k, agent in enumerate(nf.agents):
        strategy = result.strategies.get(agent)
        label = strategy if isinstance(strategy, str) else None
        player = model.players.get(agent)
        if isinstance(strategy, dict) and player is not None and k not in mixed and \
                player.strategies[0].condition_sets:
            elements = player.strategies[0].condition_sets[0].elements
            parts = [strategy.get(str(_plain(e))) for e in elements]
            label = "(" + ", ".join(str(v) for v in parts) + ")" if None not in parts else None
        position.append(nf.labels[k].index(label) if label in nf.labels[k] else None)
    if position == [None, None]:
        return None
    return position[0], position[1]


def _tick(label: str, probabilities: dict) -> str:
    return f"{label}\n(p={probabilities[label]:.3g})" if label in probabilities else label


def _mixed_marginals(nf, result) -> dict[int, dict[str, float]]:
    """Agent position -> {label: probability} for unconditioned mixed strategies in the result."""
    out: dict[int, dict[str, float]] = {}
    if result is None:
        return out
    for k, agent in enumerate(nf.agents[:2]):
        strategy = result.strategies.get(agent)
        if isinstance(strategy, dict) and strategy and all(
                isinstance(v, (int, float)) for v in strategy.values()) and set(strategy) <= set(
                nf.labels[k]):
            out[k] = {str(label): float(p) for label, p in strategy.items()}
    return out


# ---------------------------------------------------------------------------- continuous
def _continuous_shape(model, kind: str) -> str:
    from gamespec.solvers.continuous.method import shape_of

    shape = shape_of(model)
    if shape is None:
        raise SpecError(f"a {kind} plot needs a continuous game: two players with interval "
                        "strategies, or a population with one mean field (and a leader)",
                        hint="for finite games try --kind payoff-table")
    return shape


def _bounds(model, player) -> tuple[float, float]:
    domain = player.strategies[0].domain
    return _number(domain.low, model), _number(domain.high, model)


def _payoff(model, name: str):
    return model.expand_lets(model.payoff_of(name))


def _map(model, player, args, grid: int = 601):
    """The player's BestResponseMap against the symbols `args` (continuous.py)."""
    from gamespec.solvers import continuous as cont

    low, high = _bounds(model, player)
    return cont.BestResponseMap(_payoff(model, player.name), player.strategies[0].symbol,
                                low, high, _params(model), args=tuple(args), grid=grid)


def _two_players(model, shape: str):
    if shape == "stackelberg":
        return model.players[model.order[0][0]], model.players[model.order[1][0]]
    first, second = list(model.players.values())
    return first, second


def draw_best_response(model, result=None, method=None, seed=0, **_: Any) -> Figure:
    """Two players: both best-response curves and the equilibrium. A population: its
    members' best response BR(s) to the symmetric state s (the mean field it induces),
    the diagonal, and every fixed point (the selected one starred)."""
    shape = _continuous_shape(model, "best-response")
    result = _solved(model, result, method, seed)
    if shape in ("nash", "stackelberg"):
        return _two_player_best_responses(model, shape, result)
    return _mean_field_best_response(model, shape, result)


def _two_player_best_responses(model, shape, result):
    a, b = _two_players(model, shape)
    xa, xb = a.strategies[0].symbol, b.strategies[0].symbol
    (la, ha), (lb, hb) = _bounds(model, a), _bounds(model, b)
    grid_a, grid_b = np.linspace(la, ha, 401), np.linspace(lb, hb, 401)
    br_a, _ = _map(model, a, (xb,)).batch([grid_b])
    br_b, _ = _map(model, b, (xa,)).batch([grid_a])
    fig = _figure(6.6, 5.6)
    ax = fig.subplots()
    _line(ax, br_a, grid_b, ha - la, hb - lb, color=ACCENT[0], lw=2,
            label=f"{a.name}'s best response {xa}*({xb})")
    _line(ax, grid_a, br_b, ha - la, hb - lb, color=ACCENT[1], lw=2,
            label=f"{b.name}'s best response {xb}*({xa})")
    point = (float(result.strategies[a.name]), float(result.strategies[b.name]))
    what = "Stackelberg outcome (leader commits)" if shape == "stackelberg" else "Nash equilibrium"
    ax.plot(*point, marker="*", ms=16, color=EQUILIBRIUM, ls="none",
            label=f"{what} ({point[0]:.4g}, {point[1]:.4g})")
    ax.set_xlim(la, ha)
    ax.set_ylim(lb, hb)
    ax.set_xlabel(f"{a.name}: {xa}")
    ax.set_ylabel(f"{b.name}: {xb}")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=9)
    ax.set_title(f"{model.title}: best responses")
    return fig


def _mean_field_parts(model, shape, result):
    """(population, field, own symbol, leader player or None, leader's strategy or None)."""
    from gamespec.solvers.continuous.method import population_parts

    population, field, own = population_parts(model)
    leader = None
    x = None
    if shape == "population_leader":
        leader = next(p for p in model.players.values() if p.kind != "population")
        x = float(result.strategies[leader.name])
    return population, field, own, leader, x


def _mean_field_best_response(model, shape, result):
    from gamespec.solvers import continuous as cont
    from gamespec.solvers.continuous.method import _selection

    population, field, own, leader, x = _mean_field_parts(model, shape, result)
    args = (field.symbol,) + ((leader.strategies[0].symbol,) if leader else ())
    br = _map(model, population, args)
    low, high = _bounds(model, population)
    aggregate = sympy.lambdify([own], field.body.xreplace(_params(model)), "numpy")
    others = {leader.strategies[0].symbol: x} if leader else {}
    points = _fixed_points(result)  # (s, stable, best-response set) as the solver found them
    if points is None:
        found = cont.mean_field_fixed_points(br, low, high, field=field.symbol,
                                             aggregate=field.body, others=others or None,
                                             selection=_selection(model))
        points = [(p.s, p.stable, p.response.describe()) for p in found.fixed_points]
    chosen = float(result.strategies[population.name])

    def response(s: np.ndarray) -> np.ndarray:
        columns = [np.broadcast_to(aggregate(s), s.shape).astype(float)]
        columns += [np.full_like(s, x)] if leader else []
        return br.batch(columns)[0]

    whole = np.linspace(low, high, 801)
    full = response(whole)
    inner = [v for v in [p[0] for p in points] + [chosen] + list(full)
             if v < low + 0.5 * (high - low)]
    top = min(high, max(inner, default=high) * 1.3)
    zoomed = top < low + 0.6 * (high - low)
    fig = _figure(12.0 if zoomed else 7.0, 5.6)
    panels = list(fig.subplots(1, 2)) if zoomed else [fig.subplots()]
    for ax, upper in zip(panels, [high, top] if zoomed else [high]):
        s = whole if upper == high else np.linspace(low, upper, 801)
        values = full if upper == high else response(s)
        _line(ax, s, values, 0, high - low, color=ACCENT[0], lw=2,
              label=f"BR(s): a member's best {own} when the others play s")
        ax.plot([low, upper], [low, upper], color="grey", ls="--", lw=1,
                label="diagonal BR(s) = s")
        for s_k, stable, response_set in points:
            if not low <= s_k <= upper:
                continue
            ax.plot(s_k, s_k, "o", ms=10, mfc=ACCENT[0] if stable else "white", mec=ACCENT[0],
                    mew=2, zorder=3, clip_on=False)
            if "{" in response_set or "[" in response_set:
                ax.annotate(f"set-valued here: BR({s_k:.3g}) = {response_set}", (s_k, s_k),
                            textcoords="offset points", xytext=(14, 12), fontsize=8,
                            arrowprops={"arrowstyle": "-", "color": "grey"})
        if low <= chosen <= upper:
            ax.plot(chosen, chosen, "*", ms=18, color=EQUILIBRIUM, zorder=4, clip_on=False,
                    label=f"selected equilibrium s* = {chosen:.4g}")
        ax.plot([], [], "o", ms=8, mfc=ACCENT[0], mec=ACCENT[0], label="fixed point (stable)")
        ax.plot([], [], "o", ms=8, mfc="white", mec=ACCENT[0], mew=2,
                label="fixed point (unstable)")
        ax.set_xlim(low, upper)
        visible = values[values <= low + 0.6 * (high - low)] if upper < high else values
        ax.set_ylim(low, max(upper, float(np.nanmax(visible, initial=upper))) * 1.05)
        ax.set_xlabel(f"s: the others' common {own} (mean field {field.name} = "
                      f"{sympy.sstr(field.body.xreplace({own: sympy.Symbol('s')}))})")
        ax.set_ylabel(f"best response {own}")
        ax.grid(alpha=0.3)
    panels[0].legend(loc="center right" if zoomed else "lower right", fontsize=8)
    if zoomed:
        panels[0].set_title(f"the whole interval [{low:g}, {high:g}]")
        panels[1].set_title(f"zoom on [{low:g}, {top:.3g}]")
    against = f"\nagainst {leader.name}'s {leader.strategies[0].symbol} = {x:.4g}" if leader else ""
    fig.suptitle(f"{model.title}: population best response{against}")
    return fig


def _fixed_points(result):
    """The fixed points the continuous method reported, if the result holds them."""
    listed = result.extra.get("fixed_points_at_answer", result.extra.get("fixed_points"))
    if not isinstance(listed, list):
        return None
    return [(float(p["s"]), bool(p.get("stable")), str(p.get("best_response", "")))
            for p in listed]


def draw_leader(model, result=None, method=None, seed=0, **_: Any) -> Figure:
    """The leader's payoff against its strategy when the followers respond (top), the
    followers' response (bottom), and the chosen commitment."""
    from gamespec.solvers import continuous as cont
    from gamespec.solvers.continuous.method import _selection

    shape = _continuous_shape(model, "leader")
    if shape not in ("stackelberg", "population_leader"):
        raise SpecError("a leader plot needs an order of play `leader -> follower` (or -> a "
                        "population)", hint="for a simultaneous game try --kind best-response")
    result = _solved(model, result, method, seed)
    params = _params(model)
    if shape == "stackelberg":
        leader, follower = _two_players(model, shape)
        lvar, fvar = leader.strategies[0].symbol, follower.strategies[0].symbol
        low, high = _bounds(model, leader)
        xs = np.linspace(low, high, 401)
        ys, _ = _map(model, follower, (lvar,)).batch([xs])
        symbols = [lvar, fvar]
        columns = {fvar: ys}
        responses = [(f"{follower.name}'s best response {fvar}", fvar)]
        chosen_response = {fvar: float(result.strategies[follower.name])}
    else:
        population, field, own, leader, _x = _mean_field_parts(model, shape, result)
        lvar = leader.strategies[0].symbol
        low, high = _bounds(model, leader)
        # coarser grids than the solver's: this draws the curve, the answer is the result's
        follower = cont.PopulationFollower(_map(model, population, (field.symbol, lvar), 301),
                                           field=field.symbol, leader_var=lvar,
                                           aggregate=field.body, selection=_selection(model),
                                           grid=101)
        xs = _leader_grid(low, high, float(result.strategies[leader.name]))
        answers = follower.batch(xs)
        s = np.array([r.values[own] if r is not None else np.nan for r in answers])
        f = np.array([r.values[field.symbol] if r is not None else np.nan for r in answers])
        symbols = [lvar, own, field.symbol]
        columns = {own: s, field.symbol: f}
        responses = [(f"{population.name}' equilibrium {own}", own)]
        chosen_response = {own: float(result.strategies[population.name])}
    payoff = _payoff(model, leader.name).xreplace(params)
    fn = sympy.lambdify(symbols, payoff, "numpy")
    with np.errstate(all="ignore"):
        values = np.broadcast_to(fn(xs, *[columns[v] for v in symbols[1:]]), xs.shape)
    x_star = float(result.strategies[leader.name])
    u_star = float(result.values[leader.name])
    fig = _figure(8.0, 6.6)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    scale = float(np.nanmax(values) - np.nanmin(values)) or 1.0
    _line(top, xs, values, 0, scale * 4, color=ACCENT[0], lw=2,
             label=f"{leader.name}'s payoff when the followers respond")
    top.plot(x_star, u_star, "*", ms=17, color=EQUILIBRIUM,
             label=f"chosen: {lvar} = {x_star:.4g}, payoff {u_star:.4g}")
    top.set_ylabel(f"payoff of {leader.name}")
    top.legend(loc="best", fontsize=9)
    top.grid(alpha=0.3)
    for (label, var), colour in zip(responses, ACCENT[1:]):
        series = columns[var]
        spread = float(np.nanmax(series) - np.nanmin(series)) if np.isfinite(series).any() else 1
        _line(bottom, xs, series, 0, (spread or 1.0) * 4, color=colour, lw=2, label=label)
        bottom.plot(x_star, chosen_response[var], "*", ms=15, color=EQUILIBRIUM)
    bottom.set_ylabel("follower's response" if shape == "stackelberg" else "population's response")
    bottom.legend(loc="best", fontsize=9)
    bottom.grid(alpha=0.3)
    bottom.set_xlabel(f"{leader.name}'s strategy {lvar}")
    if shape == "population_leader" and high - low > 20 * (abs(x_star) + 1):
        bottom.set_xscale("symlog", linthresh=max(1.0, abs(x_star)))
        bottom.set_xlabel(f"{leader.name}'s strategy {lvar} (symmetric log scale)")
    bottom.set_xlim(low, high)
    fig.suptitle(f"{model.title}: the leader's problem")
    return fig


def _leader_grid(low: float, high: float, x_star: float) -> np.ndarray:
    """Leader strategies to draw: even spacing plus points near the answer and both ends."""
    from gamespec.solvers.continuous import sample_grid

    near = np.linspace(max(low, x_star - 0.5 * (abs(x_star) + 1)),
                       min(high, x_star + 0.5 * (abs(x_star) + 1)), 41)
    return np.unique(np.concatenate([sample_grid(low, high, 121), near, [x_star]]))


# ---------------------------------------------------------------------------- location privacy
def _channel_strategy(model):
    """(leader name, strategy) when the LP leader plays a channel f[r in R] over S."""
    if len(model.players) != 2:
        return None
    from gamespec.solvers.lp.method import roles

    leader, _ = roles(model)
    strategies = model.players[leader].strategies
    if len(strategies) != 1 or strategies[0].kind != "mixed" or len(
            strategies[0].condition_sets) != 1:
        return None
    return leader, strategies[0]


def draw_lppm(model, result=None, method=None, seed=0, **_: Any) -> Figure:
    """The optimal obfuscation channel f(s | r) as a heat map, and the regions (at their
    coordinates when the spec has them) coloured by the user's profile psi, with the
    channel's off-diagonal mass drawn as lines."""
    from matplotlib.colors import PowerNorm

    found = _channel_strategy(model)
    if found is None:
        raise SpecError("an lppm plot needs a zero-sum game whose leader plays a channel "
                        "`mixed f[r in R] over S` (as in location privacy)")
    leader, strategy = found
    result = _solved(model, result, method or "lp", seed)
    rows_set, cols_set = strategy.condition_sets[0], strategy.domain
    table = result.strategies.get(leader)
    if not isinstance(table, dict):
        raise SpecError(f"the result has no channel for `{leader}` (method {result.method})",
                        hint="solve with --method lp")
    rows = [str(_plain(e)) for e in rows_set.elements]
    cols = [str(_plain(e)) for e in cols_set.elements]
    F = np.array([[float(table.get(r, {}).get(c, 0.0)) for c in cols] for r in rows])
    psi = _indexed_param(model, ("psi", "prior", "p"), rows_set)
    coords = _coordinates(model, rows_set)
    fig = _figure(12.5, 5.6)
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.15])
    image = left.imshow(F, cmap="magma_r", vmin=0, vmax=1, aspect="equal")
    fig.colorbar(image, ax=left, label=f"{strategy.name}(s | r) = Pr(report s | at r)", shrink=0.85)
    if len(rows) <= 12 and len(cols) <= 12:
        for i in range(len(rows)):
            for j in range(len(cols)):
                if F[i, j] > 5e-4:
                    left.text(j, i, f"{F[i, j]:.2g}", ha="center", va="center", fontsize=9,
                              color="white" if F[i, j] > 0.5 else "black")
    step = max(1, len(rows) // 15)
    left.set_xticks(range(0, len(cols), step), cols[::step])
    left.set_yticks(range(0, len(rows), step), rows[::step])
    left.set_xlabel(f"reported region s (in {cols_set.name})")
    left.set_ylabel(f"actual region r (in {rows_set.name})")
    left.set_title(f"{leader}'s optimal channel {strategy.name}")
    weights = psi if psi is not None else np.full(len(rows), 1.0 / len(rows))
    if coords is not None and rows == cols:
        xs, ys = coords[0], coords[1]
        for i in range(len(rows)):
            for j in range(len(cols)):
                if i != j and F[i, j] > 0.02:
                    right.annotate("", (xs[j], ys[j]), (xs[i], ys[i]), zorder=1,
                                   arrowprops={"arrowstyle": "-|>", "color": "grey",
                                               "lw": 0.5 + 2 * F[i, j],
                                               "alpha": 0.3 + 0.6 * F[i, j],
                                               "shrinkA": 6, "shrinkB": 8})
        size = 60 + 600 * np.sqrt(weights / max(float(weights.max()), 1e-12))
        points = right.scatter(xs, ys, s=size, c=weights, cmap="viridis", edgecolors="black",
                               norm=PowerNorm(0.5, vmin=0), zorder=2)
        fig.colorbar(points, ax=right, label="psi(r): probability the user is at r"
                     if psi is not None else "uniform (the spec has no psi)", shrink=0.85)
        for k, label in enumerate(rows):
            offset = 4 + 0.5 * math.sqrt(size[k])  # clear of the marker
            right.annotate(label, (xs[k], ys[k]), textcoords="offset points",
                           xytext=(offset, offset), fontsize=8 if len(rows) > 12 else 10)
        right.set_xlabel(coords[2])
        right.set_ylabel(coords[3])
        right.set_aspect("equal", adjustable="datalim")
        right.margins(0.12)
        right.set_title("regions coloured by psi (square-root scale); arrows: r reported as s")
    else:
        right.bar(range(len(rows)), weights, color=ACCENT[0])
        right.set_xticks(range(0, len(rows), step), rows[::step])
        right.set_xlabel(f"region r (in {rows_set.name}); the spec gives no coordinates")
        right.set_ylabel("psi(r)" if psi is not None else "uniform weight")
        right.set_title("the user's profile psi")
    right.grid(alpha=0.3)
    value = result.values.get(leader)
    fig.suptitle(f"{model.title}: {leader}'s value {value:.4g} ({result.method}, "
                 f"certificate {'ok' if result.certificate.ok else 'NOT OK'})"
                 if isinstance(value, (int, float)) else model.title)
    return fig


def _plain(element):
    return int(element) if isinstance(element, float) and element.is_integer() else element


def _indexed_param(model, names, over) -> np.ndarray | None:
    for name in names:
        param = model.params.get(name)
        if param is not None and len(param.index_sets) == 1 and \
                param.index_sets[0].elements == over.elements and param.array is not None:
            return np.asarray(param.array, dtype=float)
    return None


def _coordinates(model, over):
    """(x, y, x label, y label) of the regions: indexed params x/y (lon/lat), else data
    columns .x/.y (.lon/.lat) keyed by the regions; None when there are none."""
    for xn, yn in (("x", "y"), ("lon", "lat")):
        x, y = _indexed_param(model, (xn,), over), _indexed_param(model, (yn,), over)
        if x is not None and y is not None:
            return x, y, xn, yn
        for key, (_, rows, values) in model.columns.items():
            table, _, column = key.rpartition(".")
            other = model.columns.get(f"{table}.{yn}")
            if column == xn and other is not None and rows.elements == over.elements:
                return (np.asarray(values, dtype=float), np.asarray(other[2], dtype=float),
                        f"{table}.{xn}", f"{table}.{yn}")
    return None


# ---------------------------------------------------------------------------- distributions
def _distribution_parts(model, quiet: bool = False):
    """(Q let, q param-or-let, their set) for a common-payoff family game, or an error."""
    let_q = model.lets.get("Q")
    data_q = model.params.get("q") or model.lets.get("q")
    problem = None
    if let_q is None or data_q is None:
        missing = " and ".join(n for n, v in (("`let Q[x in X]`", let_q),
                                              ("`q[x in X]`", data_q)) if v is None)
        problem = (f"a distribution plot needs {missing}: the output distribution Q and the "
                   "data histogram q over the same set (as in specs/nvo_pdp.game)")
    elif len(let_q.index_sets) != 1 or len(data_q.index_sets) != 1 or \
            let_q.index_sets[0].elements != data_q.index_sets[0].elements:
        problem = "Q and q must each be indexed by one set, the same set"
    elif any(p.kind == "population" or any(s.kind != "choice" for s in p.strategies)
             for p in model.players.values()):
        problem = "a distribution plot needs players (or families) making finite pure choices"
    if problem is not None:
        if quiet:
            return None
        raise SpecError(problem, hint="define them with `let` / `param` in the spec")
    return let_q, data_q, let_q.index_sets[0]


def draw_distribution(model, result=None, method=None, seed=0, profile=None, **_: Any) -> Figure:
    """The data histogram q beside the output distribution Q at the equilibrium and at a
    named profile (default: the spec's first), each with KL(q || Q) in the legend."""
    from gamespec.solvers.brd.method import ModelOracle, profile_choices

    let_q, data_q, bins = _distribution_parts(model)
    result = _solved(model, result, method, seed)
    oracle = ModelOracle(model)
    equilibrium = _choices_from_labels(oracle, result.strategies)
    series = [("equilibrium", equilibrium)]
    if profile is None and model.profiles:
        profile = next(iter(model.profiles))
    if profile is not None:
        if profile not in model.profiles:
            close = difflib.get_close_matches(profile, list(model.profiles), n=1)
            raise SpecError(f"no profile `{profile}` in the spec",
                            hint=f"did you mean `{close[0]}`?" if close else
                            "profiles: " + (", ".join(model.profiles) or "none"))
        series.append((f"profile `{profile}`", profile_choices(model, oracle,
                                                               model.profiles[profile])))
    q = _evaluate_indexed(model, data_q, oracle, equilibrium)
    labels = [str(_plain(e)) for e in bins.elements]
    positions = np.arange(len(labels))
    fig = _figure(10.0, 5.0)
    ax = fig.subplots()
    ax.bar(positions, q, width=1.0, color="lightgrey", edgecolor="grey", lw=0.3,
           label="q: the data histogram")
    top = float(np.max(q, initial=0.0))
    for (name, choices), colour, style in zip(series, (EQUILIBRIUM, ACCENT[0]), ("-", "--")):
        Q = _evaluate_indexed(model, let_q, oracle, choices)
        top = max(top, float(np.max(Q, initial=0.0)))
        kl = float(np.sum(np.where(q > 0, q * np.log(np.where(q > 0, q, 1) / Q), 0.0)))
        ax.plot(positions, Q, style, color=colour, lw=2, label=f"Q at the {name} (KL(q||Q) = {kl:.4g})")
    step = max(1, len(labels) // 20)
    ax.set_xticks(positions[::step], labels[::step])
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.set_ylim(0, 1.3 * top if top > 0 else 1)  # room for the legend above the bars
    ax.set_xlabel(f"bin {bins.name}")
    ax.set_ylabel("probability")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=9)
    ax.set_title(f"{model.title}: output distribution Q vs the data q")
    return fig


def _choices_from_labels(oracle, strategies: dict) -> np.ndarray:
    """The result's strategy labels (agent -> element) as choice positions."""
    profile = np.zeros(oracle.n_players, dtype=np.int64)
    for k, agent in enumerate(oracle.agents):
        label = strategies.get(agent.name)
        elements = [str(e) for e in agent.domain.elements]
        if label is None or str(label) not in elements:
            raise SpecError(f"the result has no pure strategy for `{agent.name}`",
                            hint="solve with a method that returns a pure profile (brd, enumerate)")
        profile[k] = elements.index(str(label))
    return profile


def _evaluate_indexed(model, definition, oracle, choices) -> np.ndarray:
    """A one-index let or param as a vector, with every agent playing `choices`."""
    from gamespec.evaluate import LArray, Table, evaluate
    from gamespec.evaluation_context import base_context

    if getattr(definition, "array", None) is not None:
        return np.asarray(definition.array, dtype=float)
    ctx = base_context(model)
    start = 0
    for player in model.players.values():
        strategy = player.strategies[0]
        values = strategy.domain.values()
        if player.kind == "family":
            n = len(player.member_set)
            ctx.tables[strategy.name] = Table(values[choices[start:start + n]], (player.member_set,))
            start += n
        else:
            ctx.scalars[strategy.symbol] = LArray.scalar(values[choices[start]])
            start += 1
    variable, over = definition.variables[0], definition.index_sets[0]
    inner = ctx.child(index_sets={**ctx.index_sets, variable: over})
    value = evaluate(definition.expr, inner)
    data = np.asarray(value.aligned((variable.name,)), dtype=float)
    return np.broadcast_to(data.reshape(-1), (len(over),)).copy()


# ---------------------------------------------------------------------------- dynamics
def draw_trajectory(model, result=None, **_: Any) -> Figure:
    """Euler-Lagrange coordinates over the index and their phase portrait; update-rule
    series over the rounds and the phase portrait of the first two, with the fixed point."""
    from gamespec.solvers.dynamics import method as dm

    if not (model.dynamics or model.updates):
        raise SpecError("a trajectory plot needs `dynamics` or `update` rules in the spec")
    rows = [part for part in ("dynamics", "updates") if getattr(model, part)]
    fig = _figure(11.5, 4.6 * len(rows))
    grid = fig.subplots(len(rows), 2, squeeze=False)
    params = _params(model)
    if model.dynamics:
        ax_t, ax_p = grid[rows.index("dynamics")]
        trajectory = dm.integrate_model(model)
        t0, t1 = float(trajectory.t[0]), float(trajectory.t[-1])
        times = np.linspace(t0, t1, 801)
        q, v = trajectory.at(times)
        index = model.dynamics.index
        for k, name in enumerate(trajectory.coords):
            colour = ACCENT[k % len(ACCENT)]
            ax_t.plot(times, q[k], color=colour, lw=2, label=f"{name}({index})")
            ax_p.plot(q[k], v[k], color=colour, lw=1.5, label=name)
            ax_p.plot(q[k, 0], v[k, 0], "o", color=colour, ms=7)
        ax_t.set_xlabel(str(index))
        ax_t.set_ylabel("coordinate")
        ax_t.set_title("Euler-Lagrange solution")
        ax_p.set_xlabel("coordinate q")
        ax_p.set_ylabel(f"dq/d{index}")
        cert = trajectory.certificate
        ax_p.set_title(f"phase portrait (dots: start); certificate residual {cert.residual:.2g} "
                       f"{'ok' if cert.ok else 'NOT OK'}")
        for ax in (ax_t, ax_p):
            ax.grid(alpha=0.3)
            ax.legend(loc="best", fontsize=9)
    if model.updates:
        ax_s, ax_p = grid[rows.index("updates")]
        series = dm.simulate_updates(model)
        rounds_start = min(int(e) for e in model.updates.rounds.elements)
        names = list(series)
        for k, name in enumerate(names):
            steps = np.arange(rounds_start, rounds_start + len(series[name]))
            ax_s.plot(steps, series[name], "o-", ms=3.5, color=ACCENT[k % len(ACCENT)], label=name)
        fixed = dm.update_fixed_point(model) or {}
        stars = {str(k).removesuffix("_star"): float(v.xreplace(params)) for k, v in fixed.items()
                 if not v.xreplace(params).free_symbols}
        for k, name in enumerate(names):
            if name in stars:
                ax_s.axhline(stars[name], color=ACCENT[k % len(ACCENT)], ls=":", lw=1)
        ax_s.set_xlabel(f"round {model.updates.index}")
        ax_s.set_ylabel("value")
        ax_s.set_title("update rules over the rounds (dotted: fixed point)")
        if len(names) >= 2:
            a, b = names[0], names[1]
            n = min(len(series[a]), len(series[b]))
            ax_p.plot(series[a][:n], series[b][:n], "o-", ms=3.5, color=ACCENT[0], lw=1)
            ax_p.plot(series[a][0], series[b][0], "o", ms=8, color=ACCENT[1], label="start")
            if a in stars and b in stars:
                ax_p.plot(stars[a], stars[b], "*", ms=16, color=EQUILIBRIUM,
                          label=f"fixed point ({stars[a]:.4g}, {stars[b]:.4g})")
            ax_p.set_xlabel(a)
            ax_p.set_ylabel(b)
        else:
            a = names[0]
            ax_p.plot(series[a][:-1], series[a][1:], "o-", ms=3.5, color=ACCENT[0])
            ax_p.set_xlabel(f"{a}[i]")
            ax_p.set_ylabel(f"{a}[i + 1]")
        ax_p.set_title("phase portrait of the update rules")
        for ax in (ax_s, ax_p):
            ax.grid(alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="best", fontsize=9)
    fig.suptitle(model.title)
    return fig


# ---------------------------------------------------------------------------- sweep tables
def plot_regime_file(path: str | Path, out: str | Path | None = None, *, x: str | None = None,
                     y: str | None = None, color: str | None = None) -> Figure:
    """`gamespec plot TABLE --kind regime`: read a sweep table and draw it."""
    from gamespec.sweep import read_table

    rows = read_table(str(path))
    fig = plot_regime(rows, x=x, y=y, color=color, title=Path(str(path)).name)
    if out is not None:
        save_png(fig, out)
    return fig


def plot_regime(rows: list[dict], *, x: str | None = None, y: str | None = None,
                color: str | None = None, title: str = "sweep") -> Figure:
    """Which answer holds where: `color` over the (x, y) grid of a sweep (a heat map for a
    number, one colour per value for labels); crosses mark points that are not certified."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    from gamespec.sweep import columns_of

    if not rows:
        raise SpecError("the table has no rows")
    columns = columns_of(rows)
    axes = columns[:columns.index("method")] if "method" in columns else []
    x = _column(x, columns, axes[0] if axes else None, "--x")
    y = _column(y, columns, axes[1] if len(axes) > 1 and axes[1] != x else None, "--y",
                optional=True)
    default = next((c for c in columns if c.startswith("strategy:")),
                   next((c for c in columns if c.startswith("value:")), "status"))
    color = _column(color, columns, default, "--color")
    xs = np.array([_as_float(r.get(x), x) for r in rows])
    values = [r.get(color) for r in rows]
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    certified = np.array([r.get("certified", True) in (True, "True") for r in rows])
    fig = _figure(7.8, 5.8)
    ax = fig.subplots()
    if numeric:
        data = np.array(values, dtype=float)
        categories: list = []
    else:
        categories = sorted({str(v) for v in values})
        data = np.array([categories.index(str(v)) for v in values], dtype=float)
    if numeric:
        cmap, norm = "viridis", None
    else:
        palette = [ACCENT[k % len(ACCENT)] for k in range(len(categories))]
        cmap = ListedColormap(palette)
        norm = BoundaryNorm(np.arange(len(categories) + 1) - 0.5, len(categories))
    if y is None:
        order = np.argsort(xs)
        if numeric:
            ax.plot(xs[order], data[order], "o-", color=ACCENT[0])
            ax.set_ylabel(color)
        else:
            ax.scatter(xs, data, c=data, cmap=cmap, norm=norm, s=60)
            ax.set_yticks(range(len(categories)), categories)
            ax.set_ylabel(color)
        ax.set_xlabel(x)
    else:
        ys = np.array([_as_float(r.get(y), y) for r in rows])
        ux, uy = np.unique(xs), np.unique(ys)
        if len(ux) * len(uy) == len(rows) and len(set(zip(xs, ys))) == len(rows):
            grid = np.full((len(uy), len(ux)), np.nan)
            grid[np.searchsorted(uy, ys), np.searchsorted(ux, xs)] = data
            mesh = ax.pcolormesh(ux, uy, grid, shading="nearest", cmap=cmap, norm=norm)
        else:
            mesh = ax.scatter(xs, ys, c=data, cmap=cmap, norm=norm, s=90, marker="s")
        if numeric:
            fig.colorbar(mesh, ax=ax, label=color)
        else:
            handles = [Patch(color=cmap(k), label=c) for k, c in enumerate(categories)]
            ax.legend(handles=handles, title=color, loc="upper left", bbox_to_anchor=(1.01, 1),
                      fontsize=9)
        ax.plot(xs[certified], ys[certified], ".", color="black", ms=3, alpha=0.6)
        if (~certified).any():
            ax.plot(xs[~certified], ys[~certified], "x", color="black", ms=9, mew=2)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
    over = f"{x} and {y}" if y is not None else x
    crosses = "; x: not certified" if (~certified).any() else ""
    ax.set_title(f"{color} over {over} ({title}; dots: grid points{crosses})", fontsize=11)
    return fig


def _column(name, columns, default, flag, optional=False):
    if name is None:
        if default is None and not optional:
            raise SpecError(f"say which column to draw with {flag}",
                            hint="columns: " + ", ".join(columns))
        return default
    if name not in columns:
        close = difflib.get_close_matches(name, columns, n=1)
        raise SpecError(f"{flag}: the table has no column `{name}`",
                        hint=f"did you mean `{close[0]}`?" if close else
                        "columns: " + ", ".join(columns))
    return name


def _as_float(value, column: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SpecError(f"column `{column}` holds {value!r}, not a number") from None
    if not math.isfinite(number):
        raise SpecError(f"column `{column}` holds {value!r}, not a finite number")
    return number
