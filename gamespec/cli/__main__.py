"""`python -m gamespec.cli`: the `gamespec` command."""
from gamespec.cli import run

run()
