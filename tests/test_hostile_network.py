"""Hostile input: confinement owned by the command line (issue 21, deliverable 2).

A spec cannot widen where data is read from (no `data_mirror` option in spec text), and
`check` (info, derive, export) never touches the network: only an explicit solve
downloads a registered data set, and says so.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from gamespec import network_policy
from gamespec.cli import main
from gamespec.data import registry as data_registry
from gamespec.data.registry import DATASETS

CONTENT = b"id,v\n1,2\n2,5\n"
SPEC = ('game "toy"\ndata d = dataset("toy", columns = {id, v})\nset R = d.id\n'
        'param w[r in R] = d.v[r]\nplayer a { choose x in R }\npayoff a = w[x]\n')


@pytest.fixture
def toy(monkeypatch, tmp_path):
    """A registered toy data set with no mirror and an empty cache; downloads recorded."""
    monkeypatch.delenv(data_registry.MIRROR_ENV, raising=False)
    monkeypatch.setattr(network_policy, "DOWNLOADS", True)  # a library's default
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setattr(data_registry, "_cache_dir", lambda: cache)
    some = next(iter(DATASETS.values()))
    entry = replace(some, name="toy", path="toy/values.csv", url="https://example.org/v.csv",
                    sha256=hashlib.sha256(CONTENT).hexdigest(), mirror_only=False,
                    delimiter=",", header=True, column_names=None, rows=2)
    monkeypatch.setitem(DATASETS, "toy", entry)
    calls = []

    def fake_retrieve(url, known_hash=None, fname=None, path=None, **kwargs):
        calls.append(url)
        target = Path(path) / fname
        target.write_bytes(CONTENT)
        return str(target)

    import pooch

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    spec = tmp_path / "toy.game"
    spec.write_text(SPEC)
    return spec, calls


@pytest.mark.parametrize("command", ["check", "info", "derive"])
def test_check_info_and_derive_never_download(toy, capsys, command):
    spec, calls = toy
    assert main([command, str(spec)]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:2:1: error: data set 'toy' is not in the mirror" in err
    assert "this command does not download" in err
    assert calls == []
    assert network_policy.DOWNLOADS is True  # restored for the next command


def test_solve_downloads_says_so_and_check_then_uses_the_cache(toy, capsys):
    spec, calls = toy
    assert main(["solve", str(spec), "--json"]) == 0
    captured = capsys.readouterr()
    assert calls == ["https://example.org/v.csv"]
    assert "gamespec: downloading data set 'toy' from https://example.org/v.csv" in captured.err
    assert '"a": "2"' in captured.out  # w = (2, 5): the second row is the best choice
    assert main(["check", str(spec)]) == 0  # the verified cached copy: no network
    assert calls == ["https://example.org/v.csv"]


def test_a_spec_cannot_name_a_data_mirror(tmp_path, capsys):
    spec = tmp_path / "s.game"
    spec.write_text('game "x"\nplayer a { choose x in {1, 2} }\npayoff a = x\n'
                    'solve using enumerate { data_mirror = "/tmp" }\n')
    assert main(["solve", str(spec)]) == 2
    assert f"{spec}:4:25: error: solve option `data_mirror` is not an option" \
        in capsys.readouterr().err
