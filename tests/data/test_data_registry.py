"""The data registry: every entry verified against the mirror, and every failure a SpecError."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from gamespec.data import registry as data_registry
from gamespec.data.registry import DATASETS, DatasetEntry, available, fetch, get, sha256_of
from gamespec.errors import Span, SpecError

REPO = Path(__file__).resolve().parents[2]


MIRROR = data_registry.find_mirror(REPO.parent / "shared" / "data")
needs_mirror = pytest.mark.skipif(
    MIRROR is None,
    reason=f"no data mirror: set {data_registry.MIRROR_ENV} or put shared/data beside the repo",
)


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No mirror in the environment, an empty download cache, and no network."""
    monkeypatch.delenv(data_registry.MIRROR_ENV, raising=False)
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setattr(data_registry, "_cache_dir", lambda: cache)
    calls = []

    def no_network(url, **kwargs):
        calls.append((url, kwargs))
        raise ConnectionError(f"Failed to resolve host for {url}")

    import pooch

    monkeypatch.setattr(pooch, "retrieve", no_network)
    return cache, calls


def _toy_entry(content: bytes, **changes) -> DatasetEntry:
    fields = {
        "name": "toy", "path": "toy/values.csv", "url": "https://example.org/values.csv",
        "sha256": hashlib.sha256(content).hexdigest(), "licence": "CC0", "citation": "test",
        "description": "test", "delimiter": ",", "header": True, "rows": 2,
    }
    fields.update(changes)
    return DatasetEntry(**fields)


# --- the registry itself ------------------------------------------------------------------

EXPECTED_NAMES = {
    "nba", "adult_test", "adult_data", "credit_profile", "foursquare_sg_locations",
    "foursquare_sg_checkins", "uci_synthetic_control", "uci_vehicle", "uci_letter",
    "creditcard", "nyc_taxi", "geolife",
}


def test_registry_has_the_twelve_data_sets():
    assert set(DATASETS) == EXPECTED_NAMES


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_entry_is_well_formed(name):
    entry = DATASETS[name]
    assert entry.name == name
    assert re.fullmatch(r"[0-9a-f]{64}", entry.sha256)
    assert entry.url.startswith("https://")
    if not entry.mirror_only:
        assert re.match(r"https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{7,40}/",
                        entry.url), entry.url
    assert entry.licence and entry.citation and entry.description
    assert entry.delimiter in {",", "\t", "whitespace"}
    assert entry.header or entry.column_names, "a headerless file needs column names"
    if entry.column_names:
        assert len(set(entry.column_names)) == len(entry.column_names)
    assert not Path(entry.path).is_absolute() and ".." not in Path(entry.path).parts
    assert entry.rows and entry.rows > 0


def test_entries_are_frozen():
    with pytest.raises(AttributeError):
        DATASETS["nba"].sha256 = "0" * 64  # type: ignore[misc]


