"""Every kind of picture renders to a valid PNG of the expected pixel size, drawn from the
Result alone: the solvers sample what a picture needs (`figures = true`, Result extra
`figures`), and while a picture is drawn from a given Result every solver, the normal
form, the expression evaluator and the run path raise if called.
"""
from __future__ import annotations

import inspect
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

import gamespec
from gamespec.cli import PLOT_KINDS, main
from gamespec.errors import SpecError
from gamespec.plots import KINDS, plot_game, plot_result
from gamespec.result import Result
from gamespec.sweep import to_json

SPECS = Path(__file__).resolve().parents[1] / "specs"

CHANNEL = """game "Location privacy on four regions"
param Qmax = 0.3 in [0, 1]
set R = 1..4
param x[r in R] = mod(r - 1, 2)
param y[r in R] = floor((r - 1) / 2)
param psi[r in R] = if r == 1 then 0.4 else 0.2
param dp[a in R, b in R] = sqrt((x[a] - x[b])^2 + (y[a] - y[b])^2)
param dq[a in R, b in R] = if a == b then 0 else 1
player user {
  mixed f[r in R] over R
  subject to quality: sum(r in R, s in R) psi[r] * f[r, s] * dq[s, r] <= Qmax
}
player adversary { mixed h[s in R] over R }
payoff user = sum(r in R, s in R, a in R) psi[r] * f[r, s] * h[s, a] * dp[a, r]
zero_sum
order user -> adversary
"""

TINY_NVO = """game "Tiny NVO"
param eps = 1
param K = 10
set I = 1..6
set X = 1..K
param d[i in I] = (2 * i - 1) / 12
param q[x in X] = count(i in I : bin_of(d[i], K) == x) / card(I)
set V = {2, 1, 0.2}
players inst[i in I] { choose b in V }
let m[i in I, x in X] = laplace_mass(d[i], b[i], x, K)
let Q[x in X] = mean(j in I) m[j, x]
let KL = sum(x in X : q[x] > 0) q[x] * ln(q[x] / Q[x])
common payoff = 1 - KL / ln(K) + 0.05 * sum(i in I) [b[i] >= 1 / eps]
profile laplace { b[i in I] = 1 / eps }
"""

SWEEP_CSV = ("T_hi,P_hi,method,status,certified,residual,reason,strategy:collector,"
             "value:collector\n") + "".join(
    f"{t}.0,{p}.0,enumerate,equilibria,True,0.0,,{'Hard' if p >= t - 1 else 'Soft'},"
    f"{-min(t, p + 1)}.0\n" for t in (2, 6, 10, 14) for p in (4, 8, 12))


POPULATION = """game "A small population"
population users of 10 {
  choose s in [0, 1]
  field m = mean s
}
payoff users = 1.5 * s - s^2 - s * m
"""

LEADER = """game "A leader and a follower"
player leader { choose x in [0, 2] }
player follower { choose y in [0, 2] }
payoff leader = x * (2 - x - y)
payoff follower = y * (2 - x - y)
order leader -> follower
"""


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk; asserts a well-formed PNG start."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    crc = struct.unpack(">I", data[29:33])[0]
    assert crc == zlib.crc32(data[12:29]), "IHDR checksum"
    assert data.rstrip(b"\x00")[-8:-4] == b"IEND", "no IEND chunk"
    return width, height


def assert_picture(path: Path, size: tuple[int, int]) -> None:
    assert png_size(path) == size
    assert path.stat().st_size > 10_000
    from matplotlib.image import imread

    pixels = imread(str(path))
    assert pixels.shape[:2] == (size[1], size[0])
    assert float(np.std(pixels[..., :3])) > 0.05, "a blank picture"
    assert not list(path.parent.glob(f".{path.name}.*tmp")), "temporary file left"



# modules whose functions must not run while a picture is drawn from a given Result
NO_WORK = ("gamespec.solvers", "gamespec.normal_form", "gamespec.evaluate", "gamespec.plan",
           "gamespec.api", "gamespec.analysis", "gamespec.evaluation_context")


@pytest.fixture
def solvers_forbidden(monkeypatch):
    """Every function of the solver, evaluation and run-path modules raises when called."""
    def forbid(monkeypatch_):
        for name, module in list(sys.modules.items()):
            if module is None or not name.startswith(NO_WORK):
                continue
            for attr, value in list(vars(module).items()):
                if inspect.isfunction(value) and value.__module__ == name or \
                        inspect.isclass(value) and value.__module__ == name and \
                        attr[0].isupper() and not issubclass(value, BaseException):
                    monkeypatch_.setattr(module, attr, _raiser(f"{name}.{attr}"))
    return lambda: forbid(monkeypatch)


