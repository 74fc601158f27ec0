"""The registry of real data sets: name -> file, source URL, SHA-256, licence, citation, format.

`fetch(name)` looks in a local mirror folder first (argument, else $GAMESPEC_DATA_MIRROR,
laid out as `<mirror>/<entry.path>`), checks the SHA-256, and otherwise downloads and
caches the file with pooch (as scikit-learn's `fetch_*` do). Nothing is ever used unverified.
"""
from __future__ import annotations

import difflib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from gamespec.data.file_format import WHITESPACE, RowFix
from gamespec.errors import Span, SpecError

__all__ = ["DATASETS", "MIRROR_ENV", "DatasetEntry", "available", "fetch", "find_mirror", "get",
           "sha256_of"]

MIRROR_ENV = "GAMESPEC_DATA_MIRROR"
CACHE_NAME = "gamespec"
DOWNLOAD_TIMEOUT_S = 60


@dataclass(frozen=True)
class DatasetEntry:
    """One registered file: where it lives, how to check it, how to read it, whose it is."""

    name: str
    path: str                  # relative path in the mirror layout (and the cache)
    url: str                   # raw GitHub file at a pinned commit where one is known
    sha256: str
    licence: str
    citation: str
    description: str
    delimiter: str             # ",", "\t" or "whitespace"
    header: bool               # the first line holds column names
    column_names: tuple[str, ...] | None = None   # used instead of / in want of a header
    rows: int | None = None    # data rows (excluding the header), as documented
    mirror_only: bool = False  # the URL cannot serve these exact bytes (rebuilt/merged file)
    notes: str = ""
    row_fixes: tuple[RowFix, ...] = ()

    @property
    def cache_name(self) -> str:
        """File name inside the pooch cache folder (flat, unique per entry)."""
        return self.path.replace("/", "__")


