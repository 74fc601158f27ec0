"""Experiments: simulation studies on data that a spec names with
`experiment NAME using PLUGIN { ... }` and `gamespec experiment FILE` runs."""
