"""Non-atomic populations: finite-choice populations and congestion networks (Wardrop)."""
