"""QA of issue 19 ("output a researcher can publish"), tried from the docs on textbook games
written for this file: the CLI's formats and option checks, figures, LaTeX, the terminal and
the notebook API. Each known gap is a strict xfail stating the expected behaviour."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gamespec.cli import main

# Gibbons (1992), A Primer in Game Theory, Fig. 1.1.4: the unique equilibrium is (Bottom, Right).
GIBBONS = """game "Gibbons 3x3"
player row { choose r in {Top, Middle, Bottom} }
player col { choose c in {Left, Centre, Right} }
table {
  (Top, Left): (0, 4)     (Top, Centre): (4, 0)     (Top, Right): (5, 3)
  (Middle, Left): (4, 0)  (Middle, Centre): (0, 4)  (Middle, Right): (5, 3)
  (Bottom, Left): (3, 5)  (Bottom, Centre): (3, 5)  (Bottom, Right): (6, 6)
}
"""

# Three players who each go (cost 1) or stay; a goer earns bonus/2 per other goer.
# Equilibria: all stay, all go, and each goes with probability cost/bonus = 1/3.
THREE = """game "Three friends"
param cost = 1
param bonus = 3
player ann { choose a in {Stay, Go} }
player bob { choose b in {Stay, Go} }
player cat { choose k in {Stay, Go} }
payoff ann = [a == Go] * (bonus * ([b == Go] + [k == Go]) / 2 - cost)
payoff bob = [b == Go] * (bonus * ([a == Go] + [k == Go]) / 2 - cost)
payoff cat = [k == Go] * (bonus * ([a == Go] + [b == Go]) / 2 - cost)
"""

# Asymmetric Cournot duopoly, multi-letter names: q_hi = (Qmax - 2 c_hi + c_lo) / 3.
COURNOT = """game "Asymmetric Cournot"
param Qmax = 12
param c_hi = 3
param c_lo = 0
player high { choose q_hi in [0, Qmax] }
player low { choose q_lo in [0, Qmax] }
payoff high = (Qmax - q_hi - q_lo - c_hi) * q_hi
payoff low = (Qmax - q_hi - q_lo - c_lo) * q_lo
"""

# Numeric labels: b matches a's number, a also likes larger numbers (k x).
NUMERIC = """game "Numeric labels"
param k = 1
player a { choose x in {10, 2, 1} }
player b { choose y in {10, 2, 1} }
payoff a = -(x - y)^2 + k * x
payoff b = -(x - y)^2
"""

LONG_NAMES = """game "Long names"
player attacker_with_a_long_name { mixed x over {Exfiltrate, Phish} }
player defender_with_a_long_name { mixed y over {Patch, Train} }
table {
  (Exfiltrate, Patch): (1)  (Exfiltrate, Train): (3)
  (Phish, Patch): (4)       (Phish, Train): (0)
}
zero_sum
"""


def _write(tmp_path, text, name="g.game"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


# ---------------------------------------------------------------- command-line combinations

@pytest.mark.parametrize("extra", [
    ["sweep", "SPEC", "--grid", "Qmax=10,12", "--workers", "1", "--color", "value:high"],
    ["plot", "TABLE", "--method", "lp"],
    ["plot", "TABLE", "--seed", "3"],
    ["plot", "TABLE", "--option", "passes=3"],
    ["plot", "SPEC", "--x", "Qmax"],
    ["plot", "SPEC", "--color", "value:high"],
], ids=["sweep-color-without-plot", "plot-table-method", "plot-table-seed",
        "plot-table-option", "plot-spec-x", "plot-spec-color"])
def test_options_that_do_not_apply_are_usage_errors(tmp_path, capsys, extra):
    spec = _write(tmp_path, COURNOT)
    table = tmp_path / "t.csv"
    assert main(["sweep", str(spec), "--grid", "Qmax=10,12", "--workers", "1",
                 "--out", str(table)]) == 0
    capsys.readouterr()
    args = [str(spec) if a == "SPEC" else str(table) if a == "TABLE" else a for a in extra]
    if args[0] == "plot":
        args += ["--out", str(tmp_path / "p.png")]
    code, _, err = _run(capsys, *args)
    assert code == 2
    assert "Traceback" not in err and "error:" in err


# ---------------------------------------------------------------- notebook tables

def test_sweep_numeric_label_is_a_number(tmp_path):
    import gamespec

    game = gamespec.loads(NUMERIC)
    tidy = game.solve().to_dataframe()
    assert tidy.loc[0, "action"] == 10 and not isinstance(tidy.loc[0, "action"], str)
    table = game.sweep({"k": [1, 2]}, workers=1)
    # the first equilibrium is (10, 10) at both points (b matches a; a likes large numbers)
    assert list(table["value:a"]) == [10.0, 20.0]
    cell = table.loc[0, "strategy:a"]
    assert not isinstance(cell, str), f"strategy:a is the text {cell!r}"
    assert cell == 10


# ---------------------------------------------------------------- figures

def _texts_outside(fig):
    """The visible texts of a figure that reach outside its canvas (clipped in the file)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    outside = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip():
            continue
        box = text.get_window_extent(renderer)
        if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
            outside.append(text.get_text())
    return outside


def test_payoff_table_texts_inside_figure_short_names():
    import gamespec

    fig = gamespec.loads(GIBBONS).plot()
    assert _texts_outside(fig) == []


def test_payoff_table_long_player_name_label_not_clipped():
    import gamespec

    fig = gamespec.loads(LONG_NAMES).plot()
    assert _texts_outside(fig) == []


