"""The lp method's size check counts the coefficients its LP holds: a follower conditioned
on the leader's choice adds no factor (a location game over n regions holds n^3, not n^4:
the shipped location spec's own range, up to 300 regions, once refused from 89 on)."""
from __future__ import annotations

from gamespec.cli import main

OBSERVED = """
param n = 100
set R = 1..n
player user { mixed f[r in R] over R }
player adversary { mixed h[s in R] over R }
payoff user = sum(r in R, s in R, a in R) f[r, s] * h[s, a] * [a != r] / n
zero_sum
order user -> adversary
"""


def info_lp_line(tmp_path, capsys, *args: str) -> str:
    path = tmp_path / "observed.game"
    path.write_text(OBSERVED)
    assert main(["info", str(path), *args]) == 0
    return next(line for line in capsys.readouterr().out.splitlines()
                if line.startswith("  lp:"))


def test_an_observing_follower_costs_n_cubed(tmp_path, capsys):
    # n^3 = 1,000,000 fits a limit of 2,000,000; the old n^4 estimate (10^8) did not
    assert info_lp_line(tmp_path, capsys, "--limit", "lp_coefficients=2000000") == \
        "  lp: applies"


def test_the_refusal_names_the_limit_that_raises_it(tmp_path, capsys):
    line = info_lp_line(tmp_path, capsys, "--limit", "lp_coefficients=999999")
    assert "about 1,000,000 coefficients" in line
    assert "--limit lp_coefficients=1000000" in line
