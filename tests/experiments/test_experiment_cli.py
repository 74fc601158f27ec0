"""`gamespec experiment FILE`: the verb end to end, the plug-in registry and its refusals."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gamespec.cli import main
from gamespec.errors import SpecError
from gamespec.experiments import registry
from gamespec.language.loader import model_from_string

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "language.md"


def _docs_example() -> str:
    """The `game` block of docs/language.md's experiment section."""
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## experiment"):]
    return re.search(r"```game\n(.*?)```", section, re.S).group(1)


@pytest.fixture
def spec(tmp_path) -> Path:
    path = tmp_path / "elastic.game"
    path.write_text(_docs_example(), encoding="utf-8")
    return path


def test_docs_example_runs_and_prints_the_table(spec, capsys):
    assert main(["experiment", str(spec)]) == 0
    out = capsys.readouterr().out
    assert "plug-in trimming_schemes" in out and "computed:" in out
    for row in ("Spec", "Static", "Baseline_0.9", "Elastic_0.5"):
        assert re.search(rf"^{re.escape(row)}\s", out, re.M)
    assert re.search(r"^certificate: .* ok$", re.sub(r"\n {2,}", " ", out), re.M)  # unwrapped


def test_json_and_out_are_the_same_record(spec, tmp_path, capsys):
    out_path = tmp_path / "record.json"
    assert main(["experiment", str(spec), "--json", "--out", str(out_path), "--seed", "4"]) == 0
    printed = capsys.readouterr().out
    assert out_path.read_text() == printed
    record = json.loads(printed)
    assert record["plugin"] == "trimming_schemes" and record["experiment"] == "elastic"
    assert record["status"] == "done" and record["certificate"]["ok"] is True
    assert record["run"]["seed"] == 4 and record["run"]["options"]["rounds"] == 3
    assert record["data"]["table"] == "points" and "stand_in" in record["data"]
    assert record["statement"].startswith("the update rules for T")
    assert list(record["table"]) == ["Spec", "Static", "Baseline_0.9", "Elastic_0.5"]
    assert record["info"]["schemes"]["Static"] == 'the spec\'s update profile "Static"'
    assert set(record["certificate"]["details"]["schemes_checked"]) == {"Spec", "Static"}
    # the Spec row plays the same rules as the stdlib's Elastic_0.5: the same numbers
    assert record["table"]["Spec"]["sse"] == record["table"]["Elastic_0.5"]["sse"]
    assert not list(tmp_path.glob("*.tmp*"))  # no temporary file left beside it


def test_set_changes_the_options(tmp_path, capsys):
    spec = tmp_path / "k.game"
    spec.write_text(_docs_example().replace('"Static, Baseline_0.9, Elastic_0.5"',
                                            '"Elastic_0.1"'))
    assert main(["experiment", str(spec), "--json", "--set", "k=0.1"]) == 0
    table = json.loads(capsys.readouterr().out)["table"]
    assert table["Spec"]["sse"] == table["Elastic_0.1"]["sse"]


def test_a_profile_plays_as_its_library_twin(tmp_path, capsys):
    twin = tmp_path / "twin.game"
    twin.write_text(_docs_example().replace('schemes = "Static, Baseline_0.9, Elastic_0.5"',
                                            'schemes = "Static, Baseline_static"'))
    assert main(["experiment", str(twin), "--json"]) == 0
    table = json.loads(capsys.readouterr().out)["table"]
    assert table["Static"] == table["Baseline_static"]