def _raiser(where: str):
    def called(*args, **kwargs):
        raise AssertionError(f"a plot called {where}")
    return called


def solved(game, **options) -> Result:
    result = game.solve(figures=True, **options)
    assert "figures" in result.extra
    return result


def draw(result, kind, path, size, forbid, **options):
    """Draw `kind` from the result with every solver forbidden; check the PNG."""
    forbid()
    plot_result(result, kind, path, **options)
    assert_picture(path, size)


def test_one_list_of_kinds_read_without_matplotlib():
    import subprocess

    assert PLOT_KINDS is KINDS
    code = "import sys, gamespec.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_payoff_table(tmp_path, solvers_forbidden):
    game = gamespec.load(SPECS / "prisoners_dilemma.game")
    result = solved(game)
    table = result.extra["figures"]["payoff-table"]
    # the spec's table, row player's and column player's payoffs
    assert np.array_equal(np.asarray(table["payoffs"][0]), [[-1, -3], [0, -2]])
    assert np.array_equal(np.asarray(table["payoffs"][1]), [[-1, 0], [-3, -2]])
    assert table["equilibria"] == [[1, 1]] and table["rows"] == ["Cooperate", "Defect"]
    draw(result, "payoff-table", tmp_path / "pd.png", (550, 360), solvers_forbidden)


def cell_numbers(fig) -> dict[tuple[int, int, int, int], float]:
    """(panel, agent, row, column) -> the number written in that cell's strip."""
    out = {}
    for panel, ax in enumerate(a for a in fig.axes if a.get_label() != "<colorbar>"):
        for text in ax.texts:
            kind, *where = (text.get_gid() or "").split()
            if kind == "payoff":
                out[(panel, *map(int, where))] = float(text.get_text())
    return out


def test_payoff_table_is_one_bimatrix_with_both_payoffs_per_cell(tmp_path):
    """One panel, one colour scale; each cell writes the row and the column player's
    payoff (battle of the sexes, the payoffs read from the spec by hand)."""
    result = solved(gamespec.load(SPECS / "battle_of_the_sexes.game"))
    fig = plot_result(result, "payoff-table", tmp_path / "bos.png")
    panels = [a for a in fig.axes if a.get_label() != "<colorbar>"]
    assert len(panels) == 1 and len(fig.axes) == 2  # one table, one colour bar
    numbers = cell_numbers(fig)
    data = result.extra["figures"]["payoff-table"]
    assert len(numbers) == 2 * len(data["rows"]) * len(data["columns"])
    for k in (0, 1):
        for i, row in enumerate(data["payoffs"][k]):
            for j, value in enumerate(row):
                assert numbers[(0, k, i, j)] == pytest.approx(value, abs=5e-3)
    assert sorted(numbers.values()) == pytest.approx(sorted(BOS_PAYOFFS))
    assert "the payoffs of" in fig._suptitle.get_text()
    from gamespec.plots.style import unlabelled_axes

    assert unlabelled_axes(fig) == []


BOS_PAYOFFS = [3, 2, 0, 0, 0, 0, 2, 3]  # (Opera, Opera) = (3, 2), (Football, Football) = (2, 3)


def test_payoff_table_with_three_players_draws_every_player(tmp_path):
    """Three players: one panel per choice of the third, three numbers per cell, each the
    spec's payoff (computed here from the spec's formula), equilibria per panel."""
    result = solved(gamespec.load(SPECS / "three_player_coordination.game"))
    fig = plot_result(result, "payoff-table", tmp_path / "three.png")
    numbers = cell_numbers(fig)
    labels = ["Left", "Right"]
    tilt = 0.25

    def payoff(own, a, b):
        return (own == a) + (own == b) + tilt * (own == "Right")

    assert len(numbers) == 2 * 3 * 2 * 2
    for panel, x3 in enumerate(labels):
        for i, x1 in enumerate(labels):
            for j, x2 in enumerate(labels):
                expected = (payoff(x1, x2, x3), payoff(x2, x1, x3), payoff(x3, x1, x2))
                got = tuple(numbers[(panel, k, i, j)] for k in range(3))
                assert got == pytest.approx(expected, abs=5e-3)
    data = result.extra["figures"]["payoff-table"]
    # the pure equilibria: all Left and all Right, one in each panel
    assert [p["equilibria"] for p in data["panels"]] == [[[0, 0]], [[1, 1]]]
    titles = [a.get_title() for a in fig.axes if a.get_label() != "<colorbar>"]
    assert titles == ["p3 = Left", "p3 = Right"]


