"""Solvers for game trees (gamespec.game_tree): backward induction, the sequence form,
the reduced normal form, refinements."""
