"""The kinds of picture `gamespec plot` draws: one list, importable without matplotlib
(the command line's argument parser reads it)."""
from __future__ import annotations

# Drawn from a Result's figure data (`Result.extra["figures"][KIND]`, see docs/results.md).
RESULT_KINDS = ("best-response", "leader", "channel", "distribution", "trajectory",
                "payoff-table", "logit-path", "shares")
# Drawn from a sweep table (CSV or JSON), not from a spec.
TABLE_KINDS = ("regime",)
KINDS = RESULT_KINDS + TABLE_KINDS