@needs_mirror
def test_registry_agrees_with_data_readme():
    readme = MIRROR / "README.md"
    if not readme.is_file():
        pytest.skip(f"no README.md in the mirror {MIRROR}")
    table = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`([^`]+)`", cells[0]) if cells else None
        digest = re.fullmatch(r"`([0-9a-f]{64})`", cells[-1]) if cells else None
        if match and digest:
            table[match.group(1)] = digest.group(1)
    assert len(table) == 12
    assert {e.path: e.sha256 for e in DATASETS.values()} == table


# --- verification against the mirror ------------------------------------------------------

@needs_mirror
@pytest.mark.parametrize("name", sorted(DATASETS))
def test_mirror_copy_matches_registered_sha256(name):
    entry = DATASETS[name]
    path = MIRROR / entry.path
    assert path.is_file(), f"{entry.path} is missing from the mirror {MIRROR}"
    assert sha256_of(path) == entry.sha256
    assert fetch(name, mirror=MIRROR) == path
    assert available(name, mirror=MIRROR)


@needs_mirror
def test_fetch_reads_mirror_from_environment(monkeypatch):
    monkeypatch.setenv(data_registry.MIRROR_ENV, str(MIRROR))
    assert fetch("uci_vehicle") == MIRROR / "uci_vehicle" / "vehicle.csv"


# --- failures -----------------------------------------------------------------------------

def test_unknown_name_has_did_you_mean_hint():
    with pytest.raises(SpecError) as info:
        fetch("nbaa")
    err = info.value
    assert "unknown data set 'nbaa'" in err.message
    assert err.hint and "did you mean 'nba'?" in err.hint
    assert "uci_letter" in err.hint
    assert err.exit_code == 2


def test_unknown_name_keeps_span():
    span = Span("model.game", 3, 8)
    with pytest.raises(SpecError) as info:
        get("uci_leter", span=span)
    assert info.value.span == span
    assert "did you mean 'uci_letter'?" in info.value.hint


def test_tampered_mirror_copy_is_rejected(tmp_path, offline):
    entry = DATASETS["uci_vehicle"]
    copy = tmp_path / "mirror" / entry.path
    copy.parent.mkdir(parents=True)
    source = MIRROR / entry.path if MIRROR else None
    data = source.read_bytes() if source and source.is_file() else b"1,2\n95,48\n"
    copy.write_bytes(data + b"96,49\n")
    actual = hashlib.sha256(copy.read_bytes()).hexdigest()
    with pytest.raises(SpecError) as info:
        fetch("uci_vehicle", mirror=tmp_path / "mirror")
    message = info.value.message
    assert str(copy) in message
    assert entry.sha256 in message and actual in message
    assert "sha256" in message
    assert available("uci_vehicle", mirror=tmp_path / "mirror"), "present, so fetch reports it"


def test_no_mirror_and_no_network_is_a_spec_error(offline):
    _, calls = offline
    with pytest.raises(SpecError) as info:
        fetch("uci_letter")
    err = info.value
    assert calls and calls[0][0] == DATASETS["uci_letter"].url
    assert "uci_letter" in err.message and "download" in err.message
    assert err.hint and data_registry.MIRROR_ENV in err.hint
    assert err.__cause__ is None and err.__suppress_context__, "no network traceback"
    assert not available("uci_letter")


def test_mirror_only_entry_never_downloads(offline, tmp_path):
    _, calls = offline
    with pytest.raises(SpecError) as info:
        fetch("geolife", mirror=tmp_path / "empty")
    assert not calls
    assert "only from a mirror" in info.value.message
    assert data_registry.MIRROR_ENV in info.value.hint


def test_download_goes_through_pooch_with_known_hash(monkeypatch, offline):
    cache, _ = offline
    content = b"a,b\n1,2\n3,4\n"
    entry = _toy_entry(content)
    monkeypatch.setitem(DATASETS, "toy", entry)
    seen = {}

    def fake_retrieve(url, known_hash=None, fname=None, path=None, **kwargs):
        seen.update(url=url, known_hash=known_hash, fname=fname, path=path)
        target = Path(path) / fname
        target.write_bytes(content)
        return str(target)

    import pooch

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    assert not available("toy")
    got = fetch("toy")
    assert got == cache / "toy__values.csv"
    assert seen["url"] == entry.url
    assert seen["known_hash"] == f"sha256:{entry.sha256}"
    assert Path(seen["path"]) == cache
    assert available("toy"), "a verified cached copy counts as available"


def test_mirror_copy_wins_over_download(monkeypatch, offline, tmp_path):
    _, calls = offline
    content = b"a,b\n1,2\n3,4\n"
    monkeypatch.setitem(DATASETS, "toy", _toy_entry(content))
    mirror = tmp_path / "mirror"
    (mirror / "toy").mkdir(parents=True)
    (mirror / "toy" / "values.csv").write_bytes(content)
    monkeypatch.setenv(data_registry.MIRROR_ENV, str(mirror))
    assert available("toy")
    assert fetch("toy") == mirror / "toy" / "values.csv"
    assert not calls


def test_find_mirror_prefers_the_environment_then_the_fallbacks(tmp_path, monkeypatch) -> None:
    there = tmp_path / "mirror"
    there.mkdir()
    monkeypatch.setenv(data_registry.MIRROR_ENV, str(there))
    assert data_registry.find_mirror(tmp_path / "elsewhere") == there
    monkeypatch.setenv(data_registry.MIRROR_ENV, str(tmp_path / "missing"))
    assert data_registry.find_mirror(there) is None  # a set but wrong variable is not ignored
    monkeypatch.delenv(data_registry.MIRROR_ENV)
    assert data_registry.find_mirror(tmp_path / "missing", there) == there
    assert data_registry.find_mirror(tmp_path / "missing") is None


@needs_mirror
@pytest.mark.parametrize("name,numeric", [("foursquare_sg_checkins", ("count",)),
                                          ("foursquare_sg_locations", ("lat", "lon"))])
def test_fast_whitespace_read_equals_the_generic_reader(name, numeric, monkeypatch):
    """checkin_regions reads the check-in files in one split; the columns are exactly those
    the generic reader (load_dataset) gives, and a file that does not split into the
    registry's row count falls back to it."""
    import numpy as np

    from gamespec.data import sources
    from gamespec.data.tables import load_dataset

    fast = sources._columns(name, MIRROR, None, numeric)
    table = load_dataset(name, mirror=MIRROR)
    for column, values in zip(get(name).column_names, fast):
        if column in numeric:
            assert values.dtype == np.float64
            assert np.array_equal(values, table.numeric(column))
        else:
            assert values == [str(v) for v in table.column(column)]
    calls = []
    real = sources.load_dataset
    monkeypatch.setattr(sources, "load_dataset", lambda *a, **k: calls.append(a) or real(*a, **k))
    entry = get(name)
    monkeypatch.setitem(DATASETS, name, DatasetEntry(**{**entry.__dict__,
                                                        "rows": entry.rows + 1}))
    again = sources._columns(name, MIRROR, None, numeric)
    assert calls and all(np.array_equal(np.asarray(a), np.asarray(b))
                         for a, b in zip(again, fast))