def _raw(repo: str, commit: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


_UCI = "CC BY 4.0 (UCI Machine Learning Repository)"

_VEHICLE_COLUMNS = (
    "compactness", "circularity", "distance_circularity", "radius_ratio",
    "pr_axis_aspect_ratio", "max_length_aspect_ratio", "scatter_ratio", "elongatedness",
    "pr_axis_rectangularity", "max_length_rectangularity", "scaled_variance_major",
    "scaled_variance_minor", "scaled_radius_of_gyration", "skewness_major", "skewness_minor",
    "kurtosis_minor", "kurtosis_major", "hollows_ratio", "class",
)
_LETTER_COLUMNS = (
    "letter", "x_box", "y_box", "width", "high", "onpix", "x_bar", "y_bar", "x2bar", "y2bar",
    "xybar", "x2ybr", "xy2br", "x_ege", "xegvy", "y_ege", "yegvx",
)

_ENTRIES = (
    DatasetEntry(
        name="nba",
        path="nba/all_seasons.csv",
        url=_raw("jebe-dp/Data-Analysis-Sports-NBA-Players",
                 "86248c35391bbe5969ff9d4d46821a8d0f92edb0", "all_seasons.csv"),
        sha256="d4afc5d9c1a158b2eeb00bdbb3f0bd5dbcee2553add0b9553e95364ae31ff790",
        licence="none stated (facts)",
        citation="Justinas Cirtautas, 'NBA Players' (Kaggle nba-players-data), copy in "
        "github.com/jebe-dp/Data-Analysis-Sports-NBA-Players",
        description="NBA players 1996-97..2021-22: one row per player-season, 22 columns "
        "(player_height cm, player_weight kg, team_abbreviation, draft_year, ...)",
        delimiter=",",
        header=True,
        rows=12305,
        notes="the first header cell is blank and is named 'column_1' (a row index); "
        "line 3 (Dwayne Schintzius, 1996-97) lacks its draft_round field and is repaired",
        row_fixes=(
            RowFix(
                line=3, expect_fields=21, insert_at=9, value="1",
                reason="the published row lacks draft_round; Schintzius was the 24th pick, "
                "first round, of the 1990 draft, and the later fields line up with it",
                match=((1, "Dwayne Schintzius"), (8, "1990"), (9, "24")),
            ),
        ),
    ),
    DatasetEntry(
        name="adult_test",
        path="adult/adult.test",
        url=_raw("rashadmin/Adult", "1c0401dcd3c946fcabb4798652dece47d5c6a1fb", "adult.test"),
        sha256="4348c43ed447f55b8d866263f1b8ed3d32197d8d57d25ad400b18956573ff772",
        licence=_UCI,
        citation="Becker, B. & Kohavi, R. (1996). Adult [data set]. UCI Machine Learning "
        "Repository. doi:10.24432/C5XW20",
        description="UCI Adult census, test split (labels end with '.'), header line added",
        delimiter=",",
        header=True,
        rows=16281,
        notes="cells are separated by ', '; '?' marks a missing categorical value",
    ),
    DatasetEntry(
        name="adult_data",
        path="adult/adult.data",
        url=_raw("rashadmin/Adult", "1c0401dcd3c946fcabb4798652dece47d5c6a1fb", "adult.data"),
        sha256="c8fd21bc27cd2b9d10969bd990db550a5e71be8c16352260be1e8bd6859b7ac6",
        licence=_UCI,
        citation="Becker, B. & Kohavi, R. (1996). Adult [data set]. UCI Machine Learning "
        "Repository. doi:10.24432/C5XW20",
        description="UCI Adult census, training split, header line added",
        delimiter=",",
        header=True,
        rows=32561,
        notes="cells are separated by ', '; '?' marks a missing categorical value",
    ),
    DatasetEntry(
        name="credit_profile",
        path="credit_profile/credit_profile_val_subset.csv",
        url=_raw("pratikesh3232/Credit_Score_Analysis",
                 "0fff0de20b173bc61d19140b68a0fad0ef12639a",
                 "AutogluonModels/ag-20241205_062650/utils/data/X_val.pkl"),
        sha256="fc5effab8f3eea99286e8289ea1c7fb25038ebac9fc9cb87aa051d513f96217c",
        licence="none stated",
        citation="Kaggle 'Credit Profile (Two-Wheeler Loan)' data set; validation rows from "
        "github.com/pratikesh3232/Credit_Score_Analysis (X_val.pkl + y_val.pkl)",
        description="2,519 real rows of the credit-profile set: Age 18-70, Income, Credit "
        "Score, ..., categoricals as integer codes",
        delimiter=",",
        header=True,
        rows=2519,
        mirror_only=True,
        notes="rebuilt as CSV from pickled pandas frames: the URL is the source pickle, "
        "which gamespec never unpickles; only a mirror can serve this file",
    ),
    DatasetEntry(
        name="foursquare_sg_locations",
        path="foursquare_sg/Location.txt",
        url=_raw("HongZhaoHua/jstarcraft-rns", "ec089d812a72a406c04276fed3c0cdb16c939a2d",
                 "data/poi/FourSquare/Location.txt"),
        sha256="3ccc478683324efc6fc4db1637348146a58ccb4a814e0b2d5571bd3a9473162d",
        licence="Apache-2.0 repository; research data set",
        citation="Foursquare Singapore check-ins (Yuan et al., SIGIR 2013) as shipped in "
        "github.com/HongZhaoHua/jstarcraft-rns",
        description="Foursquare Singapore places: id, latitude, longitude",
        delimiter=WHITESPACE,
        header=False,
        column_names=("id", "lat", "lon"),
        rows=5596,
    ),
    DatasetEntry(
        name="foursquare_sg_checkins",
        path="foursquare_sg/checkins_user_loc_count.txt",
        url=_raw("HongZhaoHua/jstarcraft-rns", "ec089d812a72a406c04276fed3c0cdb16c939a2d",
                 "data/poi/FourSquare/checkin/FourSquare.txt"),
        sha256="d68bf99d870e6b3a3b852ba72cc923510cc59e06544d0caae10ad1681554cbb4",
        licence="Apache-2.0 repository; research data set",
        citation="Foursquare Singapore check-ins (Yuan et al., SIGIR 2013) as shipped in "
        "github.com/HongZhaoHua/jstarcraft-rns",
        description="check-in counts: user, place, count (2,321 users; 137,230 check-ins)",
        delimiter=WHITESPACE,
        header=False,
        column_names=("user", "place", "count"),
        rows=98258,
    ),
    DatasetEntry(
        name="uci_synthetic_control",
        path="uci_synthetic_control/synthetic_control.txt",
        url=_raw("felipc/scc5809-3", "b43ba7b9fd40374615647451efc73ee9ae4d72f7",
                 "synthetic_control.txt"),
        sha256="d5fbabf133cca254174b316a9d428103705edd7d5389bf818869a60cdf42ac92",
        licence=_UCI,
        citation="Alcock, R. (1999). Synthetic Control Chart Time Series [data set]. UCI "
        "Machine Learning Repository. doi:10.24432/C5P01V",
        description="600 control-chart series of 60 steps; six classes of 100 rows in order "
        "(normal, cyclic, increasing, decreasing, upward shift, downward shift)",
        delimiter=WHITESPACE,
        header=False,
        column_names=tuple(f"t{k}" for k in range(1, 61)),
        rows=600,
    ),
    DatasetEntry(
        name="uci_vehicle",
        path="uci_vehicle/vehicle.csv",
        url=_raw("akmand/datasets", "a2959fcbe20e575e0e01f3b18939a3fe194b8f3d", "vehicle.csv"),
        sha256="a8c5695945faf649e4212a7751b46b21afe813b3c3c5a73a255b1376a29f2c52",
        licence=_UCI,
        citation="Siebert, J.P. (1987). Statlog (Vehicle Silhouettes) [data set]. UCI Machine "
        "Learning Repository. doi:10.24432/C5HG6N",
        description="846 vehicle silhouettes x 18 shape features + class (van, saab, bus, opel)",
        delimiter=",",
        header=True,
        column_names=_VEHICLE_COLUMNS,
        rows=846,
        notes="the file's header line reads 1..19; the UCI attribute names replace it. "
        "The data README names only the default branch; the URL pins the commit whose "
        "copy has the mirror's size (pooch checks the hash)",
    ),
    DatasetEntry(
        name="uci_letter",
        path="uci_letter/letter-recognition.data",
        url=_raw("davidgasquez/letter-recognition", "fe3c483", "letter-recognition.data"),
        sha256="9b63b12c9425f919cf32a4de0ffbbef25960ddeced6a0c15fc8cf2dbb530b403",
        licence=_UCI,
        citation="Slate, D. (1991). Letter Recognition [data set]. UCI Machine Learning "
        "Repository. doi:10.24432/C5ZP40",
        description="20,000 letter images x 16 integer features + the letter",
        delimiter=",",
        header=True,
        column_names=_LETTER_COLUMNS,
        rows=20000,
        notes="the file's header line reads Letter,1..16; the UCI attribute names replace it",
    ),
    DatasetEntry(
        name="creditcard",
        path="creditcard/creditcard_small.csv",
        url=_raw("Rajmayank90/Credit-Card-Detection-Project",
                 "8175843f7f329c67eb8de889b5a6a21e33eba7c8", "creditcard_small.csv"),
        sha256="d4fa620a083956021f59b806f4d9814ba98df8c6451bd2fe50ad7d5eea3c704f",
        licence="ODbL (Kaggle mlg-ulb)",
        citation="Dal Pozzolo, A. et al. (2015). Calibrating probability with undersampling "
        "for unbalanced classification. IEEE SSCI. (ULB credit-card fraud set, 2% sample)",
        description="5,696 card transactions: Time, V1..V28 (PCA), Amount, Class",
        delimiter=",",
        header=True,
        rows=5696,
    ),
    DatasetEntry(
        name="nyc_taxi",
        path="nyc_taxi/taxis.csv",
        url=_raw("mwaskom/seaborn-data", "71e2436", "taxis.csv"),
        sha256="08d6d71784dbaa2651fee37fc03389754194c05d72d2d19cbc2c799dea6ac09d",
        licence="NYC TLC public data",
        citation="NYC Taxi & Limousine Commission trip records, March 2019 sample "
        "(seaborn-data 'taxis')",
        description="6,433 NYC taxi trips with pick-up/drop-off times, fares and zones",
        delimiter=",",
        header=True,
        rows=6433,
    ),
    DatasetEntry(
        name="geolife",
        path="geolife/geolife_11users.csv.gz",
        url="https://github.com/mie-lab/trackintel/tree/261801a/tests/data/geolife_long_10_MB",
        sha256="b7aae99d34dedb145308e9121909f178e09216f7747305d8c7692735e0cecf9c",
        licence="MIT repository; GeoLife data under Microsoft Research's licence "
        "(non-commercial research)",
        citation="Zheng, Y. et al. (2010). GeoLife: A collaborative social networking service "
        "among user, location and trajectory. IEEE Data Eng. Bull. 33(2)",
        description="GPS points of 11 GeoLife users, Beijing 2007-2008: user, lat, lon, "
        "altitude_ft, datetime",
        delimiter=",",
        header=True,
        rows=164531,
        mirror_only=True,
        notes="merged from the .plt files of that folder (not a byte copy of one source "
        "file); only a mirror can serve it",
    ),
)

DATASETS: dict[str, DatasetEntry] = {entry.name: entry for entry in _ENTRIES}

_verified: dict[tuple[str, int, int], str] = {}


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (memoised on path, size and mtime)."""
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _verified:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        _verified[key] = digest.hexdigest()
    return _verified[key]


def get(name: str, *, span: Span | None = None) -> DatasetEntry:
    """The registry entry for `name`; an unknown name is a SpecError with a did-you-mean hint."""
    try:
        return DATASETS[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(DATASETS), n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise SpecError(
            f"unknown data set '{name}'",
            span=span,
            hint=f"{hint}registered data sets: {', '.join(sorted(DATASETS))}",
        ) from None


def find_mirror(*fallbacks: str | Path) -> Path | None:
    """The mirror folder: $GAMESPEC_DATA_MIRROR if set, else the first fallback folder that
    exists (tests pass ../shared/data beside the repository), else None."""
    env = os.environ.get(MIRROR_ENV)
    candidates = [Path(env).expanduser()] if env else [Path(f) for f in fallbacks]
    return next((c for c in candidates if c.is_dir()), None)


def _mirror_dir(mirror: str | Path | None) -> Path | None:
    if mirror is None:
        mirror = os.environ.get(MIRROR_ENV) or None
    return Path(mirror).expanduser() if mirror is not None else None


def _cache_dir() -> Path:
    import pooch

    return Path(pooch.os_cache(CACHE_NAME))


def _check_hash(entry: DatasetEntry, path: Path, span: Span | None) -> None:
    actual = sha256_of(path)
    if actual != entry.sha256:
        raise SpecError(
            f"data file {path} does not match the registry entry '{entry.name}': "
            f"expected sha256 {entry.sha256}, got sha256 {actual}",
            span=span,
            hint="the copy is damaged or a different version: restore it from the source, "
            f"or point {MIRROR_ENV} at a good mirror",
        )


def available(name: str, mirror: str | Path | None = None) -> bool:
    """True when `fetch(name)` needs no network: the file is in the mirror folder, or a copy
    with the right hash is in the download cache. Never downloads. (A mirror copy with a
    wrong hash still counts: fetch then reports the mismatch rather than hiding it.)"""
    entry = get(name)
    mirror_dir = _mirror_dir(mirror)
    if mirror_dir is not None and (mirror_dir / entry.path).is_file():
        return True
    cached = _cache_dir() / entry.cache_name
    return cached.is_file() and sha256_of(cached) == entry.sha256


def fetch(name: str, *, mirror: str | Path | None = None, span: Span | None = None) -> Path:
    """Local path of a verified copy of data set `name`: mirror first, then the pooch cache,
    then a download into the cache. Failures are SpecErrors, never network tracebacks."""
    entry = get(name, span=span)
    mirror_dir = _mirror_dir(mirror)
    if mirror_dir is not None:
        candidate = mirror_dir / entry.path
        if candidate.is_file():
            _check_hash(entry, candidate, span)
            return candidate
    where = f"{mirror_dir / entry.path} does not exist" if mirror_dir else f"{MIRROR_ENV} is unset"
    hint = (
        f"set {MIRROR_ENV} to a folder laid out as <mirror>/{entry.path} "
        "(CI and tests use ../shared/data)"
    )
    cached = _cache_dir() / entry.cache_name
    if entry.mirror_only:
        if cached.is_file():
            _check_hash(entry, cached, span)
            return cached
        raise SpecError(
            f"data set '{name}' is available only from a mirror ({where}); its source "
            f"({entry.url}) is not a byte copy of it",
            span=span,
            hint=hint,
        )
    from gamespec import network_policy

    if cached.is_file() and sha256_of(cached) == entry.sha256:  # downloaded before
        return cached
    if not network_policy.DOWNLOADS:
        raise SpecError(
            f"data set '{name}' is not in the mirror ({where}), and this command does not "
            "download", span=span,
            hint=f"{hint}; or run `gamespec solve` (or sweep, plot, experiment), which "
            "downloads it into the cache")
    import sys

    print(f"gamespec: downloading data set '{name}' from {entry.url} (SHA-256 checked)",
          file=sys.stderr)
    try:
        import pooch
        pooch.get_logger().setLevel("WARNING")  # no "Downloading ..." chatter

        downloaded = pooch.retrieve(
            entry.url,
            known_hash=f"sha256:{entry.sha256}",
            fname=entry.cache_name,
            path=_cache_dir(),
            downloader=pooch.HTTPDownloader(progressbar=False, timeout=DOWNLOAD_TIMEOUT_S),
        )
    except Exception as exc:  # noqa: BLE001 - any network or hash failure is one SpecError
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SpecError(
            f"cannot get data set '{name}': no mirror copy ({where}) and the download from "
            f"{entry.url} failed: {reason}",
            span=span,
            hint=hint,
        ) from None
    return Path(downloaded)
