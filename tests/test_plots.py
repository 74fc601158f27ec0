"""Every kind of picture renders to a valid PNG of the expected pixel size.

Expensive solves (the mean-field Stackelberg game, the Stackelberg duopoly) are replaced
by their known answers: a plot draws the result it is given and does not solve again.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

import gamespec
from gamespec.cli import main
from gamespec.errors import SpecError
from gamespec.result import Certificate, Result
from gamespec.sweep import to_json

SPECS = Path(__file__).resolve().parents[1] / "specs"

LPPM = """game "Location privacy on four regions"
param Qmax = 0.3 in [0, 1]
set R = 1..4
param x[r in R] = mod(r - 1, 2)
param y[r in R] = floor((r - 1) / 2)
param psi[r in R] = if r == 1 then 0.4 else 0.2
param dp[a in R, b in R] = sqrt((x[a] - x[b])^2 + (y[a] - y[b])^2)
param dq[a in R, b in R] = if a == b then 0 else 1
player user {
  mixed f[r in R] over R
  subject to quality: sum(r in R, s in R) psi[r] * f[r, s] * dq[s, r] <= Qmax
}
player adversary { mixed h[s in R] over R }
payoff user = sum(r in R, s in R, a in R) psi[r] * f[r, s] * h[s, a] * dp[a, r]
zero_sum
order user -> adversary
"""

TINY_NVO = """game "Tiny NVO"
param eps = 1
param K = 10
set I = 1..6
set X = 1..K
param d[i in I] = (2 * i - 1) / 12
param q[x in X] = count(i in I : bin_of(d[i], K) == x) / card(I)
set V = {2, 1, 0.2}
players inst[i in I] { choose b in V }
let m[i in I, x in X] = laplace_mass(d[i], b[i], x, K)
let Q[x in X] = mean(j in I) m[j, x]
let KL = sum(x in X : q[x] > 0) q[x] * ln(q[x] / Q[x])
common payoff = 1 - KL / ln(K) + 0.05 * sum(i in I) [b[i] >= 1 / eps]
profile laplace { b[i in I] = 1 / eps }
"""

SWEEP_CSV = "T_hi,P_hi,method,status,certified,residual,reason,strategy:collector,value:collector\n" + "".join(
    f"{t}.0,{p}.0,enumerate,equilibria,True,0.0,,{'Hard' if p >= t - 1 else 'Soft'},"
    f"{-min(t, p + 1)}.0\n" for t in (2, 6, 10, 14) for p in (4, 8, 12))


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk; asserts a well-formed PNG start."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    crc = struct.unpack(">I", data[29:33])[0]
    assert crc == zlib.crc32(data[12:29]), "IHDR checksum"
    assert data.rstrip(b"\x00")[-8:-4] == b"IEND", "no IEND chunk"
    return width, height


def assert_picture(path: Path, size: tuple[int, int]) -> None:
    assert png_size(path) == size
    assert path.stat().st_size > 10_000
    from matplotlib.image import imread

    pixels = imread(str(path))
    assert pixels.shape[:2] == (size[1], size[0])
    assert float(np.std(pixels[..., :3])) > 0.05, "a blank picture"
    assert not list(path.parent.glob(f".{path.name}.*tmp")), "temporary file left"


def known(game, strategies, values, method="continuous", **extra) -> Result:
    return Result(game=game.title, spec=game.model.path, spec_sha256=game.model.sha256,
                  method=method, status="equilibrium", values=values, strategies=strategies,
                  certificate=Certificate("known answer", 0.0, True, 1e-6), extra=extra)


def test_payoff_table(tmp_path):
    out = tmp_path / "pd.png"
    gamespec.load(SPECS / "prisoners_dilemma.game").plot("payoff-table", out)
    assert_picture(out, (1070, 500))


def test_best_response_two_players(tmp_path):
    out = tmp_path / "cournot.png"
    gamespec.load(SPECS / "cournot.game").plot("best-response", out)
    assert_picture(out, (660, 560))


def test_best_response_mean_field(tmp_path):
    game = gamespec.load(SPECS / "obfuscation_mfg.game")
    result = known(game, {"learner": 0.9340709707389417, "users": 0.0},
                   {"learner": 1.4146268584096493, "users": -0.028473391802556147},
                   fixed_points_at_answer=[
                       {"s": 0.0, "stable": True, "best_response": "{0, 11.4975}"},
                       {"s": 100.0, "stable": True, "best_response": "100"}])
    out = tmp_path / "mfg.png"
    game.plot("best-response", out, result=result)
    assert_picture(out, (1200, 560))  # the whole interval and a zoom on the small states


def test_leader(tmp_path):
    game = gamespec.load(SPECS / "stackelberg_duopoly.game")
    result = known(game, {"leader": 4.5, "follower": 2.25}, {"leader": 10.125,
                                                             "follower": 5.0625})
    out = tmp_path / "leader.png"
    game.plot("leader", out, result=result)
    assert_picture(out, (800, 660))


def test_lppm(tmp_path):
    out = tmp_path / "lppm.png"
    gamespec.loads(LPPM, path=str(tmp_path / "lppm.game")).plot("lppm", out)
    assert_picture(out, (1250, 560))


def test_distribution(tmp_path):
    out = tmp_path / "nvo.png"
    gamespec.loads(TINY_NVO).plot("distribution", out)
    assert_picture(out, (1000, 500))


def test_trajectory(tmp_path):
    out = tmp_path / "trimming.png"
    gamespec.load(SPECS / "trimming.game").plot("trajectory", out)
    assert_picture(out, (1150, 920))  # the Euler-Lagrange row and the update-rule row


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_regime_from_a_sweep_table(tmp_path, capsys, suffix):
    table = tmp_path / f"sweep.{suffix}"
    if suffix == "csv":
        table.write_text(SWEEP_CSV)
    else:
        from gamespec.sweep import read_table

        (tmp_path / "t.csv").write_text(SWEEP_CSV)
        table.write_text(to_json(read_table(str(tmp_path / "t.csv"))))
    out = tmp_path / f"regime_{suffix}.png"
    code = main(["plot", str(table), "--kind", "regime", "--x", "T_hi", "--y", "P_hi",
                 "--color", "strategy:collector", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert_picture(out, (780, 580))


def test_regime_names_a_missing_column(tmp_path, capsys):
    table = tmp_path / "sweep.csv"
    table.write_text(SWEEP_CSV)
    code = main(["plot", str(table), "--x", "T_hi", "--y", "P_hii", "--out",
                 str(tmp_path / "r.png")])
    err = capsys.readouterr().err
    assert code == 2 and "no column `P_hii`" in err and "did you mean `P_hi`?" in err


def test_solve_plot_draws_the_default_picture(tmp_path, capsys):
    out = tmp_path / "pd.png"
    assert main(["solve", str(SPECS / "prisoners_dilemma.game"), "--plot", str(out)]) == 0
    assert "certificate:" in capsys.readouterr().out
    assert_picture(out, (1070, 500))


def test_a_kind_that_does_not_fit_is_refused_clearly(tmp_path, capsys):
    code = main(["plot", str(SPECS / "prisoners_dilemma.game"), "--kind", "distribution",
                 "--out", str(tmp_path / "x.png")])
    err = capsys.readouterr().err
    assert code == 2 and "a distribution plot needs `let Q[x in X]`" in err
    assert not (tmp_path / "x.png").exists()
    with pytest.raises(SpecError, match="unknown plot kind"):
        gamespec.load(SPECS / "prisoners_dilemma.game").plot("payoff_table")
