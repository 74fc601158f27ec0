"""docs/examples.ipynb runs in a Jupyter kernel of this Python (nbclient + ipykernel) and
shows what a notebook user should see: HTML tables (the Result, its DataFrame, a sweep),
the derivation as LaTeX, a picture as PNG, and a spec error as its located message with
the caret and hint instead of a traceback."""
from __future__ import annotations

import base64
import json
import shutil
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("pandas")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "docs" / "examples.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook run from a copy of docs/ beside a copy of specs/, in a kernel started
    with this interpreter (a kernel spec of our own, not whichever `python3` is installed)."""
    root = tmp_path_factory.mktemp("nb")
    shutil.copytree(REPO / "specs", root / "specs")
    (root / "docs").mkdir()
    kernels = root / "share" / "jupyter" / "kernels" / "gamespec-test"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "gamespec tests", "language": "python"}))
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(root / "share" / "jupyter"))
    try:
        nb = nbformat.read(NOTEBOOK, as_version=4)
        nbclient.NotebookClient(nb, timeout=600, kernel_name="gamespec-test",
                                resources={"metadata": {"path": str(root / "docs")}}).execute()
    finally:
        mp.undo()
    return nb


def _outputs(nb, needle: str) -> list[dict]:
    cell = next(c for c in nb.cells if c.cell_type == "code" and needle in c.source)
    return cell.outputs


def _data(nb, needle: str) -> dict:
    return next(o for o in _outputs(nb, needle) if o.output_type == "execute_result")["data"]


def test_the_result_and_its_dataframe_are_html_tables(executed):
    shown = _data(executed, "result = game.solve()")["text/html"]
    assert "<table>" in shown and "color:green" in shown and "Football" in shown
    frame = _data(executed, "result.to_dataframe()")["text/html"]
    assert "<table" in frame and "<th>exact_probability</th>" in frame
    cells = frame.split("<table", 1)[1]  # after pandas' <style> block
    assert "<td>3/5</td>" in cells and "{" not in cells  # no dict text in a cell


def test_the_derivation_is_latex(executed):
    latex = _data(executed, "cournot.derive()")["text/latex"]
    assert latex.startswith("$$") and "\\begin{aligned}" in latex
    assert "q_{1}" in latex or "q1" in latex


def test_the_picture_is_a_png(executed):
    png = base64.b64decode(_data(executed, 'cournot.plot("best-response")')["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000


def test_the_sweep_is_a_table_with_integer_parameters(executed):
    html = _data(executed, "trimming.sweep(")["text/html"]
    assert "<table" in html and "<td>8</td>" in html and "<td>8.0</td>" not in html
    assert "0.428571" in html  # the adversary's mixed strategy at T_hi = 8: 3/7 on Soft


def test_a_spec_error_shows_located_not_as_a_traceback(executed):
    error = next(o for o in _outputs(executed, "budjet") if o.output_type == "error")
    assert error["ename"] == "SpecError"
    assert error["traceback"] == ["typo.game:3:12: error: unknown name `budjet`",
                                  "  payoff a = budjet * x",
                                  "             ^^^^^^",
                                  "hint: did you mean `budget`?"]
