"""The command line on click: help, one --format, `-` for standard input, shell completion,
and option errors reported before any spec is read."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.shell_completion import ShellComplete

from gamespec import cli
from gamespec.cli import common, main
from gamespec.cli.app import gamespec_group

SPECS = Path(__file__).resolve().parents[1] / "specs"
PD = str(SPECS / "prisoners_dilemma.game")
COMMANDS = ["check", "info", "solve", "derive", "sweep", "plot", "experiment", "import",
            "export", "completion", "lsp"]


def _stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))


def test_bare_gamespec_prints_the_help_and_exits_0(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: gamespec")
    listed = [line.split()[0] for line in out.split("Commands:")[1].splitlines()
              if line.startswith("  ") and len(line.split()) > 1][:len(COMMANDS)]
    assert listed == COMMANDS  # in the order of work, each with its one-line description
    assert main(["--help"]) == 0 and capsys.readouterr().out == out


def test_every_option_has_help_and_every_command_examples():
    for name, command in gamespec_group.commands.items():
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, (name, param.name)
        examples = command.epilog.split("Examples")[1].splitlines()[1:]
        shown = [line for line in examples if line.strip().startswith(("gamespec", "eval",
                                                                          "cat "))]
        assert 1 <= len(shown) <= 3 if name == "lsp" else 2 <= len(shown) <= 3, name
        assert command.short_help and len(command.short_help) < 80


def test_a_command_help_ends_with_its_examples(capsys):
    assert main(["solve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--format [text|json|csv]" in out and "--kind, --plot-kind KIND" in out
    assert out.rstrip().splitlines()[-1].strip().startswith("gamespec solve")
    assert "payoff-table" in out  # the kinds of picture, listed when the help is shown


@pytest.mark.parametrize("command, formats", [
    ("solve", ("text", "json", "csv")), ("derive", ("text", "json", "latex")),
    ("info", ("text", "json")), ("experiment", ("text", "json")), ("sweep", ("csv", "json")),
])
def test_each_command_takes_the_formats_it_prints(command, formats, capsys):
    for fmt in ("text", "json", "csv", "latex", "yaml"):
        args = cli.parse([command, PD, "--format", fmt, "--grid", "x=1,2"]
                         if command == "sweep" else [command, PD, "--format", fmt])
        err = capsys.readouterr().err
        if fmt in formats:
            assert args.format == fmt, (command, fmt, err)
        else:
            assert args == 2
            assert f"--format {fmt}: `gamespec {command}` prints" in err, err


def test_the_old_flags_are_aliases_of_format(capsys):
    assert main(["solve", PD, "--json"]) == 0
    by_flag = json.loads(capsys.readouterr().out)
    assert main(["solve", PD, "--format", "json"]) == 0
    by_format = json.loads(capsys.readouterr().out)
    by_flag.pop("timing"), by_format.pop("timing")
    assert by_flag == by_format and by_flag["strategies"] == {"row": "Defect", "col": "Defect"}
    assert cli.parse(["derive", PD, "--latex"]).format == "latex"
    assert cli.parse(["derive", PD, "--latex", "--format", "latex"]).format == "latex"
    assert cli.parse(["solve", PD, "--csv"]).format == "csv"


def test_kind_and_plot_kind_are_one_option_on_solve_and_plot(capsys):
    for name in ("--kind", "--plot-kind"):
        assert cli.parse(["solve", PD, "--plot", "x.png", name, "leader"]).kind == "leader"
        assert cli.parse(["plot", PD, "--out", "x.png", name, "leader"]).kind == "leader"
    assert cli.parse(["plot", PD, "--out", "x.png", "--kind", "pie"]) == 2
    assert "'pie' is not one of best-response" in capsys.readouterr().err


def test_a_spec_on_standard_input(monkeypatch, tmp_path, capsys):
    (tmp_path / "vals.csv").write_text("id,v\n1,3\n2,7\n3,5\n")
    spec = ('game "data"\ndata t = csv("vals.csv", key = id)\nset S = t.id\n'
            "param w[s in S] = t.v[s]\nplayer a { choose x in S }\npayoff a = w[x]\n")
    monkeypatch.chdir(tmp_path)  # data paths of a spec on stdin: from the current folder
    _stdin(monkeypatch, spec)
    assert main(["solve", "-", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["strategies"] == {"a": "2"} and result["spec"] == "<stdin>"  # the max, 7
    _stdin(monkeypatch, spec.replace("w[x]", "w[y]"))
    assert main(["check", "-"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("<stdin>:6:14: error: unknown name `y`\n  payoff a = w[y]\n"
                          + " " * 15 + "^")
    _stdin(monkeypatch, spec)
    assert main(["check", "-", PD]) == 0
    assert capsys.readouterr().out == f"<stdin>: ok\n{PD}: ok\n"


def test_standard_input_through_the_console_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "gamespec.cli", "solve", "-", "--json"],
                          input=Path(PD).read_text(), capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["strategies"] == {"row": "Defect", "col": "Defect"}


def test_bad_options_are_refused_before_the_spec_is_read(monkeypatch, capsys):
    def load(args, path):
        raise AssertionError("the spec was read")
    monkeypatch.setattr(common, "load", load)
    for argv, message in [
        (["solve", PD, "--set", "x"], "--set expects NAME=VALUE, got 'x'"),
        (["solve", PD, "--set", "x=abc"], "--set x: 'abc' is not a number"),
        (["solve", PD, "--option", "=3"], "--option expects NAME=VALUE"),
        (["solve", PD, "--method", "enumerat"], "did you mean `enumerate`?"),
        (["sweep", PD, "--grid", "x=1:2"], "--grid x: cannot read '1:2'"),
        (["sweep", PD, "--grid", "x=1:2:2", "--workers", "0"], "at least 1"),
        (["solve", PD, "--nosuch"], "No such option"),
        (["solve", PD, "--time-limit", "-1"], "--time-limit must be a positive"),
        (["check", PD, "--limit", "set_sise=3"], "--limit set_sise: unknown limit"),
        (["check", PD, "--limit", "set_size=0"], "--limit set_size: must be at least 1"),
        (["check", PD, "--limit", "set_size=2.5"], "is not a whole number"),
        (["solve", PD, "--seed", "x"], "'x' is not a valid integer"),
        (["solve", PD, "--dpi", "0"], "--dpi"),
        (["derive", PD, "--standalone"], "give --format latex"),
        (["solve", PD, "--full", "--json"], "--full is for the text output"),
        (["sweep", PD, "--grid", "x=1,2", "--full", "--csv"], "--full writes JSON results"),
        (["sweep", "-", "--grid", "x=1,2"], "give it as a file, not `-`"),
    ]:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (argv, err)


def test_a_usage_error_shows_the_usage_line_and_one_error_line(capsys):
    assert main(["solve", PD, "--jsn"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "Usage: gamespec solve [OPTIONS] FILE"
    assert lines[1].startswith("gamespec: error: No such option '--jsn'")
    assert main(["nosuch"]) == 2
    err = capsys.readouterr().err
    assert "gamespec: error: No such command 'nosuch'" in err
    assert "hint: `gamespec --help` lists the commands" in err


def _completions(args: list[str], incomplete: str) -> list[str]:
    complete = ShellComplete(gamespec_group, {}, "gamespec", "_GAMESPEC_COMPLETE")
    return [item.value for item in complete.get_completions(args, incomplete)]


def test_completion_of_methods_kinds_formats_and_specs(tmp_path, monkeypatch):
    from gamespec.solvers.registry import METHOD_MODULES

    assert _completions(["solve", "--method"], "") == list(METHOD_MODULES)
    assert _completions(["solve", "--method"], "enum") == ["enumerate_mixed", "enumerate"]
    assert _completions(["derive", "x.game", "--format"], "") == ["text", "json", "latex"]
    assert _completions(["plot", "x.game", "--kind"], "pay") == ["payoff-table"]
    assert _completions(["solve", "--plot-kind"], "le") == ["leader"]
    assert "--plot-kind" in _completions(["solve"], "--plot")
    assert _completions([], "sw") == ["sweep"]
    for name in ("a.game", "ab.game", "b.game", "a.txt"):
        (tmp_path / name).write_text("")
    monkeypatch.chdir(tmp_path)
    assert _completions(["check"], "a") == ["a.game", "ab.game"]
    assert _completions(["info"], "") == ["a.game", "ab.game", "b.game"]


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F"),
                                           ("zsh", "compdef"), ("fish", "complete")])
def test_the_completion_script_is_printed(shell, marker, capsys):
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert "_GAMESPEC_COMPLETE" in script and marker in script


def test_the_console_command_answers_the_shell(tmp_path):
    exe = Path(sys.executable).with_name("gamespec")
    if not exe.exists():
        pytest.skip("console script not installed next to this Python")
    env = {"_GAMESPEC_COMPLETE": "bash_complete", "COMP_WORDS": "gamespec solve --method lo",
           "COMP_CWORD": "3", "PATH": str(exe.parent)}
    done = subprocess.run([str(exe)], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.split() == ["plain,logit"], done


def _png_width(path: Path) -> int:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big")


def test_dpi_reaches_the_picture(tmp_path, capsys):
    widths = {}
    for dpi in (40, 80):
        out = tmp_path / f"s{dpi}.png"
        assert main(["solve", PD, "--plot", str(out), "--dpi", str(dpi)]) == 0
        assert main(["plot", PD, "--out", str(tmp_path / f"p{dpi}.png"), "--dpi", str(dpi)]) == 0
        widths[dpi] = (_png_width(out), _png_width(tmp_path / f"p{dpi}.png"))
    assert widths[80][0] == pytest.approx(2 * widths[40][0], abs=2)
    assert widths[80][1] == pytest.approx(2 * widths[40][1], abs=2)
    table = tmp_path / "t.csv"
    spec = str(SPECS / "trimming_one_round.game")
    for dpi in (40, 80):
        assert main(["sweep", spec, "--grid", "T_hi=5,20", "--grid", "P_hi=1,2", "--workers",
                     "1", "--out", str(table), "--plot", str(tmp_path / f"w{dpi}.png"),
                     "--dpi", str(dpi)]) == 0
    assert _png_width(tmp_path / "w80.png") == pytest.approx(
        2 * _png_width(tmp_path / "w40.png"), abs=2)


def test_full_shows_every_row(tmp_path, capsys):
    spec = tmp_path / "coordination.game"  # 25 pure equilibria: (k, k) for k in 1..25
    spec.write_text("set S = 1..25\nplayer a { choose x in S }\nplayer b { choose y in S }\n"
                    "payoff a = [x == y]\npayoff b = [x == y]\n")

    def rows(out: str) -> list[list[str]]:
        return [line.split() for line in out.splitlines()
                if len(line.split()) == 5 and line.split()[0].isdigit()]
    assert main(["solve", str(spec), "--method", "enumerate"]) == 0
    cut = capsys.readouterr().out
    assert main(["solve", str(spec), "--method", "enumerate", "--full"]) == 0
    full = capsys.readouterr().out
    assert len(rows(cut)) < 25 and "--full shows all" in cut
    assert rows(full) == [[str(k), str(k), str(k), "1", "1"] for k in range(1, 26)]


def test_sweep_prints_json_as_its_out_file_holds_it(tmp_path, capsys):
    spec = str(SPECS / "trimming_one_round.game")
    grid = ["--grid", "T_hi=5,20", "--workers", "1"]
    assert main(["sweep", spec, *grid, "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert main(["sweep", spec, *grid, "--out", str(tmp_path / "t.json")]) == 0
    written = json.loads((tmp_path / "t.json").read_text())
    for rows in (printed, written):
        for row in rows:
            row.pop("time:solve_s")
    assert printed == written
    assert [row["strategy:collector"] for row in printed] == ["Hard", "Soft"]  # T_hi=20: Soft


def test_derive_latex_standalone_is_a_whole_document(tmp_path, capsys):
    spec = str(SPECS / "trimming_one_round.game")
    assert main(["derive", spec, "--format", "latex"]) == 0
    body = capsys.readouterr().out
    out = tmp_path / "d.tex"
    assert main(["derive", spec, "--latex", "--standalone", "--out", str(out)]) == 0
    document = capsys.readouterr().out
    assert out.read_text() == document
    assert "\\documentclass" not in body and "\\begin{document}" not in body
    assert document.lstrip().startswith("\\documentclass")
    assert document.rstrip().endswith("\\end{document}")
    assert body.strip() in document  # the same content, wrapped in a document
