"""The words an editor offers besides the spec's own names: keywords (from the grammar),
aggregates, maths functions, stdlib functions and data sources, each with a line of help."""
from __future__ import annotations

from gamespec.data.sources import TRANSFORMS
from gamespec.language.expressions import MATH_FUNCTIONS
from gamespec.language.vocabulary import aggregate_words, keywords
from gamespec.stdlib.functions import DOCS

_AGGREGATE_HELP = {
    "sum": "sum(i in I : condition) body: the sum over the index sets",
    "prod": "prod(i in I) body: the product over the index sets",
    "max": "max(i in I) body, or max(a, b, ...): the largest value",
    "min": "min(i in I) body, or min(a, b, ...): the smallest value",
    "mean": "mean(i in I) body: the average over the index sets",
    "count": "count(i in I : condition): how many index tuples satisfy the condition",
}
_DATA_HELP = {"csv": 'data T = csv("file.csv"): a table from a CSV file beside the spec',
              "dataset": 'data T = dataset("name"): a registered data set'}


def _function_docs() -> dict[str, str]:
    docs = {name: f"{name}(x): the maths function" for name in MATH_FUNCTIONS}
    docs.update({w: _AGGREGATE_HELP.get(w, f"{w}(...): an aggregate") for w in aggregate_words()})
    docs.update(DOCS)
    docs.update(_DATA_HELP)
    docs.update({name: f"data T = {name}(...): a standard-library data transform"
                 for name in TRANSFORMS})
    return docs


FUNCTION_DOCS: dict[str, str] = _function_docs()
KEYWORDS: tuple[str, ...] = keywords()
