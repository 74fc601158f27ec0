"""Registry suite (issue 15): for every bundled spec and every spec of the tests' corpus,
every method that `info` says applies runs through the one run path without an internal
error and without an expression it cannot evaluate ("has no value"). A method may still
say it could not finish (exit 3, e.g. best-response dynamics cycling on a game without a
pure equilibrium); the canonical suite (tests/test_canonical.py) checks the answers."""
from __future__ import annotations

import pytest
import spec_runs as runs  # (tests/spec_runs.py: runs cached for the session)

from gamespec.errors import GamespecError


@pytest.mark.parametrize("path", runs.SPECS, ids=runs.spec_id)
def test_every_method_info_lists_runs(path, request):
    if runs.needs_mirror(path):
        request.getfixturevalue("mirror")
    methods = runs.applicable(path)
    assert methods, f"no method applies to {path.name}"
    for method in methods:
        if (path.stem, method) in runs.SLOW:
            continue
        result = runs.run(path, method)
        if isinstance(result, GamespecError):
            assert result.exit_code == 3, f"{method} on {path.name}: {result.message}"
            assert "has no value" not in result.message, f"{method} on {path.name}"
            continue
        assert result.method == method
        assert result.certificate is not None, f"{method} on {path.name}: no certificate"


def test_every_skipped_method_still_applies():
    # the slow list may not hide a method that stopped applying (or a spec that is gone)
    for (stem, method), reason in runs.SLOW.items():
        assert reason
        assert method in runs.applicable(runs.BY_STEM[stem])
