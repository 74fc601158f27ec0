"""`data X = numeric_features("name")`: a registered data set's numeric columns, z-scored,
plus a numeric `label` column (the data set's classes, when known), for clustering.

When the data set is not available locally (mirror or cache; nothing is downloaded),
scikit-learn's bundled digits set stands in and the table's notes say so, so every output
that reports the table's provenance labels the stand-in.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gamespec.data.tables import Table, load_dataset
from gamespec.errors import SpecError
from gamespec.language import ast

LABEL = "label"
STAND_IN = "sklearn_digits"
# Facts of the registered data sets: the column holding the class, and for the one without
# a class column the classes as blocks of rows (UCI synthetic control: six blocks of 100).
LABEL_COLUMNS: Mapping[str, str] = {"uci_vehicle": "class", "uci_letter": "letter"}
ROW_BLOCKS: Mapping[str, int] = {"uci_synthetic_control": 100}


def standardize(data: np.ndarray) -> np.ndarray:
    """z-score each column (constant columns are only centred), so no feature dominates."""
    data = np.asarray(data, dtype=float)
    spread = data.std(axis=0)
    return (data - data.mean(axis=0)) / np.where(spread > 0, spread, 1.0)


def _codes(values: np.ndarray) -> np.ndarray:
    """Class labels as 1-based numeric codes (in sorted order of the labels)."""
    _, codes = np.unique(np.asarray(values).astype(str), return_inverse=True)
    return codes.astype(float) + 1.0


def _table(name: str, features: dict[str, np.ndarray], labels: np.ndarray | None,
           source: str, notes: tuple[str, ...]) -> Table:
    if LABEL in features:
        raise SpecError(f"data set '{name}' already has a column `{LABEL}`")
    data = standardize(np.column_stack(list(features.values())))
    columns = {c: np.ascontiguousarray(data[:, k]) for k, c in enumerate(features)}
    if labels is not None:
        columns[LABEL] = labels
    return Table(name=name, columns=columns, source=source, notes=notes)


def numeric_features(builder, stmt: ast.DataStmt, options: dict) -> Table:
    """The transform behind `numeric_features("name")` (see the module docstring)."""
    from gamespec.data import registry as data_registry

    positional = [a for a in stmt.args if a.key is None]
    if len(positional) != 1 or not isinstance(positional[0].value, str) or options:
        raise SpecError('numeric_features() takes one data set name: numeric_features("name")',
                        span=stmt.span)
    name = positional[0].value
    mirror = builder.data_mirror
    if data_registry.available(name, mirror):  # an unknown name is a located SpecError
        table = load_dataset(name, mirror=mirror, span=stmt.span)
        label = LABEL_COLUMNS.get(name)
        if label is None:
            text = [c for c, v in table.columns.items() if v.dtype.kind not in "fiu"]
            label = text[0] if len(text) == 1 else None
        features = {c: v for c, v in table.columns.items()
                    if c != label and v.dtype.kind in "fiu"}
        if not features:
            raise SpecError(f"data set '{name}' has no numeric columns", span=stmt.span)
        if label is not None:
            labels = _codes(table.columns[label])
        elif name in ROW_BLOCKS:
            labels = np.arange(table.n_rows, dtype=float) // ROW_BLOCKS[name] + 1.0
        else:
            labels = None
        notes = (f"{name}: {table.n_rows} rows x {len(features)} numeric columns, "
                 f"z-scored ({table.source})",)
        return _table(stmt.name, features, labels, name, notes)
    from sklearn.datasets import load_digits

    digits = load_digits()
    features = {f"pixel_{k}": digits.data[:, k] for k in range(digits.data.shape[1])}
    notes = (f"STAND-IN: scikit-learn's bundled digits set ({len(digits.data)} rows x "
             f"{digits.data.shape[1]} columns, z-scored), because '{name}' is not available "
             f"locally (set {data_registry.MIRROR_ENV} to the data mirror)",)
    return _table(stmt.name, features, digits.target.astype(float) + 1.0, STAND_IN, notes)