def test_best_response_two_players(tmp_path, solvers_forbidden):
    result = solved(gamespec.load(SPECS / "cournot.game"))
    data = result.extra["figures"]["best-response"]
    for curve in data["curves"]:  # BR(q) = max(0, (a - c - q) / 2b) with a=10, b=c=1
        against, response = np.asarray(curve["against"]), np.asarray(curve["response"])
        assert np.allclose(response, np.maximum(0.0, (9 - against) / 2), atol=1e-6)
    assert result.strategies["firm1"] == pytest.approx(3.0, abs=1e-6)
    draw(result, "best-response", tmp_path / "cournot.png", (660, 560), solvers_forbidden)


def test_population_best_response(tmp_path, solvers_forbidden):
    result = solved(gamespec.loads(POPULATION))
    data = result.extra["figures"]["best-response"]
    s = np.asarray(data["s"])  # BR(s) = clip((1.5 - s) / 2, 0, 1), the field m = s
    assert np.allclose(data["response"], np.clip((1.5 - s) / 2, 0, 1), atol=1e-6)
    assert [p["s"] for p in data["fixed_points"]] == pytest.approx([0.5])
    draw(result, "best-response", tmp_path / "population.png", (700, 560), solvers_forbidden)


def test_leader(tmp_path, solvers_forbidden):
    result = solved(gamespec.loads(LEADER))
    figures = result.extra["figures"]
    assert list(figures) == ["leader", "best-response"]  # the first is the default
    data = figures["leader"]  # y*(x) = 1 - x / 2; the leader's payoff x (1 - x / 2)
    xs = np.asarray(data["x"])
    assert np.allclose(data["responses"][0]["values"], 1 - xs / 2, atol=1e-6)
    assert np.allclose(data["payoff"], xs * (1 - xs / 2), atol=1e-6)
    assert result.strategies["leader"] == pytest.approx(1.0, abs=1e-6)
    draw(result, "leader", tmp_path / "leader.png", (800, 660), solvers_forbidden)


def test_channel(tmp_path, solvers_forbidden):
    result = solved(gamespec.loads(CHANNEL, path=str(tmp_path / "channel.game")))
    data = result.extra["figures"]["channel"]
    matrix = np.asarray(data["matrix"])
    assert np.allclose(matrix.sum(axis=1), 1.0)
    for r, row in zip(data["rows"], matrix):  # the same channel as the result's strategy
        for s, p in zip(data["columns"], row):
            assert p == pytest.approx(result.strategies["user"][r].get(s, 0.0), abs=1e-9)
    assert data["weights"]["name"] == "psi"  # found as the distribution over the rows
    assert np.allclose(data["coordinates"]["x"], [0, 1, 0, 1])
    draw(result, "channel", tmp_path / "channel.png", (1250, 560), solvers_forbidden)


def test_distribution(tmp_path, solvers_forbidden):
    result = solved(gamespec.loads(TINY_NVO), method="brd")
    data = result.extra["figures"]["distribution"]
    group = data["sets"]["X"]
    q = np.asarray(group["series"]["q"]["values"]["solution"])
    d = (2 * np.arange(1, 7) - 1) / 12  # the histogram of d over 10 bins, by numpy
    assert np.allclose(q, np.histogram(d, bins=10, range=(0, 1))[0] / 6)
    Q = group["series"]["Q"]["values"]
    assert set(Q) == {"solution", "laplace"} and data["profiles"] == ["laplace"]
    for values in Q.values():
        assert np.sum(values) == pytest.approx(1.0)
    draw(result, "distribution", tmp_path / "nvo.png", (1000, 500), solvers_forbidden,
         series="q,Q")


def test_trajectory(tmp_path, solvers_forbidden):
    result = solved(gamespec.load(SPECS / "trimming.game"))
    data = result.extra["figures"]["trajectory"]
    times = np.asarray(data["coordinates"]["t"])
    for coord in data["coordinates"]["coords"]:  # the result's 11 samples lie on the curve
        for t, value in result.strategies[coord["name"]].items():
            assert np.interp(float(t), times, coord["position"]) == pytest.approx(value, abs=1e-4)
    series = data["updates"]["series"]
    assert all(series[name] == result.strategies[name] for name in series)
    draw(result, "trajectory", tmp_path / "trimming.png", (1150, 920), solvers_forbidden)


def test_plot_game_solves_through_the_run_path(tmp_path, monkeypatch):
    import gamespec.plan as plan

    seen = {}
    run_plan = plan.run_plan

    def spy(model, p, **kwargs):
        seen.update(p.options)
        return run_plan(model, p, **kwargs)

    monkeypatch.setattr(plan, "run_plan", spy)
    game = gamespec.load(SPECS / "prisoners_dilemma.game")
    plot_game(game.model, None, tmp_path / "pd.png")
    assert seen.get("figures") is True
    assert_picture(tmp_path / "pd.png", (550, 360))


