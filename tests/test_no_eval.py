"""No eval: a spec is untrusted input, so no code path may evaluate strings as code.

Scans every .py file of the package (gamespec/, solvers/, grammar/) with `ast` for calls to
eval, exec, compile, __import__, sympify, parse_expr, S("..."), pickle/marshal load(s), and
for imports of those names. A line ending with `# noqa: eval-ok` is exempt.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCANNED = ("gamespec", "solvers", "grammar")
EXEMPT = "# noqa: eval-ok"

BANNED_BUILTINS = {"eval", "exec", "compile", "__import__"}
BANNED_ANYWHERE = {"sympify", "parse_expr"}
UNPICKLERS = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "marshal", "joblib"}
BANNED_IMPORTS = BANNED_ANYWHERE | BANNED_BUILTINS | {"load", "loads", "Unpickler"}


def _is_string(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _call_problem(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id in BANNED_BUILTINS | BANNED_ANYWHERE:
            return f"call to {func.id}()"
        if func.id == "S" and node.args and _is_string(node.args[0]):
            return "S() of a string (sympify in disguise)"
        return None
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        if func.attr in BANNED_ANYWHERE:
            return f"call to .{func.attr}()"
        if func.attr in BANNED_BUILTINS and owner == "builtins":
            return f"call to builtins.{func.attr}()"
        if func.attr == "S" and node.args and _is_string(node.args[0]):
            return "S() of a string (sympify in disguise)"
        if func.attr in {"load", "loads", "Unpickler"} and owner in UNPICKLERS:
            return f"call to {owner}.{func.attr}()"
    return None


def _import_problem(node: ast.ImportFrom) -> str | None:
    module = node.module or ""
    root = module.split(".")[0]
    for alias in node.names:
        if alias.name in BANNED_ANYWHERE:
            return f"import of {alias.name} from {module}"
        if root == "builtins" and alias.name in BANNED_BUILTINS:
            return f"import of builtins.{alias.name}"
        if root in UNPICKLERS and alias.name in BANNED_IMPORTS:
            return f"import of {module}.{alias.name}"
    return None


def find_problems(source: str, filename: str) -> list[str]:
    """`file:line: what` for every forbidden call or import in `source`."""
    tree = ast.parse(source, filename=filename)
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            problem = _call_problem(node)
        elif isinstance(node, ast.ImportFrom):
            problem = _import_problem(node)
        else:
            continue
        if problem is None:
            continue
        text = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
        if text.rstrip().endswith(EXEMPT):
            continue
        found.append(f"{filename}:{node.lineno}: {problem}")
    return found


def _package_files() -> list[Path]:
    files = []
    for folder in SCANNED:
        found = sorted((REPO / folder).rglob("*.py"))
        files.extend(p for p in found if "__pycache__" not in p.parts)
    return files


def test_package_files_exist():
    assert any(p.parts[-2] == "gamespec" for p in _package_files()), "no gamespec/*.py found"


def test_no_eval_exec_sympify_or_unpickling_in_package():
    problems = []
    for path in _package_files():
        rel = path.relative_to(REPO).as_posix()
        try:
            problems.extend(find_problems(path.read_text(encoding="utf-8"), rel))
        except SyntaxError as exc:
            problems.append(f"{rel}:{exc.lineno}: cannot parse ({exc.msg})")
    assert not problems, "forbidden string evaluation (DESIGN.md: no eval):\n" + "\n".join(
        problems
    )


def test_no_exemptions_today():
    exempt = [
        f"{p.relative_to(REPO).as_posix()}:{n}"
        for p in _package_files()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if line.rstrip().endswith(EXEMPT)
    ]
    assert not exempt, f"lines marked '{EXEMPT}': {exempt}"


@pytest.mark.parametrize(
    "code",
    [
        "eval('1 + 1')",
        "exec(text)",
        "compile(text, 'f', 'exec')",
        "__import__('os')",
        "sympy.sympify(text)",
        "sp.parse_expr(text)",
        "parse_expr(text)",
        "S('x + 1')",
        "sympy.S(f'{name}')",
        "pickle.loads(blob)",
        "pickle.load(fh)",
        "builtins.eval(text)",
        "from sympy import sympify as s",
        "from sympy.parsing.sympy_parser import parse_expr",
        "from pickle import loads",
        "from builtins import eval",
    ],
)
def test_detector_flags(code):
    assert find_problems(code + "\n", "x.py"), code


@pytest.mark.parametrize(
    "code",
    [
        "re.compile('a+')",
        "S(1)",
        "sympy.S.Half",
        "expr.evalf()",
        "json.loads(text)",
        "np.load(path)",
        "eval('1')  # noqa: eval-ok",
        "from sympy import Symbol, lambdify",
    ],
)
def test_detector_allows(code):
    assert not find_problems(code + "\n", "x.py"), code


def test_detector_names_file_and_line():
    assert find_problems("x = 1\ny = eval('2')\n", "pkg/m.py") == ["pkg/m.py:2: call to eval()"]
