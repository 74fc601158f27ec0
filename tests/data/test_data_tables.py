"""Reading data files into Tables: real facts of the registered data sets, and located errors
for bad files."""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from gamespec.data import registry as data_registry
from gamespec.data.tables import RowFix, Table, load_dataset, load_table
from gamespec.errors import Span, SpecError

REPO = Path(__file__).resolve().parents[2]


MIRROR = data_registry.find_mirror(REPO.parent / "shared" / "data")
needs_mirror = pytest.mark.skipif(
    MIRROR is None,
    reason=f"no data mirror: set {data_registry.MIRROR_ENV} or put shared/data beside the repo",
)


def dataset(name: str, **kwargs) -> Table:
    return load_dataset(name, mirror=MIRROR, **kwargs)


# --- real data sets: facts from shared/data/README.md and the sources ----------------------

@needs_mirror
@pytest.mark.parametrize("name", sorted(data_registry.DATASETS))
def test_documented_row_count(name):
    table = dataset(name)
    assert table.n_rows == data_registry.DATASETS[name].rows
    assert all(len(v) == table.n_rows for v in table.columns.values())
    assert table.name == name


@needs_mirror
def test_nba():
    t = dataset("nba")
    assert (t.n_rows, len(t.columns)) == (12305, 22)
    heights, weights = t.numeric("player_height"), t.numeric("player_weight")
    assert 160 < heights.min() and heights.max() < 235  # cm
    assert 60 < weights.min() and weights.max() < 170  # kg
    assert set(t.columns["season"]) >= {"1996-97", "2021-22"}
    assert "CHI" in set(t.columns["team_abbreviation"])
    # the one ragged published row (line 3) is repaired, and the repair is reported
    assert t.columns["player_name"][1] == "Dwayne Schintzius"
    assert (t.columns["draft_round"][1], t.columns["draft_number"][1]) == ("1", "24")
    assert t.columns["gp"][1] == 15 and t.columns["season"][1] == "1996-97"
    assert t.line_of(1) == 3 and any("line 3" in note for note in t.notes)


@needs_mirror
def test_adult():
    test, train = dataset("adult_test"), dataset("adult_data")
    assert (test.n_rows, train.n_rows) == (16281, 32561)
    assert test.column_names == train.column_names and len(test.columns) == 15
    ages = train.numeric("age")
    assert ages.min() == 17 and ages.max() == 90
    assert set(train.columns["sex"]) == {"Male", "Female"}  # ', ' separators stripped
    assert set(test.columns["target"]) == {"<=50K.", ">50K."}


@needs_mirror
def test_credit_profile():
    t = dataset("credit_profile")
    ages = t.numeric("Age")
    assert t.n_rows == 2519 and 18 <= ages.min() and ages.max() <= 70
    assert "Credit Score" in t.columns and t.is_numeric("Income")


@needs_mirror
def test_foursquare_locations():
    t = dataset("foursquare_sg_locations")
    assert t.column_names == ("id", "lat", "lon") and t.n_rows == 5596
    lat, lon = t.numeric("lat"), t.numeric("lon")
    assert 1.1 < lat.min() and lat.max() < 1.5  # Singapore
    assert 103.5 < lon.min() and lon.max() < 104.1
    assert len(set(t.columns["id"])) == 5596


@needs_mirror
def test_foursquare_checkins():
    t = dataset("foursquare_sg_checkins")
    assert t.column_names == ("user", "place", "count") and t.n_rows == 98258
    assert t.numeric("count").sum() == 137230
    assert len(set(t.columns["user"])) == 2321


@needs_mirror
def test_synthetic_control():
    t = dataset("uci_synthetic_control")
    assert t.n_rows == 600 and len(t.columns) == 60
    matrix = np.column_stack([t.numeric(c) for c in t.column_names])
    assert matrix.shape == (600, 60) and np.isfinite(matrix).all()
    # class 3 (rows 200-299) trends upward, class 4 (rows 300-399) downward
    assert (matrix[200:300, -1] > matrix[200:300, 0]).mean() > 0.9
    assert (matrix[300:400, -1] < matrix[300:400, 0]).mean() > 0.9


@needs_mirror
def test_vehicle():
    t = dataset("uci_vehicle")
    assert t.n_rows == 846 and len(t.columns) == 19
    assert set(t.columns["class"]) == {"van", "saab", "bus", "opel"}
    assert t.numeric("compactness")[0] == 95 and t.numeric("hollows_ratio")[0] == 197
    kurt_major = t.numeric("kurtosis_major")
    assert 176 <= kurt_major.min() and kurt_major.max() <= 206


@needs_mirror
def test_letter():
    t = dataset("uci_letter")
    assert t.n_rows == 20000 and len(t.columns) == 17
    assert set(t.columns["letter"]) == {chr(c) for c in range(ord("A"), ord("Z") + 1)}
    features = np.column_stack([t.numeric(c) for c in t.column_names[1:]])
    assert features.min() == 0 and features.max() == 15


