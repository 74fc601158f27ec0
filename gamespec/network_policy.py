"""Whether this run may download a registered data set (gamespec.data.registry.fetch).

The command line owns it: `solve`, `sweep`, `plot` and `experiment` may download (and say
so on stderr); `check`, `info`, `derive`, `export` and `import` never touch the network. A
spec cannot change it. Library calls may download unless a caller turns it off.
"""
from __future__ import annotations

DOWNLOADS = True
