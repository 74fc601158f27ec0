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
            plot_regime_file(table, path)
        else:
            plot_result(results[kind], kind, path)
        data = path.read_bytes()
        assert data.lstrip().startswith(MAGIC[fmt]), (kind, data[:20])
        if fmt == "svg":
            assert b"<svg" in data[:2000] and data.rstrip().endswith(b"</svg>")
        if fmt == "pdf":
            assert data.rstrip().endswith(b"%%EOF")


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
