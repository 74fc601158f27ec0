"""Gambit .nfg import and export of payoff tables held as arrays: an imported random game
has exactly the file's payoffs (oracle: the array the file was written from, and pygambit
reading the same file, through tests/oracles/gambit_reference.py: replayed where pygambit is
not installed); an exported table reads back in pygambit with the table's values."""
from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from gamespec.gambit import export_nfg, nfg_to_spec, parse_nfg
from gamespec.language.loader import model_from_string
from gamespec.normal_form import build_normal_form
from tests.oracles import gambit_reference as gambit


def nfg_text(payoffs: np.ndarray) -> str:
    """An NFG payoff file (first player's strategy changing fastest)."""
    shape = payoffs.shape[1:]
    players = " ".join(f'"P{k}"' for k in range(len(shape)))
    numbers = []
    for rev in itertools.product(*[range(n) for n in reversed(shape)]):
        profile = tuple(reversed(rev))
        numbers += [str(payoffs[(p,) + profile]) for p in range(len(shape))]
    return (f'NFG 1 R "random" {{ {players} }}\n\n{{ {" ".join(map(str, shape))} }}\n\n'
            + " ".join(numbers) + "\n")


def pygambit_array(path, shape) -> np.ndarray:
    """The payoffs pygambit reads from the .nfg file, one table per player (Fractions)."""
    tables = gambit.strategic(gambit.nfg(path.read_text()))["payoffs"]
    assert all(t.shape == shape for t in tables)
    return np.stack(tables)


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 2), (50, 50)])
def test_imported_table_has_the_file_payoffs(tmp_path, shape):
    rng = np.random.default_rng(len(shape) * 7 + shape[0])
    payoffs = rng.integers(-30, 31, size=(len(shape),) + shape)
    path = tmp_path / "game.nfg"
    path.write_text(nfg_text(payoffs))
    spec = nfg_to_spec(parse_nfg(path.read_text(), str(path)), str(path))
    nf = build_normal_form(model_from_string(spec))
    np.testing.assert_array_equal(nf.payoffs, payoffs)
    oracle = pygambit_array(path, shape)
    np.testing.assert_array_equal(nf.payoffs, oracle.astype(float))


def test_export_of_table_reads_back_in_pygambit(tmp_path):
    rng = np.random.default_rng(2)
    payoffs = rng.integers(-9, 10, size=(3, 2, 3, 4))
    source = tmp_path / "in.nfg"
    source.write_text(nfg_text(payoffs))
    model = model_from_string(nfg_to_spec(parse_nfg(source.read_text()), "in.nfg"))
    out = tmp_path / "out.nfg"
    out.write_text(export_nfg(model))
    np.testing.assert_array_equal(pygambit_array(out, (2, 3, 4)).astype(float), payoffs)


def test_fractional_payoffs_stay_exact(tmp_path):
    payoffs = np.array([[["1/3", "-2/7"], ["5", "0"]], [["2/3", "1/2"], ["-1", "3/4"]]],
                       dtype=object)
    path = tmp_path / "f.nfg"
    path.write_text(nfg_text(payoffs))
    model = model_from_string(nfg_to_spec(parse_nfg(path.read_text()), "f.nfg"))
    nf = build_normal_form(model)
    expected = np.vectorize(lambda s: float(Fraction(s)))(payoffs)
    np.testing.assert_allclose(nf.payoffs, expected, rtol=0, atol=1e-15)