@needs_mirror
def test_creditcard_taxi_geolife():
    cc = dataset("creditcard")
    assert (cc.n_rows, len(cc.columns)) == (5696, 31)
    assert set(np.unique(cc.numeric("Class"))) <= {0.0, 1.0}
    taxi = dataset("nyc_taxi", columns=["pickup", "fare"])
    assert taxi.column_names == ("pickup", "fare") and taxi.n_rows == 6433
    assert all(s.startswith("2019-03") for s in taxi.columns["pickup"][:50])
    geo = dataset("geolife", columns=["user", "lat", "lon"])
    assert geo.n_rows == 164531 and len(np.unique(geo.numeric("user"))) == 11
    assert 39 < np.median(geo.numeric("lat")) < 41  # Beijing


@needs_mirror
def test_dataset_missing_column_has_hint():
    with pytest.raises(SpecError) as info:
        dataset("nba", columns=["player_hieght"])
    assert "player_hieght" in info.value.message
    assert "did you mean 'player_height'?" in info.value.hint


# --- bad files, written to tmp_path --------------------------------------------------------

def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_missing_file_names_it(tmp_path):
    missing = tmp_path / "nowhere.csv"
    span = Span("model.game", 4, 7)
    with pytest.raises(SpecError) as info:
        load_table(missing, span=span)
    assert str(missing) in info.value.message and "not found" in info.value.message
    assert info.value.span == span and info.value.hint


def test_missing_column_lists_available_and_suggests(tmp_path):
    path = write(tmp_path, "people.csv", "name,height,weight\nann,170,60\n")
    with pytest.raises(SpecError) as info:
        load_table(path, columns=["hieght"])
    err = info.value
    assert "hieght" in err.message and str(path) in err.message
    assert "did you mean 'height'?" in err.hint
    assert "name, height, weight" in err.hint
    table = load_table(path)
    with pytest.raises(SpecError) as info:
        table.numeric("wieght")
    assert "did you mean 'weight'?" in info.value.hint


@pytest.mark.parametrize(
    ("cell", "problem"),
    [("nan", "'nan' is not a finite number"), ("inf", "'inf' is not a finite number"),
     ("", "empty cell"), ("n/a", "'n/a' is not a number")],
)
def test_bad_numeric_cell_is_located(tmp_path, cell, problem):
    path = write(tmp_path, "values.csv", f"a,b\n1,2\n3,4\n5,{cell}\n7,8\n")
    table = load_table(path)
    assert table.numeric("a").tolist() == [1, 3, 5, 7]
    assert table.columns["b"].dtype == object  # not every cell is a finite number
    span = Span("model.game", 9, 3)
    with pytest.raises(SpecError) as info:
        table.numeric("b", span=span)
    err = info.value
    assert f"{path}:4:" in err.message  # file line 4 ...
    assert "row 3" in err.message  # ... is data row 3
    assert "column 'b'" in err.message and problem in err.message
    assert err.span == span
    with pytest.raises(SpecError) as info:
        table.numeric("b")
    assert info.value.span == Span(str(path), 4, 1)


def test_ragged_row_is_located(tmp_path):
    path = write(tmp_path, "ragged.csv", "a,b,c\n1,2,3\n\n4,5\n6,7,8\n")
    with pytest.raises(SpecError) as info:
        load_table(path)
    err = info.value
    assert f"{path}:4:" in err.message and "row 2" in err.message
    assert "2 fields, expected 3" in err.message
    assert err.span == Span(str(path), 4, 1)


def test_ragged_row_line_counts_crlf_and_double_cr(tmp_path):
    path = write(tmp_path, "ws.txt", "1 2 3\r\r\n4 5 6\r\r\n7 8\r\r\n")
    with pytest.raises(SpecError) as info:
        load_table(path)
    assert f"{path}:3:" in info.value.message


def test_quoted_fields_gz_and_whitespace(tmp_path):
    csv_path = write(tmp_path, "q.csv", 'name,college,h\nann,"Stony Brook, N.Y.",170\n')
    table = load_table(csv_path)
    assert table.columns["college"].tolist() == ["Stony Brook, N.Y."]
    gz_path = tmp_path / "g.csv.gz"
    gz_path.write_bytes(gzip.compress(b"x,y\n1,2\n3,4\n"))
    assert load_table(gz_path).numeric("y").tolist() == [2, 4]
    ws = write(tmp_path, "w.txt", "LOC_1  1.5   103.9\nLOC_2 1.25 104\n")
    table = load_table(ws, column_names=["id", "lat", "lon"])
    assert table.columns["id"].tolist() == ["LOC_1", "LOC_2"]
    assert table.numeric("lon").tolist() == [103.9, 104.0]
    tab = write(tmp_path, "t.tsv", "p\tq\n1\t2\n")
    assert load_table(tab).numeric("q").tolist() == [2.0]