def test_unknown_scheme_is_a_located_error_with_a_hint(tmp_path, capsys):
    bad = tmp_path / "bad.game"
    bad.write_text(_docs_example().replace('"Static, Baseline_0.9', '"Statik, Baseline_0.9'))
    assert main(["experiment", str(bad)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"bad\.game:\d+:\d+: error: unknown scheme `Statik`", err)
    assert "did you mean `Static`?" in err


def test_a_failed_run_leaves_out_untouched(tmp_path, capsys):
    bad = tmp_path / "bad.game"
    bad.write_text(_docs_example().replace("using trimming_schemes", "using trimming_schemas"))
    out_path = tmp_path / "record.json"
    out_path.write_text("old")
    assert main(["experiment", str(bad), "--out", str(out_path)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"bad\.game:\d+:\d+: error: unknown experiment plug-in `trimming_schemas`",
                     err)
    assert "did you mean `trimming_schemes`?" in err
    assert out_path.read_text() == "old"


def test_bad_option_is_located_with_a_hint(tmp_path, capsys):
    bad = tmp_path / "bad.game"
    text = _docs_example().replace("rounds = 3", "roundz = 3")
    bad.write_text(text)
    assert main(["experiment", str(bad)]) == 2
    err = capsys.readouterr().err
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "roundz" in t)
    assert f"bad.game:{line}:" in err and "`roundz` is not an option" in err
    assert "did you mean `rounds`?" in err


def test_spec_without_an_experiment_is_exit_2(tmp_path, capsys):
    plain = tmp_path / "plain.game"
    plain.write_text("player a { choose x in {0, 1} }\npayoff a = x\n")
    assert main(["experiment", str(plain)]) == 2
    assert "no `experiment` statement" in capsys.readouterr().err


def test_experiment_is_not_a_solve_option(spec, capsys):
    assert main(["solve", str(spec), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["compare"] == {} and "section_vi" not in result


# ---------------------------------------------------------------------------- registry
def test_registry_refuses_unknown_plugins_with_a_hint():
    with pytest.raises(SpecError, match="unknown experiment plug-in `trimming`") as err:
        registry.get_plugin("trimming")
    assert "did you mean `trimming_schemes`?" in err.value.hint
    with pytest.raises(SpecError) as err:
        registry.get_plugin("zzz")
    assert "did you mean" not in err.value.hint and "trimming_schemes" in err.value.hint


def test_every_registered_plugin_declares_typed_options():
    for name in registry.PLUGINS:
        plugin = registry.get_plugin(name)
        assert plugin.name == name and plugin.options and callable(plugin.run)
        for option in plugin.options:
            assert option.kind in registry.KINDS and option.describe().startswith(option.name)


def test_options_are_checked_by_type():
    model = model_from_string('param a = 2\nexperiment e using trimming_schemes '
                              '{ data = a, rounds = 2 * a }', "x.game")
    experiment = model.experiments["e"]
    assert experiment.options["rounds"] == 4.0  # a number expression, evaluated
    with pytest.raises(SpecError, match="name of a data table") as err:
        registry.validate_experiment(registry.get_plugin("trimming_schemes"), experiment)
    assert err.value.span.line == 2


def test_two_experiments_with_one_name_are_an_error():
    with pytest.raises(SpecError, match="a second experiment named `e`"):
        model_from_string("experiment e using a { }\nexperiment e using b { }", "x.game")


# ---------------------------------------------------------------------------- info
def test_info_lists_experiments_and_update_profiles(capsys):
    """Compared with the statements read off the spec text with a regular expression."""
    path = REPO / "specs" / "trimming.game"
    text = path.read_text(encoding="utf-8")
    profiles = re.findall(r'^update "([^"]+)" over', text, re.M)
    experiments = re.findall(r"^experiment (\w+) using (\w+)", text, re.M)
    assert len(profiles) == 5 and len(experiments) == 1
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert [u["name"] for u in info["update_profiles"]] == profiles
    assert all(u["index"] == "i" and u["series"] == ["T", "A"] and "20 elements" in u["rounds"]
               for u in info["update_profiles"])
    (exp,) = info["experiments"]
    assert (exp["name"], exp["plugin"]) == experiments[0] and exp["known"]
    assert exp["given"]["data"] == "points" and exp["tables"] == ["data"]
    assert [o["name"] for o in exp["options"]] == \
        [o.name for o in registry.get_plugin("trimming_schemes").options]
    assert exp["options"][0]["required"] is True
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    name, plugin = experiments[0]
    assert re.search(rf"^  {name} using {plugin}: data = points, threshold = \"T\"", out, re.M)
    for profile in profiles:
        assert re.search(rf'^  "{re.escape(profile)}" over i in .*: T, A$', out, re.M)
    assert main(["info", str(path), "--options"]) == 0
    out = capsys.readouterr().out
    assert "tth (a number, >= 0, <= 1; default 0.9)" in out
    assert "data (the name of a data table (data NAME = ...); default required)" in out


def test_info_lists_an_unknown_plugin_without_failing(tmp_path, capsys):
    spec = tmp_path / "u.game"
    spec.write_text("param a = 1\nexperiment e using nosuch { n = 2 }\n", encoding="utf-8")
    assert main(["info", str(spec)]) == 0
    out = capsys.readouterr().out
    assert "  e using nosuch: n = 2\n    (unknown plug-in)" in out
    assert "update profiles" not in out
