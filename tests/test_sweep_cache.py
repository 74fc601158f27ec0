"""A sweep parses its spec once per worker: every row is the row of a fresh parse."""
from __future__ import annotations

from pathlib import Path

import pytest

from gamespec import sweep_cache
from gamespec.analysis import classify
from gamespec.language.loader import load_model
from gamespec.language.model_builder import build_model
from gamespec.model_summary import model_summary
from gamespec.sweep import parse_grid, run_sweep, to_csv, without_timings

SPECS = Path(__file__).resolve().parents[1] / "specs"


def _both(path, grid, **kwargs):
    """The rows with the cache off, then on (wall-clock columns dropped; NaN as in CSV)."""
    axes = [parse_grid(g) for g in grid]
    off = run_sweep(str(path), axes, {}, None, {}, cache=False, **kwargs)
    sweep_cache.clear()
    on = run_sweep(str(path), axes, {}, None, {}, cache=True, **kwargs)
    assert to_csv(without_timings(on)) == to_csv(without_timings(off))
    return without_timings(off), without_timings(on)


def test_finite_table_game_rows_identical_and_parsed_once():
    off, on = _both(SPECS / "trimming_one_round.game", ["T_hi=2:14:5", "P_hi=4,12"])
    assert on == off and len(on) == 10
    assert sweep_cache.stats == {"parsed": 1, "reused": 9}  # one process, one parse
    # the collector trims hard when P_hi > T_hi > P_lo + T_lo (P_lo=3, T_lo=1) and gets -T_hi
    for row in on:
        if row["P_hi"] > row["T_hi"] > 4:
            assert row["strategy:collector"] == "Hard"
            assert row["value:collector"] == pytest.approx(-row["T_hi"])


def test_continuous_game_rows_identical():
    off, on = _both(SPECS / "cournot.game", ["a=7,13"])
    assert on == off
    for row in on:  # Cournot duopoly: q = (a - c) / 3b with b = c = 1
        assert row["strategy:firm1"] == pytest.approx((row["a"] - 1) / 3, abs=1e-6)


def test_a_swept_set_size_rebuilds_the_model():
    """`set F = 1..n` with n swept: each point has its own number of firms."""
    off, on = _both(SPECS / "cournot_n_firms.game", ["n=2,4"])
    assert on == off
    for row in on:
        n = int(row["n"])
        members = sorted(k for k in row if k.startswith("strategy:firms["))
        assert len(members) == n
        for key in members:  # symmetric Cournot: q = (a - c) / (b (n + 1)), a=10, b=c=1
            assert row[key] == pytest.approx(9 / (n + 1), abs=1e-6)


def test_two_workers_with_the_cache_match_one_without():
    path = SPECS / "trimming_one_round.game"
    axes = [parse_grid("T_hi=1:20:6")]
    one = run_sweep(str(path), axes, {}, None, {}, workers=1, cache=False)
    two = run_sweep(str(path), axes, {}, None, {}, workers=2, cache=True)
    assert without_timings(two) == without_timings(one)


def test_text_source_and_errors_match():
    text = (SPECS / "trimming_one_round.game").read_text()
    off, on = _both("probe.game", ["T_hi=3,9"], source=text)
    assert on == off and on[0]["status"] != "error"
    broken = text.replace("table {", "table {{")
    off, on = _both("broken.game", ["T_hi=3,9"], source=broken)  # every point: its error
    assert [r["reason"] for r in on] == [r["reason"] for r in off]
    assert all(r["status"] == "error" and "unexpected '{'" in r["reason"] for r in on)
    off, on = _both("probe.game", ["nope=1"], source=text)  # an unknown parameter
    assert on[0]["status"] == "error" and "nope" in on[0]["reason"]


def test_one_tree_builds_the_same_model_as_a_fresh_parse():
    """Building twice from one cached tree (other values between) leaves it unchanged."""
    path = str(SPECS / "cournot_n_firms.game")
    spec = sweep_cache.parsed_spec(Path(path).read_text(), path, {})
    build_model(spec, {"n": 7.0})
    for values in ({"n": 3.0}, {"n": 3.0, "a": 12.0}):
        cached = build_model(spec, values)
        fresh = load_model(path, values)
        assert model_summary(cached, classify(cached)) == model_summary(fresh, classify(fresh))


def test_an_edited_text_is_parsed_again():
    sweep_cache.clear()
    first = sweep_cache.parsed_spec("param a = 1\n", "x.game", {})
    assert sweep_cache.parsed_spec("param a = 1\n", "x.game", {}) is first
    assert sweep_cache.parsed_spec("param a = 2\n", "x.game", {}) is not first
    assert sweep_cache.stats == {"parsed": 2, "reused": 1}


