"""`gamespec lsp` over the real protocol: a subprocess spoken to in JSON-RPC with
Content-Length framing (tests/lsp/lsp_client.py), never by calling its functions."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_client import LspClient  # noqa: E402

pytest.importorskip("pygls")

REPO = Path(__file__).resolve().parents[2]
GOOD = """game "Matching test"
param b = 3 in [0, 10]
set S = {L, R}
let win[x in S, y in S] = b * [x == y]
player row { choose r in S }
player col { mixed q over S }
payoff row = sum(s in S) q[s] * win[r, s]
payoff col = -sum(s in S) q[s] * win[r, s]
"""


@pytest.fixture(scope="module")
def client():
    c = LspClient(cwd=REPO)
    try:
        c.start()
        yield c
        assert c.stop() == 0
    finally:
        c.kill()


def _cli_error(tmp_path, text: str, capsys) -> tuple[int, int, str, str | None]:
    """What `gamespec check` says about `text`: line, column, message, hint (the oracle)."""
    from gamespec.cli import main

    path = tmp_path / "oracle.game"
    path.write_text(text)
    capsys.readouterr()
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    head = re.search(r":(\d+):(\d+): error: (.*)", err)
    hint = re.search(r"^hint: (.*)$", err, re.MULTILINE)
    return int(head[1]), int(head[2]), head[3], hint[1] if hint else None


def _at(client, method, uri, line, character, **extra):
    answer = client.request(method, {"textDocument": {"uri": uri},
                                     "position": {"line": line, "character": character},
                                     **extra})
    assert "error" not in answer, answer
    return answer["result"]


def _position(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    offset = [m.start() for m in re.finditer(re.escape(needle), text)][nth]
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)


@pytest.mark.parametrize("broken, width", [
    (GOOD.replace("payoff col = -sum", "payoff col = -sun"), None),  # an unknown name
    (GOOD.replace("param b = 3", "param b = 3 $"), 1),  # a syntax error
    (GOOD.replace("{L, R}", "{L, L}"), None),  # a repeated element, with a hint
])
def test_error_then_fix(client, tmp_path, capsys, broken, width):
    """The diagnostic is the error `gamespec check` reports (position, message, hint);
    fixing the text clears it."""
    uri = (tmp_path / "spec.game").as_uri()
    line, column, message, hint = _cli_error(tmp_path, broken, capsys)
    client.open(uri, broken, 1)
    [diag] = client.diagnostics(uri, 1)
    assert diag["range"]["start"] == {"line": line - 1, "character": column - 1}
    assert diag["message"].splitlines()[0] == message
    assert diag["severity"] == 1 and diag["source"] == "gamespec"
    if hint:
        assert diag["message"].splitlines()[1] == f"hint: {hint}"
    if width:
        end = diag["range"]["end"]
        assert end == {"line": line - 1, "character": column - 1 + width}
    client.change(uri, GOOD, 2)
    assert client.diagnostics(uri, 2) == []


def test_unknown_name_range_covers_the_name(client, tmp_path):
    """The range is the span the CLI underlines: the indexed name with its indices."""
    uri = (tmp_path / "unknown.game").as_uri()
    text = GOOD.replace("* win[r, s]\npayoff col", "* wim[r, s]\npayoff col")
    client.open(uri, text)
    [diag] = client.diagnostics(uri, 1)
    line, col = _position(text, "wim")
    assert diag["range"] == {"start": {"line": line, "character": col},
                             "end": {"line": line, "character": col + len("wim[r, s]")}}
    assert "wim" in diag["message"]


def test_hover_definition_references(client, tmp_path, capsys):
    from gamespec.cli import main

    path = tmp_path / "good.game"
    path.write_text(GOOD)
    uri = path.as_uri()
    client.open(uri, GOOD)
    assert client.diagnostics(uri, 1) == []
    capsys.readouterr()
    main(["info", str(path)])
    game_class = re.search(r"^class: (.*)$", capsys.readouterr().out, re.MULTILINE)[1]

    hover = _at(client, "textDocument/hover", uri, *_position(GOOD, "b *"))
    text = hover["contents"]["value"]
    assert "**param** `b`" in text and "value: 3" in text and "[0, 10]" in text
    assert "param b = 3 in [0, 10]" in text and f"game: {game_class}" in text
    # while an edit does not pass the checks, hover keeps the last good values
    client.change(uri, GOOD.replace("b = 3", "b = 4").replace("* win[r, s]\npayoff col",
                                                               "* wim[r, s]\npayoff col"), 2)
    assert client.diagnostics(uri, 2)
    text = _at(client, "textDocument/hover", uri, *_position(GOOD, "b *"))["contents"]["value"]
    assert "value: 3" in text and "param b = 4 in [0, 10]" in text
    assert f"game: {game_class}" in text
    client.change(uri, GOOD, 3)
    assert client.diagnostics(uri, 3) == []
    text = _at(client, "textDocument/hover", uri, *_position(GOOD, "S", 2))["contents"]["value"]
    assert "**set** `S`" in text and "2 elements: {L, R}" in text
    text = _at(client, "textDocument/hover", uri, *_position(GOOD, "q[s]"))["contents"]["value"]
    assert "**strategy** `q` of player `col`" in text and "a mixed strategy over {L, R}" in text
    text = _at(client, "textDocument/hover", uri, *_position(GOOD, "row =", 0))
    assert "strategies: r (choice)" in text["contents"]["value"]
    assert _at(client, "textDocument/hover", uri, 0, 0) is None  # a keyword: nothing

    use = _position(GOOD, "win[r, s]")
    home = _at(client, "textDocument/definition", uri, *use)
    line, col = _position(GOOD, "win[x")
    assert home["uri"] == uri
    assert home["range"] == {"start": {"line": line, "character": col},
                             "end": {"line": line, "character": col + 3}}
    found = _at(client, "textDocument/references", uri, *use,
                context={"includeDeclaration": True})
    expected = [_position(GOOD, "win", i) for i in range(GOOD.count("win"))]
    assert sorted((r["range"]["start"]["line"], r["range"]["start"]["character"])
                  for r in found) == expected
    found = _at(client, "textDocument/references", uri, *use,
                context={"includeDeclaration": False})
    assert len(found) == len(expected) - 1
    # an index variable is local to its statement
    local = _at(client, "textDocument/references", uri, *_position(GOOD, "s in S"),
                context={"includeDeclaration": True})
    assert {r["range"]["start"]["line"] for r in local} == {_position(GOOD, "s in S")[0]}
    assert len(local) == 3


def test_completion_and_outline(client, tmp_path):
    uri = (tmp_path / "outline.game").as_uri()
    client.open(uri, GOOD)
    client.diagnostics(uri, 1)
    items = _at(client, "textDocument/completion", uri, 6, 14)["items"]
    labels = {i["label"]: i for i in items}
    for name in ("b", "S", "win", "row", "col", "r", "q"):  # the spec's names
        assert name in labels
    assert labels["q"]["detail"] == "strategy of col"
    for word in ("zero_sum", "payoff", "choose", "sees"):  # keywords, from the grammar
        assert labels[word]["kind"] == 14
    for func in ("sum", "count", "sqrt", "laplace_mass"):
        assert labels[func]["kind"] == 3
    tree = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    names = [s["name"] for s in tree["result"]]
    assert names == ["Matching test", "b", "S", "win", "row", "col"]
    col = tree["result"][-1]
    assert [c["name"] for c in col["children"]] == ["q"]
    assert col["range"]["start"]["line"] == 5


@pytest.mark.parametrize("text", [
    "", "\x00\x01\x02", "game", 'game "unterminated', "param x = " + "(" * 500 + "1",
    "param x = 1e999999", "let a = a\nlet b = b + a", "player p { choose x in [0, 1e400] }",
    "set S = 1..99999999999", "é" * 1000, "payoff = " + "1 + " * 3000 + "1",
])
def test_bad_input_never_crashes(client, tmp_path, text):
    uri = (tmp_path / "bad.game").as_uri()
    client.open(uri, text)
    diags = client.diagnostics(uri, 1)
    assert text.strip() == "" or diags, "bad text must be reported"
    for line in range(2):
        client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                              "position": {"line": line, "character": 3}})
    answer = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert "error" not in answer
    assert client.proc.poll() is None


def big_spec(lines: int = 300) -> str:
    """A valid spec of `lines` lines: parameters, sets, lets, two players, payoffs."""
    out = ['game "Three hundred lines"', "set S = {A, B, C}", "set K = 1..5"]
    n = (lines - 8) // 2
    out += [f"param p{i} = {i % 7 + 1} / 10 in [0, 10]" for i in range(n)]
    out += [f"let l{i} = p{i} * 2 + p{(i + 1) % n} - p{(i + 3) % n} / 3" for i in range(n)]
    out += ["player row { choose r in S }", "player col { mixed q over S }",
            "let w[x in S, y in S] = [x == y] * l0 + l1",
            "payoff row = sum(s in S) q[s] * w[r, s]",
            "payoff col = -sum(s in S) q[s] * w[r, s]"]
    return "\n".join(out) + "\n"


def test_responses_on_a_300_line_spec(client, tmp_path):
    """Every request on a 300-line spec is answered, and a keystroke's syntax error comes
    back. Prints the medians and maxima (about 1-50 ms each on an idle machine; timings
    are reported, not asserted: a loaded machine must not fail the suite)."""
    import statistics
    import time

    text = big_spec()
    assert len(text.splitlines()) >= 300
    uri = (tmp_path / "big.game").as_uri()
    started = time.perf_counter()
    client.open(uri, text)
    assert client.diagnostics(uri, 1) == []
    checks = time.perf_counter() - started
    use = _position(text, "p5 *")
    asks = {
        "hover": ("textDocument/hover", {"position": _pos(use)}),
        "definition": ("textDocument/definition", {"position": _pos(use)}),
        "references": ("textDocument/references",
                       {"position": _pos(use), "context": {"includeDeclaration": True}}),
        "completion": ("textDocument/completion", {"position": _pos(use)}),
        "documentSymbol": ("textDocument/documentSymbol", {}),
    }
    report = {}
    for name, (method, extra) in asks.items():
        times = []
        for _ in range(15):
            t0 = time.perf_counter()
            answer = client.request(method, {"textDocument": {"uri": uri}, **extra})
            times.append(time.perf_counter() - t0)
            assert answer.get("result"), (name, answer)
        report[name] = (statistics.median(times), max(times))
    # a keystroke: the new version's syntax error comes back from the fast stage
    t0 = time.perf_counter()
    client.change(uri, text.replace("param p3 = ", "param p3 = = "), 2)
    assert client.diagnostics(uri, 2)
    report["didChange -> syntax error"] = (time.perf_counter() - t0,) * 2
    print(f"\nLSP on a {len(text.splitlines())}-line spec: open -> checked diagnostics "
          f"{checks * 1000:.0f} ms")
    for name, (median, worst) in report.items():
        print(f"  {name}: median {median * 1000:.1f} ms, max {worst * 1000:.1f} ms")


def _pos(line_col):
    return {"line": line_col[0], "character": line_col[1]}


def test_data_columns_are_not_the_names_they_spell(client, tmp_path):
    """`t.psi` is a column of the data table t, not the parameter psi."""
    (tmp_path / "t.csv").write_text("id,psi\n1,0.25\n2,0.75\n")
    text = ('game "Columns"\ndata t = csv("t.csv")\nset R = t.id\n'
            "param psi[r in R] = t.psi[r]\n"
            "player a { choose x in R }\nplayer b { choose y in R }\n"
            "payoff a = psi[x] * [x == y]\npayoff b = -psi[x] * [x == y]\n")
    path = tmp_path / "columns.game"
    path.write_text(text)
    uri = path.as_uri()
    client.open(uri, text)
    assert client.diagnostics(uri, 1) == []
    column = _position(text, "psi[r]")
    hover = _at(client, "textDocument/hover", uri, *column)["contents"]["value"]
    assert hover == "**column** `psi` of data table `t`: 2 rows"
    assert _at(client, "textDocument/definition", uri, *column) is None
    found = _at(client, "textDocument/references", uri, *_position(text, "psi[x]"),
                context={"includeDeclaration": True})
    starts = sorted((r["range"]["start"]["line"], r["range"]["start"]["character"])
                    for r in found)
    assert starts == [_position(text, "psi[r in"), _position(text, "psi[x]"),
                      _position(text, "psi[x]", 1)]
    hover = _at(client, "textDocument/hover", uri, *_position(text, "t = csv"))
    assert "2 rows; columns: id, psi" in hover["contents"]["value"]
    line, col = _position(text, "psi[r]")  # completion right after `t.`
    items = _at(client, "textDocument/completion", uri, line, col)["items"]
    assert [(i["label"], i["detail"]) for i in items] == [("id", "column of t"),
                                                          ("psi", "column of t")]


def test_every_edit_of_a_spec_gets_diagnostics(client, tmp_path):
    """Typing through a real spec (seeded random cuts, insertions and swaps): every version
    gets its diagnostics, the last one (the spec restored) none, and the server stays up."""
    import random

    text = (REPO / "specs" / "location_privacy.game").read_text(encoding="utf-8")
    uri = (REPO / "specs" / "edited.game").as_uri()  # beside the spec: its data resolve
    rng = random.Random(7)
    client.open(uri, text)
    assert client.diagnostics(uri, 1) == []
    version = 1
    for _ in range(25):
        i, j = sorted(rng.randrange(len(text)) for _ in range(2))
        edit = rng.choice([text[:i] + text[j:], text[:i] + rng.choice("{}[]()=,:#\"'x9.") +
                           text[i:], text[:i] + text[j:j + 20] + text[i:]])
        version += 1
        client.change(uri, edit, version)
        diags = client.diagnostics(uri, version)
        for d in diags:
            assert d["range"]["start"]["line"] <= edit.count("\n")
        client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                              "position": {"line": 20, "character": 8}})
    version += 1
    client.change(uri, text, version)
    assert client.diagnostics(uri, version) == []
    assert client.proc.poll() is None


def test_statements_without_their_own_rule_still_reach_the_outline(client):
    """A newer statement (here `network`) shows with its named items, and hover works."""
    path = REPO / "specs" / "braess.game"
    text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    client.open(uri, text)
    assert client.diagnostics(uri, 1) == []
    tree = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    [network] = [s for s in tree["result"] if s["detail"] == "network"]
    assert network["name"] == "roads"
    assert [(c["name"], c["detail"]) for c in network["children"]] == [
        ("bridge", "edge"), ("drivers", "demand")]
    hover = _at(client, "textDocument/hover", uri, *_position(text, "drivers of"))
    assert hover["contents"]["value"].startswith("**demand** `drivers`")


def test_positions_are_in_utf16_units(client, tmp_path):
    """After a character outside the BMP (two UTF-16 units), columns are counted as the
    protocol's default encoding counts them, both ways."""
    text = GOOD.replace('game "Matching test"', 'game "\U0001F60B" param c = 2 * b')
    uri = (tmp_path / "emoji.game").as_uri()
    client.open(uri, text)
    assert client.diagnostics(uri, 1) == []
    line = text.splitlines()[0]
    col = line.index("b") + 1  # one more unit for the emoji
    hover = _at(client, "textDocument/hover", uri, 0, col)
    assert hover["range"] == {"start": {"line": 0, "character": col},
                              "end": {"line": 0, "character": col + 1}}
    assert "**param** `b`" in hover["contents"]["value"]
    broken = text.replace("2 * b", "2 * bb")
    client.change(uri, broken, 2)
    [diag] = client.diagnostics(uri, 2)
    assert diag["range"]["start"] == {"line": 0, "character": col}


def test_exit_does_not_wait_for_a_running_check():
    """`exit` right after opening a spec whose checks take seconds (Leduc poker's tree):
    the server leaves at once, with code 0 after `shutdown` (1 without, as the protocol
    says)."""
    import time

    for polite in (True, False):
        c = LspClient(cwd=REPO)
        try:
            c.start()
            path = REPO / "specs" / "leduc_poker.game"
            c.open(path.as_uri(), path.read_text(encoding="utf-8"))
            if polite:
                c.request("shutdown", {})
            started = time.perf_counter()
            c.notify("exit", {})
            assert c.proc.wait(timeout=30) == (0 if polite else 1)
            assert time.perf_counter() - started < 3
        finally:
            c.kill()
            for stream in (c.proc.stdin, c.proc.stdout, c.proc.stderr):
                stream.close()
