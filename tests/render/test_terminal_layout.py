"""The terminal text's layout (issue 19): it fits the width, long tables are cut unless
`full`, series are in time order, numbers have at most 6 significant digits and no Python
repr (`{'quality': 0.0}`, `[0.8731249999999999, ...]`) reaches the text."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import gamespec
from gamespec.render.numbers import number
from gamespec.render.terminal import render_result
from gamespec.result import Certificate, Result

SPECS = Path(__file__).resolve().parents[2] / "specs"
SLOW = {"obfuscation_mfg", "nvo_credit", "leduc_poker"}  # minutes each: not run here
# a number in the text: digits with an optional fraction and exponent, not part of a name
NUMBER = re.compile(r"(?<![\w.\[])-?(\d+(?:\.\d+)?)(?:e[-+]?\d+)?(?![\w\]])")
REPR = re.compile(r"\{'|\['|\bTrue\b|\bFalse\b")


def significant(digits: str) -> int:
    return len(digits.replace(".", "").lstrip("0").rstrip("0") if "." in digits
               else digits.lstrip("0").rstrip("0")) or 1


def synthetic(**fields) -> Result:
    base = dict(game="g", spec="g.game", spec_sha256="0", method="lp", status="optimal",
                values={"user": 3.0994173881234567, "adversary": -3.0994173881234567},
                strategies={}, certificate=Certificate("check", 4.440892098500626e-16, True,
                                                       1.6393939e-05))
    return Result(**{**base, **fields})


# a 30 x 30 channel (one distribution per true region), as the location-privacy LP gives
CHANNEL = {str(r): {str(r): 0.6447213595499958, str(r % 30 + 1): 0.35527864045000423}
           for r in range(1, 31)}
COMPARE = {f"obfuscation[{k}]": {"value_against_optimal_response": 0.1 * k + 1 / 3,
                                 "constraint_lhs": {"quality": k / 3},
                                 "optimal_is_at_least_as_good": True} for k in range(1, 6)}


def test_numbers_are_integers_fractions_or_six_significant_digits():
    assert number(0.1 + 0.2) == "0.3"
    assert number(2 / 3) == "0.666667"
    assert number(2.0) == "2" and number(-0.0) == "0" and number(12305) == "12305"
    assert number(1.5, "3/2") == "3/2"  # the Result's exact value when it is a fraction
    assert number(0.5615528128088303, "-3/2 + sqrt(17)/2") == "0.561553"  # not a fraction
    assert number(4.440892098500626e-16) == "4.44089e-16"
    assert number(1234567.891) == "1234570" and number(-999999.5) == "-1000000"
    assert number(1234567.0) == "1234567" and number(2.5e15) == "2.5e+15"
    assert number(True) == "yes" and number(None) == "-"


@pytest.mark.parametrize("width", [60, 120])
def test_every_line_fits_the_width(width):
    result = synthetic(strategies={"user": CHANNEL, "adversary": {"1": "9"}}, compare=COMPARE,
                       covers="the value of the zero-sum game (every equilibrium has it) and "
                       "one optimal strategy of each side " * 2,
                       extra={"facts": [["lp", "leader's LP 3.09942, follower's LP 3.09942 "
                                         "(duality gap 4.44089e-16) " * 3]]})
    for full in (False, True):
        text = render_result(result, width=width, full=full)
        too_long = [line for line in text.splitlines() if len(line) > width]
        assert not too_long, too_long
    narrow = render_result(result, width=60)
    assert max(map(len, narrow.splitlines())) > 50  # the width is used, not a fixed 40


def test_a_long_channel_is_cut_unless_full():
    result = synthetic(strategies={"user": CHANNEL})
    cut = render_result(result, width=100)
    rows = [line.split()[0] for line in cut.splitlines()
            if re.match(r"^  \d+ ", line)]
    assert rows == [str(r) for r in [1, 2, 3, 4, 5, 6, 7, 8, 29, 30]]
    assert "(20 of 30 rows not shown; --full shows all)" in cut
    full = render_result(result, width=100, full=True)
    rows = [line.split() for line in full.splitlines() if re.match(r"^  \d+ ", line)]
    assert [r[0] for r in rows] == [str(r) for r in range(1, 31)]
    assert rows[29] == ["30", "30", "(0.644721),", "1", "(0.355279)"]  # region 30 -> 30 or 1
    assert "not shown" not in full


def test_compare_entries_are_one_table_without_reprs():
    text = render_result(synthetic(compare=COMPARE), width=100)
    assert "compare obfuscation:" in text and not REPR.search(text), text
    lines = text.splitlines()
    header = lines[lines.index("compare obfuscation:") + 1].split()
    assert header == ["metric", "[1]", "[2]", "[3]", "[4]", "[5]"]
    rows = {line.split()[0]: line.split()[1:] for line in lines if line.startswith("  ")}
    assert rows["constraint_lhs.quality"] == ["0.333333", "0.666667", "1", "1.33333", "1.66667"]
    assert rows["value_against_optimal_response"][0] == "0.433333"
    assert rows["optimal_is_at_least_as_good"] == ["yes"] * 5


def test_series_are_listed_in_time_order():
    u = {"0": 1.0, "2": -0.9, "10": 0.2, "4": 0.95, "6": 0.1}  # keys as the dynamics give them
    result = synthetic(values={}, strategies={"u": u, "T": [0.87, 0.9, 0.8731249999999999]})
    text = render_result(result, width=100)
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("series u"))
    rows = [line.split() for line in lines[start + 3:start + 8]]
    assert rows == [["0", "1"], ["2", "-0.9"], ["4", "0.95"], ["6", "0.1"], ["10", "0.2"]]
    start = next(k for k, line in enumerate(lines) if line.startswith("series T"))
    assert [line.split() for line in lines[start + 3:start + 6]] == [
        ["1", "0.87"], ["2", "0.9"], ["3", "0.873125"]]


def test_many_equilibria_are_cut_unless_full():
    equilibria = [{"profile": {"a": f"x{k}", "b": "y"}, "payoffs": {"a": k / 7, "b": 0.0},
                   "pure": True} for k in range(25)]
    result = synthetic(method="enumerate", extra={"equilibria": equilibria})
    cut = render_result(result, width=100)
    assert "(5 more equilibria not shown; --full shows all" in cut
    assert re.search(r"^ +20 +x19 +y +2\.71429 +0$", cut, re.M)
    full = render_result(result, width=100, full=True)
    assert re.search(r"^ +25 +x24 +y +3\.42857 +0$", full, re.M) and "not shown" not in full


def _bundled():
    return [p.stem for p in sorted(SPECS.glob("*.game")) if p.stem not in SLOW]


@pytest.mark.parametrize("stem", _bundled())
def test_bundled_specs_show_no_reprs_and_short_numbers(stem, mirror):
    text = render_result(gamespec.load(SPECS / f"{stem}.game").solve(), width=100)
    body = "\n".join(line for line in text.splitlines()
                     if not line.startswith(("timing:", "data ")))  # data notes quote files
    assert not REPR.search(body), REPR.search(body)
    assert all(len(line) <= 100 for line in text.splitlines())
    for match in NUMBER.finditer(body):
        if "." in match.group(1) or "e" in match.group(0):
            assert significant(match.group(1)) <= 6, match.group(0)
