"""Fuzzing gamespec: construct generators, the command runner, file-system cases."""