def test_header_guess_and_defaults(tmp_path):
    headerless = write(tmp_path, "h.csv", "1,2\n3,4\n")
    assert load_table(headerless).column_names == ("column_1", "column_2")
    labelled = write(tmp_path, "l.csv", ",height\n0,170\n1,180\n")
    table = load_table(labelled)
    assert table.column_names == ("column_1", "height") and table.n_rows == 2
    numeric_header = write(tmp_path, "n.csv", "1,2\n95,48\n")
    table = load_table(numeric_header, header=True, column_names=["a", "b"])
    assert table.n_rows == 1 and table.numeric("a").tolist() == [95.0]


def test_bad_names_are_spec_errors(tmp_path):
    dup = write(tmp_path, "d.csv", "a,a\n1,2\n")
    with pytest.raises(SpecError, match="appears twice"):
        load_table(dup)
    ok = write(tmp_path, "o.csv", "a,b\n1,2\n")
    with pytest.raises(SpecError, match="2 columns"):
        load_table(ok, column_names=["x"])
    empty = write(tmp_path, "e.csv", "\n\n")
    with pytest.raises(SpecError, match="empty"):
        load_table(empty)


def test_arrays_are_read_only(tmp_path):
    table = load_table(write(tmp_path, "r.csv", "a,b\n1,x\n"))
    with pytest.raises(ValueError):
        table.columns["a"][0] = 2.0
    with pytest.raises(ValueError):
        table.columns["b"][0] = "y"


def test_row_fix_applies_only_to_the_matching_row(tmp_path):
    path = write(tmp_path, "f.csv", "n,a,b,c\nx,1,3\ny,1,3\n")
    fix = RowFix(line=2, expect_fields=3, insert_at=2, value="2", reason="test",
                 match=((0, "x"),))
    with pytest.raises(SpecError) as info:  # line 3 is ragged too, and not repaired
        load_table(path, row_fixes=[fix])
    assert f"{path}:3:" in info.value.message
    path.write_text("n,a,b,c\nx,1,3\ny,1,2,3\n")
    table = load_table(path, row_fixes=[fix])
    assert table.numeric("c").tolist() == [3.0, 3.0] and table.notes


def test_load_dataset_unknown_name():
    with pytest.raises(SpecError) as info:
        load_dataset("adult_tset")
    assert "did you mean 'adult_test'?" in info.value.hint


PLAIN_TABLES = [
    ("a.csv", "x,y,name\n1,2.5,alpha\n3, 4,beta\n-1e3,0, gamma\n"),
    ("b.csv", "v\n0.25\n1.5\n"),
    ("c.csv", "1,2\n3,4\n"),
    ("d.txt", "USER_1 LOC_2 3\nUSER_4\tLOC_5   6\n"),
    ("e.tsv", "p\tq\n1\t2\n3\t4\n"),
    ("f.csv", "x,label\n1,a\n2,\n3,c\n"),
]


@pytest.mark.parametrize("name,text", PLAIN_TABLES)
def test_column_wise_read_equals_the_row_reader(tmp_path, name, text):
    """Plain files (no quotes, no blank lines, even rows) are read column-wise; the table is
    the row reader's: same names, cells, types and file lines (forced here by a row fix that
    never applies)."""
    from gamespec.data.tables import _sniff_delimiter, _split_columns

    path = tmp_path / name
    path.write_text(text)
    assert _split_columns(text, _sniff_delimiter(text)) is not None  # the column-wise path
    fast = load_table(path)
    never = RowFix(line=10**9, expect_fields=1, insert_at=0, value="", reason="test")
    slow = load_table(path, row_fixes=(never,))
    assert fast.column_names == slow.column_names
    assert np.array_equal(fast.lines, slow.lines)
    for column in fast.column_names:
        a, b = fast.column(column), slow.column(column)
        assert a.dtype == b.dtype and a.tolist() == b.tolist(), column


@pytest.mark.parametrize("text", ["x,y\n1,2\n\n3,4\n", 'x,y\n1,"2"\n', "x,y\n1,2\n3\n"])
def test_tables_the_column_reader_does_not_take_keep_the_row_reader(tmp_path, text):
    """A blank line, quotes or a ragged row: the row reader's result or its located error."""
    path = tmp_path / "t.csv"
    path.write_text(text)
    never = RowFix(line=10**9, expect_fields=1, insert_at=0, value="", reason="test")
    try:
        slow = load_table(path, row_fixes=(never,))
    except Exception as exc:  # the ragged row
        with pytest.raises(type(exc), match="row 2 has 1 fields"):
            load_table(path)
        return
    fast = load_table(path)
    assert np.array_equal(fast.lines, slow.lines)
    assert [fast.column(c).tolist() for c in fast.column_names] == \
        [slow.column(c).tolist() for c in slow.column_names]
