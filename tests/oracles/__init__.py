"""Oracles written by hand for tests and benchmarks only (never imported by gamespec)."""