def test_env_switch(monkeypatch):
    monkeypatch.setenv(sweep_cache.CACHE_ENV, "0")
    assert not sweep_cache.cache_default()
    monkeypatch.setenv(sweep_cache.CACHE_ENV, "1")
    assert sweep_cache.cache_default()


def test_a_pool_parses_in_the_parent_before_forking():
    """The parent parses once before the workers fork (they inherit the tree); a spec that
    does not parse is left to the points, each reporting its error."""
    path = SPECS / "trimming_one_round.game"
    sweep_cache.clear()
    rows = run_sweep(str(path), [parse_grid("T_hi=3,9")], {}, None, {}, workers=2)
    assert sweep_cache.stats["parsed"] == 1 and all(r["status"] != "error" for r in rows)
    sweep_cache.clear()
    rows = run_sweep("bad.game", [parse_grid("T_hi=3,9")], {}, None, {}, workers=2,
                     source="player row {")
    assert sweep_cache.stats["parsed"] == 0 and all(r["status"] == "error" for r in rows)


@pytest.mark.parametrize("stem", ["entry_deterrence", "hawk_dove_population", "congestion",
                                  "braess", "repeated_prisoners_dilemma", "beer_quiche"])
def test_more_kinds_rows_identical(stem):
    """Trees, populations, families, networks, repeated games: two values of the spec's first
    scalar parameter (its own and 0.9 of it), with and without the cache."""
    path = SPECS / f"{stem}.game"
    param = next(p for p in load_model(str(path)).params.values()
                 if not p.index_sets and p.value is not None)
    grid = f"{param.name}={param.value!r},{0.9 * param.value!r}"
    off, on = _both(path, [grid])  # _both compares the two tables
    assert len(on) == 2 and on[0]["status"] != "error", on[0].get("reason")


def test_threads_share_one_cache():
    """Points on several threads of one process (as a Dask worker runs them) read one tree."""
    from concurrent.futures import ThreadPoolExecutor

    path = str(SPECS / "trimming_one_round.game")
    text = Path(path).read_text()
    sweep_cache.clear()
    first = sweep_cache.parsed_spec(text, path, {})
    with ThreadPoolExecutor(4) as pool:
        trees = list(pool.map(lambda _: sweep_cache.parsed_spec(text, path, {}), range(40)))
    assert all(t is first for t in trees)
    assert sweep_cache.stats == {"parsed": 1, "reused": 40}


def test_a_gambit_tree_is_read_as_before():
    """An .efg text is not parsed by the spec grammar: its one point is the same either way."""
    efg = ('EFG 2 R "Entry" { "Entrant" "Incumbent" }\n""\n\n'
           'p "" 1 1 "start" { "Out" "In" } 0\nt "" 1 "out" { 0, 2 }\n'
           'p "" 2 1 "entered" { "Fight" "Accommodate" } 0\nt "" 2 "" { -1, -1 }\n'
           't "" 3 "" { 1 1 }\n')
    sweep_cache.clear()
    off = run_sweep("entry.efg", [], {}, None, {}, source=efg, cache=False)
    on = run_sweep("entry.efg", [], {}, None, {}, source=efg, cache=True)
    assert to_csv(without_timings(on)) == to_csv(without_timings(off))
    assert sweep_cache.stats["parsed"] == 0 and on[0]["status"] != "error", on[0]["reason"]
    # subgame perfection: the incumbent accommodates, so the entrant enters (1 > 0)
    assert on[0]["value:Entrant"] == pytest.approx(1.0)


def test_check_in_data_read_once_gives_the_same_rows(mirror):
    """location_privacy: the check-in files split once per process (gamespec.data.sources)
    and the spec parsed once give the rows of fresh reads, for two users."""
    from gamespec.data import sources

    path = SPECS / "location_privacy.game"
    sources._SPLIT_COLUMNS.clear()
    off, on = _both(path, ["user=1,3"], data_mirror=str(mirror))  # compares the tables
    assert len(sources._SPLIT_COLUMNS) == 2  # the locations and the check-ins
    arrays = [c for cols in sources._SPLIT_COLUMNS.values() for c in cols
              if hasattr(c, "flags")]
    assert arrays and not any(a.flags.writeable for a in arrays)
    sources._SPLIT_COLUMNS.clear()
    fresh = run_sweep(str(path), [parse_grid("user=3")], {}, None, {}, cache=False,
                      data_mirror=str(mirror))
    assert to_csv(without_timings(fresh)) == to_csv([on[1]])
