"""The layout shows the pipeline: no import cycles between gamespec modules, no module too long
to have one job, no catch-all module names.

The graph has an edge for every import statement anywhere in a module (module level, inside
functions, under `if TYPE_CHECKING:`), parsed with `ast` (nothing is imported). solvers/ is
installed as gamespec.solvers, so solvers/lp/routes.py is gamespec.solvers.lp.routes.
`from X import Y` is an edge to X.Y when that is a module, else to X.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

import networkx as nx
import pytest

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
PACKAGES = {"gamespec": ROOT / "gamespec", "gamespec.solvers": ROOT / "solvers"}

# Cycles in files that other #15 work is rewriting right now: being removed by #15 work.
# Each entry names the modules one known cycle runs through; a cycle is tolerated only if
# every module on it is in one entry. This list must end empty.
KNOWN_CYCLES: dict[str, set[str]] = {}

MAX_LINES = 900
# Modules over MAX_LINES that #15 work is splitting; being removed by #15 work (must shrink).
LONG_MODULES: set[str] = set()

VAGUE_STEMS = {"numeric", "numerics", "summary", "output", "outputs", "utils", "util",
               "helpers", "helper", "misc"}


def module_files(packages: dict[str, Path]) -> dict[str, Path]:
    """Dotted module name -> file, for every .py under each package folder."""
    out: dict[str, Path] = {}
    for prefix, folder in packages.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join([prefix, *parts])] = path
    return out


def import_graph(packages: dict[str, Path]) -> nx.DiGraph:
    """Edges module -> module for every import between the packages' own modules."""
    modules = module_files(packages)

    def known(name: str) -> str | None:  # the longest prefix that is one of our modules
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from . import x, from ..y import z
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            else:
                continue
            for target in targets:
                resolved = known(target)
                if resolved is not None and resolved != name:
                    graph.add_edge(name, resolved)
    return graph


@functools.cache
def project_graph() -> nx.DiGraph:
    return import_graph(PACKAGES)


def _tolerated(cycle: list[str]) -> bool:
    return any(set(cycle) <= allowed for allowed in KNOWN_CYCLES.values())


def test_no_import_cycles() -> None:
    graph = project_graph()
    cycles = sorted((c for c in nx.simple_cycles(graph) if not _tolerated(c)), key=len)
    paths = [" -> ".join([*c, c[0]]) for c in cycles]
    assert not paths, "import cycles:\n  " + "\n  ".join(paths)


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    """The builder on a small tree: function-level, relative and submodule imports all count."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from pkg.sub import b\n    return b\n")
    (pkg / "sub" / "b.py").write_text("from .. import c\n")
    (pkg / "c.py").write_text("import pkg.a\n")
    (pkg / "d.py").write_text("from pkg.sub.b import name\nimport numpy\n")
    graph = import_graph({"pkg": pkg})
    assert set(graph.edges) == {("pkg.a", "pkg.sub.b"), ("pkg.sub.b", "pkg.c"),
                                ("pkg.c", "pkg.a"), ("pkg.d", "pkg.sub.b")}
    assert [sorted(c) for c in nx.simple_cycles(graph)] == [["pkg.a", "pkg.c", "pkg.sub.b"]]


def test_the_solver_packages_are_mapped_to_gamespec_solvers() -> None:
    graph = project_graph()
    assert graph.has_edge("gamespec.solvers.lp.zero_sum_program", "gamespec.solvers.lp.routes")
    assert graph.has_edge("gamespec.solvers.lp.routes", "gamespec.solvers.lp.pyomo_lowering")


@pytest.mark.parametrize("folder", ["gamespec", "solvers"])
def test_no_module_too_long_to_have_one_job(folder: str) -> None:
    too_long = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and rel not in LONG_MODULES:
            too_long[rel] = lines
    assert not too_long, f"modules over {MAX_LINES} lines (split them by job): {too_long}"


@pytest.mark.parametrize("folder", ["gamespec", "solvers"])
def test_module_names_say_what_they_hold(folder: str) -> None:
    vague = [path.relative_to(ROOT).as_posix() for path in sorted((ROOT / folder).rglob("*.py"))
             if path.stem in VAGUE_STEMS
             or any(path.stem.endswith("_" + s) for s in ("utils", "util", "helpers", "misc"))]
    assert not vague, f"catch-all module names (name them by what they hold): {vague}"
