"""Every bundled spec's `derive --latex` compiles with a real LaTeX (pdflatex) as a
standalone document, and reads as mathematics: no Python or SymPy text in it."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gamespec.api import derive_model
from gamespec.derive import Derivation
from gamespec.language.loader import load_model
from gamespec.math_text import MathText
from gamespec.render.latex import render_latex
from gamespec.wall_clock import wall_clock_limit

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
SPECS = sorted((ROOT / "specs").glob("*.game"))
PDFLATEX = shutil.which("pdflatex")
DERIVE_SECONDS = 120  # the CLI's --time-limit; the slowest spec takes ~30 s on a busy machine

# what a Python or SymPy repr leaves behind
REPRS = ["ITE(", "Piecewise(", "True)", "False)", "Eq(", "Ne(", "Derivative(", "Min(",
         "Max(", "sqrt(", "exp(", "**", "branch 1, True"]
RAW_IN_TEXT = re.compile(r"\\text\{[^{}]*(?<!\\)[\^_]")  # ^ or _ unescaped in \text{...}


def compile_latex(tex: str, tmp_path: Path) -> subprocess.CompletedProcess:
    (tmp_path / "doc.tex").write_text(tex, encoding="utf-8")
    return subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def assert_compiles(tex: str, tmp_path: Path) -> None:
    if PDFLATEX is None:
        pytest.skip("no pdflatex on PATH (Debian: apt-get install texlive-latex-base)")
    run = compile_latex(tex, tmp_path)
    errors = [line for line in run.stdout.splitlines() if line.startswith("!")]
    assert run.returncode == 0, "\n".join(errors) + "\n" + run.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 0


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_every_bundled_spec_s_latex_compiles(spec: Path, tmp_path: Path):
    with wall_clock_limit(DERIVE_SECONDS):
        derivation = derive_model(load_model(spec))
    tex = render_latex(derivation, standalone=True)
    assert tex.startswith(r"\documentclass{article}") and tex.endswith("\\end{document}\n")
    assert [r for r in REPRS if r in tex] == []
    assert RAW_IN_TEXT.findall(tex) == []
    assert tex.count(r"\subsection*{") == len(derivation.sections) > 0
    assert_compiles(tex, tmp_path)


def test_hostile_labels_and_notes_compile(tmp_path: Path):
    import sympy

    x = sympy.Symbol("x_1_b")
    text = "a_b ^c %d &e #f $g {h} \\i ~j <k> |l \u2264 \u2013 \u00e9 ]"
    d = Derivation()
    d.add(text, [(text, text), (text, x), ("", MathText(text, x, text)),
                 (MathText("at ", x), sympy.Piecewise((x, x > 0), (-x, True)))])
    tex = render_latex(d, standalone=True)
    assert tex.count(r"\item[") == 4
    assert_compiles(tex, tmp_path)