def test_a_result_without_figures_is_refused_clearly():
    game = gamespec.load(SPECS / "prisoners_dilemma.game")
    with pytest.raises(SpecError, match="holds no figure data"):
        game.plot("payoff-table", result=game.solve())


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_regime_from_a_sweep_table(tmp_path, capsys, suffix):
    table = tmp_path / f"sweep.{suffix}"
    if suffix == "csv":
        table.write_text(SWEEP_CSV)
    else:
        from gamespec.sweep import read_table

        (tmp_path / "t.csv").write_text(SWEEP_CSV)
        table.write_text(to_json(read_table(str(tmp_path / "t.csv"))))
    out = tmp_path / f"regime_{suffix}.png"
    code = main(["plot", str(table), "--kind", "regime", "--x", "T_hi", "--y", "P_hi",
                 "--color", "strategy:collector", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert_picture(out, (780, 580))


def test_regime_names_a_missing_column(tmp_path, capsys):
    table = tmp_path / "sweep.csv"
    table.write_text(SWEEP_CSV)
    code = main(["plot", str(table), "--x", "T_hi", "--y", "P_hii", "--out",
                 str(tmp_path / "r.png")])
    err = capsys.readouterr().err
    assert code == 2 and "no column `P_hii`" in err and "did you mean `P_hi`?" in err


def test_solve_plot_draws_the_default_picture(tmp_path, capsys):
    out = tmp_path / "pd.png"
    assert main(["solve", str(SPECS / "prisoners_dilemma.game"), "--plot", str(out)]) == 0
    assert "certificate:" in capsys.readouterr().out
    assert_picture(out, (550, 360))


def test_a_kind_that_does_not_fit_is_refused_clearly(tmp_path, capsys):
    code = main(["plot", str(SPECS / "prisoners_dilemma.game"), "--kind", "distribution",
                 "--out", str(tmp_path / "x.png")])
    err = capsys.readouterr().err
    assert code == 2 and "the enumerate_mixed result has no distribution picture" in err
    assert "pictures of this result: payoff-table" in err
    assert not (tmp_path / "x.png").exists()
    with pytest.raises(SpecError, match="unknown plot kind"):
        gamespec.load(SPECS / "prisoners_dilemma.game").plot("payoff_table")


def test_an_unknown_series_is_named(tmp_path):
    result = solved(gamespec.loads(TINY_NVO), method="brd")
    with pytest.raises(SpecError, match="no quantity `QQ`") as info:
        plot_result(result, "distribution", series="QQ")
    assert "did you mean `Q`?" in (info.value.hint or "")


def test_no_plot_names_a_method_or_imports_a_solver():
    """The plots switch on no method name and import no solver, evaluator or run path
    (plot_game's one call of gamespec.api.solve_model aside)."""
    import ast

    from gamespec.solvers.registry import SOLVER_MODULES, registry

    methods = {entry.name for entry in registry()}
    assert len(SOLVER_MODULES) == len(methods) and {"lp", "enumerate", "logit"} <= methods
    folder = Path(gamespec.plots.__file__).parent
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                   and isinstance(n.value, str)}
        assert not strings & methods, (path.name, strings & methods)
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                     for a in n.names}
        assert not {m for m in imported if m and m.startswith(NO_WORK)} - (
            {"gamespec.api"} if path.name == "__init__.py" else set()), path.name


def test_channel_map_has_units_and_labels_that_do_not_overlap(tmp_path, mirror):
    """The location channel on the check-in data: axes in km (the data source's unit),
    every region labelled once, no two labels (or a label and a marker centre) overlap."""
    game = gamespec.load(SPECS / "location_privacy.game", n_regions=12)
    result = solved(game)
    fig = plot_result(result, "channel", tmp_path / "channel.png")
    ax = fig.axes[1]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x (km)", "y (km)")
    renderer = fig._get_renderer()
    labels = [t for t in ax.texts if t.get_text()]
    assert sorted(t.get_text() for t in labels) == sorted(result.extra["figures"]["channel"]
                                                          ["rows"])
    boxes = [t.get_window_extent(renderer) for t in labels]
    for k, a in enumerate(boxes):
        for b in boxes[k + 1:]:
            assert not a.overlaps(b), (a, b)
    centres = ax.transData.transform(np.column_stack(
        [result.extra["figures"]["channel"]["coordinates"][c] for c in ("x", "y")]))
    for box in boxes:
        assert not any(box.contains(*c) for c in centres)
