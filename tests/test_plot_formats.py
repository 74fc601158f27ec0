"""Every kind of picture written as PDF, SVG and PNG: the file's bytes are of the format its
suffix names; the PNG's pixel size follows the dpi; another suffix is a usage error (exit 2)
before anything is solved or written."""
from __future__ import annotations

import struct
from pathlib import Path

import pytest

import gamespec
from gamespec.cli import main
from gamespec.errors import SpecError
from gamespec.plots import KINDS, plot_regime_file, plot_result, save_figure

SPECS = Path(__file__).resolve().parents[1] / "specs"
TESTS = Path(__file__).resolve().parent

MAGIC = {"pdf": (b"%PDF-",), "svg": (b"<?xml", b"<svg"), "png": (b"\x89PNG\r\n\x1a\n",)}

# kind -> (spec, solve options); small specs, one solve each
SOURCES = {
    "payoff-table": (SPECS / "prisoners_dilemma.game", {}),
    "best-response": (SPECS / "cournot.game", {}),
    "leader": (SPECS / "stackelberg_duopoly.game", {}),
    "distribution": ("TINY_NVO", {"method": "brd"}),
    "trajectory": (SPECS / "trimming.game", {}),
    "logit-path": (SPECS / "matching_pennies.game", {"method": "logit"}),
    "shares": (SPECS / "hawk_dove_population.game", {}),
    "channel": ("CHANNEL", {}),
}


def _game(source):
    if isinstance(source, Path):
        return gamespec.load(source)
    import test_plots

    return gamespec.loads(getattr(test_plots, source))


@pytest.fixture(scope="module")
def results():
    out = {}
    for kind, (source, options) in SOURCES.items():
        out[kind] = _game(source).solve(figures=True, **options)
        assert kind in out[kind].extra["figures"], (kind, list(out[kind].extra["figures"]))
    return out


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_every_kind_is_covered():
    assert set(SOURCES) | {"regime"} == set(KINDS)


@pytest.mark.parametrize("fmt", ["pdf", "svg", "png"])
def test_every_kind_writes_the_format_its_suffix_names(tmp_path, results, fmt):
    import test_plots

    for kind in KINDS:
        path = tmp_path / f"{kind}.{fmt.upper() if kind == 'shares' else fmt}"
        if kind == "regime":
            table = tmp_path / "sweep.csv"
            table.write_text(test_plots.SWEEP_CSV)
            fig = plot_regime_file(table, path)
        else:
            fig = plot_result(results[kind], kind, path)
        if fmt == "png":  # the style, once per kind
            check_style(fig, kind)
        data = path.read_bytes()
        assert data.lstrip().startswith(MAGIC[fmt]), (kind, data[:20])
        if fmt == "svg":
            assert b"<svg" in data[:2000] and data.rstrip().endswith(b"</svg>")
        if fmt == "pdf":
            assert data.rstrip().endswith(b"%%EOF")


def check_style(fig, kind: str) -> None:
    """Every axis labelled, no Markdown backticks, no offset notation on any axis."""
    from matplotlib.text import Text

    from gamespec.plots.style import unlabelled_axes

    assert unlabelled_axes(fig) == [], kind
    texts = [t.get_text() for t in fig.findobj(Text)]
    assert not [t for t in texts if "`" in t], kind
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            assert axis.get_offset_text().get_text() == "", (kind, ax.get_title())


def test_a_one_axis_sweep_has_no_offset_and_a_y_label(tmp_path):
    """Values near 12305 on one grid axis: plain tick labels (no +1.2305e4 offset), the
    y axis named after the column."""
    rows = [{"price": float(p), "method": "enumerate", "status": "ok", "certified": True,
             "value:firm": 12305.0 + p / 10} for p in range(1, 9)]
    fig = plot_regime_file(rows, tmp_path / "one.png")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "value of firm" and ax.get_xlabel() == "price"
    assert ax.yaxis.get_offset_text().get_text() == ""
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels and all(float(t.replace("\u2212", "-")) > 12000 for t in labels), labels


def test_a_figure_shows_inline_in_ipython(results):
    """IPython's display formatter gives image/png for the returned Figure, no pyplot."""
    from IPython.core.formatters import DisplayFormatter

    fig = plot_result(results["payoff-table"], "payoff-table")
    data, _ = DisplayFormatter().format(fig)
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    width, height = fig.get_size_inches() * fig.dpi
    assert png_size(data["image/png"]) == (round(width), round(height))


def test_a_notebook_shows_the_plot_inline(tmp_path):
    """The real thing: a Jupyter kernel runs `game.plot()`; its output holds image/png."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    spec = SPECS / "hawk_dove.game"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        f"import gamespec\ngamespec.load({str(spec)!r}).plot()")]
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = notebook.cells[0].outputs
    assert [o.output_type for o in outputs] == ["execute_result"]
    assert "image/png" in outputs[0].data


def test_dpi_sets_the_png_pixel_size(tmp_path, results):
    fig = plot_result(results["payoff-table"], "payoff-table")
    width, height = fig.get_size_inches()
    for dpi in (50, 100, 300):
        save_figure(fig, tmp_path / f"t{dpi}.png", dpi=dpi)
        assert png_size((tmp_path / f"t{dpi}.png").read_bytes()) == (
            round(width * dpi), round(height * dpi))


def test_the_same_figure_gives_the_same_bytes(tmp_path, results):
    fig = plot_result(results["payoff-table"], "payoff-table")
    for fmt in ("pdf", "svg", "png"):
        save_figure(fig, tmp_path / f"a.{fmt}")
        save_figure(fig, tmp_path / f"b.{fmt}")
        assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()


@pytest.mark.parametrize("name", ["fig.jpg", "fig", "fig.pdf.txt"])
def test_another_suffix_is_a_usage_error(tmp_path, results, name):
    fig = plot_result(results["payoff-table"], "payoff-table")
    with pytest.raises(SpecError, match="unknown format") as info:
        save_figure(fig, tmp_path / name)
    assert info.value.exit_code == 2 and ".png, .pdf or .svg" in info.value.hint
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("dpi", [0, -5, 5000, True, "300"])
def test_a_bad_dpi_is_a_usage_error(tmp_path, results, dpi):
    fig = plot_result(results["payoff-table"], "payoff-table")
    with pytest.raises(SpecError, match="dpi must be"):
        save_figure(fig, tmp_path / "t.png", dpi=dpi)


def test_cli_bad_suffix_exits_2_and_writes_nothing(tmp_path, capsys):
    code = main(["plot", str(SPECS / "prisoners_dilemma.game"), "--out",
                 str(tmp_path / "fig.jpeg")])
    err = capsys.readouterr().err
    assert code == 2 and "unknown format .jpeg" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
    table = tmp_path / "t.csv"
    import test_plots

    table.write_text(test_plots.SWEEP_CSV)
    assert main(["plot", str(table), "--kind", "regime", "--out", str(tmp_path / "r.eps")]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_game_plot_refuses_a_bad_suffix_before_it_solves(monkeypatch):
    game = gamespec.load("specs/hawk_dove.game")
    monkeypatch.setattr(type(game), "solve", lambda *a, **k: pytest.fail("solved first"))
    with pytest.raises(SpecError, match="unknown format .jpg"):
        game.plot(path="picture.jpg")
    with pytest.raises(SpecError, match="dpi must be"):
        game.plot(path="picture.png", dpi=5)