# ---------------------------------------------------------------- LaTeX

def _overfull(tmp_path, text, name):
    """Compile `derive --format latex --standalone` and list the overfull boxes (pt)."""
    if shutil.which("pdflatex") is None:
        pytest.skip("no pdflatex on PATH (Debian: texlive-latex-base)")
    spec = _write(tmp_path, text, f"{name}.game")
    tex = tmp_path / f"{name}.tex"
    assert main(["derive", str(spec), "--format", "latex", "--standalone",
                 "--out", str(tex)]) == 0
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    log = (tmp_path / f"{name}.log").read_text(errors="replace")
    return [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


def test_latex_cournot_compiles_without_overfull_lines(tmp_path, capsys):
    assert _overfull(tmp_path, COURNOT, "cournot") == []
    tex = (tmp_path / "cournot.tex").read_text()
    assert r"\mathrm{Qmax}" in tex and r"c_{\mathrm{hi}}" in tex


def test_latex_three_player_lines_fit_the_page(tmp_path, capsys):
    widths = _overfull(tmp_path, THREE, "three")
    assert max(widths, default=0.0) < 50.0, sorted(widths)[-5:]


# ---------------------------------------------------------------- more findings

# A duopoly whose rival's price is floored at 0, with a concave cost and a capacity step:
# `solve` certifies (3.41495, 3.1701); `derive` must say at least as much as solve knows.
DEEP = """game "Capacity duopoly with a fixed cost step"
param Qmax = 10
param c = 1
player firm { choose q in [0, Qmax] }
player rival { choose r in [0, Qmax] }
payoff firm = (Qmax - q - r) * q
payoff rival = max(0, Qmax - q - r) * r - sqrt(1 + r) - [r > 5] * c
"""


def test_derive_does_not_fail_where_solve_succeeds(tmp_path, capsys):
    spec = _write(tmp_path, DEEP)
    code, out, err = _run(capsys, "solve", spec, "--format", "json")
    assert code == 0
    code, out, err = _run(capsys, "derive", spec)
    assert code == 0, err
    assert "u_rival" in out and "nested too deeply" not in err


def test_numeric_label_probabilities_are_unambiguous(tmp_path, capsys):
    spec = _write(tmp_path, NUMERIC)
    code, out, _ = _run(capsys, "solve", spec, "--method", "enumerate_mixed")
    assert code == 0
    # the mixed equilibrium of b: 7/16 on 10 and 9/16 on 2 (checked against the JSON)
    code, js, _ = _run(capsys, "solve", spec, "--method", "enumerate_mixed", "--format", "json")
    assert '"7/16"' in js or "0.4375" in js
    assert not re.search(r"\b10 7/16\b", out), out
    assert not re.search(r"\b\d+ \d+/\d+", out), out


def test_sweep_spread_columns_filled_for_pure_labels_too():
    import gamespec

    specs = Path(__file__).resolve().parents[2] / "specs"
    table = gamespec.load(str(specs / "trimming_one_round.game")).sweep(
        {"T_hi": [1, 3], "P_hi": [0]}, workers=1)
    # both points: collector plays Hard (pure), adversary Soft (pure)
    assert list(table["strategy:collector"]) == ["Hard", "Hard"]
    assert "strategy:collector:Hard" in table.columns
    assert list(table["strategy:collector:Hard"]) == [1.0, 1.0]


# A continuous firm whose first-order condition has no closed form (log and exp terms).
NO_CLOSED_FORM = """game "Names and no closed form"
param beta = 0.9
param alpha_hi = 2
param lambda = 3
param Qmax = 10
player firm { choose q in [0, Qmax] }
player rival { choose r in [0, Qmax] }
let gain = if q > r then 5 else 0
payoff firm = max(0, Qmax - q - r) * q - q^2 / 2 + beta * log(1 + q) \
  - alpha_hi * exp(-lambda * q) + gain
payoff rival = (Qmax - q - r) * r
"""


def test_latex_has_no_symbol_names_as_text(tmp_path, capsys):
    spec = _write(tmp_path, NO_CLOSED_FORM.replace("\\\n", ""))
    code, tex, err = _run(capsys, "derive", spec, "--format", "latex")
    assert code == 0, err
    assert r"\alpha_{\mathrm{hi}}" in tex and r"\mathrm{Qmax}" in tex
    assert r"\^{}" not in tex, re.findall(r"\\text\{[^}]*\\\^\{\}[^}]*\}", tex)[:3]


def test_distribution_legend_does_not_cover_bars(mirror):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    import gamespec

    specs = Path(__file__).resolve().parents[2] / "specs"
    fig = gamespec.load(str(specs / "nvo_pdp.game")).plot()
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    covered = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent(renderer)
        covered += [round(float(p.get_height()), 3) for c in ax.containers for p in c.patches
                    if p.get_height() > 0 and p.get_window_extent(renderer).overlaps(box)]
    assert covered == []


@pytest.mark.parametrize("command", ["solve", "sweep"])
def test_bad_plot_suffix_is_refused_before_solving(tmp_path, capsys, command):
    spec = _write(tmp_path, COURNOT)
    table = tmp_path / "t.csv"
    extra = (["--grid", "Qmax=10,12", "--workers", "1", "--out", str(table)]
             if command == "sweep" else [])
    code, out, err = _run(capsys, command, spec, *extra, "--plot", tmp_path / "p.jpg")
    assert code == 2 and ".jpg" in err and "Traceback" not in err
    assert out == ""
    assert not table.exists()
