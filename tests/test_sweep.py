"""Parameter sweeps: the table does not depend on how many workers run it."""
from __future__ import annotations

import csv
import io
import struct
from pathlib import Path

import pytest

from gamespec.cli import main
from gamespec.errors import SpecError
from gamespec.sweep import parse_grid, run_sweep, to_csv, without_timings

SPECS = Path(__file__).resolve().parents[1] / "specs"
SPEC = str(SPECS / "trimming_one_round.game")


def _table(rows):
    return to_csv(without_timings(rows))


def test_grid_parsing():
    axis = parse_grid("T_hi=1:3:3")
    assert axis.name == "T_hi" and axis.values == (1.0, 2.0, 3.0)
    assert parse_grid("x=0.5,2").values == (0.5, 2.0)
    with pytest.raises(SpecError):
        parse_grid("x=1:2:zero")


def test_same_table_for_one_and_two_local_workers():
    axes = [parse_grid("T_hi=2:14:4"), parse_grid("P_hi=4:12:3")]
    one = run_sweep(SPEC, axes, {}, None, {}, workers=1)
    two = run_sweep(SPEC, axes, {}, None, {}, workers=2)
    assert _table(one) == _table(two)
    hard = [r for r in one if r["strategy:collector"] == "Hard"]
    # the collector trims hard exactly when P_hi >= T_hi - T_lo (derived condition, T_lo = 1)
    assert all(r["P_hi"] >= r["T_hi"] - 1 for r in hard)
    assert all(r["P_hi"] < r["T_hi"] - 1 for r in one if r["strategy:collector"] != "Hard")


def test_dask_local_cluster_gives_the_same_table():
    distributed = pytest.importorskip("distributed")
    axes = [parse_grid("T_hi=2:14:3")]
    local = run_sweep(SPEC, axes, {}, None, {}, workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        remote = run_sweep(SPEC, axes, {}, None, {}, scheduler=cluster.scheduler_address)
    assert _table(local) == _table(remote)


def test_cli_sweep_writes_table_and_picture(tmp_path):
    out, png = tmp_path / "t.csv", tmp_path / "t.png"
    code = main(["sweep", SPEC, "--grid", "T_hi=2:14:3", "--grid", "P_hi=4:12:2",
                 "--workers", "1", "--out", str(out), "--plot", str(png),
                 "--color", "value:collector"])
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 6 and all(r["certified"] == "True" for r in rows)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (780, 580)  # the regime plot's size (gamespec.plots.regime)


@pytest.mark.parametrize("grids", [["T_hi=2:14:3"], ["T_hi=2:14:3", "P_hi=4:12:2"]])
def test_sweep_plot_is_the_regime_plot_of_its_table(tmp_path, capsys, grids):
    """One implementation: `sweep --plot` writes the very PNG `plot --kind regime` draws
    from the table sweep wrote; another column gives another picture."""
    table, png, regime, other = (tmp_path / n for n in ("t.csv", "s.png", "r.png", "o.png"))
    grid = [a for g in grids for a in ("--grid", g)]
    assert main(["sweep", SPEC, *grid, "--workers", "1", "--out", str(table), "--plot",
                 str(png), "--color", "value:collector"]) == 0
    assert main(["plot", str(table), "--kind", "regime", "--out", str(regime),
                 "--color", "value:collector"]) == 0
    assert main(["plot", str(table), "--kind", "regime", "--out", str(other),
                 "--color", "value:adversary"]) == 0
    capsys.readouterr()
    assert png.read_bytes() == regime.read_bytes()
    assert regime.read_bytes() != other.read_bytes()


def test_rows_carry_the_run_facts_and_a_separate_timing_column() -> None:
    from gamespec.api import load

    spec = str(SPECS / "congestion.game")
    rows = run_sweep(spec, [parse_grid("long_cost=1.5,2.5")], {}, "brd", {}, workers=1)
    for row in rows:
        solved = load(spec, long_cost=row["long_cost"]).solve(method="brd")
        assert row["run:passes"] == solved.extra["passes"]
        assert row["run:switches"] == solved.extra["switches"]
        assert row["time:solve_s"] >= 0
    assert all(not k.startswith("time:") for r in without_timings(rows) for k in r)


DUOPOLY = """
game "Cournot duopoly"
param a = 10
param b = 1
param c = 1
player firm1 { choose q1 in [0, a / b] }
player firm2 { choose q2 in [0, a / b] }
payoff firm1 = (a - b * (q1 + q2)) * q1 - c * q1
payoff firm2 = (a - b * (q1 + q2)) * q2 - c * q2
report price = a - b * (q1 + q2)
report large = q1 >= 3
"""


def test_report_statements_are_columns(tmp_path):
    """Closed form: q1 = q2 = (a - c) / 3b, so price = (a + 2c) / 3 and q1 >= 3 iff a >= 10."""
    from gamespec.sweep import read_table

    spec, table = tmp_path / "duopoly.game", tmp_path / "t.csv"
    spec.write_text(DUOPOLY, encoding="utf-8")
    assert main(["sweep", str(spec), "--grid", "a=7,10,13", "--workers", "1",
                 "--out", str(table)]) == 0
    rows = read_table(str(table))
    assert [r["a"] for r in rows] == [7.0, 10.0, 13.0]
    for row in rows:
        assert row["report:price"] == pytest.approx((row["a"] + 2 * 1) / 3, abs=1e-9)
        assert row["report:large"] is ((row["a"] - 1) / 3 >= 3)
