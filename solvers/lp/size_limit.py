"""The LP method's size limit, in a module of its own so that reading or setting it (`--limit
lp_coefficients=N`, gamespec/limits.py) does not import the LP stack."""

MAX_ENTRIES = 60_000_000  # coefficients of the LP method's payoff array
