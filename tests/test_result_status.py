"""Result.status is a documented enum: every status a solver can return is a `Status` member,
and docs/results.md documents each member (and nothing else) in its Status table."""
from __future__ import annotations

import ast
import json
import re
import typing
from pathlib import Path

import pytest

from gamespec.result import Certificate, Result, Status

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())


def documented_statuses() -> dict[str, str]:
    """status -> its row, from the table under '## Status' in docs/results.md."""
    text = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    section = text.split("\n## Status\n", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("|")][2:]  # no header
    return dict(re.fullmatch(r"\| `([a-z_]+)` \|(.*)", line).groups() for line in table)


def _status_arguments(path: Path) -> list[ast.expr]:
    """The `status=` argument of every `Result(...)` call, and every value assigned to a
    variable named `status`, in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Result":
            found += [k.value for k in node.keywords if k.arg == "status"]
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "status"
                                                  for t in node.targets):
            found.append(node.value)
    return found


def _leaves(expr: ast.expr) -> list[ast.expr]:
    if isinstance(expr, ast.IfExp):
        return _leaves(expr.body) + _leaves(expr.orelse)
    return [expr]


def solver_files() -> list[Path]:
    return [p for p in sorted((ROOT / "solvers").rglob("*.py"))
            if any(getattr(n.func, "id", None) == "Result" for n in ast.walk(ast.parse(
                p.read_text(encoding="utf-8"))) if isinstance(n, ast.Call))]


def test_every_member_is_documented_and_nothing_else() -> None:
    documented = documented_statuses()
    assert set(documented) == {s.value for s in Status}
    for status, row in documented.items():
        returned_by, meaning, exit_code = (c.strip() for c in row.strip(" |").split("|"))
        assert returned_by and len(meaning) > 20 and exit_code in {"0", "3"}, status


def test_every_solver_builds_its_status_from_the_enum() -> None:
    files = solver_files()
    assert {p.relative_to(ROOT).as_posix() for p in files} >= {
        "solvers/lp/method.py", "solvers/stackelberg/method.py", "solvers/brd/method.py",
        "solvers/continuous/method.py", "solvers/dynamics/method.py",
        "solvers/finite/pure_enumeration.py"}
    used: set[str] = set()
    for path in files:
        for arg in _status_arguments(path):
            for leaf in _leaves(arg):
                where = f"{path.relative_to(ROOT)}:{leaf.lineno}"
                assert not isinstance(leaf, ast.Constant), f"{where}: a string, not a Status"
                if isinstance(leaf, ast.Attribute) and getattr(leaf.value, "id", "") == "Status":
                    assert leaf.attr in Status.__members__, where
                    used.add(Status[leaf.attr].value)
    # the two BRD limits reach Result as Status(engine status): checked below
    assert used | {"pass_limit", "time_limit"} == {s.value for s in Status}


def test_the_brd_engine_statuses_that_reach_a_result_are_members() -> None:
    from gamespec.solvers.brd import engine

    # "converged" becomes equilibrium / not_certified; "cycle" is a solver error
    reaching = set(typing.get_args(engine.Status)) - {"converged", "cycle"}
    assert reaching == {"pass_limit", "time_limit"}
    assert all(Status(s).value == s for s in reaching)


def _result(status) -> Result:
    return Result(game="g", spec="g.game", spec_sha256="0", method="lp", status=status,
                  values={}, strategies={}, certificate=Certificate("k", 0.0, True, 1e-9))


def test_the_json_value_is_the_plain_string() -> None:
    result = _result("optimal")
    assert result.status is Status.OPTIMAL and result.status == "optimal"
    assert json.loads(result.to_json())["status"] == "optimal"
    assert f"{result.status}" == "optimal"
    assert result.with_timing({"solve": 1.0}).status is Status.OPTIMAL


def test_a_status_that_is_not_a_member_is_refused() -> None:
    with pytest.raises(ValueError):
        _result("none")
