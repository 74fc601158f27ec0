"""docs/api.md runs as written: its ```pycon blocks are doctests, run in order in one
namespace, from a temporary folder that holds a copy of specs/ (outputs compared with
ELLIPSIS and NORMALIZE_WHITESPACE)."""
from __future__ import annotations

import doctest
import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
API_DOC = REPO / "docs" / "api.md"
_BLOCK = re.compile(r"^```pycon\n(.*?)^```", re.S | re.M)


def pycon_blocks(markdown: str) -> list[str]:
    return [text for _, text in located_blocks(markdown)]


def located_blocks(markdown: str) -> list[tuple[int, str]]:
    """(line of the block's first example, 0-based, in the file; block text)."""
    return [(markdown.count("\n", 0, m.start(1)), m[1]) for m in _BLOCK.finditer(markdown)]


def test_api_doc_has_examples():
    blocks = pycon_blocks(API_DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    text = "\n".join(blocks)
    for call in ("gamespec.load(", "gamespec.loads(", ".solve(", ".derive(", ".info(",
                 ".plot(", "to_dataframe()", "_repr_markdown_()"):
        assert call in text, call


def test_api_doc_examples_run(tmp_path, monkeypatch):
    pytest.importorskip("pandas")
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    monkeypatch.chdir(tmp_path)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures: list[str] = []
    namespace: dict = {}
    for line, block in located_blocks(API_DOC.read_text(encoding="utf-8")):
        test = parser.get_doctest(block, namespace, "docs/api.md", str(API_DOC), line)
        runner.run(test, out=failures.append, clear_globs=False)
        namespace.update(test.globs)  # later blocks see what earlier ones defined
    assert runner.failures == 0, "".join(failures)
    assert (tmp_path / "cournot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_to_dataframe_without_pandas_says_how_to_get_it(monkeypatch):
    import builtins

    import gamespec
    from gamespec.errors import SpecError

    result = gamespec.load(REPO / "specs" / "prisoners_dilemma.game").solve()
    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(SpecError) as info:
        result.to_dataframe()
    assert "pandas" in info.value.message and info.value.hint == "pip install pandas"
