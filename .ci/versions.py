"""Print the platform and the versions of gamespec's dependencies (CI's log; the test
extra's versions follow in pytest's header)."""
import importlib.metadata as md
import platform

print("python", platform.python_version(), platform.platform())
for name in ("gamespec", "pip", "setuptools", "lark", "sympy", "numpy", "scipy", "networkx",
             "pyomo", "highspy", "pooch", "scikit-learn", "matplotlib", "click", "rich",
             "pygls"):
    try:
        print(f"{name:14s}", md.version(name))
    except md.PackageNotFoundError:
        print(f"{name:14s}", "not installed")
